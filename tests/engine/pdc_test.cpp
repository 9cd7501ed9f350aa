// Plugin delay compensation: impulses through graphs of latent nodes arrive aligned at every join
// and at the reported latency; bypassed and live paths arrive at their documented offsets; a
// latency change while playing re-aligns the graph.
#include "support/test_nodes.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/nodes/latency_test_node.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

namespace fluxforge {
namespace {

using test::LatentRecorder;

struct Built {
    Graph graph{GraphConfig{0, 1}};
    std::vector<std::pair<NodeId, std::shared_ptr<LatentRecorder>>> nodes;
    std::map<std::uint32_t, double> paths; // id -> number of source-to-node paths
    FrameCount longestPath = 0;
};

// Sources emit one impulse at frame 0; every node sums its ports and delays by its latency. Nodes
// get one or two input ports (the second one a sidechain), each fed by one to three earlier nodes
// (sends: a node may feed many). Nodes that feed nothing feed the graph output.
void buildRandom(Built& b, std::uint32_t seed, std::size_t count, FrameCount maxLatency,
                 std::size_t recordFrames) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<FrameCount> latency(0, maxLatency);
    std::vector<FrameCount> pathLatency;
    std::vector<bool> feeds;
    for (std::size_t i = 0; i < count; ++i) {
        const bool source = i < 4 || b.nodes.empty();
        const std::uint32_t ports = source ? 0 : 1 + rng() % 2;
        const FrameCount own = latency(rng);
        auto node = std::make_shared<LatentRecorder>(ports, own, recordFrames);
        const NodeId id = b.graph.add(node, "n" + std::to_string(i));
        double paths = source ? 1.0 : 0.0;
        FrameCount longest = 0;
        for (std::uint32_t port = 0; port < ports; ++port) {
            const std::size_t feeders = 1 + rng() % 3;
            for (std::size_t k = 0; k < feeders; ++k) {
                const std::size_t from = rng() % b.nodes.size();
                try {
                    b.graph.connect(OutputPort{b.nodes[from].first, 0}, InputPort{id, port});
                } catch (const Error&) {
                    continue; // already connected
                }
                paths += b.paths[b.nodes[from].first.value];
                longest = std::max(longest, pathLatency[from]);
                feeds[from] = true;
            }
        }
        b.paths[id.value] = paths;
        pathLatency.push_back(own + longest);
        feeds.push_back(false);
        b.longestPath = std::max(b.longestPath, pathLatency.back());
        b.nodes.push_back({id, node});
    }
    double outputPaths = 0.0;
    for (std::size_t i = 0; i < b.nodes.size(); ++i) {
        if (!feeds[i]) {
            b.graph.connect(b.nodes[i].first, b.graph.output());
            outputPaths += b.paths[b.nodes[i].first.value];
        }
    }
    b.paths[b.graph.output().value] = outputPaths;
}

std::vector<float> renderMono(Engine& engine, std::size_t frames, std::mt19937* randomBlocks) {
    std::vector<float> out;
    AudioBuffer block(1, 4096);
    while (out.size() < frames) {
        FrameCount n = engine.config().maxBlockSize;
        if (randomBlocks != nullptr)
            n = 1 + static_cast<FrameCount>((*randomBlocks)() % 3000);
        n = static_cast<FrameCount>(std::min<std::size_t>(n, frames - out.size()));
        const BufferView view = block.view().subFrames(0, n);
        engine.process({}, view);
        out.insert(out.end(), view.channel(0), view.channel(0) + n);
    }
    return out;
}

std::vector<std::size_t> nonZero(const std::vector<float>& samples) {
    std::vector<std::size_t> frames;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        if (samples[i] != 0.0f)
            frames.push_back(i);
    }
    return frames;
}

class PdcRandomGraphTest : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(PdcRandomGraphTest, ImpulsesFromEverySourceArriveAlignedAtEveryNodeAndTheOutput) {
    const std::uint32_t seed = GetParam();
    constexpr FrameCount kMaxLatency = 8192;
    Built b;
    buildRandom(b, seed, 30, kMaxLatency, 0);
    const std::size_t frames = b.longestPath + 2048;
    // Rebuild with recordings long enough (the recorders' length depends on the longest path).
    Built graph;
    buildRandom(graph, seed, 30, kMaxLatency, frames);

    Engine engine({48000.0, 512});
    engine.commit(graph.graph);
    std::mt19937 blocks(seed);
    const std::vector<float> out = renderMono(engine, frames, seed % 2 == 0 ? &blocks : nullptr);

    for (const auto& [id, node] : graph.nodes) {
        const FrameCount reported = engine.latencyOf(id);
        const auto at = node->nonZeroFrames();
        ASSERT_EQ(at.size(), 1u) << graph.graph.label(id) << ": paths into it are not aligned";
        EXPECT_EQ(at[0], reported) << graph.graph.label(id);
        EXPECT_EQ(node->recording()[at[0]], graph.paths[id.value]) << graph.graph.label(id);
    }
    const auto at = nonZero(out);
    ASSERT_EQ(at.size(), 1u) << "paths into the output are not aligned";
    EXPECT_EQ(at[0], engine.outputLatency());
    EXPECT_EQ(out[at[0]], graph.paths[graph.graph.output().value]);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PdcRandomGraphTest, ::testing::Range(1u, 9u));

// A wide join (more sources than one summing task takes) is split into partial sums; alignment
// must not notice.
TEST(PdcTest, WideJoinSplitIntoPartialSumsStaysAligned) {
    constexpr std::size_t kFrames = 6000;
    Graph graph(GraphConfig{0, 1});
    std::mt19937 rng(3);
    auto bus = std::make_shared<LatentRecorder>(1, 7, kFrames);
    const NodeId busId = graph.add(bus, "bus");
    for (int i = 0; i < 40; ++i) {
        auto source =
            std::make_shared<LatentRecorder>(0, static_cast<FrameCount>(rng() % 5000), kFrames);
        graph.connect(graph.add(source), busId);
    }
    graph.connect(busId, graph.output());
    Engine engine({48000.0, 256});
    engine.commit(graph);
    const auto out = renderMono(engine, kFrames, nullptr);
    const auto at = nonZero(out);
    ASSERT_EQ(at.size(), 1u);
    EXPECT_EQ(at[0], engine.outputLatency());
    EXPECT_EQ(out[at[0]], 40.0f);
    EXPECT_EQ(engine.latencyOf(busId) + 0, engine.outputLatency());
}

// src1 -> A (1000, PDC bypassed) -> J:in0 ; src2 -> B (300) -> J:in1. A's latency is not counted
// and its path is not delayed: J hears B's impulse at 300 and A's at its true 1000.
TEST(PdcTest, BypassedNodePathIsNeitherDelayedNorCounted) {
    constexpr std::size_t kFrames = 3000;
    Graph graph(GraphConfig{0, 1});
    const NodeId src1 = graph.add(std::make_shared<LatentRecorder>(0, 0, kFrames));
    const NodeId src2 = graph.add(std::make_shared<LatentRecorder>(0, 0, kFrames));
    const NodeId a = graph.add(std::make_shared<LatentRecorder>(1, 1000, kFrames), "A");
    const NodeId b = graph.add(std::make_shared<LatentRecorder>(1, 300, kFrames), "B");
    auto join = std::make_shared<LatentRecorder>(2, 0, kFrames);
    const NodeId j = graph.add(join, "J");
    graph.connect(src1, a);
    graph.connect(src2, b);
    graph.connect(OutputPort{a, 0}, InputPort{j, 0});
    graph.connect(OutputPort{b, 0}, InputPort{j, 1});
    graph.connect(j, graph.output());
    graph.setPdcMode(a, PdcMode::bypass);

    Engine engine({48000.0, 128});
    engine.commit(graph);
    (void)renderMono(engine, kFrames, nullptr);
    EXPECT_EQ(join->nonZeroFrames(), (std::vector<std::size_t>{300, 1000}));
    EXPECT_EQ(engine.latencyOf(a), 0u);
    EXPECT_EQ(engine.latencyOf(j), 300u);
    EXPECT_EQ(engine.outputLatency(), 300u);
}

// live -> fx (100) -> J:in0 ; track -> plugin (500) -> J:in1 ; J -> K:in0 ; other (800) -> K:in1.
// The live path is exempt up to the first join (J): J hears it at 100 and the track at 500. After
// J the path is counted again: K delays J's output by 300 to meet the other path at 800.
TEST(PdcTest, LivePathIsExemptUpToTheFirstJoin) {
    constexpr std::size_t kFrames = 2000;
    Graph graph(GraphConfig{0, 1});
    const NodeId live = graph.add(std::make_shared<LatentRecorder>(0, 0, kFrames), "live");
    const NodeId fx = graph.add(std::make_shared<LatentRecorder>(1, 100, kFrames), "fx");
    const NodeId track = graph.add(std::make_shared<LatentRecorder>(0, 0, kFrames), "track");
    const NodeId plugin = graph.add(std::make_shared<LatentRecorder>(1, 500, kFrames), "plugin");
    auto j = std::make_shared<LatentRecorder>(2, 0, kFrames);
    const NodeId jId = graph.add(j, "J");
    const NodeId other = graph.add(std::make_shared<LatentRecorder>(0, 800, kFrames), "other");
    auto k = std::make_shared<LatentRecorder>(2, 0, kFrames);
    const NodeId kId = graph.add(k, "K");
    graph.connect(live, fx);
    graph.connect(track, plugin);
    graph.connect(OutputPort{fx, 0}, InputPort{jId, 0});
    graph.connect(OutputPort{plugin, 0}, InputPort{jId, 1});
    graph.connect(OutputPort{jId, 0}, InputPort{kId, 0});
    graph.connect(OutputPort{other, 0}, InputPort{kId, 1});
    graph.connect(kId, graph.output());
    graph.setLiveMonitoring(live, LiveMonitoring::on);

    Engine engine({48000.0, 64});
    engine.commit(graph);
    (void)renderMono(engine, kFrames, nullptr);
    EXPECT_EQ(j->nonZeroFrames(), (std::vector<std::size_t>{100, 500}));
    EXPECT_EQ(engine.latencyOf(jId), 500u);
    EXPECT_EQ(k->nonZeroFrames(), (std::vector<std::size_t>{400, 800}));
    EXPECT_EQ(engine.outputLatency(), 800u);
}

// The device input is live without being marked: monitoring through a latent chain is not held
// back for a latent playback track.
TEST(PdcTest, DeviceInputIsLiveWithoutBeingMarked) {
    constexpr FrameCount kFrames = 1024;
    Graph graph(GraphConfig{1, 1});
    const NodeId fx = graph.add(std::make_shared<LatentRecorder>(1, 100, kFrames), "fx");
    const NodeId track = graph.add(std::make_shared<LatentRecorder>(0, 500, kFrames), "track");
    graph.connect(graph.input(), fx);
    graph.connect(fx, graph.output());
    graph.connect(track, graph.output());
    Engine engine({48000.0, kFrames});
    engine.commit(graph);
    AudioBuffer in(1, kFrames);
    AudioBuffer out(1, kFrames);
    in.channel(0)[0] = 1.0f;
    engine.process(in.view(), out.view());
    std::vector<std::size_t> at;
    for (FrameCount i = 0; i < kFrames; ++i) {
        if (out.channel(0)[i] != 0.0f)
            at.push_back(i);
    }
    EXPECT_EQ(at, (std::vector<std::size_t>{100, 500}));
    EXPECT_EQ(engine.outputLatency(), 500u);
}

// A signal that depends only on absolute time, so that renders started at different times agree.
class TimeSignal final : public Node {
protected:
    NodeProperties describe() const override {
        NodeProperties p;
        p.outputs.push_back({"out", 2});
        return p;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        for (ChannelCount c = 0; c < 2; ++c) {
            for (FrameCount i = 0; i < context.numFrames; ++i) {
                const auto t = static_cast<double>(context.blockStart + i);
                context.outputs[0].channel(c)[i] = static_cast<float>(std::sin(0.01 * t + c));
            }
        }
    }
};

// source -> latent(L) -> out, and source -> out directly (which PDC delays by L). L changes while
// playing: once the delay lines have refilled, the output equals a fresh render with the new L.
TEST(PdcTest, LatencyChangeWhilePlayingRealignsTheGraph) {
    for (const auto& [before, after] : {std::pair<FrameCount, FrameCount>{300, 1700},
                                        std::pair<FrameCount, FrameCount>{1700, 300},
                                        std::pair<FrameCount, FrameCount>{500, 0}}) {
        auto build = [](Graph& graph, FrameCount latency, FrameCount maxLatency) {
            auto latent =
                std::make_shared<LatencyTestNode>(LatencyTestNodeConfig{latency, 2, maxLatency});
            const NodeId source = graph.add(std::make_shared<TimeSignal>(), "signal");
            const NodeId l = graph.add(latent, "latent");
            graph.connect(source, l);
            graph.connect(l, graph.output());
            graph.connect(source, graph.output());
            return latent;
        };
        constexpr FrameCount kBlock = 128;
        Engine engine({48000.0, kBlock});
        Graph graph(GraphConfig{0, 2});
        auto latent = build(graph, before, 4096);
        engine.commit(graph);
        EXPECT_EQ(engine.outputLatency(), before);

        AudioBuffer out(2, kBlock);
        constexpr int kBlocksBefore = 40;
        for (int b = 0; b < kBlocksBefore; ++b)
            engine.process({}, out.view());
        latent->setLatency(after);
        EXPECT_TRUE(engine.update());
        EXPECT_EQ(engine.outputLatency(), after);
        EXPECT_FALSE(engine.update()); // nothing new

        Engine fresh({48000.0, kBlock});
        Graph freshGraph(GraphConfig{0, 2});
        (void)build(freshGraph, after, 4096);
        fresh.commit(freshGraph);
        AudioBuffer freshOut(2, kBlock);
        for (int b = 0; b < kBlocksBefore; ++b)
            fresh.process({}, freshOut.view());

        const int refill = static_cast<int>((std::max(before, after) + 2 * kBlock) / kBlock);
        for (int b = 0; b < 60; ++b) {
            engine.process({}, out.view());
            fresh.process({}, freshOut.view());
            for (ChannelCount c = 0; c < 2; ++c) {
                for (FrameCount i = 0; i < kBlock; ++i) {
                    ASSERT_TRUE(std::isfinite(out.channel(c)[i]));
                    if (b >= refill) {
                        ASSERT_EQ(out.channel(c)[i], freshOut.channel(c)[i])
                            << before << " -> " << after << ", block " << b << ", frame " << i;
                    }
                }
            }
        }
    }
}

TEST(PdcTest, LatencyOfANodeNotInThePlanIsAnError) {
    Engine engine;
    EXPECT_EQ(engine.outputLatency(), 0u);
    EXPECT_THROW((void)engine.latencyOf(NodeId{3}), Error);
    Graph graph(GraphConfig{0, 1});
    engine.commit(graph);
    EXPECT_EQ(engine.latencyOf(graph.output()), 0u);
    EXPECT_THROW((void)engine.latencyOf(NodeId{99}), Error);
}

} // namespace
} // namespace fluxforge
