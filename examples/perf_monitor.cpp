// perf_monitor: a terminal performance monitor for the engine, refreshing like `top`.
//
// It plays the reference session (64 stereo tracks, 8 buses, 2 reverbs, a sidechain, a latent node
// and a limited master: docs/reference-session.md; --tracks makes it smaller, with tracks/8 buses,
// 2 to 8) through the first thing that runs: a JACK
// server (a real one, or the dummy server of docs/metrics.md), PulseAudio, the default ALSA
// device (when the machine has a sound card), or else a paced offline loop that calls the engine
// once per period from an ordinary thread. Several times a second it redraws what the engine's
// metrics snapshot says: the load meter (last, window average, peak, p50/p99; above 100% on a late
// block), deadline misses, the longest block, device xruns, each worker's busy share, and the
// nodes that cost the most.
//
//   perf_monitor [--seconds 10] [--block 128] [--workers 0] [--tracks 64] [--offline]
//                [--top 10] [--trace out.json] [--svg schedule.svg] [--trace-blocks 256]
//                [--plan-dot plan.dot] [--graph-dot graph.dot]
//
// --trace and --svg switch tracing on while it plays and write the last recorded blocks at the
// end: Chrome Trace Event JSON (open it in ui.perfetto.dev) and an SVG of the schedule.
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/device/audio_apis.hpp>
#include <fluxforge/device/engine_callback.hpp>
#include <fluxforge/device/rtaudio_device.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/engine/trace_export.hpp>
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/graph/graph_dot.hpp>
#include <fluxforge/research/reference_session.hpp>
#include <fluxforge/sched/thread_priority.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace fluxforge;
using Clock = std::chrono::steady_clock;

struct Options {
    double seconds = 10.0;
    FrameCount block = 128;
    std::uint32_t workers = 0;
    std::size_t tracks = 64;
    bool offlineOnly = false;
    std::size_t top = 10;
    std::string trace;
    std::uint32_t traceBlocks = 256;
    std::string svg;
    std::string planDot;
    std::string graphDot;
};

struct Session {
    Graph graph;
    std::unique_ptr<Engine> engine;
};

Session makeSession(const Options& options, SampleRate rate, FrameCount block) {
    Session s;
    EngineConfig config;
    config.sampleRate = rate;
    config.maxBlockSize = std::max<FrameCount>(block, 64);
    config.workers = options.workers;
    config.trace.blocks = options.traceBlocks;
    s.engine = std::make_unique<Engine>(config);
    ReferenceSessionConfig session;
    session.tracks = options.tracks;
    session.buses = std::clamp<std::size_t>(options.tracks / 8, 2, 8); // 8 for the full session
    session.prepare = {rate, config.maxBlockSize};
    buildReferenceSession(s.graph, session);
    s.engine->commit(s.graph);
    if (!options.trace.empty() || !options.svg.empty()) {
        s.engine->setTracing(true);
    }
    return s;
}

std::string bar(double fraction, int width) {
    const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * width + 0.5);
    std::string text(static_cast<std::size_t>(filled), '#');
    text += std::string(static_cast<std::size_t>(width - filled), '.');
    return text + (fraction > 1.0 ? "!" : " ");
}

double percent(double share) {
    return 100.0 * share;
}

// One screen: the block figures, the workers, the most expensive nodes.
void draw(const Engine& engine, const std::string& where, const Options& options, double elapsed,
          bool clearScreen) {
    const MetricsSnapshot s = engine.metrics();
    std::string out = clearScreen ? "\x1b[H\x1b[2J" : "";
    char line[256];
    std::snprintf(line, sizeof line,
                  "FluxForge perf_monitor - reference session, %zu tasks - %s - %.1f s\n\n",
                  s.nodes.size(), where.c_str(), elapsed);
    out += line;
    std::snprintf(line, sizeof line, "  load  [%s] %5.1f%%   (last block, %.0f us of %.0f us)\n",
                  bar(s.block.load, 40).c_str(), percent(s.block.load),
                  s.block.callbackNanoseconds / 1e3, s.block.periodNanoseconds / 1e3);
    out += line;
    std::snprintf(line, sizeof line, "  avg   [%s] %5.1f%%   (last %u blocks)\n",
                  bar(s.block.averageLoad, 40).c_str(), percent(s.block.averageLoad),
                  s.block.windowBlocks);
    out += line;
    std::snprintf(line, sizeof line, "  peak  [%s] %5.1f%%\n", bar(s.block.peakLoad, 40).c_str(),
                  percent(s.block.peakLoad));
    out += line;
    std::snprintf(line, sizeof line,
                  "  p50 %.1f%%  p99 %.1f%%  misses %llu  longest %.0f us (%.1f%%)  xruns %llu  "
                  "blocks %llu\n\n",
                  percent(s.block.p50Load), percent(s.block.p99Load),
                  static_cast<unsigned long long>(s.block.deadlineMisses),
                  s.block.longestBlockNanoseconds / 1e3, percent(s.block.longestBlockLoad),
                  static_cast<unsigned long long>(s.block.deviceXruns),
                  static_cast<unsigned long long>(s.block.blocks));
    out += line;
    out += "  worker           busy                                 tasks   steals  wake-ups\n";
    for (std::size_t w = 0; w < s.workers.size(); ++w) {
        const WorkerMetrics& m = s.workers[w];
        if (m.blocks == 0 && w > 0) {
            continue;
        }
        std::snprintf(line, sizeof line, "  %-8s [%s] %5.1f%%  %8llu %8llu %9llu\n",
                      w == 0 ? "audio" : ("helper " + std::to_string(w)).c_str(),
                      bar(m.busyShare, 24).c_str(), percent(m.busyShare),
                      static_cast<unsigned long long>(m.tasks),
                      static_cast<unsigned long long>(m.steals),
                      static_cast<unsigned long long>(m.wakeUps));
        out += line;
    }
    std::vector<const NodeMetrics*> nodes;
    for (const NodeMetrics& n : s.nodes) {
        nodes.push_back(&n);
    }
    std::sort(nodes.begin(), nodes.end(),
              [](const NodeMetrics* a, const NodeMetrics* b) { return a->share > b->share; });
    std::snprintf(line, sizeof line, "\n  top %zu nodes by CPU   share    avg us   worst us\n",
                  std::min(options.top, nodes.size()));
    out += line;
    for (std::size_t i = 0; i < nodes.size() && i < options.top; ++i) {
        std::snprintf(line, sizeof line, "  %-22.22s %5.1f%%  %8.1f  %9.1f\n",
                      nodes[i]->name.c_str(), percent(nodes[i]->share),
                      nodes[i]->averageNanoseconds / 1e3, nodes[i]->worstNanoseconds / 1e3);
        out += line;
    }
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
}

// Runs `seconds` of monitoring, redrawing four times a second, while `running` says the audio
// goes on.
void monitor(Engine& engine, const std::string& where, const Options& options,
             const std::function<bool()>& running) {
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration<double>(options.seconds);
    const char* term = std::getenv("TERM");
    const bool terminal = term != nullptr && *term != '\0' && std::string(term) != "dumb";
    while (Clock::now() < end && running()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        engine.update();
        draw(engine, where, options, std::chrono::duration<double>(Clock::now() - start).count(),
             terminal);
    }
}

void writeOutputs(Session& session, const Options& options) {
    if (!options.trace.empty() || !options.svg.empty()) {
        session.engine->setTracing(false);
        const TraceCapture trace = session.engine->captureTrace();
        if (!options.trace.empty()) {
            std::ofstream file(options.trace);
            writeChromeTrace(trace, file);
            std::printf("wrote %zu blocks, %zu tasks to %s (open it in ui.perfetto.dev)\n",
                        trace.blocks.size(), trace.tasks.size(), options.trace.c_str());
        }
        if (!options.svg.empty()) {
            std::ofstream file(options.svg);
            writeScheduleSvg(trace, file, {4, 1400.0});
            std::printf("wrote the schedule of the last blocks to %s\n", options.svg.c_str());
        }
    }
    if (!options.planDot.empty() || !options.graphDot.empty()) {
        CompileSettings settings;
        settings.sampleRate = session.engine->config().sampleRate;
        settings.maxBlockSize = session.engine->config().maxBlockSize;
        const auto plan = compile(session.graph, settings);
        if (!options.planDot.empty()) {
            std::ofstream file(options.planDot);
            writePlanDot(*plan, file);
            std::printf("wrote the plan to %s (dot -Tsvg %s -o plan.svg)\n",
                        options.planDot.c_str(), options.planDot.c_str());
        }
        if (!options.graphDot.empty()) {
            std::ofstream file(options.graphDot);
            writeGraphDot(session.graph, file, plan.get());
            std::printf("wrote the graph to %s\n", options.graphDot.c_str());
        }
    }
}

bool soundCardPresent() {
    std::ifstream cards("/proc/asound/cards");
    std::string line;
    while (std::getline(cards, line)) {
        if (line.find('[') != std::string::npos) {
            return true;
        }
    }
    return false;
}

// Plays through one RtAudio API; false (with the reason) when it has no usable device.
bool tryDevice(AudioApi api, const char* label, const Options& options, std::string& why) {
    if (!isAudioApiCompiled(api)) {
        why = std::string(label) + " is not compiled in";
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
        why = devices.empty() ? "no device (is a server running?)" : "no stereo output";
        return false;
    }
    const std::uint32_t rate =
        output->preferredSampleRate != 0 ? output->preferredSampleRate : 48000;
    RtAudioConfig config;
    config.api = api;
    config.outputDevice = output->name;
    config.sampleRate = rate;
    config.blockFrames = options.block;
    config.streamName = "fluxforge-monitor";
    RtAudioDevice dev;
    try {
        dev.open(config);
        Session session = makeSession(options, rate, options.block);
        EngineCallback callback(*session.engine);
        dev.start(callback);
        const StreamInfo info = dev.streamInfo();
        char where[160];
        std::snprintf(where, sizeof where, "%s '%s', %u Hz, %u-frame blocks, %u workers", label,
                      output->name.c_str(), rate, info.blockFrames,
                      session.engine->workerCountApprox());
        monitor(*session.engine, where, options,
                [&] { return dev.state() == DeviceState::running; });
        dev.stop();
        dev.close();
        writeOutputs(session, options);
        return true;
    } catch (const Error& error) {
        why = error.what();
        dev.close();
        return false;
    }
}

// No device: an ordinary thread calls the engine once per period, as a device would.
void playPaced(const Options& options, const std::string& reason) {
    constexpr SampleRate kRate = 48000.0;
    Session session = makeSession(options, kRate, options.block);
    std::atomic<bool> stop{false};
    std::thread audio([&] {
        // Real-time like the helpers (where permitted): a normal thread calling the engine would
        // be outrun by its own real-time helpers on a busy machine.
        static_cast<void>(trySetCurrentThreadRealtime());
        AudioBuffer out(2, options.block);
        const auto period = std::chrono::duration<double>(options.block / kRate);
        auto next = Clock::now();
        while (!stop.load(std::memory_order_relaxed)) {
            session.engine->process({}, out.view());
            next += std::chrono::duration_cast<Clock::duration>(period);
            std::this_thread::sleep_until(next);
        }
    });
    char where[200];
    std::snprintf(where, sizeof where, "offline, paced (%s), %u-frame blocks, %u workers",
                  reason.c_str(), options.block, session.engine->workerCountApprox());
    monitor(*session.engine, where, options, [] { return true; });
    stop.store(true);
    audio.join();
    writeOutputs(session, options);
}

bool parse(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool more = i + 1 < argc;
        if (arg == "--seconds" && more) {
            o.seconds = std::strtod(argv[++i], nullptr);
        } else if (arg == "--block" && more) {
            o.block = static_cast<FrameCount>(std::strtoul(argv[++i], nullptr, 10));
        } else if (arg == "--workers" && more) {
            o.workers = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        } else if (arg == "--tracks" && more) {
            o.tracks = std::strtoul(argv[++i], nullptr, 10);
        } else if (arg == "--top" && more) {
            o.top = std::strtoul(argv[++i], nullptr, 10);
        } else if (arg == "--trace" && more) {
            o.trace = argv[++i];
        } else if (arg == "--trace-blocks" && more) {
            o.traceBlocks = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        } else if (arg == "--svg" && more) {
            o.svg = argv[++i];
        } else if (arg == "--plan-dot" && more) {
            o.planDot = argv[++i];
        } else if (arg == "--graph-dot" && more) {
            o.graphDot = argv[++i];
        } else if (arg == "--offline") {
            o.offlineOnly = true;
        } else {
            std::fprintf(stderr,
                         "unknown argument '%s'; see the comment at the top of "
                         "examples/perf_monitor.cpp\n",
                         arg.c_str());
            return false;
        }
    }
    return o.block >= 16 && o.block <= 4096 && o.seconds > 0.0 && o.tracks > 0 &&
           o.traceBlocks >= 1 && o.traceBlocks <= 65536;
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse(argc, argv, options)) {
        return 2;
    }
    try {
        std::string reason = "--offline";
        if (!options.offlineOnly) {
            std::string why;
            if (tryDevice(AudioApi::jack, "JACK", options, why)) {
                return 0;
            }
            reason = "JACK: " + why;
            if (soundCardPresent()) {
                if (tryDevice(AudioApi::pulse, "PulseAudio", options, why) ||
                    tryDevice(AudioApi::alsa, "ALSA", options, why)) {
                    return 0;
                }
                reason += "; " + why;
            } else {
                reason += "; no sound card";
            }
        }
        playPaced(options, reason);
        return 0;
    } catch (const Error& error) {
        std::fprintf(stderr, "perf_monitor: %s\n", error.what());
        return 1;
    }
}
