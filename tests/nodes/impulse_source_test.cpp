// ImpulseSource: impulses land on the configured engine times, for any block partition and start.
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/impulse_source.hpp>

#include <gtest/gtest.h>

namespace fluxforge {
namespace {

using test::Partition;
using test::RenderOptions;

// Frames (relative to the render's start) holding a non-zero sample; checks that every channel
// agrees and that non-zero samples hold `amplitude`.
std::vector<FrameCount> impulseFrames(const AudioBuffer& out, float amplitude) {
    std::vector<FrameCount> frames;
    for (FrameCount i = 0; i < out.numFrames(); ++i) {
        for (ChannelCount c = 1; c < out.numChannels(); ++c) {
            EXPECT_EQ(out.channel(c)[i], out.channel(0)[i]) << "channel " << c << ", frame " << i;
        }
        if (out.channel(0)[i] != 0.0f) {
            EXPECT_EQ(out.channel(0)[i], amplitude) << "frame " << i;
            frames.push_back(i);
        }
    }
    return frames;
}

class ImpulseSourceTest : public ::testing::TestWithParam<Partition> {};

TEST_P(ImpulseSourceTest, SingleImpulseLandsOnItsEngineTime) {
    for (const SampleTime start : {SampleTime{0}, SampleTime{700}, SampleTime{777}}) {
        ImpulseSource node(ImpulseSourceConfig{.time = 777});
        test::prepare(node, 48000.0);
        RenderOptions options;
        options.start = start;
        const AudioBuffer out = test::renderSource(node, 3000, GetParam(), options);
        EXPECT_EQ(impulseFrames(out, 1.0f),
                  std::vector<FrameCount>{static_cast<FrameCount>(777 - start)})
            << "render starting at " << start;
    }
}

TEST_P(ImpulseSourceTest, NothingPlaysOnceTheTimeHasPassed) {
    ImpulseSource node(ImpulseSourceConfig{.time = 50});
    test::prepare(node, 48000.0);
    RenderOptions options;
    options.start = 51;
    EXPECT_TRUE(impulseFrames(test::renderSource(node, 2000, GetParam(), options), 1.0f).empty());
}

TEST_P(ImpulseSourceTest, PeriodicImpulsesRepeatEveryPeriod) {
    for (const SampleTime start : {SampleTime{0}, SampleTime{1000}, SampleTime{1210}}) {
        ImpulseSource node(
            ImpulseSourceConfig{.time = 10, .period = 300, .amplitude = 0.5f, .channels = 2});
        test::prepare(node, 44100.0);
        RenderOptions options;
        options.start = start;
        const AudioBuffer out = test::renderSource(node, 2000, GetParam(), options);
        std::vector<FrameCount> expected;
        for (SampleTime t = 10; t < start + 2000; t += 300) {
            if (t >= start) {
                expected.push_back(static_cast<FrameCount>(t - start));
            }
        }
        EXPECT_EQ(impulseFrames(out, 0.5f), expected) << "render starting at " << start;
    }
}

TEST_P(ImpulseSourceTest, APeriodOfOneFillsEveryFrame) {
    ImpulseSource node(ImpulseSourceConfig{.time = 3, .period = 1});
    test::prepare(node, 96000.0);
    const AudioBuffer out = test::renderSource(node, 1500, GetParam());
    EXPECT_EQ(impulseFrames(out, 1.0f).size(), 1497u);
}

INSTANTIATE_TEST_SUITE_P(Partitions, ImpulseSourceTest, ::testing::ValuesIn(test::allPartitions()),
                         [](const ::testing::TestParamInfo<Partition>& param) {
                             return param.param.name();
                         });

TEST(ImpulseSourceStateTest, ResetChangesNothingAndALocateBackPlaysItAgain) {
    ImpulseSource node(ImpulseSourceConfig{.time = 100});
    test::prepare(node, 48000.0);
    const AudioBuffer first = test::renderSource(node, 500, Partition{64, 0});
    node.reset();
    // The engine clock starting at 0 again (a locate) gives the impulse again.
    EXPECT_TRUE(test::bitIdentical(first, test::renderSource(node, 500, Partition{0, 3})));
    EXPECT_TRUE(node.isImpulseAt(100));
    EXPECT_FALSE(node.isImpulseAt(99));
    EXPECT_FALSE(node.isImpulseAt(101));
}

TEST(ImpulseSourceStateTest, DeclaresOneOutputAndNoParameters) {
    const ImpulseSource node(ImpulseSourceConfig{.channels = 2});
    const NodeProperties props = node.properties();
    EXPECT_TRUE(props.inputs.empty());
    ASSERT_EQ(props.outputs.size(), 1u);
    EXPECT_EQ(props.outputs[0].channels, 2u);
    EXPECT_TRUE(props.parameters.empty());
    EXPECT_EQ(props.latency, 0u);
    EXPECT_THROW(ImpulseSource(ImpulseSourceConfig{.period = -1}), Error);
    EXPECT_THROW(ImpulseSource(ImpulseSourceConfig{.channels = 0}), Error);
}

} // namespace
} // namespace fluxforge
