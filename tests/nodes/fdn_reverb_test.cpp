// FdnReverb: line lengths, the first echo, the decay time, damping, stereo spread, stability,
// block-size invariance and per-sample parameters.
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/fdn_reverb.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

namespace fluxforge {
namespace {

using test::Partition;
using test::RenderCase;
using test::RenderOptions;

constexpr Partition kReference{test::kMaxBlockSize, 0};

AudioBuffer stereoImpulse(FrameCount frames, float left = 1.0f, float right = 1.0f) {
    return test::makeBuffer(2, frames, [=](ChannelCount c, FrameCount i) {
        return i == 0 ? (c == 0 ? left : right) : 0.0f;
    });
}

// RMS in dB of both channels over [from, to).
double windowDecibels(const AudioBuffer& buffer, FrameCount from, FrameCount to) {
    double sum = 0.0;
    for (ChannelCount c = 0; c < buffer.numChannels(); ++c) {
        for (FrameCount i = from; i < to; ++i) {
            sum += static_cast<double>(buffer.channel(c)[i]) * buffer.channel(c)[i];
        }
    }
    return 10.0 * std::log10(sum / (buffer.numChannels() * static_cast<double>(to - from)));
}

bool isPrime(FrameCount v) {
    for (FrameCount d = 2; d * d <= v; ++d) {
        if (v % d == 0) {
            return false;
        }
    }
    return v >= 2;
}

class FdnReverbTest : public ::testing::TestWithParam<SampleRate> {};

TEST_P(FdnReverbTest, LinesAreIncreasingPrimesBetweenTheConfiguredLengths) {
    const SampleRate rate = GetParam();
    for (const std::size_t lines : {2u, 4u, 8u, 16u}) {
        FdnReverb node(FdnReverbConfig{.lines = lines});
        test::prepare(node, rate);
        const std::vector<FrameCount>& lengths = node.lineLengths();
        ASSERT_EQ(lengths.size(), lines);
        for (std::size_t l = 0; l < lines; ++l) {
            EXPECT_TRUE(isPrime(lengths[l])) << lengths[l];
            if (l > 0) {
                EXPECT_GT(lengths[l], lengths[l - 1]);
            }
        }
        EXPECT_GE(lengths.front(), static_cast<FrameCount>(0.021 * rate) - 1);
        EXPECT_LT(lengths.back(), static_cast<FrameCount>(0.079 * rate) + 40);
    }
}

TEST_P(FdnReverbTest, TheFirstEchoArrivesAfterTheShortestLine) {
    FdnReverb node;
    test::prepare(node, GetParam());
    const FrameCount first = node.lineLengths().front();
    const AudioBuffer out = test::renderEffect(node, stereoImpulse(first + 10), Partition{0, 11});
    for (FrameCount i = 0; i < first; ++i) {
        ASSERT_EQ(out.channel(0)[i], 0.0f) << i;
        ASSERT_EQ(out.channel(1)[i], 0.0f) << i;
    }
    EXPECT_NE(out.channel(0)[first], 0.0f);
}

TEST_P(FdnReverbTest, TheTailFallsSixtyDecibelsInTheDecayTime) {
    const SampleRate rate = GetParam();
    for (const float decay : {0.5f, 1.0f, 3.0f}) {
        FdnReverb node;
        test::prepare(node, rate);
        node.setParameter(FdnReverb::kDecay, decay);
        node.setParameter(FdnReverb::kDamping, 0.0f); // all frequencies decay alike
        const auto frames = static_cast<FrameCount>(1.0 * rate);
        const AudioBuffer out = test::renderEffect(node, stereoImpulse(frames), Partition{512, 0});
        // Two 100 ms windows 0.6 s apart, once the echoes have built up into a dense tail.
        const auto at = [&](double seconds) { return static_cast<FrameCount>(seconds * rate); };
        const double drop =
            windowDecibels(out, at(0.2), at(0.3)) - windowDecibels(out, at(0.8), at(0.9));
        EXPECT_NEAR(drop, 60.0 * 0.6 / decay, 0.15 * 60.0 * 0.6 / decay) << "decay " << decay;
    }
}

TEST_P(FdnReverbTest, DampingShortensTheHighFrequencies) {
    const SampleRate rate = GetParam();
    const auto frames = static_cast<FrameCount>(0.6 * rate);
    const auto tailRatio = [&](float damping) {
        FdnReverb node;
        test::prepare(node, rate);
        node.setParameter(FdnReverb::kDamping, damping);
        const AudioBuffer out = test::renderEffect(node, stereoImpulse(frames), Partition{256, 0});
        const std::span<const float> tail(out.channel(0) + frames / 2, frames / 2);
        return test::dftMagnitude(tail, 8000.0, rate) / test::dftMagnitude(tail, 300.0, rate);
    };
    EXPECT_LT(tailRatio(0.8f), 0.25 * tailRatio(0.0f));
}

TEST_P(FdnReverbTest, OneSidedInputReachesBothSidesDecorrelated) {
    FdnReverb node;
    test::prepare(node, GetParam());
    const auto frames = static_cast<FrameCount>(0.5 * GetParam());
    const AudioBuffer out =
        test::renderEffect(node, stereoImpulse(frames, 1.0f, 0.0f), Partition{64, 0});
    double left = 0.0;
    double right = 0.0;
    double cross = 0.0;
    for (FrameCount i = 0; i < frames; ++i) {
        left += static_cast<double>(out.channel(0)[i]) * out.channel(0)[i];
        right += static_cast<double>(out.channel(1)[i]) * out.channel(1)[i];
        cross += static_cast<double>(out.channel(0)[i]) * out.channel(1)[i];
    }
    EXPECT_GT(right, 0.1 * left);
    EXPECT_LT(std::abs(cross) / std::sqrt(left * right), 0.3);
}

TEST_P(FdnReverbTest, MixZeroPassesTheInputUnchanged) {
    FdnReverb node;
    test::prepare(node, GetParam());
    node.setParameter(FdnReverb::kMix, 0.0f);
    const AudioBuffer input = test::noiseBuffer(2, 4000, 61);
    const AudioBuffer out = test::renderEffect(node, input, Partition{0, 12});
    for (ChannelCount c = 0; c < 2; ++c) {
        for (FrameCount i = 0; i < input.numFrames(); ++i) {
            ASSERT_EQ(out.channel(c)[i], input.channel(c)[i]) << c << ", " << i;
        }
    }
}

TEST_P(FdnReverbTest, TheLongestUndampedDecayStaysBounded) {
    const SampleRate rate = GetParam();
    FdnReverb node(FdnReverbConfig{.lines = 4});
    test::prepare(node, rate);
    node.setParameter(FdnReverb::kDecay, 20.0f);
    node.setParameter(FdnReverb::kDamping, 0.0f);
    const AudioBuffer input = test::noiseBuffer(2, static_cast<FrameCount>(2.0 * rate), 62, 0.5f);
    const AudioBuffer out = test::renderEffect(node, input, Partition{1024, 0});
    float largest = 0.0f;
    for (ChannelCount c = 0; c < 2; ++c) {
        for (FrameCount i = 0; i < out.numFrames(); ++i) {
            ASSERT_TRUE(std::isfinite(out.channel(c)[i]));
            largest = std::max(largest, std::abs(out.channel(c)[i]));
        }
    }
    EXPECT_LT(largest, 100.0f); // an unstable network would grow without bound
}

INSTANTIATE_TEST_SUITE_P(SampleRates, FdnReverbTest, ::testing::ValuesIn(test::allSampleRates()),
                         test::sampleRateName);

class FdnReverbMatrixTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(FdnReverbMatrixTest, AutomatedOutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 5000;
    RenderOptions options;
    options.perSample.assign(3, std::vector<float>(frames));
    for (FrameCount i = 0; i < frames; ++i) {
        const float t = static_cast<float>(i) / frames;
        options.perSample[FdnReverb::kDecay][i] = i < frames / 3 ? 0.8f : 2.5f;
        options.perSample[FdnReverb::kDamping][i] = t;
        options.perSample[FdnReverb::kMix][i] = 1.0f - 0.5f * t;
    }
    FdnReverb node;
    test::prepare(node, setup.sampleRate);
    const AudioBuffer input = test::noiseBuffer(2, frames, 63);
    const AudioBuffer reference = test::renderEffect(node, input, kReference, options);
    node.reset();
    EXPECT_TRUE(
        test::bitIdentical(reference, test::renderEffect(node, input, setup.partition, options)));
}

TEST_P(FdnReverbMatrixTest, FlatPerSampleValuesMatchConstantValues) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 3000;
    FdnReverb node;
    test::prepare(node, setup.sampleRate);
    node.setParameter(FdnReverb::kDecay, 1.7f);
    node.setParameter(FdnReverb::kDamping, 0.3f);
    node.setParameter(FdnReverb::kMix, 0.6f);
    const AudioBuffer input = test::noiseBuffer(2, frames, 64);
    const AudioBuffer constantOut = test::renderEffect(node, input, setup.partition);
    node.reset();
    RenderOptions options;
    options.perSample = test::flatPerSample(node, frames);
    EXPECT_TRUE(
        test::bitIdentical(constantOut, test::renderEffect(node, input, setup.partition, options)));
}

INSTANTIATE_TEST_SUITE_P(Matrix, FdnReverbMatrixTest, ::testing::ValuesIn(test::allRenderCases()),
                         test::renderCaseName);

TEST(FdnReverbPropertiesTest, DeclaresStereoPortsAndParameters) {
    const FdnReverb node;
    const NodeProperties props = node.properties();
    ASSERT_EQ(props.inputs.size(), 1u);
    EXPECT_EQ(props.inputs[0].channels, 2u);
    ASSERT_EQ(props.outputs.size(), 1u);
    EXPECT_EQ(props.outputs[0].channels, 2u);
    EXPECT_EQ(props.latency, 0u);
    ASSERT_EQ(props.parameters.size(), 3u);
    EXPECT_EQ(props.parameters[FdnReverb::kDecay].id, "decay");
    EXPECT_EQ(props.parameters[FdnReverb::kDecay].unit, "s");
    EXPECT_EQ(props.parameters[FdnReverb::kDamping].id, "damping");
    EXPECT_EQ(props.parameters[FdnReverb::kMix].id, "mix");
    EXPECT_THROW(FdnReverb(FdnReverbConfig{.lines = 1}), Error);
    EXPECT_THROW(FdnReverb(FdnReverbConfig{.lines = 17}), Error);
    EXPECT_THROW(FdnReverb(FdnReverbConfig{.shortestLineMs = 50.0, .longestLineMs = 40.0}), Error);
}

} // namespace
} // namespace fluxforge
