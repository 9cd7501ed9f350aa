// 100,000 device blocks of a prefetched session while a control thread arms and disarms tracks
// (each a commit that moves nodes between the domains), locates, sets and clears loops, changes
// the guard level and swaps plans. Nothing may crash or hang; every sample is finite; the audio
// thread never allocates or locks (counted where the counter is linked).
#include "support/prefetch_session.hpp"
#include "support/test_nodes.hpp"
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
#include "support/allocation_counter.hpp"
#endif

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/research/reference_session.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

namespace fluxforge {
namespace {

TEST(PrefetchStressTest, ArmLocateLoopGuardAndPlanSwapsWhilePlaying) {
    constexpr FrameCount kBlock = 64;
    constexpr int kBlocks = 100'000;
    const EngineConfig config =
        test::prefetchEngineConfig(48000.0, kBlock, GuardLevel::normal, ExecutorKind::criticalPath);
    Engine engine(config);
    Graph graph(GraphConfig{0, 2});
    ReferenceSessionConfig shape = test::prefetchSessionShape(config, 1);
    shape.eqBands = 1;
    shape.latentFrames = 128;
    const ReferenceSession session = buildReferenceSession(graph, shape);
    engine.commit(graph);
    ControlSender transport = engine.createSender();
    ASSERT_EQ(transport.tryPlay(), CommandStatus::ok);

    std::atomic<bool> done{false};
    std::atomic<int> commits{0};
    std::thread control([&] {
        std::mt19937 rng(42);
        Graph edited = graph;
        while (!done.load(std::memory_order_relaxed)) {
            switch (rng() % 6) {
            case 0:
            case 1: { // arm or disarm a track: its nodes and what follows change domain
                const NodeId source = session.tracks[rng() % session.tracks.size()].source;
                edited.setLiveMonitoring(source, edited.liveMonitoring(source) == LiveMonitoring::on
                                                     ? LiveMonitoring::off
                                                     : LiveMonitoring::on);
                engine.commit(edited);
                commits.fetch_add(1, std::memory_order_relaxed);
                break;
            }
            case 2:
                static_cast<void>(transport.tryLocate(static_cast<SampleTime>(rng() % 1'000'000)));
                break;
            case 3:
                if (rng() % 2 == 0) {
                    const auto start = static_cast<SampleTime>(rng() % 100'000);
                    static_cast<void>(transport.trySetLoop(start, start + 500 + rng() % 5000));
                } else {
                    static_cast<void>(transport.tryClearLoop());
                }
                break;
            case 4:
                engine.setGuardLevel(static_cast<GuardLevel>(rng() % 4));
                break;
            default: // the same graph again: a plan swap with nothing moving
                engine.commit(edited);
                commits.fetch_add(1, std::memory_order_relaxed);
                break;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200 + rng() % 2000));
        }
    });

    AudioBuffer out(2, kBlock);
    bool finite = true;
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    const auto before = test::realtimeViolations();
#endif
    for (int b = 0; b < kBlocks; ++b) {
        {
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
            const test::CountedRealtimeScope counted;
#endif
            engine.process({}, out.view());
        }
        for (ChannelCount c = 0; c < 2; ++c) {
            for (FrameCount f = 0; f < kBlock; ++f) {
                finite = finite && std::isfinite(out.view().channel(c)[f]);
            }
        }
    }
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    const auto after = test::realtimeViolations();
    EXPECT_EQ(after.allocations, before.allocations);
    EXPECT_EQ(after.locks, before.locks);
#endif
    done.store(true);
    control.join();
    EXPECT_TRUE(finite);
    EXPECT_GT(commits.load(), 10);
    EXPECT_EQ(engine.framesRenderedApprox(), static_cast<SampleTime>(kBlocks) * kBlock);
}

} // namespace
} // namespace fluxforge
