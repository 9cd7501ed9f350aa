// 100,000 blocks through the parallel executors while a control thread swaps plans, changes the
// worker count and switches executors. Every node must run exactly once per block, after its
// inputs; the audio thread must not allocate or lock. Meant for the ThreadSanitizer and
// RealtimeSanitizer builds too (label: stress).
#include "support/probe_dag.hpp"
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
#include "support/allocation_counter.hpp"
#endif

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace fluxforge {
namespace {

TEST(SchedulerStressTest, PlanSwapsAndWorkerChangesDuring100000Blocks) {
    constexpr int kBlocks = 100000;
    constexpr FrameCount kFrames = 16;
    EngineConfig config;
    config.maxBlockSize = kFrames;
    config.workers = 2;
    config.maxWorkers = 4;
    config.parallel.minimumWorkNanoseconds = 0.0;
    config.parallel.minimumStealNanoseconds = 0.0; // every steal, however small
    config.parallel.limitToParallelism = false;
    config.pool.realtimePriority = false;
    config.pool.spinBeforeSleeping = std::chrono::microseconds(50);
    Engine engine(config);

    // Two graphs that alternate; each has a port wide enough to be split into partial sums.
    test::ProbeLog logs[2];
    std::vector<std::shared_ptr<test::ProbeNode>> nodes[2];
    Graph graphs[2] = {Graph(GraphConfig{0, 2}), Graph(GraphConfig{0, 2})};
    for (int g = 0; g < 2; ++g) {
        nodes[g] = test::buildProbeDag(graphs[g], logs[g],
                                       {40, 5, 24, static_cast<std::uint32_t>(g + 1), 2});
    }
    engine.commit(graphs[0]);

    // Both sides run to a count, not a clock: at least kBlocks blocks and kMinCommits commits,
    // however fast either side is.
    constexpr int kMinCommits = 40;
    std::atomic<bool> controlDone{false};
    std::atomic<int> blocks{0};
    std::thread audio([&] {
        AudioBuffer out(2, kFrames);
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
        const test::CountedRealtimeScope counted;
#endif
        const ExecutorKind executors[] = {ExecutorKind::criticalPath, ExecutorKind::dynamicFifo,
                                          ExecutorKind::levelBarrier, ExecutorKind::serial};
        for (int b = 0; b < kBlocks || !controlDone.load(); ++b) {
            if (b % 997 == 0) {
                engine.setExecutor(executors[(b / 997) % 4]);
            }
            engine.process({}, out.view());
            blocks.store(b + 1);
        }
    });

    int commits = 0;
    int workerChanges = 0;
    while (blocks.load() < kBlocks || commits < kMinCommits) {
        engine.commit(graphs[(commits + 1) % 2]);
        ++commits;
        if (commits % 4 == 0) {
            engine.setWorkerCount(1 + static_cast<std::uint32_t>(workerChanges++ % 4));
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    controlDone = true;
    audio.join();
    engine.collectGarbage();

    EXPECT_GE(commits, kMinCommits);
    EXPECT_GT(workerChanges, 2);
    std::uint64_t runs = 0;
    for (int g = 0; g < 2; ++g) {
        EXPECT_EQ(logs[g].ranTwice.load(), 0u);
        EXPECT_EQ(logs[g].ranBeforeInputs.load(), 0u);
        runs += logs[g].runs.load();
    }
    // Every block ran every node of one of the two graphs (they have the same size).
    EXPECT_GE(blocks.load(), kBlocks);
    EXPECT_EQ(runs, static_cast<std::uint64_t>(blocks.load()) * nodes[0].size());
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    const auto violations = test::realtimeViolations();
    EXPECT_EQ(violations.allocations, 0u);
    EXPECT_EQ(violations.locks, 0u);
#endif
}

} // namespace
} // namespace fluxforge
