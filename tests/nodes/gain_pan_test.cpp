// GainPan: the pan and balance laws, gain in dB, block-size invariance and per-sample parameters.
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/gain_pan.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

namespace fluxforge {
namespace {

using test::Partition;
using test::RenderCase;
using test::RenderOptions;

constexpr Partition kReference{test::kMaxBlockSize, 0};

PanGains monoGains(float decibels, float pan) {
    return GainPan::gainsFor(decibels, pan, PanInput::mono, StereoPanMode::balance);
}

TEST(GainPanLawTest, MonoCentreIsMinusThreeDecibelsPerSide) {
    const PanGains g = monoGains(0.0f, 0.0f);
    EXPECT_EQ(g.left, g.right);
    EXPECT_FLOAT_EQ(g.left, static_cast<float>(std::numbers::sqrt2 / 2.0));
    EXPECT_NEAR(test::toDbfs(g.left), -3.0103, 1e-4);
}

TEST(GainPanLawTest, MonoHardPansSilenceTheOtherSideExactly) {
    EXPECT_EQ(monoGains(0.0f, -1.0f).left, 1.0f);
    EXPECT_EQ(monoGains(0.0f, -1.0f).right, 0.0f);
    EXPECT_EQ(monoGains(0.0f, 1.0f).left, 0.0f);
    EXPECT_EQ(monoGains(0.0f, 1.0f).right, 1.0f);
}

TEST(GainPanLawTest, MonoLawKeepsPowerConstantAndIsMirrorSymmetric) {
    for (int step = -20; step <= 20; ++step) {
        const float pan = static_cast<float>(step) / 20.0f;
        const PanGains g = monoGains(0.0f, pan);
        const PanGains mirrored = monoGains(0.0f, -pan);
        EXPECT_NEAR(g.left * g.left + g.right * g.right, 1.0f, 2e-7f) << "pan " << pan;
        EXPECT_EQ(g.left, mirrored.right) << "pan " << pan;
        EXPECT_EQ(g.right, mirrored.left) << "pan " << pan;
        // theta = (pan + 1) pi / 4: left = cos(theta), right = sin(theta).
        const double theta = (pan + 1.0) * std::numbers::pi / 4.0;
        EXPECT_NEAR(g.left, std::cos(theta), 1e-7) << "pan " << pan;
        EXPECT_NEAR(g.right, std::sin(theta), 1e-7) << "pan " << pan;
    }
    // Half right: sin(pi/8) and sin(3 pi/8).
    EXPECT_FLOAT_EQ(monoGains(0.0f, 0.5f).left, 0.38268343f);
    EXPECT_FLOAT_EQ(monoGains(0.0f, 0.5f).right, 0.92387953f);
}

TEST(GainPanLawTest, GainIsInDecibelsAndTheBottomMutes) {
    const float centre = monoGains(0.0f, 0.0f).left;
    EXPECT_NEAR(monoGains(6.0206f, 0.0f).left, 2.0f * centre, 1e-5f);
    EXPECT_NEAR(monoGains(-20.0f, 0.0f).left, 0.1f * centre, 1e-7f);
    EXPECT_NEAR(monoGains(24.0f, -1.0f).left, 15.848932f, 1e-4f);
    EXPECT_EQ(monoGains(kSilenceDecibels, 0.0f).left, 0.0f);
    EXPECT_EQ(monoGains(kSilenceDecibels, 0.0f).right, 0.0f);
    EXPECT_GT(monoGains(kSilenceDecibels + 0.01f, 0.0f).left, 0.0f);
}

TEST(GainPanLawTest, StereoBalanceIsUnityAtTheCentreAndFadesTheFarSide) {
    const auto balance = [](float pan) {
        return GainPan::gainsFor(0.0f, pan, PanInput::stereo, StereoPanMode::balance);
    };
    EXPECT_EQ(balance(0.0f).left, 1.0f);
    EXPECT_EQ(balance(0.0f).right, 1.0f);
    EXPECT_EQ(balance(1.0f).left, 0.0f);
    EXPECT_EQ(balance(1.0f).right, 1.0f);
    EXPECT_EQ(balance(-1.0f).left, 1.0f);
    EXPECT_EQ(balance(-1.0f).right, 0.0f);
    // Half right: the left side follows sqrt(2) sin(pi/8) = -5.33 dB.
    EXPECT_FLOAT_EQ(balance(0.5f).left, static_cast<float>(std::numbers::sqrt2 * 0.38268343236));
    EXPECT_EQ(balance(0.5f).right, 1.0f);
    // Continuous through the centre.
    EXPECT_NEAR(balance(1e-6f).left, 1.0f, 1e-5f);
    EXPECT_NEAR(balance(-1e-6f).right, 1.0f, 1e-5f);
}

TEST(GainPanLawTest, StereoConstantPowerModeUsesTheMonoLawPerSide) {
    for (const float pan : {-1.0f, -0.3f, 0.0f, 0.7f, 1.0f}) {
        const PanGains stereo =
            GainPan::gainsFor(-3.0f, pan, PanInput::stereo, StereoPanMode::constantPower);
        const PanGains mono = monoGains(-3.0f, pan);
        EXPECT_EQ(stereo.left, mono.left);
        EXPECT_EQ(stereo.right, mono.right);
    }
}

TEST(GainPanLawTest, NanReadsAsCentreAndSilence) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(monoGains(0.0f, nan).left, monoGains(0.0f, 0.0f).left);
    EXPECT_EQ(monoGains(0.0f, nan).right, monoGains(0.0f, 0.0f).right);
    EXPECT_EQ(monoGains(nan, 0.3f).left, 0.0f);
    EXPECT_EQ(monoGains(nan, 0.3f).right, 0.0f);
}

TEST(GainPanTest, MonoInputIsScaledIntoBothChannels) {
    GainPan node;
    test::prepare(node, 48000.0);
    node.setParameter(GainPan::kGain, -6.0f);
    node.setParameter(GainPan::kPan, 0.25f);
    const AudioBuffer input = test::noiseBuffer(1, 1000, 11);
    const AudioBuffer out = test::renderEffect(node, input, Partition{0, 1});
    const PanGains g = monoGains(-6.0f, 0.25f);
    ASSERT_EQ(out.numChannels(), 2u);
    for (FrameCount i = 0; i < input.numFrames(); ++i) {
        ASSERT_EQ(out.channel(0)[i], input.channel(0)[i] * g.left);
        ASSERT_EQ(out.channel(1)[i], input.channel(0)[i] * g.right);
    }
}

TEST(GainPanTest, StereoInputKeepsItsSides) {
    GainPan node(GainPanConfig{.input = PanInput::stereo});
    EXPECT_EQ(node.properties().inputs.at(0).channels, 2u);
    test::prepare(node, 48000.0);
    node.setParameter(GainPan::kPan, -0.5f);
    const AudioBuffer input = test::noiseBuffer(2, 1000, 12);
    const AudioBuffer out = test::renderEffect(node, input, Partition{64, 0});
    const PanGains g = GainPan::gainsFor(0.0f, -0.5f, PanInput::stereo, StereoPanMode::balance);
    EXPECT_EQ(g.left, 1.0f);
    for (FrameCount i = 0; i < input.numFrames(); ++i) {
        ASSERT_EQ(out.channel(0)[i], input.channel(0)[i]);
        ASSERT_EQ(out.channel(1)[i], input.channel(1)[i] * g.right);
    }
}

TEST(GainPanTest, PerSampleGainTakesEffectAtItsFrame) {
    constexpr FrameCount frames = 600;
    constexpr FrameCount change = 333;
    RenderOptions options;
    options.perSample.assign(2, {});
    options.perSample[GainPan::kGain].assign(frames, 0.0f);
    std::fill(options.perSample[GainPan::kGain].begin() + change,
              options.perSample[GainPan::kGain].end(), kSilenceDecibels);
    GainPan node;
    test::prepare(node, 48000.0);
    const AudioBuffer input =
        test::makeBuffer(1, frames, [](ChannelCount, FrameCount) { return 1.0f; });
    const AudioBuffer out = test::renderEffect(node, input, Partition{256, 0}, options);
    for (FrameCount i = 0; i < frames; ++i) {
        ASSERT_EQ(out.channel(0)[i], i < change ? monoGains(0.0f, 0.0f).left : 0.0f) << i;
    }
}

class GainPanMatrixTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(GainPanMatrixTest, AutomatedOutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 5000;
    for (const PanInput layout : {PanInput::mono, PanInput::stereo}) {
        RenderOptions options;
        options.perSample.assign(2, std::vector<float>(frames));
        for (FrameCount i = 0; i < frames; ++i) {
            options.perSample[GainPan::kGain][i] = -40.0f + 50.0f * static_cast<float>(i) / frames;
            options.perSample[GainPan::kPan][i] = std::sin(static_cast<float>(i) * 0.003f);
        }
        GainPan node(GainPanConfig{.input = layout});
        test::prepare(node, setup.sampleRate);
        const AudioBuffer input = test::noiseBuffer(layout == PanInput::mono ? 1u : 2u, frames, 21);
        const AudioBuffer reference = test::renderEffect(node, input, kReference, options);
        EXPECT_TRUE(test::bitIdentical(reference,
                                       test::renderEffect(node, input, setup.partition, options)));
    }
}

TEST_P(GainPanMatrixTest, FlatPerSampleValuesMatchConstantValues) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 3000;
    GainPan node(GainPanConfig{.input = PanInput::stereo});
    test::prepare(node, setup.sampleRate);
    node.setParameter(GainPan::kGain, 3.5f);
    node.setParameter(GainPan::kPan, 0.3f);
    const AudioBuffer input = test::noiseBuffer(2, frames, 22);
    const AudioBuffer constant = test::renderEffect(node, input, setup.partition);
    RenderOptions options;
    options.perSample = test::flatPerSample(node, frames);
    EXPECT_TRUE(
        test::bitIdentical(constant, test::renderEffect(node, input, setup.partition, options)));
}

INSTANTIATE_TEST_SUITE_P(Matrix, GainPanMatrixTest, ::testing::ValuesIn(test::allRenderCases()),
                         test::renderCaseName);

TEST(GainPanTest, DeclaresGainAndPan) {
    const GainPan node;
    const NodeProperties props = node.properties();
    ASSERT_EQ(props.inputs.size(), 1u);
    EXPECT_EQ(props.inputs[0].channels, 1u);
    ASSERT_EQ(props.outputs.size(), 1u);
    EXPECT_EQ(props.outputs[0].channels, 2u);
    ASSERT_EQ(props.parameters.size(), 2u);
    EXPECT_EQ(props.parameters[GainPan::kGain].id, "gain");
    EXPECT_EQ(props.parameters[GainPan::kGain].unit, "dB");
    EXPECT_EQ(props.parameters[GainPan::kGain].minValue, kSilenceDecibels);
    EXPECT_EQ(props.parameters[GainPan::kPan].id, "pan");
    EXPECT_EQ(props.parameters[GainPan::kPan].minValue, -1.0f);
    EXPECT_EQ(props.parameters[GainPan::kPan].maxValue, 1.0f);
}

} // namespace
} // namespace fluxforge
