// SineOscillator: pitch, level, phase continuity, block-size invariance and per-sample parameters.
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/sine_oscillator.hpp>

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

// Upward zero crossings of channel 0.
int countRisingZeroCrossings(const AudioBuffer& buffer) {
    int count = 0;
    for (FrameCount i = 1; i < buffer.numFrames(); ++i) {
        if (buffer.channel(0)[i - 1] < 0.0f && buffer.channel(0)[i] >= 0.0f) {
            ++count;
        }
    }
    return count;
}

// A frequency sweep, one value per frame, for automation tests.
std::vector<float> sweep(FrameCount frames, float from, float to) {
    std::vector<float> values(frames);
    for (FrameCount i = 0; i < frames; ++i) {
        values[i] = from + (to - from) * static_cast<float>(i) / static_cast<float>(frames);
    }
    return values;
}

class SineOscillatorMatrixTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(SineOscillatorMatrixTest, OutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 6000;
    SineOscillator node(SineOscillatorConfig{.channels = 2});
    test::prepare(node, setup.sampleRate);
    node.setParameter(SineOscillator::kFrequency, 997.0f);
    node.setParameter(SineOscillator::kAmplitude, 0.8f);
    const AudioBuffer reference = test::renderSource(node, frames, kReference);
    node.reset();
    const AudioBuffer cut = test::renderSource(node, frames, setup.partition);
    EXPECT_TRUE(test::bitIdentical(reference, cut));
}

TEST_P(SineOscillatorMatrixTest, AutomatedOutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 6000;
    RenderOptions options;
    options.perSample = {sweep(frames, 100.0f, 5000.0f), sweep(frames, 1.0f, 0.1f)};
    SineOscillator node;
    test::prepare(node, setup.sampleRate);
    const AudioBuffer reference = test::renderSource(node, frames, kReference, options);
    node.reset();
    const AudioBuffer cut = test::renderSource(node, frames, setup.partition, options);
    EXPECT_TRUE(test::bitIdentical(reference, cut));
}

TEST_P(SineOscillatorMatrixTest, FlatPerSampleValuesMatchConstantValues) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 3000;
    SineOscillator node;
    test::prepare(node, setup.sampleRate);
    node.setParameter(SineOscillator::kFrequency, 1234.5f);
    node.setParameter(SineOscillator::kAmplitude, 0.3f);
    const AudioBuffer constant = test::renderSource(node, frames, setup.partition);
    node.reset();
    RenderOptions options;
    options.perSample = test::flatPerSample(node, frames);
    const AudioBuffer perSample = test::renderSource(node, frames, setup.partition, options);
    EXPECT_TRUE(test::bitIdentical(constant, perSample));
}

INSTANTIATE_TEST_SUITE_P(Matrix, SineOscillatorMatrixTest,
                         ::testing::ValuesIn(test::allRenderCases()), test::renderCaseName);

class SineOscillatorTest : public ::testing::TestWithParam<SampleRate> {};

TEST_P(SineOscillatorTest, FrequencyMatchesZeroCrossings) {
    const SampleRate rate = GetParam();
    for (const float frequency : {50.0f, 440.0f, 1000.0f, 3000.0f}) {
        SineOscillator node;
        test::prepare(node, rate);
        node.setParameter(SineOscillator::kFrequency, frequency);
        // One second, starting at phase 0 (a crossing that is not counted): f - 1 or f crossings.
        const AudioBuffer out =
            test::renderSource(node, static_cast<FrameCount>(rate), Partition{512, 0});
        EXPECT_NEAR(countRisingZeroCrossings(out), frequency, 1.0) << frequency << " Hz";
    }
}

TEST_P(SineOscillatorTest, EnergyIsOnTheFrequencysDftBin) {
    const SampleRate rate = GetParam();
    SineOscillator node;
    test::prepare(node, rate);
    node.setParameter(SineOscillator::kFrequency, 1000.0f);
    node.setParameter(SineOscillator::kAmplitude, 0.5f);
    const auto frames = static_cast<FrameCount>(rate); // 1 Hz bins
    const AudioBuffer out = test::renderSource(node, frames, Partition{0, 7});
    const std::span<const float> samples(out.channel(0), frames);
    EXPECT_NEAR(test::dftMagnitude(samples, 1000.0, rate), 0.5, 1e-6);
    EXPECT_LT(test::dftMagnitude(samples, 999.0, rate), 1e-6);
    EXPECT_LT(test::dftMagnitude(samples, 1001.0, rate), 1e-6);
    EXPECT_LT(test::dftMagnitude(samples, 2000.0, rate), 1e-6); // no harmonic distortion
}

TEST_P(SineOscillatorTest, PhaseStaysExactOverLongRenders) {
    const SampleRate rate = GetParam();
    constexpr float frequency = 440.0f;
    SineOscillator node;
    test::prepare(node, rate);
    node.setParameter(SineOscillator::kFrequency, frequency);
    node.setParameter(SineOscillator::kAmplitude, 1.0f);
    const auto frames = static_cast<FrameCount>(10 * rate);
    const AudioBuffer out = test::renderSource(node, frames, Partition{0, 3});
    // Against sin(2 pi frac(n f / rate)), computed independently for each frame.
    double worst = 0.0;
    for (FrameCount n = frames - 1000; n < frames; ++n) {
        const double cycles = static_cast<double>(n) * frequency / rate;
        const double expected = std::sin(2.0 * std::numbers::pi * (cycles - std::floor(cycles)));
        worst = std::max(worst, std::abs(expected - static_cast<double>(out.channel(0)[n])));
    }
    EXPECT_LT(worst, 1e-6);
}

TEST_P(SineOscillatorTest, AmplitudeSetsThePeak) {
    SineOscillator node;
    test::prepare(node, GetParam());
    node.setParameter(SineOscillator::kFrequency, 100.0f);
    node.setParameter(SineOscillator::kAmplitude, 0.25f);
    const AudioBuffer out = test::renderSource(node, 4800, Partition{64, 0});
    float peak = 0.0f;
    for (FrameCount i = 0; i < out.numFrames(); ++i) {
        peak = std::max(peak, std::abs(out.channel(0)[i]));
    }
    EXPECT_NEAR(peak, 0.25f, 1e-4f);
}

TEST_P(SineOscillatorTest, ResetRestartsFromPhaseZero) {
    SineOscillator node;
    test::prepare(node, GetParam());
    node.setParameter(SineOscillator::kFrequency, 333.0f);
    const AudioBuffer first = test::renderSource(node, 2000, Partition{0, 1});
    EXPECT_NE(node.phase(), 0.0);
    node.reset();
    EXPECT_EQ(node.phase(), 0.0);
    const AudioBuffer second = test::renderSource(node, 2000, Partition{0, 2});
    EXPECT_TRUE(test::bitIdentical(first, second));
    EXPECT_EQ(first.channel(0)[0], 0.0f);
}

TEST_P(SineOscillatorTest, PerSampleFrequencyTakesEffectAtItsFrame) {
    const SampleRate rate = GetParam();
    constexpr FrameCount frames = 2000;
    constexpr FrameCount change = 777;
    RenderOptions options;
    options.perSample.assign(2, {});
    options.perSample[SineOscillator::kFrequency].assign(frames, 1000.0f);
    std::fill(options.perSample[SineOscillator::kFrequency].begin() + change,
              options.perSample[SineOscillator::kFrequency].end(), 2000.0f);
    SineOscillator node;
    test::prepare(node, rate);
    node.setParameter(SineOscillator::kAmplitude, 1.0f);
    const AudioBuffer out = test::renderSource(node, frames, Partition{256, 0}, options);
    for (FrameCount n = 0; n < frames; ++n) {
        const double cycles =
            n < change ? n * 1000.0 / rate : change * 1000.0 / rate + (n - change) * 2000.0 / rate;
        const double expected = std::sin(2.0 * std::numbers::pi * (cycles - std::floor(cycles)));
        ASSERT_NEAR(out.channel(0)[n], expected, 1e-6) << "frame " << n;
    }
}

TEST_P(SineOscillatorTest, EveryChannelCarriesTheSameSignal) {
    SineOscillator node(SineOscillatorConfig{.channels = 3});
    EXPECT_EQ(node.properties().outputs.at(0).channels, 3u);
    test::prepare(node, GetParam());
    const AudioBuffer out = test::renderSource(node, 1000, Partition{0, 4});
    for (ChannelCount c = 1; c < 3; ++c) {
        for (FrameCount i = 0; i < out.numFrames(); ++i) {
            ASSERT_EQ(out.channel(c)[i], out.channel(0)[i]);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(SampleRates, SineOscillatorTest,
                         ::testing::ValuesIn(test::allSampleRates()), test::sampleRateName);

TEST(SineOscillatorRobustnessTest, NanFrequencyHoldsThePhaseInsteadOfPoisoningIt) {
    constexpr FrameCount frames = 1000;
    RenderOptions options;
    options.perSample.assign(2, {});
    options.perSample[SineOscillator::kFrequency].assign(frames, 440.0f);
    std::fill(options.perSample[SineOscillator::kFrequency].begin() + 200,
              options.perSample[SineOscillator::kFrequency].begin() + 300,
              std::numeric_limits<float>::quiet_NaN());
    SineOscillator node;
    test::prepare(node, 48000.0);
    const AudioBuffer out = test::renderSource(node, frames, Partition{64, 0}, options);
    for (FrameCount i = 0; i < frames; ++i) {
        ASSERT_TRUE(std::isfinite(out.channel(0)[i])) << "frame " << i;
    }
    EXPECT_EQ(out.channel(0)[250], out.channel(0)[201]); // 0 Hz while the value is NaN
}

TEST(SineOscillatorPropertiesTest, DeclaresItsParametersAndPorts) {
    const SineOscillator node;
    const NodeProperties props = node.properties();
    EXPECT_TRUE(props.inputs.empty());
    ASSERT_EQ(props.outputs.size(), 1u);
    EXPECT_EQ(props.outputs[0].channels, 1u);
    EXPECT_EQ(props.latency, 0u);
    ASSERT_EQ(props.parameters.size(), 2u);
    EXPECT_EQ(props.parameters[SineOscillator::kFrequency].id, "frequency");
    EXPECT_EQ(props.parameters[SineOscillator::kFrequency].unit, "Hz");
    EXPECT_EQ(props.parameters[SineOscillator::kAmplitude].id, "amplitude");
    EXPECT_THROW(SineOscillator(SineOscillatorConfig{.channels = 0}), Error);
}

} // namespace
} // namespace fluxforge
