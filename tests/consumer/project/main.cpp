// A host program: renders a little audio with FluxForge's public API and checks the result.
#include <fluxforge/fluxforge.hpp>
#if defined(CONSUMER_WITH_DEVICE)
#include <fluxforge/device/audio_apis.hpp>
#endif
#if defined(CONSUMER_WITH_CONTROL)
#include <fluxforge/control/script.hpp>

#include <chrono>
#endif

#include <cstdio>
#include <string>

int main() {
    fluxforge::AudioBuffer buffer(2, 256);
    for (fluxforge::ChannelCount c = 0; c < buffer.numChannels(); ++c) {
        for (fluxforge::FrameCount i = 0; i < buffer.numFrames(); ++i) {
            buffer.channel(c)[i] = (i % 2 == 0) ? 0.5f : -0.5f;
        }
    }
    fluxforge::applyGain(buffer.view(), 0.5f);
    const float level = fluxforge::peak(buffer.view());
    std::printf("fluxforge %s, kernels %s, peak %.3f\n", fluxforge::kVersionString,
                std::string(fluxforge::kernels::activeKernelTable().name).c_str(), level);
#if defined(CONSUMER_WITH_DEVICE)
    std::printf("RtAudio %s with %zu APIs\n", fluxforge::rtAudioVersion().c_str(),
                fluxforge::compiledAudioApis().size());
#endif
#if defined(CONSUMER_WITH_CONTROL)
    // A script builds a tone; the host renders it. Lua's headers are not needed here.
    fluxforge::Engine engine({48000.0, 256});
    fluxforge::GraphSession session(engine, {0, 2});
    fluxforge::ScriptConfig config;
    config.name = "consumer.lua";
    config.source = "local g = ff.graph()\n"
                    "local tone = g:add('sine', {amplitude = 0.5})\n"
                    "local pan = g:add('gainPan')\n"
                    "g:connect(tone, pan)\n"
                    "g:connect(pan, g:output())\n"
                    "g:commit()\n";
    fluxforge::Script script(session, config);
    script.waitUntilDone(std::chrono::seconds(10));
    engine.process({}, buffer.view());
    engine.process({}, buffer.view());
    std::printf("script %s: %s, peak %.3f\n", script.name().c_str(),
                script.state() == fluxforge::ScriptState::finished ? "finished"
                                                                   : script.error().c_str(),
                static_cast<double>(fluxforge::peak(buffer.view())));
    if (script.state() != fluxforge::ScriptState::finished ||
        !(fluxforge::peak(buffer.view()) > 0.1f)) {
        return 1;
    }
#endif
    return level == 0.25f ? 0 : 1;
}
