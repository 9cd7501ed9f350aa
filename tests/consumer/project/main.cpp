// A host program: renders a little audio with FluxForge's public API and checks the result.
#include <fluxforge/fluxforge.hpp>
#if defined(CONSUMER_WITH_DEVICE)
#include <fluxforge/device/audio_apis.hpp>
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
    std::printf("RtAudio %s with %zu APIs\n", fluxforge::device::rtAudioVersion().c_str(),
                fluxforge::device::compiledAudioApis().size());
#endif
    return level == 0.25f ? 0 : 1;
}
