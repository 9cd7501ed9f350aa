// NoiseSource: the generator's reference sequence, determinism across block sizes and resets,
// range and statistics.
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/noise_source.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace fluxforge {
namespace {

using test::Partition;
using test::RenderCase;
using test::RenderOptions;

constexpr Partition kReference{test::kMaxBlockSize, 0};

TEST(NoiseGeneratorTest, MatchesThePcg32ReferenceSequence) {
    // pcg32_srandom_r(&rng, 42, 54) in O'Neill's pcg32-demo prints these first six outputs.
    NoiseGenerator generator(42, 54);
    for (const std::uint32_t expected :
         {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u, 0x83d2f293u, 0xbfa4784bu, 0xcbed606eu}) {
        EXPECT_EQ(generator.next(), expected);
    }
}

TEST(NoiseGeneratorTest, BipolarValuesAreOddMultiplesOfTwoToTheMinus24) {
    NoiseGenerator generator(7, 0);
    float lowest = 1.0f;
    float highest = -1.0f;
    for (int i = 0; i < 100000; ++i) {
        const float v = generator.nextBipolar();
        const double scaled = static_cast<double>(v) * 16777216.0;
        ASSERT_EQ(scaled, std::round(scaled));
        ASSERT_EQ(std::fmod(std::abs(scaled), 2.0), 1.0);
        lowest = std::min(lowest, v);
        highest = std::max(highest, v);
    }
    EXPECT_GT(lowest, -1.0f);
    EXPECT_LT(highest, 1.0f);
    EXPECT_LT(lowest, -0.999f);
    EXPECT_GT(highest, 0.999f);
}

class NoiseSourceMatrixTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(NoiseSourceMatrixTest, SameSeedGivesTheSameSamplesForAnyBlockSize) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 5000;
    NoiseSource first(NoiseSourceConfig{.seed = 1234, .channels = 2});
    test::prepare(first, setup.sampleRate);
    const AudioBuffer reference = test::renderSource(first, frames, kReference);
    // A second node with the same seed, cut differently.
    NoiseSource second(NoiseSourceConfig{.seed = 1234, .channels = 2});
    test::prepare(second, setup.sampleRate);
    EXPECT_TRUE(test::bitIdentical(reference, test::renderSource(second, frames, setup.partition)));
}

TEST_P(NoiseSourceMatrixTest, AutomatedAmplitudeIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 5000;
    RenderOptions options;
    options.perSample.emplace_back(frames);
    for (FrameCount i = 0; i < frames; ++i) {
        options.perSample[0][i] = static_cast<float>(i % 300) / 300.0f;
    }
    NoiseSource node;
    test::prepare(node, setup.sampleRate);
    const AudioBuffer reference = test::renderSource(node, frames, kReference, options);
    node.reset();
    EXPECT_TRUE(
        test::bitIdentical(reference, test::renderSource(node, frames, setup.partition, options)));
}

TEST_P(NoiseSourceMatrixTest, FlatPerSampleValuesMatchConstantValues) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 3000;
    NoiseSource node;
    test::prepare(node, setup.sampleRate);
    node.setParameter(NoiseSource::kAmplitude, 0.3f);
    const AudioBuffer constant = test::renderSource(node, frames, setup.partition);
    node.reset();
    RenderOptions options;
    options.perSample = test::flatPerSample(node, frames);
    EXPECT_TRUE(
        test::bitIdentical(constant, test::renderSource(node, frames, setup.partition, options)));
}

INSTANTIATE_TEST_SUITE_P(Matrix, NoiseSourceMatrixTest, ::testing::ValuesIn(test::allRenderCases()),
                         test::renderCaseName);

TEST(NoiseSourceTest, ResetRestartsTheSequenceFromTheSeed) {
    NoiseSource node(NoiseSourceConfig{.seed = 99, .channels = 2});
    test::prepare(node, 48000.0);
    const AudioBuffer first = test::renderSource(node, 2000, Partition{0, 1});
    const AudioBuffer next = test::renderSource(node, 2000, Partition{0, 2});
    EXPECT_FALSE(test::bitIdentical(first, next)); // the sequence goes on without a reset
    node.reset();
    EXPECT_TRUE(test::bitIdentical(first, test::renderSource(node, 2000, Partition{0, 3})));
}

TEST(NoiseSourceTest, DifferentSeedsAndChannelsAreUncorrelated) {
    constexpr FrameCount frames = 48000;
    NoiseSource a(NoiseSourceConfig{.seed = 1, .channels = 2});
    NoiseSource b(NoiseSourceConfig{.seed = 2, .channels = 1});
    test::prepare(a, 48000.0);
    test::prepare(b, 48000.0);
    const AudioBuffer outA = test::renderSource(a, frames, kReference);
    const AudioBuffer outB = test::renderSource(b, frames, kReference);
    const auto correlation = [&](const float* x, const float* y) {
        double xy = 0.0;
        double xx = 0.0;
        double yy = 0.0;
        for (FrameCount i = 0; i < frames; ++i) {
            xy += static_cast<double>(x[i]) * y[i];
            xx += static_cast<double>(x[i]) * x[i];
            yy += static_cast<double>(y[i]) * y[i];
        }
        return xy / std::sqrt(xx * yy);
    };
    // Independent streams: |r| stays within a few 1/sqrt(N) (0.0046 here).
    EXPECT_LT(std::abs(correlation(outA.channel(0), outA.channel(1))), 0.02);
    EXPECT_LT(std::abs(correlation(outA.channel(0), outB.channel(0))), 0.02);
    // White: the next sample is uncorrelated with this one.
    double lag1 = 0.0;
    double energy = 0.0;
    for (FrameCount i = 0; i + 1 < frames; ++i) {
        lag1 += static_cast<double>(outA.channel(0)[i]) * outA.channel(0)[i + 1];
        energy += static_cast<double>(outA.channel(0)[i]) * outA.channel(0)[i];
    }
    EXPECT_LT(std::abs(lag1 / energy), 0.02);
}

TEST(NoiseSourceTest, StaysWithinTheAmplitudeWithUniformStatistics) {
    constexpr FrameCount frames = 200000;
    constexpr float amplitude = 0.4f;
    NoiseSource node;
    test::prepare(node, 48000.0);
    node.setParameter(NoiseSource::kAmplitude, amplitude);
    const AudioBuffer out = test::renderSource(node, frames, Partition{0, 4});
    double sum = 0.0;
    double squares = 0.0;
    for (FrameCount i = 0; i < frames; ++i) {
        const float v = out.channel(0)[i];
        ASSERT_LT(std::abs(v), amplitude);
        sum += v;
        squares += static_cast<double>(v) * v;
    }
    // Uniform on (-a, a): mean 0 (standard error a / sqrt(3N) = 0.0005), variance a^2 / 3.
    EXPECT_LT(std::abs(sum / frames), 0.003);
    EXPECT_NEAR(squares / frames, amplitude * amplitude / 3.0, 0.01 * amplitude * amplitude / 3.0);
}

TEST(NoiseSourceTest, DeclaresOneOutputAndAnAmplitude) {
    const NoiseSource node(NoiseSourceConfig{.seed = 5, .channels = 3});
    const NodeProperties props = node.properties();
    ASSERT_EQ(props.outputs.size(), 1u);
    EXPECT_EQ(props.outputs[0].channels, 3u);
    ASSERT_EQ(props.parameters.size(), 1u);
    EXPECT_EQ(props.parameters[NoiseSource::kAmplitude].id, "amplitude");
    EXPECT_THROW(NoiseSource(NoiseSourceConfig{.seed = 1, .channels = 0}), Error);
}

} // namespace
} // namespace fluxforge
