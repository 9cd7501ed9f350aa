// A control thread commits a new plan for every block the audio thread renders, 10,000 times.
// Nothing may crash, leak, or allocate or lock on the audio thread; every block must come from a
// complete plan. Runs in every build (the ThreadSanitizer one included).
#include "support/test_nodes.hpp"
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
#include "support/allocation_counter.hpp"
#endif

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace fluxforge {
namespace {

using test::ConstantSource;
using test::CountingPass;
using test::MixNode;

// Graph k: a constant k feeding a chain of passes and a mixer; its output is k on every frame.
void buildGraph(Graph& graph, int k, const std::shared_ptr<CountingPass>& shared) {
    const NodeId src = graph.add(std::make_shared<ConstantSource>(static_cast<float>(k), 2));
    NodeId previous = src;
    for (int i = 0; i < 1 + k % 4; ++i) {
        const NodeId pass = graph.add(std::make_shared<CountingPass>(2));
        graph.connect(previous, pass);
        previous = pass;
    }
    const NodeId zero = graph.add(std::make_shared<ConstantSource>(0.0f, 2));
    const NodeId persistent = graph.add(shared); // the same node in every plan
    graph.connect(zero, persistent);
    const NodeId mix = graph.add(std::make_shared<MixNode>(2, 1, 2));
    graph.connect(OutputPort{previous, 0}, InputPort{mix, 0});
    graph.connect(OutputPort{persistent, 0}, InputPort{mix, 1});
    graph.connect(mix, graph.output());
}

#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
// The counter the stress test relies on must itself see what it is meant to see.
TEST(AllocationCounterTest, CountsAllocationsAndLocksOnlyInsideTheScope) {
    const auto before = test::realtimeViolations();
    auto* outside = new int(1);
    delete outside;
    std::mutex mutex;
    {
        const test::CountedRealtimeScope counted;
        auto* inside = new int(2);
        delete inside;
        const std::lock_guard lock(mutex);
    }
    const auto after = test::realtimeViolations();
    EXPECT_EQ(after.allocations - before.allocations, 1u);
    EXPECT_EQ(after.deallocations - before.deallocations, 1u);
    EXPECT_EQ(after.locks - before.locks, 1u);
}
#endif

TEST(PlanSwapStressTest, APlanSwapEveryBlockFor10000Blocks) {
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    const auto before = test::realtimeViolations();
#endif
    constexpr int kBlocks = 10000;
    constexpr FrameCount kFrames = 64;
    Engine engine({48000.0, kFrames});
    auto shared = std::make_shared<CountingPass>(2);
    {
        Graph graph(GraphConfig{0, 2});
        buildGraph(graph, 1, shared);
        engine.commit(graph);
    }

    // Lock-step: the control thread commits plan k, the audio thread renders block k with it
    // (and must see plan k's value), then the control thread commits plan k + 1, and so on.
    std::atomic<int> published{1};
    std::atomic<int> blocksDone{0};
    std::atomic<int> wrongBlocks{0};
    std::thread audio([&] {
        AudioBuffer out(2, kFrames);
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
        const test::CountedRealtimeScope counted;
#endif
        for (int b = 0; b < kBlocks; ++b) {
            while (published.load(std::memory_order_acquire) <= b) {
                std::this_thread::yield();
            }
            engine.process({}, out.view());
            const auto expected = static_cast<float>(1 + b % 100);
            bool ok = true;
            for (ChannelCount c = 0; c < 2; ++c) {
                for (FrameCount i = 0; i < kFrames; ++i)
                    ok = ok && out.channel(c)[i] == expected;
            }
            if (!ok)
                wrongBlocks.fetch_add(1);
            blocksDone.store(b + 1, std::memory_order_release);
        }
    });

    for (int k = 1; k < kBlocks; ++k) {
        while (blocksDone.load(std::memory_order_acquire) < k) {
            std::this_thread::yield();
        }
        Graph graph(GraphConfig{0, 2});
        buildGraph(graph, 1 + k % 100, shared);
        engine.commit(graph);
        published.store(k + 1, std::memory_order_release);
    }
    audio.join();
    engine.collectGarbage();

    EXPECT_EQ(wrongBlocks.load(), 0);
    EXPECT_EQ(engine.planSwapsApprox(), static_cast<std::size_t>(kBlocks));
    EXPECT_EQ(shared->calls(), static_cast<std::uint64_t>(kBlocks));
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    const auto after = test::realtimeViolations();
    EXPECT_EQ(after.allocations - before.allocations, 0u);
    EXPECT_EQ(after.deallocations - before.deallocations, 0u);
    EXPECT_EQ(after.locks - before.locks, 0u);
#endif
}

} // namespace
} // namespace fluxforge
