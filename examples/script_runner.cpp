// Runs a Lua script (docs/scripting.md) against an engine: through a running JACK server, else
// the system's default audio device (PulseAudio, then ALSA), else offline into a WAV file, the
// way examples/demo.cpp picks. The script builds the graph and drives everything else.
//
//   script_runner examples/scripts/generative.lua [--seconds 30] [--offline] [--output out.wav]
#include <fluxforge/control/script.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/device/audio_apis.hpp>
#include <fluxforge/device/engine_callback.hpp>
#include <fluxforge/device/offline_device.hpp>
#include <fluxforge/device/rtaudio_device.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

using namespace fluxforge;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string script;
    double seconds = 20.0;
    bool offlineOnly = false;
    std::string output = "script.wav";
};

std::string readFile(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw Error("cannot read '" + path + "'");
    }
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

std::string baseName(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The engine, the session the script edits, and the script itself, at one sample rate.
struct Run {
    Run(SampleRate rate, FrameCount block, const Options& options)
        : engine(EngineConfig{.sampleRate = rate, .maxBlockSize = block})
        , session(engine, GraphConfig{0, 2}) {
        ScriptConfig config;
        config.name = baseName(options.script);
        config.source = readFile(options.script);
        script = std::make_unique<Script>(session, std::move(config));
    }
    Engine engine;
    GraphSession session;
    std::unique_ptr<Script> script;
};

// 0 when the script is fine so far; otherwise prints why and returns 1.
int reportScript(const Script& script) {
    if (script.state() == ScriptState::failed) {
        std::fprintf(stderr, "script failed: %s\n", script.error().c_str());
        return 1;
    }
    return 0;
}

bool tryDevice(AudioApi api, const Options& options, int& result, std::string& why) {
    if (!isAudioApiCompiled(api)) {
        why = "not compiled into this RtAudio";
        return false;
    }
    std::vector<AudioDeviceInfo> devices;
    try {
        devices = listAudioDevices(api);
    } catch (const Error& error) {
        why = error.what();
        return false;
    }
    const AudioDeviceInfo* output = nullptr;
    for (const AudioDeviceInfo& info : devices) {
        if (info.outputChannels >= 2 && (output == nullptr || info.isDefaultOutput)) {
            output = &info;
        }
    }
    if (output == nullptr) {
        why = devices.empty() ? "no devices (no server running?)" : "no stereo output";
        return false;
    }
    const std::uint32_t rate =
        output->preferredSampleRate != 0 ? output->preferredSampleRate : 48000;
    RtAudioConfig config;
    config.api = api;
    config.outputDevice = output->name;
    config.outputChannels = 2;
    config.sampleRate = rate;
    config.blockFrames = 256;
    config.streamName = "fluxforge-script";
    RtAudioDevice device;
    try {
        device.open(config);
        Run run(rate, 256, options);
        EngineCallback callback(run.engine);
        device.start(callback);
        const auto started = Clock::now();
        while (device.stats().callbacks == 0 && Clock::now() - started < std::chrono::seconds(1)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (device.stats().callbacks == 0) {
            device.stop();
            device.close();
            why = "no audio callback within 1 s";
            return false;
        }
        std::printf("playing '%s' through %s for %.0f s\n", options.script.c_str(),
                    output->name.c_str(), options.seconds);
        const auto end = Clock::now() + std::chrono::duration<double>(options.seconds);
        while (Clock::now() < end && device.state() == DeviceState::running &&
               run.script->state() == ScriptState::running) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            run.engine.update(); // housekeeping: frees retired plans and automation
        }
        run.script->stop();
        device.stop();
        device.close();
        result = reportScript(*run.script);
        return true;
    } catch (const Error& error) {
        why = error.what();
        device.close();
        return false;
    }
}

int renderOffline(const Options& options, const std::string& reason) {
    constexpr SampleRate kRate = 48000.0;
    constexpr FrameCount kBlock = 512;
    Run run(kRate, kBlock, options);
    EngineCallback callback(run.engine);
    OfflineDevice offline({.sampleRate = kRate, .blockFrames = kBlock, .outputChannels = 2});
    RenderOptions render;
    render.progressIntervalFrames = kBlock;
    // Between blocks the script catches up with the playhead: offline renders faster than real
    // time, and a script writing the next bar must still be ahead of it.
    render.progress = [&](const RenderProgress&) {
        run.script->waitUntilCaughtUp(std::chrono::seconds(5));
        run.engine.collectGarbage();
        return true;
    };
    render.fileFormat = WavSampleFormat::pcm16;
    const auto frames = static_cast<FrameCount>(options.seconds * kRate);
    const RenderResult result = offline.renderToFile(callback, options.output, frames, render);
    run.script->stop();
    std::printf("%s: rendered %.0f s of '%s' offline to %s (%.0fx real time)\n", reason.c_str(),
                options.seconds, options.script.c_str(), options.output.c_str(),
                result.elapsedSeconds > 0.0 ? options.seconds / result.elapsedSeconds : 0.0);
    return reportScript(*run.script);
}

bool parse(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--seconds" && i + 1 < argc) {
            options.seconds = std::strtod(argv[++i], nullptr);
        } else if (arg == "--output" && i + 1 < argc) {
            options.output = argv[++i];
        } else if (arg == "--offline") {
            options.offlineOnly = true;
        } else if (options.script.empty() && arg.rfind("--", 0) != 0) {
            options.script = arg;
        } else {
            return false;
        }
    }
    return !options.script.empty() && options.seconds > 0.0 && options.seconds <= 3600.0;
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse(argc, argv, options)) {
        std::fprintf(stderr,
                     "usage: %s SCRIPT.lua [--seconds 1..3600] [--offline] [--output FILE.wav]\n",
                     argv[0]);
        return 2;
    }
    setenv("JACK_NO_START_SERVER", "1", 0); // probing JACK must not start a server
    try {
        if (options.offlineOnly) {
            return renderOffline(options, "--offline");
        }
        for (const auto& [api, label] :
             {std::pair{AudioApi::jack, "JACK"}, std::pair{AudioApi::pulse, "PulseAudio"},
              std::pair{AudioApi::alsa, "ALSA"}}) {
            std::string why;
            int result = 0;
            if (tryDevice(api, options, result, why)) {
                return result;
            }
            std::printf("%s: %s\n", label, why.c_str());
        }
        return renderOffline(options, "no audio device could play");
    } catch (const Error& error) {
        std::fprintf(stderr, "script_runner: %s\n", error.what());
        return 1;
    }
}
