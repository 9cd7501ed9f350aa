// demo: plays a short piece through whatever this machine has, and says what it did.
//
// It tries, in order: a running JACK server (RtAudio's JACK API, connected to the server's
// playback ports), PulseAudio, the default ALSA device (only when the machine has a sound card),
// and otherwise renders the piece offline to a WAV file. A device that cannot open, or that gives
// no callback within a second, is skipped with the reason printed. Playing ends on its own after
// --seconds; a watchdog ends the program if a device hangs while stopping.
//
//   demo [--seconds 8] [--offline] [--output demo.wav]
//
// The piece is a four-chord loop written as automation lanes (sample-accurate, on the transport's
// timeline) into this graph:
//
//   [pad voice 1..4: sine] --> [pad.eq: low-pass] --> [pad.fader] ---------------+----> [master:
//   [bass: saw] --> [bass.eq: low-pass] --> [bass.fader] ------------------------+      limiter]
//   [bell: sine] --> [bell.delay: echo] --> [bell.fader] ------------------------+         |
//                                              |                                 |         v
//   pad.fader, bell.fader --> [send] --> [fx.reverb: FDN, decay 2.8 s] ----------+     [meter]
//                                                                                          |
//                                                                                      (output)
#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/device/audio_apis.hpp>
#include <fluxforge/device/engine_callback.hpp>
#include <fluxforge/device/offline_device.hpp>
#include <fluxforge/device/rtaudio_device.hpp>
#include <fluxforge/device/terminal_progress.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/nodes/nodes.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace fluxforge;
using Clock = std::chrono::steady_clock;

struct Options {
    double seconds = 8.0;
    bool offlineOnly = false;
    std::string output = "demo.wav";
};

// ---- the piece ---------------------------------------------------------------------------------

constexpr double kChordSeconds = 2.0;
constexpr int kChords = 4;
// Am7, Fmaj7, Cmaj7, G6: four pad voices each (Hz), the bass root below.
constexpr double kPad[kChords][4] = {{220.00, 261.63, 329.63, 392.00},
                                     {174.61, 220.00, 261.63, 329.63},
                                     {261.63, 329.63, 392.00, 493.88},
                                     {196.00, 246.94, 293.66, 329.63}};
constexpr double kBass[kChords] = {110.00, 87.31, 65.41, 98.00};
// The bell plays the chord's voices an octave up, in eighth notes at 120 bpm.
constexpr double kEighth = 0.25;
constexpr int kArpeggio[8] = {0, 1, 2, 3, 2, 1, 3, 2};

/// The graph, and what the demo needs of it afterwards.
struct Piece {
    Graph graph{GraphConfig{0, 2}};
    std::vector<NodeId> padVoices;
    NodeId bass;
    NodeId bell;
    std::shared_ptr<Meter> meter;
};

template <typename T>
NodeId addWith(Graph& graph, std::shared_ptr<T> node, const std::string& name,
               std::initializer_list<std::pair<std::size_t, float>> parameters) {
    node->prepare(PrepareContext{});
    for (const auto& [index, value] : parameters) {
        node->setParameter(index, value);
    }
    return graph.add(std::move(node), name);
}

Piece buildPiece(SampleRate rate) {
    Piece piece;
    Graph& g = piece.graph;
    const NodeId limiter =
        g.add(std::make_shared<Limiter>(LimiterConfig{.lookAheadMs = 1.0, .sampleRate = rate}),
              "master.limiter");
    piece.meter = std::make_shared<Meter>();
    const NodeId meter = g.add(piece.meter, "master.meter");
    g.connect(limiter, meter);
    g.connect(meter, g.output());

    const NodeId reverb =
        addWith(g, std::make_shared<FdnReverb>(), "fx.reverb",
                {{FdnReverb::kDecay, 2.8f}, {FdnReverb::kDamping, 0.45f}, {FdnReverb::kMix, 1.0f}});
    g.connect(reverb, limiter);
    const NodeId send =
        addWith(g, std::make_shared<GainPan>(GainPanConfig{.input = PanInput::stereo}), "fx.send",
                {{GainPan::kGain, -9.0f}});
    g.connect(send, reverb);

    // Pad: four sines summed into one low-passed voice, slightly left.
    const NodeId padEq = addWith(
        g, std::make_shared<Biquad>(BiquadConfig{.type = BiquadType::lowPass, .channels = 1}),
        "pad.eq", {{Biquad::kFrequency, 1800.0f}});
    for (int v = 0; v < 4; ++v) {
        const NodeId voice =
            g.add(std::make_shared<SineOscillator>(), "pad.voice" + std::to_string(v + 1));
        g.connect(voice, padEq);
        piece.padVoices.push_back(voice);
    }
    const NodeId padFader = addWith(g, std::make_shared<GainPan>(), "pad.fader",
                                    {{GainPan::kGain, -4.0f}, {GainPan::kPan, -0.2f}});
    g.connect(padEq, padFader);
    g.connect(padFader, limiter);
    g.connect(padFader, send);

    // Bass: a low-passed saw in the middle.
    piece.bass =
        addWith(g, std::make_shared<SawOscillator>(), "bass", {{SawOscillator::kAmplitude, 0.3f}});
    const NodeId bassEq = addWith(
        g, std::make_shared<Biquad>(BiquadConfig{.type = BiquadType::lowPass, .channels = 1}),
        "bass.eq", {{Biquad::kFrequency, 500.0f}, {Biquad::kQ, 0.9f}});
    const NodeId bassFader =
        addWith(g, std::make_shared<GainPan>(), "bass.fader", {{GainPan::kGain, -6.0f}});
    g.connect(piece.bass, bassEq);
    g.connect(bassEq, bassFader);
    g.connect(bassFader, limiter);

    // Bell: an arpeggio through a dotted-eighth echo, to the right and into the reverb.
    piece.bell = g.add(std::make_shared<SineOscillator>(), "bell");
    const NodeId echo = addWith(
        g, std::make_shared<DelayLine>(DelayLineConfig{.maxDelayMs = 1000.0, .channels = 1}),
        "bell.delay",
        {{DelayLine::kDelayTime, 375.0f}, {DelayLine::kFeedback, 0.4f}, {DelayLine::kMix, 0.35f}});
    const NodeId bellFader = addWith(g, std::make_shared<GainPan>(), "bell.fader",
                                     {{GainPan::kGain, -7.0f}, {GainPan::kPan, 0.45f}});
    g.connect(piece.bell, echo);
    g.connect(echo, bellFader);
    g.connect(bellFader, limiter);
    g.connect(bellFader, send);
    return piece;
}

// The automation: frequencies step with the chords; the pad swells on each chord, the bell's
// amplitude decays after each note.
void automate(Engine& engine, const Piece& piece, SampleRate rate) {
    const auto at = [rate](double seconds) { return static_cast<SampleTime>(seconds * rate); };
    for (int v = 0; v < 4; ++v) {
        std::vector<Breakpoint> frequency;
        std::vector<Breakpoint> amplitude;
        for (int c = 0; c < kChords; ++c) {
            const double t = c * kChordSeconds;
            frequency.push_back({at(t), static_cast<float>(kPad[c][v]), CurveShape::step});
            amplitude.push_back({at(t), 0.02f, CurveShape::sCurve});
            amplitude.push_back({at(t + 0.5), 0.11f, CurveShape::linear});
            amplitude.push_back({at(t + kChordSeconds - 0.03), 0.05f, CurveShape::linear});
        }
        amplitude.push_back({at(kChords * kChordSeconds), 0.02f, CurveShape::linear});
        engine.setAutomation(
            engine.parameter(piece.padVoices[static_cast<std::size_t>(v)], "frequency"),
            std::make_shared<const AutomationLane>(std::move(frequency)));
        engine.setAutomation(
            engine.parameter(piece.padVoices[static_cast<std::size_t>(v)], "amplitude"),
            std::make_shared<const AutomationLane>(std::move(amplitude)));
    }
    std::vector<Breakpoint> bass;
    std::vector<Breakpoint> bell;
    std::vector<Breakpoint> bellAmplitude;
    for (int c = 0; c < kChords; ++c) {
        bass.push_back({at(c * kChordSeconds), static_cast<float>(kBass[c]), CurveShape::step});
        for (int n = 0; n < 8; ++n) {
            const double t = c * kChordSeconds + n * kEighth;
            bell.push_back(
                {at(t), static_cast<float>(2.0 * kPad[c][kArpeggio[n]]), CurveShape::step});
            bellAmplitude.push_back({at(t), 0.0f, CurveShape::linear});
            bellAmplitude.push_back({at(t + 0.004), 0.3f, CurveShape::exponential});
            bellAmplitude.push_back({at(t + kEighth - 0.01), 0.01f, CurveShape::linear});
        }
    }
    engine.setAutomation(engine.parameter(piece.bass, "frequency"),
                         std::make_shared<const AutomationLane>(std::move(bass)));
    engine.setAutomation(engine.parameter(piece.bell, "frequency"),
                         std::make_shared<const AutomationLane>(std::move(bell)));
    engine.setAutomation(engine.parameter(piece.bell, "amplitude"),
                         std::make_shared<const AutomationLane>(std::move(bellAmplitude)));
}

/// An engine playing the piece at `rate`, transport running and looping the four chords.
struct Session {
    Piece piece;
    std::unique_ptr<Engine> engine;
    ControlSender sender;

    explicit Session(SampleRate rate)
        : piece(buildPiece(rate)) {
        EngineConfig config;
        config.sampleRate = rate;
        config.maxBlockSize = 1024;
        config.workers = 1; // a small graph: the audio thread alone is fastest
        engine = std::make_unique<Engine>(config);
        engine->commit(piece.graph);
        automate(*engine, piece, rate);
        sender = engine->createSender();
        static_cast<void>(
            sender.trySetLoop(0, static_cast<SampleTime>(kChords * kChordSeconds * rate)));
        static_cast<void>(sender.tryPlay());
    }
};

// ---- devices -----------------------------------------------------------------------------------

/// Whether the machine has a sound card at all (Linux: /proc/asound/cards lists one). Asking ALSA
/// on a machine without one makes alsa-lib print errors, so the demo looks here first.
bool soundCardPresent() {
#if defined(__linux__)
    std::ifstream cards("/proc/asound/cards");
    std::string line;
    while (std::getline(cards, line)) {
        if (line.find('[') != std::string::npos) {
            return true;
        }
    }
    return false;
#else
    return true;
#endif
}

/// Whether the callback ran within `timeout`.
bool callbacksArrive(const Device& device, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (device.stats().callbacks > 0) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

/// Ends the program if it is still running after `limit`: an audio device that hangs (in open,
/// start, stop or close) must not hang the demo.
class Watchdog {
public:
    explicit Watchdog(std::chrono::seconds limit)
        : thread_([this, limit] {
            const auto deadline = Clock::now() + limit;
            while (!done_.load()) {
                if (Clock::now() > deadline) {
                    std::fprintf(stderr,
                                 "demo: still running after %lld s (an audio device hung); "
                                 "giving up\n",
                                 static_cast<long long>(limit.count()));
                    std::_Exit(1);
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }) {}
    ~Watchdog() {
        done_ = true;
        thread_.join();
    }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

private:
    std::atomic<bool> done_{false};
    std::thread thread_;
};

std::string levelBar(float level) {
    const double db = level > 0.0f ? 20.0 * std::log10(level) : -100.0;
    const int filled = static_cast<int>(std::max(0.0, std::min(30.0, (db + 60.0) / 2.0)));
    return std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(30 - filled), ' ');
}

/// Plays through an open device until the time is up. Returns false (with the reason) if the
/// device does not run.
bool play(RtAudioDevice& device, Session& session, const char* label, double seconds,
          std::string& why) {
    EngineCallback callback(*session.engine);
    device.start(callback);
    if (!callbacksArrive(device, std::chrono::seconds(1))) {
        device.stop();
        why = "it gave no audio callback within 1 s";
        return false;
    }
    // Once running, the device reports its latency for the connections it made.
    const StreamInfo info = device.streamInfo();
    std::printf("playing %.0f s through %s ('%s', %.0f Hz, %u-frame blocks; output latency: "
                "device %u frames + engine %u frames)\n",
                seconds, label, device.config()->outputDevice.c_str(), info.sampleRate,
                info.blockFrames, device.latency().outputFrames, session.engine->outputLatency());
    std::fflush(stdout);
    const auto end = Clock::now() + std::chrono::duration<double>(seconds);
    int second = 0;
    while (Clock::now() < end && device.state() == DeviceState::running) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        session.engine->update(); // housekeeping: frees retired plans and automation sets
        const double played = static_cast<double>(session.engine->framesRenderedApprox()) /
                              session.engine->config().sampleRate;
        if (played >= second + 1) {
            second = static_cast<int>(played);
            std::printf("  %2d s  [%s] peak %.2f\n", second,
                        levelBar(session.piece.meter->peakHoldApprox(0)).c_str(),
                        static_cast<double>(session.piece.meter->peakHoldApprox(0)));
            session.piece.meter->resetPeakHold();
            std::fflush(stdout);
        }
    }
    const bool lost = device.state() == DeviceState::lost;
    device.stop();
    const DeviceStats stats = device.stats();
    std::printf("  %llu callbacks, %llu xruns\n", static_cast<unsigned long long>(stats.callbacks),
                static_cast<unsigned long long>(stats.xruns.total()));
    if (lost) {
        why = "the stream was lost while playing";
        return false;
    }
    return true;
}

/// Tries one API; true if the piece played through it.
bool tryApi(AudioApi api, const char* label, const Options& options, std::string& why) {
    if (!isAudioApiCompiled(api)) {
        why = std::string(label) + " is not compiled into this RtAudio";
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
        if (!devices.empty()) {
            why = "no device with a stereo output";
        } else if (api == AudioApi::jack) {
            why = "no JACK server is running";
        } else if (api == AudioApi::pulse) {
            why = "no PulseAudio server answers";
        } else {
            why = "no devices";
        }
        return false;
    }
    std::uint32_t rate = output->preferredSampleRate;
    if (rate == 0) {
        rate = 48000;
        if (!output->sampleRates.empty() &&
            std::find(output->sampleRates.begin(), output->sampleRates.end(), rate) ==
                output->sampleRates.end()) {
            rate = output->sampleRates.front();
        }
    }

    RtAudioConfig config;
    config.api = api;
    config.outputDevice = output->name;
    config.outputChannels = 2;
    config.sampleRate = rate;
    config.blockFrames = 256;
    config.streamName = "fluxforge-demo";
    RtAudioDevice device;
    try {
        device.open(config);
        Session session(rate);
        const bool played = play(device, session, label, options.seconds, why);
        device.close();
        return played;
    } catch (const Error& error) {
        why = error.what();
        device.close();
        return false;
    }
}

int renderOffline(const Options& options, const std::string& reason) {
    constexpr SampleRate kRate = 48000.0;
    Session session(kRate);
    EngineCallback callback(*session.engine);
    OfflineDevice offline({.sampleRate = kRate, .blockFrames = 1024, .outputChannels = 2});
    TerminalProgressBar bar(stdout, kRate);
    RenderOptions render;
    render.progress = bar.callback();
    render.fileFormat = WavSampleFormat::pcm16;
    const auto frames = static_cast<FrameCount>(options.seconds * kRate);
    const RenderResult result = offline.renderToFile(callback, options.output, frames, render);
    bar.finish();
    std::printf("%s: rendered %.0f s offline to %s (%.0fx real time, peak %.2f)\n", reason.c_str(),
                options.seconds, options.output.c_str(),
                result.elapsedSeconds > 0.0 ? options.seconds / result.elapsedSeconds : 0.0,
                static_cast<double>(session.piece.meter->peakHoldApprox(0)));
    return 0;
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
        } else {
            return false;
        }
    }
    return options.seconds > 0.0 && options.seconds <= 600.0;
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse(argc, argv, options)) {
        std::fprintf(stderr, "usage: %s [--seconds 1..600] [--offline] [--output FILE.wav]\n",
                     argv[0]);
        return 2;
    }
    // Probing JACK must never start a server behind the user's back.
    setenv("JACK_NO_START_SERVER", "1", 0);
    const Watchdog watchdog(std::chrono::seconds(static_cast<long long>(options.seconds) + 30));

    try {
        if (options.offlineOnly) {
            return renderOffline(options, "--offline");
        }
        std::string why;
        if (tryApi(AudioApi::jack, "JACK", options, why)) {
            return 0;
        }
        std::printf("JACK: %s\n", why.c_str());
        why.clear();
        if (tryApi(AudioApi::pulse, "PulseAudio", options, why)) {
            return 0;
        }
        std::printf("PulseAudio: %s\n", why.c_str());
        if (!soundCardPresent()) {
            return renderOffline(options, "no sound card found");
        }
        why.clear();
        if (tryApi(AudioApi::alsa, "ALSA", options, why)) {
            return 0;
        }
        std::printf("ALSA: %s\n", why.c_str());
        return renderOffline(options, "no sound device could play");
    } catch (const Error& error) {
        std::fprintf(stderr, "demo: %s\n", error.what());
        return 1;
    }
}
