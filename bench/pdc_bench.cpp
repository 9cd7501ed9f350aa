// Plugin delay compensation: what it costs to compile and to run.
//
// CompileWithPdc/<nodes>: compile() of a session-like layered DAG in which one node in five reports
//   a latency of 0..2048 frames (goal: under 1 ms for 1,000 nodes, under 10 ms for 10,000).
//   Baseline beside it: CompileWithoutLatency, the same graph with every latency 0.
// BlockWithDelays/<nodes> against BlockWithoutDelays/<nodes>: one 64-frame block of the same graph
//   rendered by the serial executor, with its compensation delay lines and without (the
//   difference is what compensation costs per block); counters: delays = compensated connections,
//   history_kib = compensation memory.
#include "support/trivial_nodes.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/graph/compile.hpp>

#include <benchmark/benchmark.h>

#include <random>

namespace fluxforge::bench {
namespace {

constexpr FrameCount kBlock = 64;

// A session-like graph: ten layers, each node after the first fed by 1..4 nodes of the layer
// before; one node in five is latent (0..2048 frames, a look-ahead limiter, a linear-phase EQ);
// the last layer feeds the output. With withLatency false every latency is 0 (the baseline).
void buildLatentGraph(Graph& graph, std::size_t n, bool withLatency) {
    std::mt19937 rng(5);
    const std::size_t perLayer = std::max<std::size_t>(1, n / 10);
    std::vector<NodeId> previous;
    std::vector<NodeId> current;
    for (std::size_t i = 0; i < n; ++i) {
        const bool firstLayer = i < perLayer;
        const bool latent = withLatency && rng() % 5 == 0;
        const FrameCount latency = latent ? static_cast<FrameCount>(rng() % 2049) : 0;
        const NodeId id =
            graph.add(std::make_shared<LatentTrivialNode>(latency, firstLayer ? 0 : 1));
        if (!firstLayer) {
            const std::size_t feeders = 1 + rng() % 4;
            for (std::size_t k = 0; k < feeders; ++k) {
                try {
                    graph.connect(previous[rng() % previous.size()], id);
                } catch (const Error&) {
                    // the same feeder twice: skip
                }
            }
        }
        current.push_back(id);
        if (current.size() == perLayer) {
            previous = std::move(current);
            current.clear();
        }
    }
    for (NodeId id : current.empty() ? previous : current) {
        graph.connect(id, graph.output());
    }
}

void compileGraph(benchmark::State& state, bool withLatency) {
    Graph graph(GraphConfig{0, 1});
    buildLatentGraph(graph, static_cast<std::size_t>(state.range(0)), withLatency);
    CompensationDelayPool pool;
    (void)compile(graph, {48000.0, kBlock},
                  &pool); // prepare the nodes once, as a first commit does
    std::size_t delays = 0;
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto plan = compile(graph, {48000.0, kBlock}, &pool);
        delays = plan->numCompensationDelays();
        bytes = plan->compensationBytes();
        benchmark::DoNotOptimize(plan.get());
    }
    state.counters["delays"] = static_cast<double>(delays);
    state.counters["history_kib"] = static_cast<double>(bytes) / 1024.0;
    state.counters["nodes"] = static_cast<double>(state.range(0));
}

void renderBlock(benchmark::State& state, bool withLatency) {
    EngineConfig config;
    config.maxBlockSize = kBlock;
    config.executor = ExecutorKind::serial;
    config.workers = 1;
    config.timingInterval = 0;
    Engine engine(config);
    Graph graph(GraphConfig{0, 1});
    buildLatentGraph(graph, static_cast<std::size_t>(state.range(0)), withLatency);
    engine.commit(graph);
    AudioBuffer out(1, kBlock);
    engine.process({}, out.view());
    for (auto _ : state) {
        engine.process({}, out.view());
        benchmark::ClobberMemory();
    }
    state.counters["output_latency"] = engine.outputLatency();
    state.counters["delays"] =
        static_cast<double>(compile(graph, {48000.0, kBlock})->numCompensationDelays());
}

BENCHMARK_CAPTURE(compileGraph, CompileWithPdc, true)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(compileGraph, CompileWithoutLatency, false)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(renderBlock, BlockWithDelays, true)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(renderBlock, BlockWithoutDelays, false)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond);

} // namespace
} // namespace fluxforge::bench

BENCHMARK_MAIN();
