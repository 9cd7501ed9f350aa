// Several control threads commit, update, collect garbage and query latencies at the same time
// while the audio thread renders: the engine serialises them, so every block comes from one whole
// committed plan and nothing races (the ThreadSanitizer build runs this too).
#include "support/test_nodes.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/nodes/latency_test_node.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace fluxforge {
namespace {

using test::ConstantSource;

// A constant `value` through a latent pass to the output: every frame the graph plays is `value`
// (once the latency has passed), and its output latency is `latency`.
Graph constantGraph(float value, FrameCount latency) {
    Graph graph(GraphConfig{0, 1});
    const NodeId source = graph.add(std::make_shared<ConstantSource>(value, 1), "source");
    LatencyTestNodeConfig config;
    config.latency = latency;
    config.channels = 1;
    const NodeId latent = graph.add(std::make_shared<LatencyTestNode>(config), "latent");
    graph.connect(source, latent);
    graph.connect(latent, graph.output());
    return graph;
}

TEST(ConcurrentCommitTest, ThreeControlThreadsCommitWhileAudioPlays) {
    constexpr int kThreads = 3;
    constexpr int kCommitsPerThread = 150;
    constexpr FrameCount kFrames = 64;
    Engine engine({48000.0, kFrames});
    engine.commit(constantGraph(1.0f, 0));

    std::atomic<bool> stop{false};
    std::atomic<int> foreignValues{0};
    std::thread audio([&] {
        AudioBuffer out(1, kFrames);
        while (!stop.load(std::memory_order_acquire)) {
            engine.process({}, out.view());
            for (FrameCount i = 0; i < kFrames; ++i) {
                const float v = out.channel(0)[i];
                // Values 1..kThreads (or the silence a latency change starts with), nothing else.
                if (!(v == 0.0f || (v >= 1.0f && v <= static_cast<float>(kThreads)))) {
                    foreignValues.fetch_add(1, std::memory_order_relaxed);
                }
            }
        }
    });

    std::atomic<int> latencyMismatches{0};
    std::vector<std::thread> controls;
    for (int t = 0; t < kThreads; ++t) {
        controls.emplace_back([&, t] {
            for (int k = 0; k < kCommitsPerThread; ++k) {
                const auto latency = static_cast<FrameCount>(16 * (t + 1));
                engine.commit(constantGraph(static_cast<float>(t + 1), latency));
                static_cast<void>(engine.update());
                static_cast<void>(engine.collectGarbage());
                // Some commit's whole state: the output latency is one of the threads' latencies.
                const FrameCount output = engine.outputLatency();
                if (output % 16 != 0 || output < 16 || output > 16 * kThreads) {
                    latencyMismatches.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    for (std::thread& control : controls) {
        control.join();
    }
    stop.store(true, std::memory_order_release);
    audio.join();
    engine.collectGarbage();

    EXPECT_EQ(foreignValues.load(), 0);
    EXPECT_EQ(latencyMismatches.load(), 0);
    EXPECT_GE(engine.planSwapsApprox(), 1u);
}

} // namespace
} // namespace fluxforge
