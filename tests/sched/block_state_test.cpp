// The per-block state the parallel executors share (dependency counts, FIFO slots, ready sets) is
// back at its starting values when a block ends, so that the next block needs no O(tasks) reset:
// whoever consumes a count or a slot restores it.
#include "support/probe_dag.hpp"

#include <fluxforge/graph/compile.hpp>
#include <fluxforge/sched/critical_path_executor.hpp>
#include <fluxforge/sched/dynamic_fifo_executor.hpp>
#include <fluxforge/sched/level_barrier_executor.hpp>
#include <fluxforge/sched/scheduled_plan.hpp>
#include <fluxforge/sched/serial_executor.hpp>
#include <fluxforge/sched/worker_pool.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace fluxforge {
namespace {

constexpr FrameCount kBlock = 32;

void expectStartingState(ScheduledPlan& plan, const char* after) {
    const Plan& p = plan.plan();
    for (TaskIndex t = 0; t < plan.numTasks(); ++t) {
        if (p.initialDependencies(t) > 1) { // only joins have a count
            ASSERT_EQ(plan.pending(t).load(), p.initialDependencies(t)) << "task " << t << after;
        }
        ASSERT_EQ(plan.fifoSlot(t).load(), kNoTask) << "slot " << t << after;
    }
    for (std::uint32_t w = 0; w < plan.maxWorkers(); ++w) {
        EXPECT_EQ(plan.readySet(w).tryTakeMostUrgent(), PriorityReadySet::kNone)
            << "ready set " << w << after;
    }
}

TEST(BlockStateTest, EveryExecutorLeavesCountsSlotsAndReadySetsAsTheBlockFoundThem) {
    test::ProbeLog log;
    Graph graph(GraphConfig{0, 2});
    const auto nodes = test::buildProbeDag(graph, log, {300, 12, 8, 3, 2});
    ScheduledPlan plan(compile(graph, {48000.0, kBlock}), 3);
    expectStartingState(plan, " after construction");

    WorkerPoolConfig poolConfig;
    poolConfig.helpers = 2;
    poolConfig.realtimePriority = false;
    WorkerPool pool(poolConfig);
    const ParallelPolicy always{0.0, false, 0.0}; // helpers always, every steal
    std::vector<std::unique_ptr<Executor>> executors;
    executors.push_back(std::make_unique<SerialExecutor>());
    executors.push_back(std::make_unique<LevelBarrierExecutor>(&pool, always));
    executors.push_back(std::make_unique<DynamicFifoExecutor>(&pool, always));
    executors.push_back(std::make_unique<CriticalPathExecutor>(&pool, always));

    SampleTime start = 0;
    // Each executor several blocks in a row, then all of them interleaved block by block.
    for (int round = 0; round < 2; ++round) {
        for (std::size_t b = 0; b < 4 * executors.size(); ++b) {
            Executor& executor = *executors[round == 0 ? b / 4 : b % executors.size()];
            plan.plan().prepareBlock(kBlock);
            const std::uint64_t runsBefore = log.runs.load();
            executor.run(plan, BlockInfo{kBlock, start});
            start += kBlock;
            ASSERT_EQ(log.runs.load() - runsBefore, nodes.size()) << executor.name();
            expectStartingState(
                plan, (std::string(" after a block of ") + std::string(executor.name())).c_str());
        }
    }
    EXPECT_EQ(log.ranTwice.load(), 0u);
    EXPECT_EQ(log.ranBeforeInputs.load(), 0u);
}

TEST(BlockStateTest, EachJoinCountsOnACacheLineOfItsOwn) {
    // Joins (tasks with more than one predecessor) are decremented by whichever workers run their
    // predecessors; two joins' counts never share a line, so one worker's decrement does not take
    // the line another worker is about to decrement.
    test::ProbeLog log;
    Graph graph(GraphConfig{0, 2});
    const auto nodes = test::buildProbeDag(graph, log, {300, 12, 8, 3, 2});
    ScheduledPlan plan(compile(graph, {48000.0, kBlock}), 2);
    std::vector<std::uintptr_t> lines;
    for (TaskIndex t = 0; t < plan.numTasks(); ++t) {
        if (plan.plan().initialDependencies(t) > 1) {
            lines.push_back(reinterpret_cast<std::uintptr_t>(&plan.pending(t)) / 64);
        }
    }
    ASSERT_GT(lines.size(), 10u);
    std::sort(lines.begin(), lines.end());
    EXPECT_EQ(std::adjacent_find(lines.begin(), lines.end()), lines.end());
}

} // namespace
} // namespace fluxforge
