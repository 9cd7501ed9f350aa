// A control thread commits a new plan for every block the audio thread renders, 10,000 times.
// Nothing may crash, leak, or allocate or lock on the audio thread; every block must come from a
// complete plan. Runs in every build (the ThreadSanitizer one included).
#include "support/test_nodes.hpp"
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
#include "support/allocation_counter.hpp"
#endif

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/nodes/latency_test_node.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <random>
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
// Stores through a volatile pointer so the optimiser cannot elide the new/delete pair (which
// C++ allows for an allocation nobody looks at).
int* volatile allocationSink = nullptr;

TEST(AllocationCounterTest, CountsAllocationsAndLocksOnlyInsideTheScope) {
    const auto before = test::realtimeViolations();
    allocationSink = new int(1);
    delete allocationSink;
    std::mutex mutex;
    {
        const test::CountedRealtimeScope counted;
        allocationSink = new int(2);
        delete allocationSink;
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

// Latencies change while audio plays: each change recompiles and swaps the plan (Engine::update),
// compensation delay lines are taken over by the new plan, and the audio thread neither allocates
// nor locks nor produces anything but finite samples.
TEST(PlanSwapStressTest, LatencyChangesWhilePlayingNeverAllocateOnTheAudioThread) {
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    const auto before = test::realtimeViolations();
#endif
    constexpr FrameCount kFrames = 64;
    Engine engine({48000.0, kFrames});
    Graph graph(GraphConfig{0, 2});
    std::vector<std::shared_ptr<LatencyTestNode>> latent;
    const NodeId source = graph.add(std::make_shared<ConstantSource>(0.25f, 2));
    for (int i = 0; i < 4; ++i) {
        latent.push_back(std::make_shared<LatencyTestNode>(
            LatencyTestNodeConfig{static_cast<FrameCount>(100 * i), 2, 4000}));
        const NodeId id = graph.add(latent.back());
        graph.connect(source, id);
        graph.connect(id, graph.output());
    }
    engine.commit(graph);

    // Both sides run to a count, not a clock: the audio thread renders at least kMinBlocks and
    // keeps going until the control thread has made kChanges swaps, however fast either side is.
    constexpr int kMinBlocks = 20000;
    constexpr int kChanges = 200;
    std::atomic<bool> controlDone{false};
    std::atomic<int> blocks{0};
    std::atomic<bool> bad{false};
    std::thread audio([&] {
        AudioBuffer out(2, kFrames);
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
        const test::CountedRealtimeScope counted;
#endif
        while (blocks.load() < kMinBlocks || !controlDone.load()) {
            engine.process({}, out.view());
            for (FrameCount i = 0; i < kFrames; ++i) {
                if (!std::isfinite(out.channel(0)[i]))
                    bad = true;
            }
            blocks.fetch_add(1);
        }
    });
    int changes = 0;
    std::mt19937 rng(4);
    while (changes < kChanges) {
        latent[rng() % 4]->setLatency(static_cast<FrameCount>(rng() % 4000));
        changes += engine.update() ? 1 : 0;
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    controlDone = true;
    audio.join();
    engine.collectGarbage();
    EXPECT_FALSE(bad.load());
    EXPECT_GE(blocks.load(), kMinBlocks);
    EXPECT_EQ(changes, kChanges);
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    const auto after = test::realtimeViolations();
    EXPECT_EQ(after.allocations - before.allocations, 0u);
    EXPECT_EQ(after.deallocations - before.deallocations, 0u);
    EXPECT_EQ(after.locks - before.locks, 0u);
#endif
}

} // namespace
} // namespace fluxforge
