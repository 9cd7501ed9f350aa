// LatencyTestNode: reports its latency and delays its input by exactly that many frames.
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/latency_test_node.hpp>

#include <gtest/gtest.h>

namespace fluxforge {
namespace {

using test::Partition;

class LatencyTestNodeTest : public ::testing::TestWithParam<Partition> {};

TEST_P(LatencyTestNodeTest, DelaysByExactlyItsLatency) {
    for (const FrameCount latency : {0u, 1u, 63u, 64u, 65u, 1000u, 1024u, 2048u}) {
        LatencyTestNode node(LatencyTestNodeConfig{.latency = latency, .channels = 2});
        EXPECT_EQ(node.properties().latency, latency);
        test::prepare(node, 48000.0);
        const AudioBuffer input = test::noiseBuffer(2, 5000, 51);
        const AudioBuffer out = test::renderEffect(node, input, GetParam());
        for (ChannelCount c = 0; c < 2; ++c) {
            for (FrameCount i = 0; i < input.numFrames(); ++i) {
                const float expected = i < latency ? 0.0f : input.channel(c)[i - latency];
                ASSERT_EQ(out.channel(c)[i], expected)
                    << "latency " << latency << ", channel " << c << ", frame " << i;
            }
        }
    }
}

TEST_P(LatencyTestNodeTest, ResetDropsTheDelayedAudio) {
    LatencyTestNode node(LatencyTestNodeConfig{.latency = 300, .channels = 1});
    test::prepare(node, 44100.0);
    static_cast<void>(test::renderEffect(node, test::noiseBuffer(1, 1000, 52), GetParam()));
    node.reset();
    const AudioBuffer input = test::noiseBuffer(1, 1000, 53);
    const AudioBuffer out = test::renderEffect(node, input, GetParam());
    for (FrameCount i = 0; i < 300; ++i) {
        ASSERT_EQ(out.channel(0)[i], 0.0f) << "frame " << i;
    }
    EXPECT_EQ(out.channel(0)[300], input.channel(0)[0]);
}

INSTANTIATE_TEST_SUITE_P(Partitions, LatencyTestNodeTest,
                         ::testing::ValuesIn(test::allPartitions()),
                         [](const ::testing::TestParamInfo<Partition>& param) {
                             return param.param.name();
                         });

TEST(LatencyTestNodePropertiesTest, DeclaresPortsAndLatency) {
    const LatencyTestNode node(LatencyTestNodeConfig{.latency = 2048, .channels = 3});
    const NodeProperties props = node.properties();
    EXPECT_EQ(props.latency, 2048u);
    EXPECT_EQ(node.latency(), 2048u);
    ASSERT_EQ(props.inputs.size(), 1u);
    EXPECT_EQ(props.inputs[0].channels, 3u);
    ASSERT_EQ(props.outputs.size(), 1u);
    EXPECT_EQ(props.outputs[0].channels, 3u);
    EXPECT_TRUE(props.parameters.empty());
    EXPECT_THROW(LatencyTestNode(LatencyTestNodeConfig{.latency = 1, .channels = 0}), Error);
}

} // namespace
} // namespace fluxforge
