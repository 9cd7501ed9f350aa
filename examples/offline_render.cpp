// offline_render: bounces the reference session to a WAV file as fast as the machine allows.
//
// The OfflineDevice pumps the engine block by block on this thread (its helper threads join in),
// through the same EngineCallback a sound card would use, and writes 24-bit WAV with libsndfile.
// A progress bar is drawn when stdout is a terminal (TerminalProgressBar stays silent in logs and
// pipes); at the end the program prints the real-time factor: seconds of audio per second of
// wall-clock time.
//
//   offline_render [--seconds 10] [--tracks 16] [--seed 1] [--output offline_render.wav]
//
// The graph is the reference session of docs/reference-session.md, here with 16 tracks by default
// (--tracks 64 for the full one):
//
//   track k: [source] -> [eq x4] -> [comp] -> [fader] --+--> [bus (k mod 8): eq x4 -> comp] --+
//                                                       +--> [send 1] --> [fx1: FDN reverb] --+
//                                                       +--> [send 2] --> [fx2: FDN reverb] --+
//   track 1 also has a 2048-frame latent node after its EQ;                                   |
//   bus 1's comp is keyed by bus 2's comp (sidechain);                                        v
//                                          [master: tree sum -> look-ahead limiter] --> (output)
#include <fluxforge/core/error.hpp>
#include <fluxforge/device/engine_callback.hpp>
#include <fluxforge/device/offline_device.hpp>
#include <fluxforge/device/terminal_progress.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/research/reference_session.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using namespace fluxforge;

struct Options {
    double seconds = 10.0;
    std::size_t tracks = 16;
    std::uint64_t seed = 1;
    std::string output = "offline_render.wav";
};

bool parse(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool hasValue = i + 1 < argc;
        if (arg == "--seconds" && hasValue) {
            options.seconds = std::strtod(argv[++i], nullptr);
        } else if (arg == "--tracks" && hasValue) {
            options.tracks = std::strtoul(argv[++i], nullptr, 10);
        } else if (arg == "--seed" && hasValue) {
            options.seed = std::strtoull(argv[++i], nullptr, 10);
        } else if (arg == "--output" && hasValue) {
            options.output = argv[++i];
        } else {
            return false;
        }
    }
    return options.seconds > 0.0 && options.tracks > 0;
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse(argc, argv, options)) {
        std::fprintf(stderr, "usage: %s [--seconds S] [--tracks N] [--seed K] [--output FILE]\n",
                     argv[0]);
        return 2;
    }
    constexpr SampleRate kSampleRate = 48000.0;
    constexpr FrameCount kBlockFrames = 512;
    try {
        Graph graph(GraphConfig{0, 2});
        ReferenceSessionConfig session;
        session.seed = options.seed;
        session.tracks = options.tracks;
        session.prepare = {kSampleRate, kBlockFrames};
        const ReferenceSession built = buildReferenceSession(graph, session);

        EngineConfig config;
        config.sampleRate = kSampleRate;
        config.maxBlockSize = kBlockFrames;
        config.pool.realtimePriority = false; // rendering a file is not real-time work
        Engine engine(config);
        engine.commit(graph);

        EngineCallback callback(engine);
        OfflineDevice offline(
            {.sampleRate = kSampleRate, .blockFrames = kBlockFrames, .outputChannels = 2});
        TerminalProgressBar bar(stdout, kSampleRate);
        RenderOptions render;
        render.progress = bar.callback();
        render.fileFormat = WavSampleFormat::pcm24;
        const auto frames = static_cast<FrameCount>(options.seconds * kSampleRate);
        const RenderResult result = offline.renderToFile(callback, options.output, frames, render);
        bar.finish();

        const double audioSeconds = static_cast<double>(result.framesRendered) / kSampleRate;
        std::printf(
            "rendered %.1f s of the reference session with %zu tracks (%zu nodes, %u worker(s), "
            "latency %u frames) to %s in %.2f s: %.1fx real time\n",
            audioSeconds, built.tracks.size(), graph.nodeCount(), engine.workerCountApprox(),
            engine.outputLatency(), options.output.c_str(), result.elapsedSeconds,
            result.elapsedSeconds > 0.0 ? audioSeconds / result.elapsedSeconds : 0.0);
        return 0;
    } catch (const Error& error) {
        std::fprintf(stderr, "offline_render: %s\n", error.what());
        return 1;
    }
}
