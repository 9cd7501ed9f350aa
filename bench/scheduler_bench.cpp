// Every executor side by side, with oneTBB's flow_graph running the same plan as an outside
// baseline (the same tasks, the same dependency edges, the same node work).
//
// 1. Overhead/<shape>/<executor>/<nodes>: trivial nodes (chains, wide fans, random layered DAGs);
//    ns_per_node = block time / nodes, with 2 workers (serial: 1). TBB runs with 2 threads.
// 2. DawBlock/<executor>: 32 tracks x 4 effects -> 4 buses -> master, trivial nodes; the time of
//    each of 20,000 blocks, reported as median_us, p99_us and max_us.
// 3. Efficiency/<graph>/<executor>: nodes that really work 10..200 us; efficiency = block time /
//    max(W/p, D) (W total work, D critical path, p = 2 workers): 1.0 is the best possible.
//    "chain_beside_shorts" is one long chain beside many short independent nodes.
// 4. Fine/<graph>/<executor>: fine-grained work, where scheduling cost shows: the DAW shape with
//    every node working 0.7 us, and a random layered graph of 500 nodes of 2 us; per-block times
//    against the bound: p50_vs_bound, p99_vs_bound. static-reference: the same graph on a schedule
//    fixed in advance with the least synchronisation (StaticScheduleReference): what running it on
//    two cores costs on this machine whatever the scheduler.
// 5. Forced/daw_trivial/<executor>[/any_task]: the trivial DAW graph forced onto 2 workers,
//    interleaved block by block with the serial executor on its own copy of the graph: vs_serial =
//    median ratio. Without /any_task the policy keeps tasks too small to move where they are
//    (ParallelPolicy::minimumStealNanoseconds); every other row lets any task move.
// 6. Adapt/<hint>: random_layered with exact cost estimates or none at all, after 100 blocks
//    (Engine::update every 10, as a UI timer would): efficiency and helpers_used over the next 100.
//
// TBB runs two formulations: tbb-flow-graph (continue_node per task) and tbb-function-node
// (multifunction_node per task counting its own predecessors); see TbbRunner.
#include "support/graph_shapes.hpp"
#include "support/smoke.hpp"
#include "support/static_schedule.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/graph/compile.hpp>

#include <benchmark/benchmark.h>

#if FLUXFORGE_BENCH_HAVE_TBB
#include <tbb/flow_graph.h>
#include <tbb/task_arena.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <tuple>

namespace fluxforge::bench {
namespace {

constexpr FrameCount kBlock = 64;
constexpr std::uint32_t kWorkers = 2;

enum class Shape { chain, wide, layered };

std::vector<std::shared_ptr<Node>> buildShape(Graph& graph, Shape shape, std::size_t n) {
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

EngineConfig engineConfig(ExecutorKind executor) {
    EngineConfig config;
    config.maxBlockSize = kBlock;
    config.executor = executor;
    config.workers = executor == ExecutorKind::serial ? 1 : kWorkers;
    config.parallel.minimumWorkNanoseconds = 0.0; // bring the helper in for every block
    config.parallel.limitToParallelism = false;
    config.parallel.minimumStealNanoseconds = 0.0; // and let it take any task (as TBB's do)
    config.pool.realtimePriority = false;          // like TBB's threads
    config.timingInterval = 0;
    return config;
}

double nanosecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
        .count();
}

// Runs `runBlock` 100 times to warm up, then once per benchmark iteration; returns each timed
// block's duration in nanoseconds.
template <class RunBlock>
std::vector<double> timeEachBlock(benchmark::State& state, std::size_t blocks,
                                  RunBlock&& runBlock) {
    for (int i = 0; i < 100; ++i) {
        runBlock();
    }
    std::vector<double> times;
    times.reserve(blocks);
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        runBlock();
        times.push_back(nanosecondsSince(start));
    }
    return times;
}

// ---- The outside baseline: oneTBB flow_graph running the plan's tasks ---------------------------

#if FLUXFORGE_BENCH_HAVE_TBB
// One continue_node per task, an edge per dependency, a broadcast_node feeding the sources: the
// idiomatic dependency graph of oneTBB's documentation. The graph is constructed inside the arena:
// a flow::graph attaches to the arena it is created in, and one built outside (the first version
// of this baseline) ran its tasks in the default arena while the caller waited in ours, on one
// thread (20 independent 100 us nodes: 2.0 ms, against 1.0 ms built inside).
//
// The second formulation, TbbStyle::functionNode: one multifunction_node<continue_msg,
// tuple<continue_msg>> per task (unlimited concurrency), edges from its output port to each
// successor; its body counts the messages with an atomic per task and, at the last predecessor's,
// runs the task and puts one message to its successors (a function_node cannot withhold its
// output, so the counting variant is the multifunction_node).
enum class TbbStyle { continueNode, functionNode };

class TbbRunner {
public:
    TbbRunner(Plan& plan, int threads, TbbStyle style = TbbStyle::continueNode)
        : plan_(plan)
        , arena_(threads)
        , pending_(plan.numTasks()) {
        arena_.execute([&] {
            using tbb::flow::continue_msg;
            using tbb::flow::continue_node;
            using Counting = tbb::flow::multifunction_node<continue_msg, std::tuple<continue_msg>>;
            graph_ = std::make_unique<tbb::flow::graph>();
            start_ = std::make_unique<tbb::flow::broadcast_node<continue_msg>>(*graph_);
            for (TaskIndex t = 0; t < plan.numTasks(); ++t) {
                pending_[t].store(std::max(1u, plan.initialDependencies(t)));
                if (style == TbbStyle::continueNode) {
                    nodes_.push_back(std::make_unique<continue_node<continue_msg>>(
                        *graph_, [this, t](const continue_msg&) {
                            plan_.runTask(t, block_);
                            return continue_msg();
                        }));
                } else {
                    counting_.push_back(std::make_unique<Counting>(
                        *graph_, tbb::flow::unlimited,
                        [this, t](const continue_msg&, Counting::output_ports_type& out) {
                            if (pending_[t].fetch_sub(1, std::memory_order_acq_rel) != 1) {
                                return;
                            }
                            pending_[t].store(std::max(1u, plan_.initialDependencies(t)),
                                              std::memory_order_relaxed);
                            plan_.runTask(t, block_);
                            std::get<0>(out).try_put(continue_msg());
                        }));
                }
            }
            for (TaskIndex t = 0; t < plan.numTasks(); ++t) {
                for (TaskIndex s : plan.successors(t)) {
                    if (style == TbbStyle::continueNode) {
                        tbb::flow::make_edge(*nodes_[t], *nodes_[s]);
                    } else {
                        tbb::flow::make_edge(tbb::flow::output_port<0>(*counting_[t]),
                                             *counting_[s]);
                    }
                }
                if (plan.initialDependencies(t) == 0) {
                    if (style == TbbStyle::continueNode) {
                        tbb::flow::make_edge(*start_, *nodes_[t]);
                    } else {
                        tbb::flow::make_edge(*start_, *counting_[t]);
                    }
                }
            }
        });
    }
    ~TbbRunner() {
        arena_.execute([&] {
            nodes_.clear();
            counting_.clear();
            start_.reset();
            graph_.reset();
        });
    }
    TbbRunner(const TbbRunner&) = delete;
    TbbRunner& operator=(const TbbRunner&) = delete;

    void runBlock(SampleTime start) {
        block_ = {kBlock, start};
        plan_.prepareBlock(kBlock);
        arena_.execute([&] {
            start_->try_put(tbb::flow::continue_msg());
            graph_->wait_for_all();
        });
    }

private:
    Plan& plan_;
    BlockInfo block_{};
    tbb::task_arena arena_;
    std::unique_ptr<tbb::flow::graph> graph_;
    std::unique_ptr<tbb::flow::broadcast_node<tbb::flow::continue_msg>> start_;
    std::vector<std::atomic<std::uint32_t>> pending_;
    std::vector<std::unique_ptr<tbb::flow::continue_node<tbb::flow::continue_msg>>> nodes_;
    std::vector<std::unique_ptr<tbb::flow::multifunction_node<tbb::flow::continue_msg,
                                                              std::tuple<tbb::flow::continue_msg>>>>
        counting_;
};
#endif

// ---- 1. Overhead per node -----------------------------------------------------------------------

void overhead(benchmark::State& state, Shape shape, ExecutorKind executor) {
    const auto n = static_cast<std::size_t>(state.range(0));
    Engine engine(engineConfig(executor));
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildShape(graph, shape, n);
    engine.commit(graph);
    AudioBuffer out(1, kBlock);
    engine.process({}, out.view());
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        engine.process({}, out.view());
    }
    const double perBlock = nanosecondsSince(start) / static_cast<double>(state.iterations());
    state.counters["ns_per_node"] = perBlock / static_cast<double>(n + 2);
    state.counters["helpers_used"] = engine.lastBlockHelpersApprox();
}

#if FLUXFORGE_BENCH_HAVE_TBB
void overheadTbb(benchmark::State& state, Shape shape) {
    const auto n = static_cast<std::size_t>(state.range(0));
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildShape(graph, shape, n);
    auto plan = compile(graph, {48000.0, kBlock});
    TbbRunner tbb(*plan, kWorkers);
    SampleTime clock = 0;
    tbb.runBlock(clock);
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        tbb.runBlock(clock += kBlock);
    }
    const double perBlock = nanosecondsSince(start) / static_cast<double>(state.iterations());
    state.counters["ns_per_node"] = perBlock / static_cast<double>(n + 2);
}
#endif

// ---- 2. DAW-shaped session: block time distribution ---------------------------------------------

void reportDistribution(benchmark::State& state, std::vector<double>& nanoseconds) {
    std::sort(nanoseconds.begin(), nanoseconds.end());
    const auto at = [&](double q) {
        return nanoseconds[std::min(
            nanoseconds.size() - 1,
            static_cast<std::size_t>(q * static_cast<double>(nanoseconds.size())))];
    };
    state.counters["median_us"] = at(0.5) / 1000.0;
    state.counters["p99_us"] = at(0.99) / 1000.0;
    state.counters["max_us"] = nanoseconds.back() / 1000.0;
}

constexpr int kDawBlocks = 20000;

void dawBlock(benchmark::State& state, ExecutorKind executor) {
    Engine engine(engineConfig(executor));
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildDawSession(graph, 32, 4, 4);
    engine.commit(graph);
    AudioBuffer out(1, kBlock);
    std::vector<double> times =
        timeEachBlock(state, kDawBlocks, [&] { engine.process({}, out.view()); });
    reportDistribution(state, times);
    state.counters["nodes"] = static_cast<double>(nodes.size() + 2);
}

#if FLUXFORGE_BENCH_HAVE_TBB
void dawBlockTbb(benchmark::State& state) {
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildDawSession(graph, 32, 4, 4);
    auto plan = compile(graph, {48000.0, kBlock});
    TbbRunner tbb(*plan, kWorkers);
    SampleTime clock = 0;
    std::vector<double> times =
        timeEachBlock(state, kDawBlocks, [&] { tbb.runBlock(clock += kBlock); });
    reportDistribution(state, times);
    state.counters["nodes"] = static_cast<double>(nodes.size() + 2);
}
#endif

// ---- 3. Efficiency against the lower bound on graphs with real work -----------------------------

enum class WorkGraph { randomLayered, chainBesideShorts };

struct Bound {
    double work = 0.0;         // W, ns
    double criticalPath = 0.0; // D, ns
    [[nodiscard]] double lowerBound(std::uint32_t p) const {
        return std::max(work / p, criticalPath);
    }
};

// A task's exact cost in nanoseconds: its BusyNode's work (0 for the graph's own nodes).
double nominalCost(const Plan& plan, TaskIndex task) {
    const auto* busy = dynamic_cast<const BusyNode*>(&plan.node(task));
    return busy != nullptr ? busy->nanoseconds() : 0.0;
}

// W and D from the nodes' own (exact) costs, independent of any estimate the engine makes.
Bound boundOf(const Plan& plan) {
    Bound bound;
    std::vector<double> finish(plan.numTasks(), 0.0);
    for (TaskIndex t = 0; t < plan.numTasks(); ++t) {
        const double cost = nominalCost(plan, t);
        double start = 0.0;
        for (TaskIndex p : plan.predecessors(t))
            start = std::max(start, finish[p]);
        finish[t] = start + cost;
        bound.work += cost;
        bound.criticalPath = std::max(bound.criticalPath, finish[t]);
    }
    return bound;
}

std::vector<std::shared_ptr<Node>> buildWorkGraph(Graph& graph, WorkGraph kind) {
    std::vector<std::shared_ptr<Node>> nodes;
    auto add = [&](double microseconds, std::uint32_t inputs) {
        nodes.push_back(std::make_shared<BusyNode>(microseconds * 1000.0, inputs, kBlock));
        return graph.add(nodes.back());
    };
    if (kind == WorkGraph::chainBesideShorts) {
        // 20 short independent nodes (50 us), then a chain of 10 nodes (100 us each): W = 2 ms,
        // D = 1 ms, so with 2 workers the bound is 1 ms and only an executor that starts the
        // chain at once reaches it.
        for (int i = 0; i < 20; ++i)
            add(50.0, 0);
        NodeId previous = add(100.0, 0);
        for (int i = 1; i < 10; ++i) {
            const NodeId next = add(100.0, 1);
            graph.connect(previous, next);
            previous = next;
        }
        return nodes;
    }
    // 40 nodes in 8 layers, costs 10..200 us, each fed by up to 3 nodes of the layer before.
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> cost(10.0, 200.0);
    std::vector<NodeId> previousLayer;
    for (int layer = 0; layer < 8; ++layer) {
        std::vector<NodeId> thisLayer;
        for (int i = 0; i < 5; ++i) {
            const std::uint32_t inputs =
                previousLayer.empty() ? 0 : 1 + static_cast<std::uint32_t>(rng() % 3);
            const NodeId id = add(cost(rng), inputs);
            for (std::uint32_t k = 0; k < inputs; ++k) {
                graph.connect(OutputPort{previousLayer[rng() % previousLayer.size()], 0},
                              InputPort{id, k});
            }
            thisLayer.push_back(id);
        }
        previousLayer = thisLayer;
    }
    return nodes;
}

void efficiency(benchmark::State& state, WorkGraph kind, ExecutorKind executor) {
    EngineConfig config = engineConfig(executor);
    Engine engine(config);
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildWorkGraph(graph, kind);
    engine.commit(graph);
    const Bound bound = boundOf(*compile(graph, {48000.0, kBlock}));
    AudioBuffer out(1, kBlock);
    engine.process({}, out.view());
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        engine.process({}, out.view());
    }
    const double perBlock = nanosecondsSince(start) / static_cast<double>(state.iterations());
    const std::uint32_t p = executor == ExecutorKind::serial ? 1 : kWorkers;
    state.counters["block_us"] = perBlock / 1000.0;
    state.counters["bound_us"] = bound.lowerBound(p) / 1000.0;
    state.counters["efficiency"] = perBlock / bound.lowerBound(p);
}

#if FLUXFORGE_BENCH_HAVE_TBB
void efficiencyTbb(benchmark::State& state, WorkGraph kind) {
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildWorkGraph(graph, kind);
    auto plan = compile(graph, {48000.0, kBlock});
    const Bound bound = boundOf(*plan);
    TbbRunner tbb(*plan, kWorkers);
    SampleTime clock = 0;
    tbb.runBlock(clock);
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        tbb.runBlock(clock += kBlock);
    }
    const double perBlock = nanosecondsSince(start) / static_cast<double>(state.iterations());
    state.counters["block_us"] = perBlock / 1000.0;
    state.counters["bound_us"] = bound.lowerBound(kWorkers) / 1000.0;
    state.counters["efficiency"] = perBlock / bound.lowerBound(kWorkers);
}
#endif

// ---- 4. Fine-grained work: block times against the bound --------------------------------------

enum class FineGraph { daw, layered };

// The DAW shape (32 tracks x (source + 4 effects) -> 4 buses -> master) at 0.7 us per node, or
// 500 nodes in 25 random layers (each fed by up to 4 of the layer before) at 2 us per node.
std::vector<std::shared_ptr<Node>> buildFineGraph(Graph& graph, FineGraph kind,
                                                  CostHint hint = CostHint::exact) {
    std::vector<std::shared_ptr<Node>> nodes;
    auto add = [&](double microseconds, std::uint32_t inputs) {
        nodes.push_back(std::make_shared<BusyNode>(microseconds * 1000.0, inputs, kBlock, hint));
        return graph.add(nodes.back());
    };
    if (kind == FineGraph::daw) {
        const NodeId master = add(0.7, 1);
        graph.connect(master, graph.output());
        std::vector<NodeId> buses;
        for (int b = 0; b < 4; ++b) {
            buses.push_back(add(0.7, 1));
            graph.connect(buses.back(), master);
        }
        for (int t = 0; t < 32; ++t) {
            NodeId previous = add(0.7, 0);
            for (int e = 0; e < 4; ++e) {
                const NodeId fx = add(0.7, 1);
                graph.connect(previous, fx);
                previous = fx;
            }
            graph.connect(previous, buses[static_cast<std::size_t>(t) * 4 / 32]);
        }
        return nodes;
    }
    std::mt19937 rng(5);
    std::vector<NodeId> previousLayer;
    for (int layer = 0; layer < 25; ++layer) {
        std::vector<NodeId> thisLayer;
        for (int i = 0; i < 20; ++i) {
            const NodeId id = add(2.0, previousLayer.empty() ? 0 : 1);
            if (!previousLayer.empty()) {
                const std::size_t count = 1 + rng() % 4;
                std::vector<NodeId> chosen;
                for (std::size_t k = 0; k < count; ++k) {
                    const NodeId from = previousLayer[rng() % previousLayer.size()];
                    if (std::find(chosen.begin(), chosen.end(), from) == chosen.end()) {
                        chosen.push_back(from);
                        graph.connect(from, id);
                    }
                }
            }
            thisLayer.push_back(id);
        }
        previousLayer = thisLayer;
    }
    return nodes;
}

constexpr int kFineBlocks = 5000;

// The bound counts each node at its nominal cost; node_ns_alone is what one node's work takes on
// this machine when it runs alone (median), which shows that nominal cost is real.
void reportAgainstBound(benchmark::State& state, std::vector<double>& times, double bound,
                        const std::vector<std::shared_ptr<Node>>& nodes) {
    state.counters["node_ns_alone"] =
        static_cast<const BusyNode&>(*nodes.front()).measuredNanoseconds();
    reportDistribution(state, times);
    state.counters["bound_us"] = bound / 1000.0;
    state.counters["p50_vs_bound"] = state.counters["median_us"] * 1000.0 / bound;
    state.counters["p99_vs_bound"] = state.counters["p99_us"] * 1000.0 / bound;
}

void fine(benchmark::State& state, FineGraph kind, ExecutorKind executor) {
    Engine engine(engineConfig(executor));
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildFineGraph(graph, kind);
    engine.commit(graph);
    const std::uint32_t p = executor == ExecutorKind::serial ? 1 : kWorkers;
    const double bound = boundOf(*compile(graph, {48000.0, kBlock})).lowerBound(p);
    AudioBuffer out(1, kBlock);
    std::vector<double> times =
        timeEachBlock(state, kFineBlocks, [&] { engine.process({}, out.view()); });
    reportAgainstBound(state, times, bound, nodes);
}

// The same graph on StaticScheduleReference: each task placed in advance with its exact cost, the
// least synchronisation a schedule can have. Its gap to the bound is what this machine charges any
// scheduler for the graph; crossing_inputs says how many inputs its placement moves between cores.
void fineStatic(benchmark::State& state, FineGraph kind) {
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildFineGraph(graph, kind);
    auto plan = compile(graph, {48000.0, kBlock});
    const double bound = boundOf(*plan).lowerBound(kWorkers);
    StaticScheduleReference reference(*plan, kWorkers,
                                      [&plan](TaskIndex t) { return nominalCost(*plan, t); });
    SampleTime clock = 0;
    std::vector<double> times =
        timeEachBlock(state, kFineBlocks, [&] { reference.runBlock(kBlock, clock += kBlock); });
    reportAgainstBound(state, times, bound, nodes);
    state.counters["crossing_inputs"] = static_cast<double>(reference.crossingInputs());
    state.counters["inputs"] = static_cast<double>(reference.inputs());
}

#if FLUXFORGE_BENCH_HAVE_TBB
void fineTbb(benchmark::State& state, FineGraph kind, TbbStyle style) {
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildFineGraph(graph, kind);
    auto plan = compile(graph, {48000.0, kBlock});
    const double bound = boundOf(*plan).lowerBound(kWorkers);
    TbbRunner tbb(*plan, kWorkers, style);
    SampleTime clock = 0;
    std::vector<double> times =
        timeEachBlock(state, kFineBlocks, [&] { tbb.runBlock(clock += kBlock); });
    reportAgainstBound(state, times, bound, nodes);
}
#endif

// ---- 5. Trivial graph forced onto 2 workers, against serial in the same run --------------------

// `anyTask`: every task may move between workers (minimumStealNanoseconds 0), as in the rows above;
// otherwise the policy's default, which keeps tasks of a few tens of nanoseconds where they are.
void forcedTrivial(benchmark::State& state, ExecutorKind executor, bool anyTask) {
    EngineConfig config = engineConfig(executor);
    if (!anyTask) {
        config.parallel.minimumStealNanoseconds = ParallelPolicy{}.minimumStealNanoseconds;
    }
    Engine forced(config);
    Engine serial(engineConfig(ExecutorKind::serial));
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildDawSession(graph, 32, 4, 4);
    Graph serialGraph(GraphConfig{0, 1});
    const auto serialNodes = buildDawSession(serialGraph, 32, 4, 4);
    forced.commit(graph);
    serial.commit(serialGraph);
    AudioBuffer out(1, kBlock);
    for (int i = 0; i < 100; ++i) {
        forced.process({}, out.view());
        serial.process({}, out.view());
    }
    std::vector<double> forcedTimes;
    std::vector<double> serialTimes;
    for (auto _ : state) {
        auto start = std::chrono::steady_clock::now();
        forced.process({}, out.view());
        forcedTimes.push_back(nanosecondsSince(start));
        start = std::chrono::steady_clock::now();
        serial.process({}, out.view());
        serialTimes.push_back(nanosecondsSince(start));
    }
    std::vector<double> serialCopy = serialTimes;
    reportDistribution(state, forcedTimes);
    std::sort(serialCopy.begin(), serialCopy.end());
    const double serialMedian = serialCopy[serialCopy.size() / 2];
    state.counters["serial_median_us"] = serialMedian / 1000.0;
    state.counters["vs_serial"] = state.counters["median_us"] * 1000.0 / serialMedian;
}

// ---- 6. Adapting to measured costs
// ---------------------------------------------------------------

void adapt(benchmark::State& state, CostHint hint) {
    EngineConfig config = engineConfig(ExecutorKind::criticalPath);
    config.parallel = ParallelPolicy{}; // the default policy: this row is about its decisions
    config.timingInterval = 8;
    Engine engine(config);
    Graph graph(GraphConfig{0, 1});
    const auto nodes = buildFineGraph(graph, FineGraph::layered, hint);
    engine.commit(graph);
    const double bound = boundOf(*compile(graph, {48000.0, kBlock})).lowerBound(kWorkers);
    AudioBuffer out(1, kBlock);
    std::vector<double> times;
    double helpers = 0.0;
    for (auto _ : state) {
        for (int b = 0; b < 100; ++b) {
            engine.process({}, out.view());
            if (b % 10 == 9) {
                engine.update();
            }
        }
        times.clear();
        helpers = 0.0;
        for (int b = 0; b < 100; ++b) {
            const auto start = std::chrono::steady_clock::now();
            engine.process({}, out.view());
            times.push_back(nanosecondsSince(start));
            helpers += engine.lastBlockHelpersApprox();
        }
    }
    std::sort(times.begin(), times.end());
    state.counters["median_us"] = times[times.size() / 2] / 1000.0;
    state.counters["efficiency"] = times[times.size() / 2] / bound;
    state.counters["helpers_used"] = helpers / 100.0;
}

void registerAll() {
    const std::pair<const char*, Shape> shapes[] = {
        {"chain", Shape::chain}, {"wide", Shape::wide}, {"layered", Shape::layered}};
    const ExecutorKind executors[] = {ExecutorKind::serial, ExecutorKind::levelBarrier,
                                      ExecutorKind::dynamicFifo, ExecutorKind::criticalPath};
    for (const auto& [shapeName, shape] : shapes) {
        for (ExecutorKind executor : executors) {
            const std::string name =
                std::string("Overhead/") + shapeName + "/" + std::string(executorName(executor));
            benchmark::RegisterBenchmark(name.c_str(), overhead, shape, executor)
                ->Arg(100)
                ->Arg(1000)
                ->Arg(10000);
        }
#if FLUXFORGE_BENCH_HAVE_TBB
        const std::string name = std::string("Overhead/") + shapeName + "/tbb-flow-graph";
        benchmark::RegisterBenchmark(name.c_str(), overheadTbb, shape)
            ->Arg(100)
            ->Arg(1000)
            ->Arg(10000);
#endif
    }
    for (ExecutorKind executor : executors) {
        const std::string name = "DawBlock/" + std::string(executorName(executor));
        benchmark::RegisterBenchmark(name.c_str(), dawBlock, executor)
            ->Iterations(bench::iterationsOrSmoke(kDawBlocks));
    }
#if FLUXFORGE_BENCH_HAVE_TBB
    benchmark::RegisterBenchmark("DawBlock/tbb-flow-graph", dawBlockTbb)
        ->Iterations(bench::iterationsOrSmoke(kDawBlocks));
#endif
    const std::pair<const char*, WorkGraph> workGraphs[] = {
        {"random_layered", WorkGraph::randomLayered},
        {"chain_beside_shorts", WorkGraph::chainBesideShorts}};
    for (const auto& [graphName, kind] : workGraphs) {
        for (ExecutorKind executor : executors) {
            const std::string name =
                std::string("Efficiency/") + graphName + "/" + std::string(executorName(executor));
            benchmark::RegisterBenchmark(name.c_str(), efficiency, kind, executor)
                ->Iterations(bench::iterationsOrSmoke(200))
                ->Unit(benchmark::kMicrosecond);
        }
#if FLUXFORGE_BENCH_HAVE_TBB
        const std::string name = std::string("Efficiency/") + graphName + "/tbb-flow-graph";
        benchmark::RegisterBenchmark(name.c_str(), efficiencyTbb, kind)
            ->Iterations(bench::iterationsOrSmoke(200))
            ->Unit(benchmark::kMicrosecond);
#endif
    }
    const std::pair<const char*, FineGraph> fineGraphs[] = {{"daw_0.7us", FineGraph::daw},
                                                            {"layered_2us", FineGraph::layered}};
    for (const auto& [graphName, kind] : fineGraphs) {
        for (ExecutorKind executor : {ExecutorKind::serial, ExecutorKind::criticalPath}) {
            const std::string name =
                std::string("Fine/") + graphName + "/" + std::string(executorName(executor));
            benchmark::RegisterBenchmark(name.c_str(), fine, kind, executor)
                ->Iterations(bench::iterationsOrSmoke(kFineBlocks));
        }
        benchmark::RegisterBenchmark(
            (std::string("Fine/") + graphName + "/static-reference").c_str(), fineStatic, kind)
            ->Iterations(bench::iterationsOrSmoke(kFineBlocks));
#if FLUXFORGE_BENCH_HAVE_TBB
        for (const auto& [styleName, style] :
             {std::pair{"tbb-flow-graph", TbbStyle::continueNode},
              std::pair{"tbb-function-node", TbbStyle::functionNode}}) {
            const std::string name = std::string("Fine/") + graphName + "/" + styleName;
            benchmark::RegisterBenchmark(name.c_str(), fineTbb, kind, style)
                ->Iterations(bench::iterationsOrSmoke(kFineBlocks));
        }
#endif
    }
    for (ExecutorKind executor :
         {ExecutorKind::levelBarrier, ExecutorKind::dynamicFifo, ExecutorKind::criticalPath}) {
        for (const bool anyTask : {false, true}) {
            const std::string name = "Forced/daw_trivial/" + std::string(executorName(executor)) +
                                     (anyTask ? "/any_task" : "");
            benchmark::RegisterBenchmark(name.c_str(), forcedTrivial, executor, anyTask)
                ->Iterations(bench::iterationsOrSmoke(kDawBlocks));
        }
    }
    benchmark::RegisterBenchmark("Adapt/exact_estimates", adapt, CostHint::exact)->Iterations(1);
    benchmark::RegisterBenchmark("Adapt/no_estimates", adapt, CostHint::none)->Iterations(1);
}

} // namespace
} // namespace fluxforge::bench

int main(int argc, char** argv) {
    fluxforge::bench::registerAll();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
