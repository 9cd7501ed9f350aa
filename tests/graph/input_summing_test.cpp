// Several connections into one input port are summed in a fixed order: sources sorted by
// (node id, port), added as a balanced pairwise tree (left subtree = first floor(k/2) sources).
#include "support/test_nodes.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/graph/endpoint_nodes.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace fluxforge {
namespace {

using test::ConstantSource;
using test::RampSource;

// The documented order, written independently of the engine.
float pairwiseSum(const std::vector<float>& values, std::size_t first, std::size_t count) {
    if (count == 1)
        return values[first];
    const std::size_t left = count / 2;
    return pairwiseSum(values, first, left) + pairwiseSum(values, first + left, count - left);
}

struct SummingCase {
    std::vector<float> values;     // per source, in id order
    std::vector<std::size_t> wire; // the order in which they are connected
};

// Renders one block of a graph where every source feeds the output port, connected in the given
// order, and returns sample 0 of channel 0.
float renderSum(const SummingCase& sc, FrameCount frames = 64) {
    Graph graph(GraphConfig{0, 1});
    std::vector<NodeId> ids;
    for (float v : sc.values)
        ids.push_back(graph.add(std::make_shared<ConstantSource>(v)));
    for (std::size_t i : sc.wire)
        graph.connect(ids[i], graph.output());
    Engine engine({48000.0, 512});
    engine.commit(graph);
    AudioBuffer out(1, frames);
    engine.process({}, out.view());
    for (FrameCount i = 1; i < frames; ++i)
        EXPECT_EQ(out.channel(0)[i], out.channel(0)[0]);
    return out.channel(0)[0];
}

TEST(InputSummingTest, SumIsThePairwiseTreeNotLeftToRight) {
    // Left to right: ((1e8 + 1) - 1e8) + 1 = 1. Pairwise: (1e8 + 1) + (-1e8 + 1) = 0 in float.
    const SummingCase sc{{1e8f, 1.0f, -1e8f, 1.0f}, {0, 1, 2, 3}};
    EXPECT_EQ(renderSum(sc), pairwiseSum(sc.values, 0, 4));
    EXPECT_EQ(renderSum(sc), 0.0f);
}

TEST(InputSummingTest, ConnectionOrderDoesNotChangeTheSum) {
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> dist(-1e6f, 1e6f);
    for (std::size_t count : {2u, 3u, 5u, 8u, 13u, 64u}) {
        SummingCase sc;
        for (std::size_t i = 0; i < count; ++i)
            sc.values.push_back(dist(rng) * (i % 3 ? 1e-6f : 1.0f));
        sc.wire.resize(count);
        std::iota(sc.wire.begin(), sc.wire.end(), 0);
        const float expected = pairwiseSum(sc.values, 0, count);
        for (int shuffle = 0; shuffle < 4; ++shuffle) {
            std::shuffle(sc.wire.begin(), sc.wire.end(), rng);
            EXPECT_EQ(renderSum(sc), expected) << count << " sources, shuffle " << shuffle;
        }
    }
}

class InputSummingBlockTest : public ::testing::TestWithParam<FrameCount> {};

// Sums are computed in chunks internally; every frame and channel must still be the tree sum.
TEST_P(InputSummingBlockTest, EveryFrameAndChannelIsSummed) {
    const FrameCount frames = GetParam();
    Graph graph(GraphConfig{0, 2});
    constexpr int kSources = 9;
    for (int i = 0; i < kSources; ++i) {
        graph.connect(graph.add(std::make_shared<RampSource>(1000.0f * i, 2)), graph.output());
    }
    Engine engine({48000.0, 1024});
    engine.commit(graph);
    AudioBuffer out(2, frames);
    engine.process({}, out.view());
    for (ChannelCount c = 0; c < 2; ++c) {
        for (FrameCount f = 0; f < frames; ++f) {
            std::vector<float> values;
            for (int i = 0; i < kSources; ++i)
                values.push_back(1000.0f * i + static_cast<float>(f));
            ASSERT_EQ(out.channel(c)[f], pairwiseSum(values, 0, kSources)) << "frame " << f;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(BlockSizes, InputSummingBlockTest,
                         ::testing::Values(1u, 64u, 127u, 128u, 129u, 300u, 1024u, 3000u));

// Tree mixing: a wide port is summed by partial-sum tasks that may run in parallel. However the
// tree is cut into tasks, the sum is the same bits as one pairwise sum in one place.
TEST(InputSummingTest, PartialSumTasksGiveTheSameBitsAsOneSum) {
    std::mt19937 rng(17);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (std::size_t count : {17u, 33u, 64u, 100u, 1000u}) {
        Graph graph(GraphConfig{0, 1});
        std::vector<float> values;
        for (std::size_t i = 0; i < count; ++i) {
            // Magnitudes far apart, so that any other association changes the result.
            values.push_back(dist(rng) * (i % 4 == 0 ? 1e6f : 1e-3f));
            graph.connect(graph.add(std::make_shared<ConstantSource>(values.back())),
                          graph.output());
        }
        const float expected = pairwiseSum(values, 0, count);
        for (std::uint32_t limit : {0u, 2u, 3u, 8u, 16u}) {
            const auto plan = compile(graph, {48000.0, 64, limit});
            std::size_t partials = 0;
            for (TaskIndex t = 0; t < plan->numTasks(); ++t)
                partials += plan->isPartialSum(t) ? 1 : 0;
            if (limit >= 2) {
                EXPECT_GT(partials, 0u) << count << " sources, limit " << limit;
            } else {
                EXPECT_EQ(partials, 0u);
            }
            AudioBuffer out(1, 64);
            static_cast<GraphOutputNode&>(plan->node(plan->outputTask()))
                .setDestination(out.view());
            plan->prepareBlock(64);
            for (TaskIndex t = 0; t < plan->numTasks(); ++t)
                plan->runTask(t, {64, 0});
            EXPECT_EQ(out.channel(0)[0], expected) << count << " sources, limit " << limit;
            EXPECT_EQ(out.channel(0)[63], expected);
        }
    }
}

TEST(InputSummingTest, UnconnectedInputReadsSilence) {
    Graph graph(GraphConfig{0, 1});
    const NodeId mix = graph.add(std::make_shared<test::MixNode>(2, 1, 1, 1.0f, 0.5f));
    graph.connect(mix, graph.output());
    Engine engine;
    engine.commit(graph);
    AudioBuffer out(1, 100);
    engine.process({}, out.view());
    for (FrameCount f = 0; f < 100; ++f)
        ASSERT_EQ(out.channel(0)[f], 0.5f);
}

} // namespace
} // namespace fluxforge
