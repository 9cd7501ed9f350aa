// The serial executor's cost per node beyond the nodes' own work, and plan compile time.
//
// Overhead: a graph of N trivial nodes rendered by the engine (plan lookup, input views, parameter
// update, the Node::process wrapper, the executor loop), against a baseline that calls the same
// nodes' process() directly in the same order with prebuilt contexts. Counters:
//   ns_per_node           engine time per block / N
//   baseline_ns_per_node  direct calls per block / N
//   overhead_ns_per_node  the difference: what the engine adds per node (goal: < 30 ns)
#include "support/graph_shapes.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/graph/compile.hpp>

#include <benchmark/benchmark.h>

#include <chrono>

namespace fluxforge::bench {
namespace {

constexpr FrameCount kBlock = 64;

enum class Shape { chain, wide, layered };

std::vector<std::shared_ptr<Node>> build(Graph& graph, Shape shape, std::size_t n) {
    switch (shape) {
    case Shape::chain:
        return buildChain(graph, n);
    case Shape::wide:
        return buildWide(graph, n);
    case Shape::layered:
        return buildLayered(graph, n, std::max<std::size_t>(2, n / 20), 4, 42);
    }
    return {};
}

// The nodes' own work: each node's process() called directly, in a valid order, on buffers of
// its own (no engine, no plan, no executor).
double baselineNanosecondsPerBlock(const std::vector<std::shared_ptr<Node>>& nodes,
                                   std::int64_t iterations) {
    AudioBuffer in(1, kBlock);
    AudioBuffer out(1, kBlock);
    const ConstBufferView inView = in.view();
    const BufferView outView = out.view();
    std::vector<ProcessContext> contexts(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        contexts[i].numFrames = kBlock;
        contexts[i].sampleRate = 48000.0;
        contexts[i].inputs = nodes[i]->properties().inputs.empty()
                                 ? std::span<const ConstBufferView>{}
                                 : std::span<const ConstBufferView>(&inView, 1);
        contexts[i].outputs = std::span<const BufferView>(&outView, 1);
    }
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t it = 0; it < iterations; ++it) {
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            nodes[i]->process(contexts[i]);
        }
        benchmark::ClobberMemory();
    }
    const auto end = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(end - start).count() /
           static_cast<double>(iterations);
}

void serialOverhead(benchmark::State& state, Shape shape) {
    const auto n = static_cast<std::size_t>(state.range(0));
    Engine engine({48000.0, kBlock});
    Graph graph(GraphConfig{0, 1});
    const auto nodes = build(graph, shape, n);
    engine.commit(graph);
    AudioBuffer out(1, kBlock);
    engine.process({}, out.view()); // take the plan

    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        engine.process({}, out.view());
        benchmark::ClobberMemory();
    }
    const auto end = std::chrono::steady_clock::now();
    const double engineNs = std::chrono::duration<double, std::nano>(end - start).count() /
                            static_cast<double>(state.iterations());
    const double baselineNs =
        baselineNanosecondsPerBlock(nodes, std::max<std::int64_t>(state.iterations(), 100));
    const double total = static_cast<double>(n + 2); // + the graph's two endpoints
    state.counters["ns_per_node"] = engineNs / total;
    state.counters["baseline_ns_per_node"] = baselineNs / static_cast<double>(n);
    state.counters["overhead_ns_per_node"] = (engineNs - baselineNs) / total;
    state.counters["nodes"] = static_cast<double>(n);
}

void compileTime(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildLayered(graph, n, std::max<std::size_t>(2, n / 20), 4, 7);
    (void)compile(graph, {48000.0, kBlock}); // prepare once, as an engine's first commit does
    for (auto _ : state) {
        auto plan = compile(graph, {48000.0, kBlock});
        benchmark::DoNotOptimize(plan.get());
    }
    state.counters["nodes"] = static_cast<double>(n);
    state.counters["connections"] = static_cast<double>(graph.connections().size());
}

BENCHMARK_CAPTURE(serialOverhead, chain, Shape::chain)->RangeMultiplier(10)->Range(10, 10000);
BENCHMARK_CAPTURE(serialOverhead, wide, Shape::wide)->RangeMultiplier(10)->Range(10, 10000);
BENCHMARK_CAPTURE(serialOverhead, layered, Shape::layered)->RangeMultiplier(10)->Range(10, 10000);
BENCHMARK(compileTime)->RangeMultiplier(10)->Range(100, 10000)->Unit(benchmark::kMicrosecond);

} // namespace
} // namespace fluxforge::bench

BENCHMARK_MAIN();
