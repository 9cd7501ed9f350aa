// DelayLine: exact whole-sample delays, linear interpolation, feedback, mix, clamping, reset,
// block-size invariance and per-sample parameters.
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/delay_line.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace fluxforge {
namespace {

using test::Partition;
using test::RenderCase;
using test::RenderOptions;

constexpr Partition kReference{test::kMaxBlockSize, 0};

AudioBuffer impulse(ChannelCount channels, FrameCount frames, FrameCount at = 0) {
    return test::makeBuffer(channels, frames,
                            [at](ChannelCount, FrameCount i) { return i == at ? 1.0f : 0.0f; });
}

class DelayLineTest : public ::testing::TestWithParam<SampleRate> {};

TEST_P(DelayLineTest, WholeSampleDelaysAreExact) {
    const SampleRate rate = GetParam();
    for (const float ms : {1.0f, 10.0f, 100.0f, 1000.0f}) {
        const double samples = static_cast<double>(ms) * rate / 1000.0;
        if (samples != std::floor(samples)) {
            continue; // 1 ms at 44.1 kHz is 44.1 samples: see the fractional test
        }
        const auto d = static_cast<FrameCount>(samples);
        DelayLine node(DelayLineConfig{.maxDelayMs = 1000.0, .channels = 2});
        test::prepare(node, rate);
        node.setParameter(DelayLine::kDelayTime, ms);
        const AudioBuffer input = test::noiseBuffer(2, d + 3000, 41);
        const AudioBuffer out = test::renderEffect(node, input, Partition{0, 6});
        for (ChannelCount c = 0; c < 2; ++c) {
            for (FrameCount i = 0; i < input.numFrames(); ++i) {
                const float expected = i < d ? 0.0f : input.channel(c)[i - d];
                ASSERT_EQ(out.channel(c)[i], expected) << ms << " ms, frame " << i;
            }
        }
    }
}

TEST_P(DelayLineTest, FractionalDelaysInterpolateLinearly) {
    const SampleRate rate = GetParam();
    // 100.25 samples, exactly representable in both the float parameter and the double delay.
    const auto ms = static_cast<float>(100.25 * 1000.0 / rate);
    const double samples = static_cast<double>(ms) * rate / 1000.0;
    const auto whole = static_cast<FrameCount>(std::floor(samples));
    const auto fraction = static_cast<float>(samples - whole);
    DelayLine node(DelayLineConfig{.maxDelayMs = 50.0, .channels = 1});
    test::prepare(node, rate);
    node.setParameter(DelayLine::kDelayTime, ms);
    const AudioBuffer input = test::noiseBuffer(1, 2000, 42);
    const AudioBuffer out = test::renderEffect(node, input, Partition{64, 0});
    EXPECT_EQ(whole, 100u);
    EXPECT_NEAR(fraction, 0.25f, 1e-4f);
    const auto at = [&](FrameCount i, FrameCount back) {
        return i >= back ? input.channel(0)[i - back] : 0.0f;
    };
    for (FrameCount i = 0; i < input.numFrames(); ++i) {
        const float newer = at(i, whole);
        const float older = at(i, whole + 1);
        ASSERT_EQ(out.channel(0)[i], newer + fraction * (older - newer)) << "frame " << i;
    }
}

TEST_P(DelayLineTest, FeedbackRepeatsTheEchoAtEachDelay) {
    const SampleRate rate = GetParam();
    const float ms = 5.0f; // 220.5, 240 or 480 samples
    DelayLine node(DelayLineConfig{.maxDelayMs = 10.0, .channels = 1});
    test::prepare(node, rate);
    node.setParameter(DelayLine::kDelayTime, ms);
    node.setParameter(DelayLine::kFeedback, 0.5f);
    const AudioBuffer out = test::renderEffect(node, impulse(1, 3000), Partition{0, 7});
    // With a fractional delay the interpolation spreads echo k over k + 1 samples from
    // k * floor(d) on (a binomial smear), but their sum is still feedback^(k-1).
    const auto whole = static_cast<FrameCount>(std::floor(ms * rate / 1000.0));
    for (FrameCount k = 1; k <= 4; ++k) {
        const FrameCount start = k * whole;
        double sum = 0.0;
        for (FrameCount i = start; i <= start + k; ++i) {
            sum += out.channel(0)[i];
        }
        EXPECT_NEAR(sum, std::pow(0.5, k - 1), 1e-6) << "echo " << k;
        EXPECT_EQ(out.channel(0)[start - 1], 0.0f) << "echo " << k;
    }
    EXPECT_EQ(out.channel(0)[0], 0.0f);
}

TEST_P(DelayLineTest, MixBlendsDryAndWet) {
    const SampleRate rate = GetParam();
    DelayLine node(DelayLineConfig{.maxDelayMs = 10.0, .channels = 1});
    test::prepare(node, rate);
    node.setParameter(DelayLine::kDelayTime, 10.0f);
    node.setParameter(DelayLine::kMix, 0.0f);
    const AudioBuffer input = test::noiseBuffer(1, 2000, 43);
    EXPECT_TRUE(test::bitIdentical(test::renderEffect(node, input, Partition{0, 8}), input));
    node.reset();
    node.setParameter(DelayLine::kMix, 0.25f);
    const AudioBuffer out = test::renderEffect(node, input, Partition{0, 9});
    const auto d = static_cast<FrameCount>(10.0 * rate / 1000.0);
    for (FrameCount i = 0; i < input.numFrames(); ++i) {
        const float delayed = i < d ? 0.0f : input.channel(0)[i - d];
        ASSERT_EQ(out.channel(0)[i], 0.75f * input.channel(0)[i] + 0.25f * delayed) << i;
    }
}

TEST_P(DelayLineTest, DelayIsClampedToOneSampleAndToTheMaximum) {
    const SampleRate rate = GetParam();
    DelayLine node(DelayLineConfig{.maxDelayMs = 2.0, .channels = 1});
    test::prepare(node, rate);
    EXPECT_EQ(node.maxDelaySamples(), static_cast<FrameCount>(std::ceil(2.0 * rate / 1000.0)));
    constexpr FrameCount frames = 1000;
    RenderOptions options;
    options.perSample = test::flatPerSample(node, frames);
    std::fill(options.perSample[DelayLine::kDelayTime].begin(),
              options.perSample[DelayLine::kDelayTime].begin() + 500, 0.0f);
    std::fill(options.perSample[DelayLine::kDelayTime].begin() + 500,
              options.perSample[DelayLine::kDelayTime].end(), 1e6f);
    const AudioBuffer input = impulse(1, frames, 100);
    const AudioBuffer withSecond = test::makeBuffer(1, frames, [&](ChannelCount, FrameCount i) {
        return input.channel(0)[i] + (i == 600 ? 1.0f : 0.0f);
    });
    const AudioBuffer out = test::renderEffect(node, withSecond, Partition{0, 10}, options);
    EXPECT_EQ(out.channel(0)[101], 1.0f); // 0 ms acts as one sample
    EXPECT_EQ(out.channel(0)[600 + node.maxDelaySamples()], 1.0f);
}

TEST_P(DelayLineTest, ResetClearsTheLine) {
    DelayLine node(DelayLineConfig{.maxDelayMs = 100.0, .channels = 2});
    test::prepare(node, GetParam());
    node.setParameter(DelayLine::kDelayTime, 20.0f);
    node.setParameter(DelayLine::kFeedback, 0.9f);
    static_cast<void>(test::renderEffect(node, test::noiseBuffer(2, 3000, 44), Partition{0, 1}));
    node.reset();
    const AudioBuffer silence(2, 5000);
    const AudioBuffer out = test::renderEffect(node, silence, Partition{0, 2});
    EXPECT_TRUE(test::bitIdentical(out, silence));
}

INSTANTIATE_TEST_SUITE_P(SampleRates, DelayLineTest, ::testing::ValuesIn(test::allSampleRates()),
                         test::sampleRateName);

class DelayLineMatrixTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(DelayLineMatrixTest, AutomatedOutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 6000;
    RenderOptions options;
    options.perSample.assign(3, std::vector<float>(frames));
    for (FrameCount i = 0; i < frames; ++i) {
        const auto t = static_cast<float>(i) / frames;
        options.perSample[DelayLine::kDelayTime][i] = 1.0f + 20.0f * t * t; // a fractional sweep
        options.perSample[DelayLine::kFeedback][i] = 0.7f * t;
        options.perSample[DelayLine::kMix][i] = 1.0f - 0.5f * t;
    }
    DelayLine node(DelayLineConfig{.maxDelayMs = 25.0, .channels = 2});
    test::prepare(node, setup.sampleRate);
    const AudioBuffer input = test::noiseBuffer(2, frames, 45);
    const AudioBuffer reference = test::renderEffect(node, input, kReference, options);
    node.reset();
    EXPECT_TRUE(
        test::bitIdentical(reference, test::renderEffect(node, input, setup.partition, options)));
}

TEST_P(DelayLineMatrixTest, FlatPerSampleValuesMatchConstantValues) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 4000;
    DelayLine node(DelayLineConfig{.maxDelayMs = 25.0, .channels = 2});
    test::prepare(node, setup.sampleRate);
    node.setParameter(DelayLine::kDelayTime, 7.3f);
    node.setParameter(DelayLine::kFeedback, 0.6f);
    node.setParameter(DelayLine::kMix, 0.4f);
    const AudioBuffer input = test::noiseBuffer(2, frames, 46);
    EXPECT_TRUE(test::flatPerSampleMatchesConstant(node, input, setup.partition));
}

INSTANTIATE_TEST_SUITE_P(Matrix, DelayLineMatrixTest, ::testing::ValuesIn(test::allRenderCases()),
                         test::renderCaseName);

TEST(DelayLinePropertiesTest, DeclaresItsParametersAndRejectsBadConfigs) {
    const DelayLine node(DelayLineConfig{.maxDelayMs = 100.0, .channels = 1});
    const NodeProperties props = node.properties();
    EXPECT_EQ(props.latency, 0u);
    ASSERT_EQ(props.parameters.size(), 3u);
    EXPECT_EQ(props.parameters[DelayLine::kDelayTime].id, "delay");
    EXPECT_EQ(props.parameters[DelayLine::kDelayTime].unit, "ms");
    EXPECT_EQ(props.parameters[DelayLine::kDelayTime].maxValue, 100.0f);
    EXPECT_EQ(props.parameters[DelayLine::kDelayTime].defaultValue, 100.0f);
    EXPECT_EQ(props.parameters[DelayLine::kFeedback].id, "feedback");
    EXPECT_EQ(props.parameters[DelayLine::kMix].id, "mix");
    EXPECT_EQ(props.parameters[DelayLine::kMix].defaultValue, 1.0f);
    EXPECT_THROW(DelayLine(DelayLineConfig{.maxDelayMs = 0.0, .channels = 1}), Error);
    EXPECT_THROW(DelayLine(DelayLineConfig{.maxDelayMs = 10.0, .channels = 0}), Error);
}

} // namespace
} // namespace fluxforge
