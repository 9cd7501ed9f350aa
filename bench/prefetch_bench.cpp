// Guard off beside guard normal on the same reference session, in the same run
// (docs/prefetch.md):
//
//   Spike     a 16-track session at 64 frames, one prefetchable node taking three times the
//             period every 50th block's worth of frames. Counters: deadline_misses, the live
//             path's output_latency_frames (unchanged by the guard), underruns.
//   Capacity  N prefetchable tracks at 64 frames; the largest N with no miss over the run is the
//             capacity (read it off the misses column).
//   AllLive   every track armed (nothing to prefetch): the cost of the guard when it has nothing
//             to do, per block, against guard off.
//
// Spike and Capacity play the engine like a device: one process() per period, each block due a
// period after it started (sleep_until between blocks), the bench thread at real-time priority
// where the OS grants it. Blocks per run: FLUXFORGE_PREFETCH_BENCH_BLOCKS (default 400, enough for
// the CTest smoke run; the figures in docs/prefetch.md use 10000).
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/research/reference_session.hpp>
#include <fluxforge/sched/thread_priority.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

namespace fluxforge::bench {
namespace {

constexpr FrameCount kBlock = 64;
constexpr SampleRate kRate = 48000.0;
const auto kPeriod = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * kBlock / kRate));

int blocksPerRun() {
    const char* value = std::getenv("FLUXFORGE_PREFETCH_BENCH_BLOCKS");
    const int blocks = value != nullptr ? std::atoi(value) : 0;
    return blocks > 0 ? blocks : 400;
}

/// Passes its stereo input through; busy for `spike` on the blocks that hold a frame at a
/// multiple of `everyFrames` (engine time), so the spikes come as often whatever the block size.
class SpikeNode final : public Node {
public:
    SpikeNode(std::chrono::nanoseconds spike, SampleTime everyFrames)
        : spike_(spike)
        , every_(everyFrames) {}

protected:
    NodeProperties describe() const override { return NodeProperties::processor(2, 0.2); }
    void onProcess(const ProcessContext& context) noexcept override {
        const SampleTime first = context.blockStart;
        const SampleTime next = (first + every_ - 1) / every_ * every_;
        if (next < first + static_cast<SampleTime>(context.numFrames)) {
            const auto until = std::chrono::steady_clock::now() + spike_;
            while (std::chrono::steady_clock::now() < until) {
            }
        }
        for (ChannelCount c = 0; c < 2; ++c) {
            const float* in = context.inputs[0].channel(c);
            float* out = context.outputs[0].channel(c);
            for (FrameCount f = 0; f < context.numFrames; ++f) {
                out[f] = in[f];
            }
        }
    }

private:
    std::chrono::nanoseconds spike_;
    SampleTime every_;
};

struct Session {
    std::unique_ptr<Engine> engine;
    Graph graph{GraphConfig{0, 2}};
    ReferenceSession ids;
};

std::unique_ptr<Session> makeSession(GuardLevel guard, std::size_t tracks, bool spike, bool armAll,
                                     std::uint32_t prefetchWorkers = 1) {
    auto session = std::make_unique<Session>();
    EngineConfig config;
    config.sampleRate = kRate;
    config.maxBlockSize = kBlock;
    config.prefetch.guard = guard;
    config.prefetch.blockFrames = 1024;
    config.prefetch.workers = prefetchWorkers;
    session->engine = std::make_unique<Engine>(config);
    ReferenceSessionConfig shape;
    shape.tracks = tracks;
    shape.buses = std::min<std::size_t>(4, tracks);
    shape.sidechain = shape.buses >= 2 ? SessionSidechain::on : SessionSidechain::off;
    shape.prepare = {kRate, 1024};
    session->ids = buildReferenceSession(session->graph, shape);
    if (spike) {
        // After track 1's fader, before its bus: prefetchable.
        Graph& graph = session->graph;
        const ReferenceTrack& track = session->ids.tracks[1];
        const NodeId node =
            graph.add(std::make_shared<SpikeNode>(3 * kPeriod, 50 * kBlock), "track1.spike");
        const Connection toBus = [&] {
            for (const Connection& c : graph.connections()) {
                const bool toSend = std::find(track.sends.begin(), track.sends.end(),
                                              c.destination.node) != track.sends.end();
                if (c.source.node == track.fader && !toSend) {
                    return c;
                }
            }
            return Connection{};
        }();
        graph.disconnect(toBus.source, toBus.destination);
        graph.connect(track.fader, node);
        graph.connect(OutputPort{node, 0}, toBus.destination);
    }
    if (armAll) {
        for (const ReferenceTrack& track : session->ids.tracks) {
            session->graph.setLiveMonitoring(track.source, LiveMonitoring::on);
        }
    }
    session->engine->commit(session->graph);
    ControlSender sender = session->engine->createSender();
    static_cast<void>(sender.tryPlay());
    return session;
}

/// Plays `blocks` device blocks at the device's pace; returns the blocks that missed their
/// deadline (finished more than a period after they were due to start).
struct PacedRun {
    std::int64_t misses = 0;
    double worstMicroseconds = 0.0;
};

PacedRun playPaced(Engine& engine, int blocks) {
    AudioBuffer out(2, kBlock);
    // Let the renderer fill the rings and the helpers start, as a device's first blocks would.
    for (int b = 0; b < 50; ++b) {
        engine.process({}, out.view());
        std::this_thread::sleep_for(kPeriod);
    }
    PacedRun run;
    auto due = std::chrono::steady_clock::now();
    for (int b = 0; b < blocks; ++b) {
        std::this_thread::sleep_until(due);
        engine.process({}, out.view());
        const auto end = std::chrono::steady_clock::now();
        const auto late = end - due;
        run.worstMicroseconds = std::max(run.worstMicroseconds,
                                         std::chrono::duration<double, std::micro>(late).count());
        if (late > kPeriod) {
            ++run.misses;
            due = end; // a device would skip ahead, not play catch-up
        } else {
            due += kPeriod;
        }
    }
    return run;
}

void setCounters(benchmark::State& state, const Session& session, const PacedRun& run, int blocks) {
    state.counters["deadline_misses"] = static_cast<double>(run.misses);
    state.counters["blocks"] = blocks;
    state.counters["worst_lateness_us"] = run.worstMicroseconds;
    state.counters["period_us"] = std::chrono::duration<double, std::micro>(kPeriod).count();
    state.counters["output_latency_frames"] = static_cast<double>(session.engine->outputLatency());
    state.counters["underruns"] = static_cast<double>(session.engine->prefetchUnderrunsApprox());
    const MetricsSnapshot metrics = session.engine->metrics();
    state.counters["prefetch_load"] = metrics.prefetch.load;
    state.counters["ring_fill"] = metrics.prefetch.ringFill;
    state.counters["rt_priority"] = currentThreadPriority().isRealtime() ? 1.0 : 0.0;
}

void runPaced(benchmark::State& state, GuardLevel guard, std::size_t tracks, bool spike,
              std::uint32_t prefetchWorkers = 1) {
    const ThreadPriorityResult priority = trySetCurrentThreadRealtime();
    static_cast<void>(priority);
    const std::unique_ptr<Session> session =
        makeSession(guard, tracks, spike, false, prefetchWorkers);
    const int blocks = blocksPerRun();
    PacedRun run;
    for (auto _ : state) {
        run = playPaced(*session->engine, blocks);
    }
    setCounters(state, *session, run, blocks);
    static_cast<void>(resetCurrentThreadPriority());
}

void BM_Spike_GuardOff(benchmark::State& state) {
    runPaced(state, GuardLevel::off, 16, true);
}
void BM_Spike_GuardNormal(benchmark::State& state) {
    runPaced(state, GuardLevel::normal, 16, true);
}
void BM_Capacity_GuardOff(benchmark::State& state) {
    runPaced(state, GuardLevel::off, static_cast<std::size_t>(state.range(0)), false);
}
// Each side at its best on this machine's cores: guard off renders every 64-frame block with the
// engine's workers (one per core), guard normal renders ahead with the renderer and a helper of
// its own (prefetch.workers = 2), the live part being only the output.
void BM_Capacity_GuardNormal(benchmark::State& state) {
    runPaced(state, GuardLevel::normal, static_cast<std::size_t>(state.range(0)), false,
             std::max(1u, std::thread::hardware_concurrency()));
}

// A locate while playing at the device's pace: the rings restart at the new position. Counters:
// refill_ms, the time until they are full again (the audio thread renders the prefetched
// part itself meanwhile), and the misses over the refill.
void BM_Refill_GuardNormal(benchmark::State& state) {
    static_cast<void>(trySetCurrentThreadRealtime());
    const std::unique_ptr<Session> session = makeSession(GuardLevel::normal, 16, false, false);
    Engine& engine = *session->engine;
    ControlSender sender = engine.createSender();
    AudioBuffer out(2, kBlock);
    double refillMs = 0.0;
    std::int64_t misses = 0;
    for (auto _ : state) {
        static_cast<void>(playPaced(engine, 200));
        static_cast<void>(sender.tryLocate(5'000'000));
        const auto start = std::chrono::steady_clock::now();
        auto due = start;
        for (int b = 0; b < 2000; ++b) {
            std::this_thread::sleep_until(due);
            engine.process({}, out.view());
            misses += std::chrono::steady_clock::now() - due > kPeriod ? 1 : 0;
            due += kPeriod;
            // Full as the renderer keeps them: the horizon (4 blocks) less one prefetch block.
            if (b > 0 && engine.metrics().prefetch.ringFill >= 0.75) {
                refillMs = std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - start)
                               .count();
                break;
            }
        }
    }
    state.counters["refill_ms"] = refillMs;
    state.counters["misses_during_refill"] = static_cast<double>(misses);
    state.counters["horizon_frames"] = 4 * 1024;
    static_cast<void>(resetCurrentThreadPriority());
}

// Everything armed: the guard finds nothing to prefetch. Unpaced: the cost of one block.
void runAllLive(benchmark::State& state, GuardLevel guard) {
    const std::unique_ptr<Session> session = makeSession(guard, 16, false, true);
    AudioBuffer out(2, kBlock);
    for (auto _ : state) {
        session->engine->process({}, out.view());
        benchmark::ClobberMemory();
    }
    state.counters["underruns"] = static_cast<double>(session->engine->prefetchUnderrunsApprox());
}
void BM_AllLive_GuardOff(benchmark::State& state) {
    runAllLive(state, GuardLevel::off);
}
void BM_AllLive_GuardNormal(benchmark::State& state) {
    runAllLive(state, GuardLevel::normal);
}

BENCHMARK(BM_Spike_GuardOff)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Spike_GuardNormal)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Capacity_GuardOff)
    ->DenseRange(64, 448, 64)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Capacity_GuardNormal)
    ->DenseRange(128, 896, 128)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Refill_GuardNormal)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AllLive_GuardOff)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AllLive_GuardNormal)->Unit(benchmark::kMicrosecond);

} // namespace
} // namespace fluxforge::bench

BENCHMARK_MAIN();
