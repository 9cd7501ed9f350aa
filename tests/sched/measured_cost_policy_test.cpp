// The parallel policy and the critical-path ranks follow what nodes really cost: a graph of custom
// nodes that declare no cost (or a wrong one) is scheduled like the same graph with exact
// estimates after a few dozen blocks, without a recompile, and a recompile keeps what was measured.
// The assertions are on decisions (helpers that ran, the priority order), not on timings, so they
// hold on a loaded machine.
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/engine/trace.hpp>
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/sched/critical_path_executor.hpp>
#include <fluxforge/sched/scheduled_plan.hpp>
#include <fluxforge/sched/worker_pool.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

namespace fluxforge {
namespace {

constexpr FrameCount kBlock = 64;
constexpr int kBlocksToAdapt = 100;

enum class Estimate { none, exact };

// Works for a set time (spinning on the cycle clock) and either tells the scheduler so or, like a
// new user's node, says nothing (estimatedCostPerFrame left at its default).
class SpinNode final : public Node {
public:
    SpinNode(double microseconds, std::uint32_t inputs, Estimate estimate)
        : nanoseconds_(microseconds * 1000.0)
        , inputs_(inputs)
        , estimate_(estimate) {}

protected:
    NodeProperties describe() const override {
        NodeProperties p;
        for (std::uint32_t i = 0; i < inputs_; ++i) {
            p.inputs.push_back({"in", 1});
        }
        p.outputs.push_back({"out", 1});
        if (estimate_ == Estimate::exact) {
            p.estimatedCostPerFrame = nanoseconds_ / static_cast<double>(kBlock);
        }
        return p;
    }
    void onPrepare(const PrepareContext&) override {
        ticks_ = static_cast<std::uint64_t>(nanoseconds_ * CycleClock::ticksPerNanosecond());
    }
    void onProcess(const ProcessContext& context) noexcept override {
        const std::uint64_t until = CycleClock::now() + ticks_;
        while (CycleClock::now() < until) {
        }
        float sum = 1.0f;
        for (const ConstBufferView& in : context.inputs) {
            sum += in.channel(0)[0];
        }
        context.outputs[0].channel(0)[0] = sum;
    }

private:
    double nanoseconds_;
    std::uint32_t inputs_;
    Estimate estimate_;
    std::uint64_t ticks_ = 0;
};

struct Chains {
    std::vector<NodeId> heavy; // one chain of long nodes: the critical path
    std::vector<NodeId> light; // heads of long chains of short nodes
};

// A heavy chain (3 x 500 us) beside three chains of 20 short nodes (10 us) and a few independent
// nodes. With no estimates every node looks alike and the long light chains rank first; with the
// real costs the heavy chain does (1.5 ms of critical path against 0.2 ms, and even its last node
// outranks a light chain 2.5 times over, a margin no preemption noise closes).
Chains buildMisleadingGraph(Graph& graph, Estimate estimate) {
    Chains chains;
    auto add = [&](double microseconds, std::uint32_t inputs) {
        return graph.add(std::make_shared<SpinNode>(microseconds, inputs, estimate));
    };
    NodeId previous = add(500.0, 0);
    chains.heavy.push_back(previous);
    for (int i = 1; i < 3; ++i) {
        const NodeId next = add(500.0, 1);
        graph.connect(previous, next);
        chains.heavy.push_back(next);
        previous = next;
    }
    for (int c = 0; c < 3; ++c) {
        previous = add(10.0, 0);
        chains.light.push_back(previous);
        for (int i = 1; i < 20; ++i) {
            const NodeId next = add(10.0, 1);
            graph.connect(previous, next);
            previous = next;
        }
    }
    for (int i = 0; i < 6; ++i) {
        add(40.0, 0);
    }
    return chains;
}

// A DAW-like graph: 16 tracks of a source and 3 effects (20 us each) into 2 buses and a master,
// about 1.4 ms of work per block that estimates put at a few microseconds when nodes declare none.
void buildSession(Graph& graph, Estimate estimate) {
    auto add = [&](double microseconds, std::uint32_t inputs) {
        return graph.add(std::make_shared<SpinNode>(microseconds, inputs, estimate));
    };
    const NodeId master = add(20.0, 1);
    const NodeId buses[2] = {add(20.0, 1), add(20.0, 1)};
    graph.connect(buses[0], master);
    graph.connect(buses[1], master);
    for (int t = 0; t < 16; ++t) {
        NodeId previous = add(20.0, 0);
        for (int e = 0; e < 3; ++e) {
            const NodeId next = add(20.0, 1);
            graph.connect(previous, next);
            previous = next;
        }
        graph.connect(previous, buses[t % 2]);
    }
}

WorkerPoolConfig quietPool(std::uint32_t helpers) {
    WorkerPoolConfig config;
    config.helpers = helpers;
    config.realtimePriority = false;
    return config;
}

// Renders blocks as the engine does (nodes timed every 8th block) and calls refreshPriorities
// every 10 blocks, as a host's control thread calling Engine::update at a UI rate would.
void renderAndRefresh(ScheduledPlan& plan, Executor& executor, int blocks) {
    for (int b = 0; b < blocks; ++b) {
        plan.plan().prepareBlock(kBlock);
        BlockInfo block{kBlock, static_cast<SampleTime>(b) * kBlock};
        block.timeNodes = b % 8 == 0;
        executor.run(plan, block);
        if (b % 10 == 9) {
            plan.refreshPriorities();
        }
    }
}

std::vector<TaskIndex> topTasks(ScheduledPlan& plan, std::uint32_t count) {
    plan.beginBlock(); // take the newest published order, as the next block would
    std::vector<TaskIndex> top;
    for (std::uint32_t i = 0; i < count; ++i) {
        top.push_back(plan.taskAtPriority(i));
    }
    return top;
}

TEST(MeasuredCostPolicyTest, RanksFollowMeasuredTimesWithoutARecompile) {
    WorkerPool pool(quietPool(1));
    CriticalPathExecutor executor(&pool);
    std::vector<TaskIndex> exactTop;
    std::vector<TaskIndex> measuredTop;
    std::vector<TaskIndex> heavyTasks;
    for (Estimate estimate : {Estimate::exact, Estimate::none}) {
        Graph graph(GraphConfig{0, 1});
        const Chains chains = buildMisleadingGraph(graph, estimate);
        ScheduledPlan plan(compile(graph, {48000.0, kBlock}), 2);
        // The first two of the heavy chain: their ranks (1.5 and 1 ms) outrun anything else by
        // 0.8 ms, more than preemption adds to the nodes' averaged times even on a loaded machine.
        heavyTasks = {plan.plan().taskOf(chains.heavy[0]), plan.plan().taskOf(chains.heavy[1])};
        if (estimate == Estimate::none) {
            // The premise: with no estimates, a light chain outranks the heavy one at first.
            EXPECT_NE(plan.taskAtPriority(0), heavyTasks[0]);
        }
        renderAndRefresh(plan, executor, kBlocksToAdapt);
        (estimate == Estimate::exact ? exactTop : measuredTop) = topTasks(plan, 2);
        EXPECT_EQ(plan.plan().numTasks(), plan.numTasks()); // the same plan: nothing recompiled
    }
    // After 100 blocks the heavy chain leads in both, in order: the same schedule.
    EXPECT_EQ(exactTop, heavyTasks);
    EXPECT_EQ(measuredTop, heavyTasks);
}

TEST(MeasuredCostPolicyTest, AnOrderIsRepublishedOnlyWhenTimesMoveTheRanks) {
    Graph graph(GraphConfig{0, 1});
    buildMisleadingGraph(graph, Estimate::exact);
    ScheduledPlan plan(compile(graph, {48000.0, kBlock}), 1);
    // No node has been timed: the measured costs are the estimates, nothing new to publish.
    EXPECT_FALSE(plan.refreshPriorities());
}

// Of the traced blocks of plan `generation` in which the audio thread ran a task, how many it began
// with `node`. The critical-path executor hands the audio thread the most urgent source, and it
// takes it before a helper has even joined (a helper steals only once its own sources are done),
// unless the audio thread is held up meanwhile (a loaded machine, a sanitizer): hence a count over
// several blocks rather than one block's first task.
struct FirstTasks {
    int blocks = 0;    // blocks in which the audio thread ran a task
    int beganWith = 0; // of those, the ones it began with `node`
};
FirstTasks audioThreadBeganWith(const TraceCapture& trace, std::uint64_t generation, NodeId node) {
    FirstTasks result;
    for (const TraceBlock& block : trace.blocks) {
        const TracePlan* plan = trace.planOf(block);
        if (block.planGeneration != generation || plan == nullptr) {
            continue;
        }
        for (const TraceTask& task : trace.tasks) { // by worker, then start
            if (task.block == block.index && task.worker == 0) {
                ++result.blocks;
                result.beganWith += plan->nodes[task.task] == node ? 1 : 0;
                break;
            }
        }
    }
    return result;
}

TEST(MeasuredCostPolicyTest, MeasuredRanksSurviveACommit) {
    // Every block timed, helpers always in, so the priority order decides what runs first.
    EngineConfig config;
    config.maxBlockSize = kBlock;
    config.workers = 2;
    config.maxWorkers = 2;
    config.pool.realtimePriority = false;
    config.timingInterval = 1;
    config.parallel.minimumWorkNanoseconds = 0.0;
    config.parallel.minimumStealNanoseconds = 0.0;
    config.parallel.limitToParallelism = false;
    Engine engine(config);
    Graph graph(GraphConfig{0, 1});
    const Chains chains = buildMisleadingGraph(graph, Estimate::none);
    engine.setTracing(true);
    engine.commit(graph);
    AudioBuffer out(1, kBlock);
    // Enough blocks for every task's lower envelope to settle; update() is never called, so the
    // ranks move only if the commit below carries the times.
    for (int b = 0; b < 20; ++b) {
        engine.process({}, out.view());
    }
    // An edit that changes no cost on the critical path: one more cheap independent node.
    graph.add(std::make_shared<SpinNode>(1.0, 0, Estimate::none));
    engine.commit(graph);
    for (int b = 0; b < 8; ++b) {
        engine.process({}, out.view());
    }
    const TraceCapture trace = engine.captureTrace();
    // The premise: by the estimates (all alike), a long light chain leads, not the heavy one.
    const FirstTasks before = audioThreadBeganWith(trace, 1, chains.heavy[0]);
    ASSERT_GT(before.blocks, 0) << "no traced block of plan 1";
    EXPECT_LT(2 * before.beganWith, before.blocks);
    // The recompiled plan runs by the measured costs from its first block on (update() was never
    // called to re-rank it): the heavy chain first.
    const FirstTasks after = audioThreadBeganWith(trace, 2, chains.heavy[0]);
    ASSERT_GT(after.blocks, 0) << "no traced block of plan 2";
    EXPECT_GT(2 * after.beganWith, after.blocks);
}

// Counts the blocks, among `blocks` after the first kBlocksToAdapt, in which a helper ran a task.
int blocksWithHelpers(Estimate estimate, int blocks, std::uint32_t timingInterval = 8) {
    EngineConfig config;
    config.maxBlockSize = kBlock;
    config.workers = 2;
    config.pool.realtimePriority = false;
    config.timingInterval = timingInterval;
    Engine engine(config); // the default policy: 30 us threshold
    Graph graph(GraphConfig{0, 1});
    buildSession(graph, estimate);
    engine.commit(graph);
    AudioBuffer out(1, kBlock);
    int withHelpers = 0;
    for (int b = 0; b < kBlocksToAdapt + blocks; ++b) {
        engine.process({}, out.view());
        if (b % 10 == 9) {
            engine.update();
        }
        if (b >= kBlocksToAdapt && engine.lastBlockHelpersApprox() > 0) {
            ++withHelpers;
        }
    }
    return withHelpers;
}

TEST(MeasuredCostPolicyTest, AHeavyGraphWithoutEstimatesBringsTheHelperIn) {
    // Each block is over a millisecond of work, so even on a loaded machine a helper that was
    // asked gets to run some of it in most blocks; one that is never asked runs none.
    constexpr int kBlocks = 50;
    const int exact = blocksWithHelpers(Estimate::exact, kBlocks);
    const int measured = blocksWithHelpers(Estimate::none, kBlocks);
    std::printf("blocks with a helper running, of %d: exact estimates %d, no estimates %d\n",
                kBlocks, exact, measured);
    EXPECT_GT(exact, kBlocks / 5);
    EXPECT_GT(measured, kBlocks / 5);
    // No task ever timed either: the blocks' own durations still show work worth a helper, both
    // in all (minimumWorkNanoseconds) and per task (minimumStealNanoseconds).
    const int untimed = blocksWithHelpers(Estimate::none, kBlocks, 0);
    std::printf("no estimates and no task timing: %d\n", untimed);
    EXPECT_GT(untimed, kBlocks / 5);
}

TEST(MeasuredCostPolicyTest, SmallWorkStaysOnTheAudioThreadWhateverItsEstimate) {
    // Trivial nodes that claim to be expensive (1.3 ms in all, against a 1 ms threshold, far
    // above what they take even under a sanitizer): the estimate brings the helper in for the
    // first blocks, the measured cost sends it away.
    EngineConfig config;
    config.maxBlockSize = kBlock;
    config.workers = 2;
    config.pool.realtimePriority = false;
    config.parallel.minimumWorkNanoseconds = 1e6;
    Engine engine(config);
    Graph graph(GraphConfig{0, 1});
    class Boastful final : public Node {
    protected:
        NodeProperties describe() const override {
            NodeProperties p;
            p.outputs.push_back({"out", 1});
            p.estimatedCostPerFrame = 1000.0; // 64 us per block, claimed
            return p;
        }
        void onProcess(const ProcessContext& context) noexcept override {
            context.outputs[0].channel(0)[0] = 0.0f;
        }
    };
    for (int i = 0; i < 20; ++i) {
        graph.add(std::make_shared<Boastful>());
    }
    engine.commit(graph);
    AudioBuffer out(1, kBlock);
    int withHelpers = 0;
    for (int b = 0; b < 200; ++b) {
        engine.process({}, out.view());
        withHelpers += b >= 20 && engine.lastBlockHelpersApprox() > 0 ? 1 : 0;
    }
    EXPECT_EQ(withHelpers, 0);
}

} // namespace
} // namespace fluxforge
