// What metrics and tracing cost per block, on the reference session (docs/metrics.md).
//
// Four engines render the same session side by side, block by block, in rotating order, so a
// machine whose load drifts affects them alike: metrics off (the baseline: a run without), metrics
// as configured by default (every block's figures, tasks timed every 8th block), metrics timing
// every block's tasks, and tracing on (every task recorded). Each block is timed on its own; the
// counters are the medians per engine and the overheads against the baseline, as a share of the
// baseline's block and of the block's period. BM_TracingCost measures tracing alone on one engine;
// BM_CycleClockRead prices the hook's main ingredient.
#include "support/graph_shapes.hpp"
#include "support/smoke.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/research/reference_session.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace fluxforge;

enum Variant { kOff, kDefault, kEveryBlock, kTracing, kVariants };
const std::array<const char*, kVariants> kNames = {"off", "metrics", "metrics_every_block",
                                                   "tracing"};

std::unique_ptr<Engine> makeEngine(Variant variant, FrameCount block, std::uint32_t workers) {
    EngineConfig config;
    config.sampleRate = 48000.0;
    config.maxBlockSize = block;
    config.workers = workers;
    config.executor = workers == 1 ? ExecutorKind::serial : ExecutorKind::criticalPath;
    config.metrics.enabled = variant != kOff;
    config.metrics.taskTimingInterval = variant == kEveryBlock ? 1 : 8;
    auto engine = std::make_unique<Engine>(config);
    Graph graph;
    ReferenceSessionConfig session;
    session.prepare = {config.sampleRate, block};
    buildReferenceSession(graph, session);
    engine->commit(graph);
    if (variant == kTracing) {
        engine->setTracing(true);
    }
    return engine;
}

double median(std::vector<double>& values) {
    if (values.empty()) {
        return 0.0;
    }
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    return values[values.size() / 2];
}

void BM_MetricsCost(benchmark::State& state) {
    const auto block = static_cast<FrameCount>(state.range(0));
    const auto workers = static_cast<std::uint32_t>(state.range(1));
    // Where an engine's memory lies moves its blocks by a percent or two either way, as much as
    // the figures measured: each run builds the engines in another order, so that repetitions
    // see other placements rather than the same one five times.
    static int runs = 0;
    const int first = runs++ % kVariants;
    std::array<std::unique_ptr<Engine>, kVariants> engines;
    for (int k = 0; k < kVariants; ++k) {
        const int v = (first + k) % kVariants;
        engines[v] = makeEngine(static_cast<Variant>(v), block, workers);
    }
    AudioBuffer out(2, block);
    for (int warm = 0; warm < 64; ++warm) {
        for (auto& engine : engines) {
            engine->process({}, out.view());
        }
    }
    std::array<std::vector<double>, kVariants> samples;
    std::size_t rotation = 0;
    for (auto _ : state) {
        for (int k = 0; k < kVariants; ++k) {
            const int v = static_cast<int>((rotation + k) % kVariants);
            const auto start = std::chrono::steady_clock::now();
            engines[v]->process({}, out.view());
            samples[v].push_back(
                std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                    .count());
        }
        ++rotation;
        benchmark::DoNotOptimize(out.view().channel(0)[0]);
    }
    std::array<double, kVariants> medians{};
    for (int v = 0; v < kVariants; ++v) {
        medians[v] = median(samples[v]);
        state.counters[std::string(kNames[v]) + "_ns"] = medians[v];
    }
    const double period = 1e9 * block / 48000.0;
    const double base = medians[kOff];
    for (int v = kDefault; v < kVariants; ++v) {
        const double extra = medians[v] - base;
        state.counters[std::string(kNames[v]) + "_overhead_pct"] =
            base > 0 ? 100.0 * extra / base : 0;
        state.counters[std::string(kNames[v]) + "_of_period_pct"] = 100.0 * extra / period;
    }
    state.counters["tasks"] = static_cast<double>(engines[kOff]->committedPlanApprox()->numTasks());
}

BENCHMARK(BM_MetricsCost)
    ->ArgNames({"block", "workers"})
    ->Args({64, 1})
    ->Args({128, 1})
    ->Args({128, 2})
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(bench::iterationsOrSmoke(1000));

// Tracing alone: one engine (metrics as configured), tracing switched on and off block by block,
// so that both sides run on the same memory. BM_MetricsCost compares four engines, whose blocks
// also differ by where their memory happens to lie: by a percent or two either way, as much as
// the figure measured. The side switches every block and the pattern shifts every 8 blocks, so
// that the blocks whose tasks are timed (every 8th) fall on both sides alike.
void measureTracingToggled(benchmark::State& state, Engine& engine, FrameCount block) {
    engine.setTracing(true); // allocates the rings
    AudioBuffer out(2, block);
    for (int warm = 0; warm < 64; ++warm) {
        engine.process({}, out.view());
    }
    std::array<std::vector<double>, 2> samples; // untraced, traced
    std::size_t count = 0;
    for (auto _ : state) {
        const bool traced = (count + count / 8) % 2 == 1;
        ++count;
        engine.setTracing(traced); // from the next block on
        const auto start = std::chrono::steady_clock::now();
        engine.process({}, out.view());
        samples[traced ? 1 : 0].push_back(
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                .count());
        benchmark::DoNotOptimize(out.view().channel(0)[0]);
    }
    const double untraced = median(samples[0]);
    const double traced = median(samples[1]);
    const double tasks = static_cast<double>(engine.committedPlanApprox()->numTasks());
    state.counters["untraced_ns"] = untraced;
    state.counters["traced_ns"] = traced;
    state.counters["tracing_overhead_pct"] =
        untraced > 0 ? 100.0 * (traced - untraced) / untraced : 0;
    state.counters["tracing_of_period_pct"] = 100.0 * (traced - untraced) / (1e9 * block / 48000.0);
    state.counters["tracing_ns_per_task"] = (traced - untraced) / tasks;
    state.counters["tasks"] = tasks;
}

void BM_TracingCost(benchmark::State& state) {
    const auto block = static_cast<FrameCount>(state.range(0));
    auto engine = makeEngine(kDefault, block, static_cast<std::uint32_t>(state.range(1)));
    measureTracingToggled(state, *engine, block);
}

BENCHMARK(BM_TracingCost)
    ->ArgNames({"block", "workers"})
    ->Args({64, 1})
    ->Args({128, 1})
    ->Args({128, 2})
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(bench::iterationsOrSmoke(2000));

// The same on a chain of trivial nodes (a few ns each), serial: what the hook costs per task when
// the tasks are too small to hide any of it.
void BM_TracingCostTrivialTasks(benchmark::State& state) {
    constexpr FrameCount kBlock = 64;
    EngineConfig config;
    config.sampleRate = 48000.0;
    config.maxBlockSize = kBlock;
    Engine engine(config);
    Graph graph(GraphConfig{0, 1});
    bench::buildChain(graph, static_cast<std::size_t>(state.range(0)));
    engine.commit(graph);
    measureTracingToggled(state, engine, kBlock);
}

BENCHMARK(BM_TracingCostTrivialTasks)
    ->ArgNames({"nodes"})
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(bench::iterationsOrSmoke(20000));

// One engine of one variant alone, for instruction counts (valgrind --tool=callgrind
// --toggle-collect='fluxforge::Engine::process*', docs/metrics.md): wall-clock differences of a
// few percent drown in a shared machine's noise, instructions do not (but a clock read counts as
// one instruction, whatever it costs).
void BM_EngineBlock(benchmark::State& state) {
    const auto variant = static_cast<Variant>(state.range(0));
    const auto block = static_cast<FrameCount>(state.range(1));
    auto engine = makeEngine(variant, block, 1);
    AudioBuffer out(2, block);
    for (auto _ : state) {
        engine->process({}, out.view());
        benchmark::DoNotOptimize(out.view().channel(0)[0]);
    }
    state.SetLabel(kNames[variant]);
}
BENCHMARK(BM_EngineBlock)
    ->ArgNames({"variant", "block"})
    ->ArgsProduct({{kOff, kDefault, kEveryBlock, kTracing}, {64}})
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(bench::iterationsOrSmoke(64));

// What the per-task hook is made of: one or two reads of the cycle counter per task. Its price
// depends on the machine (a few nanoseconds on bare metal, more under some hypervisors), so it is
// measured beside the engine figures.
void BM_CycleClockRead(benchmark::State& state) {
    for (auto _ : state) {
        benchmark::DoNotOptimize(CycleClock::now());
    }
}
BENCHMARK(BM_CycleClockRead);

} // namespace

BENCHMARK_MAIN();
