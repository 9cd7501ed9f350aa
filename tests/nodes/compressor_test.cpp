// Compressor: the static curve, attack and release times, makeup, the sidechain, stereo linking,
// block-size invariance and per-sample parameters.
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/compressor.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace fluxforge {
namespace {

using test::Partition;
using test::RenderCase;
using test::RenderOptions;

constexpr Partition kReference{test::kMaxBlockSize, 0};

AudioBuffer constant(ChannelCount channels, FrameCount frames, float value) {
    return test::makeBuffer(channels, frames, [value](ChannelCount, FrameCount) { return value; });
}

double decibels(double linear) {
    return 20.0 * std::log10(linear);
}

TEST(CompressorCurveTest, BelowTheKneeTheLevelIsUnchanged) {
    EXPECT_EQ(Compressor::staticCurve(-40.0, -20.0, 4.0, 6.0), -40.0);
    EXPECT_EQ(Compressor::staticCurve(-23.0, -20.0, 4.0, 6.0), -23.0); // the knee's lower edge
    EXPECT_EQ(Compressor::staticCurve(-20.5, -20.0, 4.0, 0.0), -20.5); // hard knee
}

TEST(CompressorCurveTest, AboveTheKneeTheRatioApplies) {
    EXPECT_DOUBLE_EQ(Compressor::staticCurve(-8.0, -20.0, 4.0, 6.0), -17.0);
    EXPECT_DOUBLE_EQ(Compressor::staticCurve(0.0, -20.0, 2.0, 0.0), -10.0);
    EXPECT_DOUBLE_EQ(Compressor::staticCurve(-10.0, -20.0, 1.0, 6.0), -10.0); // ratio 1: no-op
}

TEST(CompressorCurveTest, TheSoftKneeIsContinuousAndBendsByAQuarterOfItsWidthAtTheThreshold) {
    const double threshold = -20.0;
    const double ratio = 4.0;
    const double knee = 8.0;
    // At the threshold: x + (1/R - 1) (W/2)^2 / (2W) = x - (1 - 1/R) W / 8.
    EXPECT_DOUBLE_EQ(Compressor::staticCurve(threshold, threshold, ratio, knee),
                     threshold - (1.0 - 1.0 / ratio) * knee / 8.0);
    for (const double edge : {threshold - knee / 2.0, threshold + knee / 2.0}) {
        const double inside = Compressor::staticCurve(edge, threshold, ratio, knee);
        const double below = Compressor::staticCurve(edge - 1e-9, threshold, ratio, knee);
        const double above = Compressor::staticCurve(edge + 1e-9, threshold, ratio, knee);
        EXPECT_NEAR(inside, below, 1e-8) << edge;
        EXPECT_NEAR(inside, above, 1e-8) << edge;
    }
}

class CompressorTest : public ::testing::TestWithParam<SampleRate> {};

TEST_P(CompressorTest, QuietSignalsPassBitForBit) {
    Compressor node;
    test::prepare(node, GetParam());
    node.setParameter(Compressor::kThreshold, -20.0f);
    // Peak 0.05 = -26 dBFS, below the knee's lower edge at -23 dB.
    const AudioBuffer input = test::noiseBuffer(2, 4000, 1, 0.05f);
    const AudioBuffer out = test::renderEffect(node, input, Partition{0, 3});
    EXPECT_TRUE(test::bitIdentical(out, input));
    EXPECT_EQ(node.gainReductionDecibelsApprox(), 0.0f);
}

TEST_P(CompressorTest, SteadyStateFollowsTheStaticCurve) {
    const SampleRate rate = GetParam();
    for (const float knee : {0.0f, 6.0f, 12.0f}) {
        Compressor node(CompressorConfig{.channels = 1});
        test::prepare(node, rate);
        node.setParameter(Compressor::kThreshold, -20.0f);
        node.setParameter(Compressor::kRatio, 4.0f);
        node.setParameter(Compressor::kKnee, knee);
        node.setParameter(Compressor::kAttack, 1.0f);
        const float level = 0.1f; // -20 dBFS: at the threshold, inside the knee when there is one
        const AudioBuffer out =
            test::renderEffect(node, constant(1, 20000, level), Partition{512, 0});
        const double expected =
            Compressor::staticCurve(decibels(level), -20.0, 4.0, static_cast<double>(knee));
        EXPECT_NEAR(decibels(out.channel(0)[19999]), expected, 1e-4) << "knee " << knee;
    }
}

TEST_P(CompressorTest, AttackAndReleaseFollowTheirTimeConstants) {
    const SampleRate rate = GetParam();
    Compressor node(CompressorConfig{.channels = 1});
    test::prepare(node, rate);
    node.setParameter(Compressor::kThreshold, -30.0f);
    node.setParameter(Compressor::kRatio, 10.0f);
    node.setParameter(Compressor::kKnee, 0.0f);
    node.setParameter(Compressor::kAttack, 5.0f);
    node.setParameter(Compressor::kRelease, 50.0f);
    // 0.5 s of a loud level, then 1 s of a quiet one (below the threshold).
    const auto half = static_cast<FrameCount>(rate / 2);
    const float loud = 0.5f;
    const float quiet = 0.01f;
    const AudioBuffer input = test::makeBuffer(
        1, 3 * half, [&](ChannelCount, FrameCount i) { return i < half ? loud : quiet; });
    const AudioBuffer out = test::renderEffect(node, input, Partition{0, 4});
    const double full = Compressor::staticCurve(decibels(loud), -30.0, 10.0, 0.0) - decibels(loud);
    const auto reduction = [&](FrameCount i) {
        return decibels(out.channel(0)[i]) - decibels(input.channel(0)[i]);
    };
    // After one time constant a one-pole has covered 1 - 1/e of the way.
    const auto attackFrames = static_cast<FrameCount>(std::lround(0.005 * rate));
    EXPECT_NEAR(reduction(attackFrames - 1), full * (1.0 - std::exp(-1.0)), 0.05 * -full);
    EXPECT_NEAR(reduction(half - 1), full, 1e-3);
    const auto releaseFrames = static_cast<FrameCount>(std::lround(0.05 * rate));
    EXPECT_NEAR(reduction(half + releaseFrames - 1), full * std::exp(-1.0), 0.05 * -full);
    // Long after the release the signal passes unchanged again (the reduction snaps to 0 dB).
    EXPECT_EQ(out.channel(0)[3 * half - 1], quiet);
}

TEST_P(CompressorTest, MakeupGainAppliesToEverything) {
    Compressor node;
    test::prepare(node, GetParam());
    node.setParameter(Compressor::kMakeup, 6.0f);
    const AudioBuffer input = test::noiseBuffer(2, 2000, 2, 0.01f);
    const AudioBuffer out = test::renderEffect(node, input, Partition{64, 0});
    const auto gain = static_cast<float>(std::pow(10.0, 6.0 / 20.0));
    for (ChannelCount c = 0; c < 2; ++c) {
        for (FrameCount i = 0; i < input.numFrames(); ++i) {
            ASSERT_EQ(out.channel(c)[i], input.channel(c)[i] * gain) << c << ", " << i;
        }
    }
}

TEST_P(CompressorTest, ChannelsAreLinkedByTheLoudestOne) {
    Compressor node;
    test::prepare(node, GetParam());
    node.setParameter(Compressor::kThreshold, -30.0f);
    const AudioBuffer input = test::makeBuffer(2, 6000, [](ChannelCount c, FrameCount i) {
        return c == 0 ? 0.8f * std::sin(0.01f * static_cast<float>(i)) : 0.001f;
    });
    const AudioBuffer out = test::renderEffect(node, input, Partition{0, 5});
    // The quiet right channel is turned down exactly as much as the loud left one.
    EXPECT_LT(out.channel(1)[5999], 0.5f * 0.001f);
    for (FrameCount i = 0; i < input.numFrames(); ++i) {
        const float gain = out.channel(1)[i] / input.channel(1)[i];
        if (input.channel(0)[i] != 0.0f) {
            ASSERT_NEAR(out.channel(0)[i] / input.channel(0)[i], gain, 1e-6f) << i;
        }
    }
}

TEST_P(CompressorTest, TheSidechainKeysTheDetectorInsteadOfTheMainInput) {
    const SampleRate rate = GetParam();
    Compressor node(CompressorConfig{.channels = 2, .sidechain = CompressorSidechain::external});
    ASSERT_TRUE(node.hasSidechain());
    test::prepare(node, rate);
    node.setParameter(Compressor::kThreshold, -30.0f);
    node.setParameter(Compressor::kRatio, 8.0f);
    node.setParameter(Compressor::kAttack, 1.0f);
    constexpr FrameCount frames = 8000;
    // A loud main signal and a key that is silent for the first half, loud in the second.
    const AudioBuffer main = test::noiseBuffer(2, frames, 3, 0.5f);
    const AudioBuffer key = test::makeBuffer(
        2, frames, [](ChannelCount, FrameCount i) { return i < frames / 2 ? 0.0f : 0.5f; });
    const std::vector<AudioBuffer> inputs{main, key};
    const std::vector<FrameCount> blocks = test::blockSizes(Partition{0, 8}, frames);
    const AudioBuffer out = std::move(test::render(node, inputs, frames, blocks).front());
    for (FrameCount i = 0; i < frames / 2; ++i) {
        ASSERT_EQ(out.channel(0)[i], main.channel(0)[i]) << "the main input alone never compresses";
    }
    const float gain = out.channel(0)[frames - 1] / main.channel(0)[frames - 1];
    const double expected = Compressor::staticCurve(decibels(0.5), -30.0, 8.0, 6.0) - decibels(0.5);
    EXPECT_NEAR(decibels(gain), expected, 0.01);
    EXPECT_NEAR(node.gainReductionDecibelsApprox(), -expected, 0.01);
}

TEST_P(CompressorTest, NanParametersDoNotStickInTheState) {
    Compressor node(CompressorConfig{.channels = 1});
    test::prepare(node, GetParam());
    constexpr FrameCount frames = 3000;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    RenderOptions options = {};
    options.perSample = test::flatPerSample(node, frames);
    for (FrameCount i = 100; i < 200; ++i) {
        for (auto& values : options.perSample) {
            values[i] = nan;
        }
    }
    const AudioBuffer input = test::noiseBuffer(1, frames, 4, 0.9f);
    const AudioBuffer out = test::renderEffect(node, input, Partition{64, 0}, options);
    for (FrameCount i = 200; i < frames; ++i) {
        ASSERT_TRUE(std::isfinite(out.channel(0)[i])) << i;
    }
}

INSTANTIATE_TEST_SUITE_P(SampleRates, CompressorTest, ::testing::ValuesIn(test::allSampleRates()),
                         test::sampleRateName);

class CompressorMatrixTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(CompressorMatrixTest, AutomatedOutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 5000;
    RenderOptions options;
    options.perSample.assign(6, std::vector<float>(frames));
    for (FrameCount i = 0; i < frames; ++i) {
        const float t = static_cast<float>(i) / frames;
        options.perSample[Compressor::kThreshold][i] = -40.0f + 30.0f * t;
        options.perSample[Compressor::kRatio][i] = 2.0f + 6.0f * t;
        options.perSample[Compressor::kAttack][i] = i < frames / 2 ? 2.0f : 20.0f;
        options.perSample[Compressor::kRelease][i] = 30.0f + 100.0f * t;
        options.perSample[Compressor::kMakeup][i] = 3.0f * t;
        options.perSample[Compressor::kKnee][i] = 10.0f * (1.0f - t);
    }
    for (const CompressorSidechain sidechain :
         {CompressorSidechain::none, CompressorSidechain::external}) {
        Compressor node(CompressorConfig{.channels = 2, .sidechain = sidechain});
        test::prepare(node, setup.sampleRate);
        std::vector<AudioBuffer> inputs;
        inputs.push_back(test::noiseBuffer(2, frames, 31, 0.7f));
        if (sidechain == CompressorSidechain::external) {
            inputs.push_back(test::noiseBuffer(2, frames, 32, 0.9f));
        }
        const auto render = [&](const Partition& partition) {
            node.reset();
            const std::vector<FrameCount> blocks = test::blockSizes(partition, frames);
            return std::move(test::render(node, inputs, frames, blocks, options).front());
        };
        const AudioBuffer reference = render(kReference);
        EXPECT_TRUE(test::bitIdentical(reference, render(setup.partition)));
    }
}

TEST_P(CompressorMatrixTest, FlatPerSampleValuesMatchConstantValues) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 3000;
    Compressor node;
    test::prepare(node, setup.sampleRate);
    node.setParameter(Compressor::kThreshold, -24.0f);
    node.setParameter(Compressor::kRatio, 3.0f);
    node.setParameter(Compressor::kAttack, 3.0f);
    node.setParameter(Compressor::kRelease, 80.0f);
    node.setParameter(Compressor::kMakeup, 2.0f);
    node.setParameter(Compressor::kKnee, 4.0f);
    const AudioBuffer input = test::noiseBuffer(2, frames, 33, 0.8f);
    EXPECT_TRUE(test::flatPerSampleMatchesConstant(node, input, setup.partition));
}

INSTANTIATE_TEST_SUITE_P(Matrix, CompressorMatrixTest, ::testing::ValuesIn(test::allRenderCases()),
                         test::renderCaseName);

TEST(CompressorPropertiesTest, DeclaresPortsAndParameters) {
    const Compressor plain;
    const NodeProperties props = plain.properties();
    ASSERT_EQ(props.inputs.size(), 1u);
    EXPECT_EQ(props.inputs[0].name, "in");
    EXPECT_EQ(props.inputs[0].channels, 2u);
    ASSERT_EQ(props.outputs.size(), 1u);
    EXPECT_EQ(props.latency, 0u);
    ASSERT_EQ(props.parameters.size(), 6u);
    EXPECT_EQ(props.parameters[Compressor::kThreshold].id, "threshold");
    EXPECT_EQ(props.parameters[Compressor::kRatio].id, "ratio");
    EXPECT_EQ(props.parameters[Compressor::kAttack].id, "attack");
    EXPECT_EQ(props.parameters[Compressor::kRelease].id, "release");
    EXPECT_EQ(props.parameters[Compressor::kMakeup].id, "makeup");
    EXPECT_EQ(props.parameters[Compressor::kKnee].id, "knee");

    const Compressor keyed(
        CompressorConfig{.channels = 2, .sidechain = CompressorSidechain::external});
    const NodeProperties keyedProps = keyed.properties();
    ASSERT_EQ(keyedProps.inputs.size(), 2u);
    EXPECT_EQ(keyedProps.inputs[Compressor::kSidechainInput].name, "sidechain");
    EXPECT_EQ(keyedProps.inputs[Compressor::kSidechainInput].channels, 2u);
    EXPECT_EQ(keyedProps.parameters.size(), 6u); // the same parameters at the same indices

    EXPECT_THROW(Compressor(CompressorConfig{.channels = 0}), Error);
}

} // namespace
} // namespace fluxforge
