// Meter: a bit-exact pass-through whose peak, RMS and peak hold a control thread reads while the
// audio thread renders.
#include "nodes/node_harness.hpp"

#include <fluxforge/core/kernels.hpp>
#include <fluxforge/nodes/meter.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

namespace fluxforge {
namespace {

using test::Partition;

TEST(MeterTest, PassesItsInputThroughBitForBit) {
    for (const Partition& partition : test::allPartitions()) {
        Meter node(MeterConfig{.channels = 3});
        test::prepare(node, 48000.0);
        const AudioBuffer input = test::noiseBuffer(3, 3000, 71);
        EXPECT_TRUE(test::bitIdentical(test::renderEffect(node, input, partition), input))
            << partition.name();
        EXPECT_EQ(node.properties().latency, 0u);
    }
}

TEST(MeterTest, ReadsPeakAndRmsOfTheLastBlockPerChannel) {
    Meter node;
    test::prepare(node, 48000.0);
    EXPECT_EQ(node.peakApprox(0), 0.0f);
    EXPECT_EQ(node.rmsApprox(1), 0.0f);
    // Two 480-frame blocks: first a loud one, then a sine of amplitude 0.5 on the left (ten whole
    // periods) and a constant -0.25 on the right.
    const AudioBuffer input = test::makeBuffer(2, 960, [](ChannelCount c, FrameCount i) {
        if (i < 480) {
            return 0.9f;
        }
        if (c == 0) {
            return static_cast<float>(0.5 * std::sin(2.0 * 3.14159265358979 * (i - 480) / 48.0));
        }
        return -0.25f;
    });
    const AudioBuffer out = test::renderEffect(node, input, Partition{480, 0});
    EXPECT_EQ(node.blocksApprox(), 2u);
    EXPECT_EQ(node.peakApprox(0), kernels::peak(input.channel(0) + 480, 480));
    EXPECT_NEAR(node.peakApprox(0), 0.5f, 1e-6f);
    EXPECT_NEAR(node.rmsApprox(0), 0.5f / std::sqrt(2.0f), 1e-5f);
    EXPECT_EQ(node.peakApprox(1), 0.25f);
    EXPECT_NEAR(node.rmsApprox(1), 0.25f, 1e-6f);
    // The hold keeps the loud first block.
    EXPECT_EQ(node.peakHoldApprox(0), 0.9f);
    EXPECT_EQ(node.peakHoldApprox(1), 0.9f);
}

TEST(MeterTest, ResetPeakHoldStartsAfreshAtTheNextBlock) {
    Meter node(MeterConfig{.channels = 1});
    test::prepare(node, 48000.0);
    const AudioBuffer loud = test::makeBuffer(1, 64, [](ChannelCount, FrameCount) { return 0.8f; });
    const AudioBuffer quiet =
        test::makeBuffer(1, 64, [](ChannelCount, FrameCount) { return 0.1f; });
    static_cast<void>(test::renderEffect(node, loud, Partition{64, 0}));
    static_cast<void>(test::renderEffect(node, quiet, Partition{64, 0}));
    EXPECT_EQ(node.peakHoldApprox(0), 0.8f);
    node.resetPeakHold();
    EXPECT_EQ(node.peakHoldApprox(0), 0.8f); // until the next block
    static_cast<void>(test::renderEffect(node, quiet, Partition{64, 0}));
    EXPECT_EQ(node.peakHoldApprox(0), 0.1f);
    node.reset();
    EXPECT_EQ(node.peakHoldApprox(0), 0.0f);
    EXPECT_EQ(node.peakApprox(0), 0.0f);
}

// A control thread polls the readings while blocks are rendered: every reading is one a block
// published (run under ThreadSanitizer, this also shows the access is race-free).
TEST(MeterTest, AControlThreadReadsWhileTheAudioThreadRenders) {
    Meter node;
    test::prepare(node, 48000.0);
    std::atomic<bool> done{false};
    std::atomic<int> badReadings{0};
    std::thread reader([&] {
        while (!done.load()) {
            const float peak = node.peakApprox(0);
            const float hold = node.peakHoldApprox(1);
            if (!(peak == 0.0f || (peak >= 0.1f && peak <= 0.5f)) || hold > 0.5f) {
                badReadings.fetch_add(1);
            }
            std::this_thread::yield();
        }
    });
    for (int round = 0; round < 50; ++round) {
        const float level = 0.1f + 0.4f * static_cast<float>(round % 5) / 4.0f;
        const AudioBuffer input =
            test::makeBuffer(2, 256, [level](ChannelCount, FrameCount) { return level; });
        static_cast<void>(test::renderEffect(node, input, Partition{64, 0}));
    }
    done = true;
    reader.join();
    EXPECT_EQ(badReadings.load(), 0);
    EXPECT_EQ(node.blocksApprox(), 200u);
}

TEST(MeterTest, DeclaresAPassThroughWithoutParameters) {
    const Meter node(MeterConfig{.channels = 4});
    const NodeProperties props = node.properties();
    ASSERT_EQ(props.inputs.size(), 1u);
    EXPECT_EQ(props.inputs[0].channels, 4u);
    ASSERT_EQ(props.outputs.size(), 1u);
    EXPECT_EQ(props.outputs[0].channels, 4u);
    EXPECT_TRUE(props.parameters.empty());
    EXPECT_THROW(Meter(MeterConfig{.channels = 0}), Error);
}

} // namespace
} // namespace fluxforge
