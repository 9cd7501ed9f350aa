// The per-block state the parallel executors share (dependency counts, FIFO slots, ready sets) is
// back at its starting values when a block ends, so that the next block needs no O(tasks) reset:
// whoever consumes a count or a slot restores it.
#include "support/probe_dag.hpp"
#include "support/test_nodes.hpp"

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

TEST(BlockStateTest, WideJoinsCountOnACacheLineOfTheirOwn) {
    // Buses of 8 tracks (wide joins, decremented by whichever workers ran their tracks) never
    // share a line with another count; the narrow joins (2 inputs) are packed.
    Graph graph(GraphConfig{0, 1});
    std::vector<std::shared_ptr<Node>> nodes;
    auto add = [&](std::uint32_t inputs) {
        nodes.push_back(std::make_shared<test::MixNode>(inputs, 1));
        return graph.add(nodes.back());
    };
    const NodeId master = add(1);
    graph.connect(master, graph.output());
    for (int b = 0; b < 4; ++b) {
        const NodeId bus = add(1);
        graph.connect(bus, master);
        for (int t = 0; t < 8; ++t) {
            const NodeId left = add(0);
            const NodeId right = add(0);
            const NodeId pair = add(2); // a narrow join
            graph.connect(OutputPort{left, 0}, InputPort{pair, 0});
            graph.connect(OutputPort{right, 0}, InputPort{pair, 1});
            graph.connect(pair, bus);
        }
    }
    ScheduledPlan plan(compile(graph, {48000.0, kBlock}), 2);
    std::vector<std::uintptr_t> wide;
    std::vector<std::uintptr_t> narrow;
    for (TaskIndex t = 0; t < plan.numTasks(); ++t) {
        const std::uint32_t inputs = plan.plan().initialDependencies(t);
        const auto line = reinterpret_cast<std::uintptr_t>(&plan.pending(t)) / 64;
        if (inputs >= ScheduledPlan::kWideJoin) {
            wide.push_back(line);
        } else if (inputs > 1) {
            narrow.push_back(line);
        }
    }
    ASSERT_EQ(wide.size(), 4u);
    ASSERT_GE(narrow.size(), 32u);
    for (const std::uintptr_t line : wide) {
        EXPECT_EQ(std::count(wide.begin(), wide.end(), line), 1);
        EXPECT_EQ(std::count(narrow.begin(), narrow.end(), line), 0);
    }
    std::sort(narrow.begin(), narrow.end());
    EXPECT_LE(narrow.back() - narrow.front() + 1, narrow.size() / 16 + 2);
}

} // namespace
} // namespace fluxforge
