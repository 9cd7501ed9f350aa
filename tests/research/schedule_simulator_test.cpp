// The scheduling simulator against schedules worked out by hand: with no overheads, the exact
// block time of each policy on small graphs; then what each overhead adds.
#include <fluxforge/research/schedule_simulator.hpp>

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace fluxforge {
namespace {

// A chain 0 -> 1 -> 2 of 10 each beside four independent tasks 3..6 of 5 each: W = 50, D = 30.
struct ChainBesideShorts {
    std::vector<std::pair<TaskIndex, TaskIndex>> edges{{0, 1}, {1, 2}};
    std::vector<double> costs{10, 10, 10, 5, 5, 5, 5};
    SimGraph graph = SimGraph::fromEdges(7, edges, costs);
};

SimSettings onWorkers(std::uint32_t workers) {
    SimSettings settings;
    settings.workers = workers;
    return settings;
}

TEST(ScheduleSimulatorTest, GraphGetsRanksLevelsAndPrioritiesAsTheExecutorsDo) {
    const ChainBesideShorts g;
    EXPECT_DOUBLE_EQ(g.graph.estimatedWork, 50.0);
    EXPECT_DOUBLE_EQ(g.graph.estimatedCriticalPath, 30.0);
    ASSERT_EQ(g.graph.levels.size(), 3u);
    EXPECT_EQ(g.graph.levels[0], (std::vector<TaskIndex>{0, 3, 4, 5, 6}));
    EXPECT_EQ(g.graph.byPriority, (std::vector<TaskIndex>{0, 1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(g.graph.sources, (std::vector<TaskIndex>{0, 3, 4, 5, 6}));
}

TEST(ScheduleSimulatorTest, SerialAddsEveryTask) {
    const ChainBesideShorts g;
    const SimResult r = simulateBlock(ExecutorKind::serial, g.graph, g.costs, onWorkers(4));
    EXPECT_DOUBLE_EQ(r.blockNs, 50.0);
    EXPECT_EQ(r.helpers, 0u);
}

TEST(ScheduleSimulatorTest, LevelBarrierWaitsForEachLevel) {
    // Level 0 on two workers: 0 on w0 [0,10]; 3, 4 on w1 [0,5], [5,10]; 5 on w0 and 6 on w1
    // [10,15]. Then 1 [15,25] and 2 [25,35].
    const ChainBesideShorts g;
    const SimResult r = simulateBlock(ExecutorKind::levelBarrier, g.graph, g.costs, onWorkers(2));
    EXPECT_DOUBLE_EQ(r.blockNs, 35.0);
    EXPECT_DOUBLE_EQ(r.start[1], 15.0);
    EXPECT_EQ(r.helpers, 1u);
}

TEST(ScheduleSimulatorTest, FifoServesTasksInTheOrderTheyBecameReady) {
    // Sources queue as 0, 3, 4, 5, 6: 0 on w0 [0,10]; 3 [0,5] and 4 [5,10] on w1; at 10, 1 joins
    // the queue behind 5 and 6, which run [10,15]; then 1 [15,25] and 2 [25,35].
    const ChainBesideShorts g;
    const SimResult r = simulateBlock(ExecutorKind::dynamicFifo, g.graph, g.costs, onWorkers(2));
    EXPECT_DOUBLE_EQ(r.blockNs, 35.0);
    EXPECT_DOUBLE_EQ(r.start[1], 15.0);
}

TEST(ScheduleSimulatorTest, CriticalPathContinuesTheChainBesideTheShortTasks) {
    // Sources placed by their share of the work (placeSources): the chain's source carries 30 of
    // 50 and goes to w0, the four shorts (20) to w1. w0 runs 0 then continues with 1 and 2; w1
    // runs the shorts. Block = D = 30, nothing stolen.
    const ChainBesideShorts g;
    const SimResult r = simulateBlock(ExecutorKind::criticalPath, g.graph, g.costs, onWorkers(2));
    EXPECT_DOUBLE_EQ(r.blockNs, 30.0);
    EXPECT_EQ(r.steals, 0u);
    EXPECT_EQ(r.worker[1], 0u);
    EXPECT_EQ(r.worker[2], 0u);
    EXPECT_EQ(r.worker[3], 1u);
    EXPECT_EQ(r.worker[6], 1u);
    EXPECT_DOUBLE_EQ(r.start[2], 20.0);
}

TEST(ScheduleSimulatorTest, DiamondOnThreeWorkers) {
    // 0 (4) -> {1 (6), 2 (3), 3 (2)} -> 4 (1): W = 16, D = 11. On three workers every policy
    // reaches D: the three middle tasks run side by side after 0.
    const std::vector<std::pair<TaskIndex, TaskIndex>> edges{{0, 1}, {0, 2}, {0, 3},
                                                             {1, 4}, {2, 4}, {3, 4}};
    const std::vector<double> costs{4, 6, 3, 2, 1};
    const SimGraph graph = SimGraph::fromEdges(5, edges, costs);
    for (ExecutorKind kind :
         {ExecutorKind::levelBarrier, ExecutorKind::dynamicFifo, ExecutorKind::criticalPath}) {
        EXPECT_DOUBLE_EQ(simulateBlock(kind, graph, costs, onWorkers(3)).blockNs, 11.0)
            << executorName(kind);
    }
    // On two: the level barrier and FIFO put 1 and 2 first (1: [4,10], 2: [4,7], 3: [7,9]),
    // so 4 runs [10,11]; critical path as well.
    for (ExecutorKind kind :
         {ExecutorKind::levelBarrier, ExecutorKind::dynamicFifo, ExecutorKind::criticalPath}) {
        EXPECT_DOUBLE_EQ(simulateBlock(kind, graph, costs, onWorkers(2)).blockNs, 11.0)
            << executorName(kind);
    }
    EXPECT_DOUBLE_EQ(simulateBlock(ExecutorKind::serial, graph, costs, onWorkers(2)).blockNs, 16.0);
}

TEST(ScheduleSimulatorTest, FifoMissesTheChainThatCriticalPathStartsFirst) {
    // Two shorts (0, 1: 10 each) numbered before a chain 2 -> 3 (10 each), two workers. FIFO
    // takes the shorts first: the chain runs [10,20], [20,30]. Critical path starts the chain at
    // once and runs the shorts beside it: 20.
    const std::vector<std::pair<TaskIndex, TaskIndex>> edges{{2, 3}};
    const std::vector<double> costs{10, 10, 10, 10};
    const SimGraph graph = SimGraph::fromEdges(4, edges, costs);
    EXPECT_DOUBLE_EQ(simulateBlock(ExecutorKind::dynamicFifo, graph, costs, onWorkers(2)).blockNs,
                     30.0);
    EXPECT_DOUBLE_EQ(simulateBlock(ExecutorKind::criticalPath, graph, costs, onWorkers(2)).blockNs,
                     20.0);
    // The level barrier starts the chain first too (rank order inside a level), but 3 waits for
    // the whole first level: 2 [0,10], 0 [0,10], 1 [10,20], then 3 [20,30].
    EXPECT_DOUBLE_EQ(simulateBlock(ExecutorKind::levelBarrier, graph, costs, onWorkers(2)).blockNs,
                     30.0);
}

TEST(ScheduleSimulatorTest, OverheadsAddWhereTheModelSays) {
    const ChainBesideShorts g;
    SimSettings settings = onWorkers(2);
    settings.serial.taskNs = 1.0;
    settings.serial.blockNs = 2.0;
    EXPECT_DOUBLE_EQ(simulateBlock(ExecutorKind::serial, g.graph, g.costs, settings).blockNs,
                     50.0 + 7.0 + 2.0);
    // A helper that joins 100 late finds nothing left: the audio thread ran it all, stealing
    // back the four shorts dealt to the helper's set in three steals (3 with 4, then 5, then 6).
    settings.parallel.wakeNs = 100.0;
    const SimResult late = simulateBlock(ExecutorKind::criticalPath, g.graph, g.costs, settings);
    EXPECT_DOUBLE_EQ(late.blockNs, 50.0);
    EXPECT_EQ(late.steals, 3u);
    // Notification latency delays what the other worker steals: w1 sees w0's entries 3 late.
    settings.parallel = {};
    settings.parallel.notifyNs = 3.0;
    const SimResult notified =
        simulateBlock(ExecutorKind::criticalPath, g.graph, g.costs, settings);
    EXPECT_DOUBLE_EQ(notified.blockNs, 30.0); // the initial sources are visible at once
    settings.parallel = {};
    settings.parallel.blockNs = 4.0;
    EXPECT_DOUBLE_EQ(simulateBlock(ExecutorKind::criticalPath, g.graph, g.costs, settings).blockNs,
                     34.0);
}

TEST(ScheduleSimulatorTest, HelpersFollowTheExecutorsPolicy) {
    const ChainBesideShorts g;
    SimSettings settings = onWorkers(8);
    EXPECT_EQ(simulatedHelpers(g.graph, settings, ExecutorKind::criticalPath), 7u);
    settings.policy.limitToParallelism = true; // W/D = 5/3: one helper is all it can use
    EXPECT_EQ(simulatedHelpers(g.graph, settings, ExecutorKind::criticalPath), 1u);
    settings.policy.minimumWorkNanoseconds = 1000.0; // too little work for any
    EXPECT_EQ(simulatedHelpers(g.graph, settings, ExecutorKind::criticalPath), 0u);
    EXPECT_EQ(simulatedHelpers(g.graph, onWorkers(8), ExecutorKind::serial), 0u);
}

// ParallelPolicy::minimumStealNanoseconds, as the critical-path executor applies it: the short
// tasks (5) stay with the worker they were dealt to, and with nothing worth moving no helper
// comes in at all.
TEST(ScheduleSimulatorTest, TasksTooSmallToMoveStayWithTheirWorker) {
    const ChainBesideShorts g;
    SimSettings settings = onWorkers(2);
    // Worker 0 runs the chain (0-30), worker 1 the shorts it was dealt.
    EXPECT_DOUBLE_EQ(simulateBlock(ExecutorKind::criticalPath, g.graph, g.costs, settings).blockNs,
                     30.0);
    // The shorts may not move, but the chain's source may: the sources are still dealt, the
    // shorts to worker 1 as their share (placeSources), so none has to move.
    settings.policy.minimumStealNanoseconds = 8.0;
    const SimResult dealt = simulateBlock(ExecutorKind::criticalPath, g.graph, g.costs, settings);
    EXPECT_DOUBLE_EQ(dealt.blockNs, 30.0);
    EXPECT_EQ(dealt.steals, 0u);
    // A helper 100 late: the audio thread may steal the shorts only after waiting 8 with nothing
    // to do (their owner may have been preempted), each time it runs out: chain 0-30, waits to
    // 38, takes 3 with 4 (38-48), waits to 56, takes 5 (56-61), waits to 69, takes 6 (69-74).
    settings.parallel.wakeNs = 100.0;
    const SimResult waited = simulateBlock(ExecutorKind::criticalPath, g.graph, g.costs, settings);
    EXPECT_DOUBLE_EQ(waited.blockNs, 74.0);
    EXPECT_EQ(waited.helpers, 1u);
    settings.parallel = {};
    // No task worth moving: no helper.
    settings.policy.minimumStealNanoseconds = 20.0;
    const SimResult alone = simulateBlock(ExecutorKind::criticalPath, g.graph, g.costs, settings);
    EXPECT_EQ(alone.helpers, 0u);
    EXPECT_DOUBLE_EQ(alone.blockNs, 50.0);
}

TEST(ScheduleSimulatorTest, WideFanScalesToTheBound) {
    // 1 source, 64 branches of 10, no overheads: critical path and FIFO on p workers take
    // 10 + 10 * ceil(64 / p).
    std::vector<std::pair<TaskIndex, TaskIndex>> edges;
    std::vector<double> costs{10};
    for (TaskIndex i = 1; i <= 64; ++i) {
        edges.emplace_back(0, i);
        costs.push_back(10);
    }
    const SimGraph graph = SimGraph::fromEdges(65, edges, costs);
    for (std::uint32_t p : {1u, 2u, 4u, 8u, 16u, 64u}) {
        const double expected = 10.0 + 10.0 * ((64 + p - 1) / p);
        for (ExecutorKind kind :
             {ExecutorKind::levelBarrier, ExecutorKind::dynamicFifo, ExecutorKind::criticalPath}) {
            EXPECT_DOUBLE_EQ(simulateBlock(kind, graph, costs, onWorkers(p)).blockNs, expected)
                << executorName(kind) << " p=" << p;
        }
    }
}

} // namespace
} // namespace fluxforge
