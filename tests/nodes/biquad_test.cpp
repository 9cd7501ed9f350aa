// Biquad: the cookbook responses at their defining frequencies, block-size invariance, per-sample
// parameters and reset. (Agreement with an independent implementation: biquad_sox_test.cpp.)
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/biquad.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

namespace fluxforge {
namespace {

using test::Partition;
using test::RenderCase;
using test::RenderOptions;

constexpr Partition kReference{test::kMaxBlockSize, 0};

constexpr BiquadType kAllTypes[] = {BiquadType::lowPass,  BiquadType::highPass,
                                    BiquadType::bandPass, BiquadType::peak,
                                    BiquadType::lowShelf, BiquadType::highShelf};

const char* typeName(BiquadType type) {
    switch (type) {
    case BiquadType::lowPass:
        return "lowPass";
    case BiquadType::highPass:
        return "highPass";
    case BiquadType::bandPass:
        return "bandPass";
    case BiquadType::peak:
        return "peak";
    case BiquadType::lowShelf:
        return "lowShelf";
    case BiquadType::highShelf:
        return "highShelf";
    }
    return "?";
}

// |H(e^jw)| of a set of coefficients at `frequency`.
double magnitudeAt(const BiquadCoefficients& k, double frequency, double rate) {
    const std::complex<double> z1 = std::polar(1.0, -2.0 * std::numbers::pi * frequency / rate);
    const std::complex<double> z2 = z1 * z1;
    return std::abs((k.b0 + k.b1 * z1 + k.b2 * z2) / (1.0 + k.a1 * z1 + k.a2 * z2));
}

class BiquadResponseTest : public ::testing::TestWithParam<SampleRate> {};

// The cookbook's defining values, which hold exactly for the bilinear transform with the
// frequency pre-warped: a low- or high-pass has gain Q at its frequency, a band-pass 0 dB, a
// peak its full gain, a shelf half its gain (in dB) at its midpoint.
TEST_P(BiquadResponseTest, CoefficientsHitTheCookbooksDefiningGains) {
    const SampleRate rate = GetParam();
    const double f = 1500.0;
    const auto at = [&](BiquadType type, double q, double gain, double frequency) {
        return magnitudeAt(makeBiquadCoefficients(type, f, q, gain, rate), frequency, rate);
    };
    EXPECT_NEAR(at(BiquadType::lowPass, 2.0, 0.0, f), 2.0, 1e-9);
    EXPECT_NEAR(at(BiquadType::lowPass, 0.7, 0.0, 0.0), 1.0, 1e-12);
    EXPECT_NEAR(at(BiquadType::lowPass, 0.7, 0.0, rate / 2.0), 0.0, 1e-12);
    EXPECT_NEAR(at(BiquadType::highPass, 3.0, 0.0, f), 3.0, 1e-9);
    EXPECT_NEAR(at(BiquadType::highPass, 0.7, 0.0, rate / 2.0), 1.0, 1e-12);
    EXPECT_NEAR(at(BiquadType::highPass, 0.7, 0.0, 0.0), 0.0, 1e-12);
    EXPECT_NEAR(at(BiquadType::bandPass, 5.0, 0.0, f), 1.0, 1e-9);
    EXPECT_NEAR(at(BiquadType::bandPass, 5.0, 0.0, 0.0), 0.0, 1e-12);
    EXPECT_NEAR(test::toDbfs(at(BiquadType::peak, 2.0, 9.0, f)), 9.0, 1e-9);
    EXPECT_NEAR(test::toDbfs(at(BiquadType::peak, 2.0, -9.0, 0.0)), 0.0, 1e-9);
    EXPECT_NEAR(test::toDbfs(at(BiquadType::lowShelf, 0.7, 12.0, f)), 6.0, 1e-9);
    EXPECT_NEAR(test::toDbfs(at(BiquadType::lowShelf, 0.7, 12.0, 0.0)), 12.0, 1e-9);
    EXPECT_NEAR(test::toDbfs(at(BiquadType::lowShelf, 0.7, 12.0, rate / 2.0)), 0.0, 1e-9);
    EXPECT_NEAR(test::toDbfs(at(BiquadType::highShelf, 0.7, -10.0, f)), -5.0, 1e-9);
    EXPECT_NEAR(test::toDbfs(at(BiquadType::highShelf, 0.7, -10.0, rate / 2.0)), -10.0, 1e-9);
    EXPECT_NEAR(test::toDbfs(at(BiquadType::highShelf, 0.7, -10.0, 0.0)), 0.0, 1e-9);
}

// The node itself: a sine through the filter settles at the response the coefficients promise.
TEST_P(BiquadResponseTest, SineSettlesAtTheResponse) {
    const SampleRate rate = GetParam();
    const auto frames = static_cast<FrameCount>(rate); // 1 Hz DFT bins over the last half
    for (const BiquadType type : kAllTypes) {
        for (const double probe : {250.0, 1000.0, 4000.0}) {
            Biquad node(BiquadConfig{.type = type, .channels = 1});
            test::prepare(node, rate);
            node.setParameter(Biquad::kFrequency, 1000.0f);
            node.setParameter(Biquad::kQ, 1.5f);
            node.setParameter(Biquad::kGain, 6.0f);
            const AudioBuffer input = test::makeBuffer(1, frames, [&](ChannelCount, FrameCount i) {
                return static_cast<float>(0.5 *
                                          std::sin(2.0 * std::numbers::pi * probe * i / rate));
            });
            const AudioBuffer out = test::renderEffect(node, input, Partition{0, 8});
            const std::span<const float> tail(out.channel(0) + frames / 2, frames / 2);
            const double measured = test::dftMagnitude(tail, probe, rate) / 0.5;
            const double expected =
                magnitudeAt(makeBiquadCoefficients(type, 1000.0, 1.5f, 6.0, rate), probe, rate);
            EXPECT_NEAR(measured, expected, 1e-4 * std::max(1.0, expected))
                << typeName(type) << " at " << probe << " Hz";
        }
    }
}

TEST_P(BiquadResponseTest, ResetClearsTheFilterMemory) {
    for (const BiquadType type : kAllTypes) {
        Biquad used(BiquadConfig{.type = type});
        Biquad fresh(BiquadConfig{.type = type});
        test::prepare(used, GetParam());
        test::prepare(fresh, GetParam());
        for (Biquad* node : {&used, &fresh}) {
            node->setParameter(Biquad::kFrequency, 3000.0f);
            node->setParameter(Biquad::kGain, -4.0f);
        }
        static_cast<void>(test::renderEffect(used, test::noiseBuffer(2, 3000, 1), Partition{0, 1}));
        used.reset();
        const AudioBuffer impulse = test::makeBuffer(
            2, 500, [](ChannelCount, FrameCount i) { return i == 0 ? 1.0f : 0.0f; });
        EXPECT_TRUE(test::bitIdentical(test::renderEffect(used, impulse, Partition{0, 2}),
                                       test::renderEffect(fresh, impulse, Partition{0, 3})))
            << typeName(type);
    }
}

TEST_P(BiquadResponseTest, PerSampleValueTakesEffectAtItsFrame) {
    // A per-sample step from 500 Hz to 5 kHz at frame 1000 gives the same bits as constant values
    // with setParameter() between a block of 1000 frames and the rest.
    constexpr FrameCount frames = 3000;
    constexpr FrameCount change = 1000;
    const AudioBuffer input = test::noiseBuffer(2, frames, 5);
    for (const BiquadType type : kAllTypes) {
        Biquad stepped(BiquadConfig{.type = type});
        test::prepare(stepped, GetParam());
        stepped.setParameter(Biquad::kGain, 5.0f);
        RenderOptions options;
        options.perSample = test::flatPerSample(stepped, frames);
        std::fill(options.perSample[Biquad::kFrequency].begin(),
                  options.perSample[Biquad::kFrequency].begin() + change, 500.0f);
        std::fill(options.perSample[Biquad::kFrequency].begin() + change,
                  options.perSample[Biquad::kFrequency].end(), 5000.0f);
        const AudioBuffer perSample = test::renderEffect(stepped, input, Partition{0, 4}, options);

        Biquad blocks(BiquadConfig{.type = type});
        test::prepare(blocks, GetParam());
        blocks.setParameter(Biquad::kGain, 5.0f);
        blocks.setParameter(Biquad::kFrequency, 500.0f);
        const std::vector<AudioBuffer> inputs(1, input);
        AudioBuffer constant(2, frames);
        const std::vector<FrameCount> first = {change};
        const std::vector<FrameCount> second = {1000, 1000};
        const AudioBuffer head = test::makeBuffer(
            2, change, [&](ChannelCount c, FrameCount i) { return input.channel(c)[i]; });
        const AudioBuffer tail =
            test::makeBuffer(2, frames - change, [&](ChannelCount c, FrameCount i) {
                return input.channel(c)[change + i];
            });
        const AudioBuffer outHead = test::render(blocks, std::span(&head, 1), change, first)[0];
        blocks.setParameter(Biquad::kFrequency, 5000.0f);
        const AudioBuffer outTail =
            test::render(blocks, std::span(&tail, 1), frames - change, second)[0];
        for (ChannelCount c = 0; c < 2; ++c) {
            std::copy_n(outHead.channel(c), change, constant.channel(c));
            std::copy_n(outTail.channel(c), frames - change, constant.channel(c) + change);
        }
        EXPECT_TRUE(test::bitIdentical(perSample, constant)) << typeName(type);
    }
}

INSTANTIATE_TEST_SUITE_P(SampleRates, BiquadResponseTest,
                         ::testing::ValuesIn(test::allSampleRates()), test::sampleRateName);

class BiquadMatrixTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(BiquadMatrixTest, OutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 5000;
    const AudioBuffer input = test::noiseBuffer(2, frames, 31);
    for (const BiquadType type : kAllTypes) {
        Biquad node(BiquadConfig{.type = type});
        test::prepare(node, setup.sampleRate);
        node.setParameter(Biquad::kFrequency, 2500.0f);
        node.setParameter(Biquad::kQ, 3.0f);
        node.setParameter(Biquad::kGain, -7.5f);
        const AudioBuffer reference = test::renderEffect(node, input, kReference);
        node.reset();
        EXPECT_TRUE(test::bitIdentical(reference, test::renderEffect(node, input, setup.partition)))
            << typeName(type);
    }
}

TEST_P(BiquadMatrixTest, AutomatedOutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 5000;
    const AudioBuffer input = test::noiseBuffer(2, frames, 32);
    RenderOptions options;
    options.perSample.assign(3, std::vector<float>(frames));
    for (FrameCount i = 0; i < frames; ++i) {
        const auto t = static_cast<float>(i) / frames;
        options.perSample[Biquad::kFrequency][i] = 100.0f * std::pow(100.0f, t); // 100 Hz..10 kHz
        options.perSample[Biquad::kQ][i] = (i / 700) % 2 == 0 ? 0.7f : 4.0f;     // steps
        options.perSample[Biquad::kGain][i] = 12.0f * std::sin(6.0f * t);
    }
    for (const BiquadType type : kAllTypes) {
        Biquad node(BiquadConfig{.type = type});
        test::prepare(node, setup.sampleRate);
        const AudioBuffer reference = test::renderEffect(node, input, kReference, options);
        node.reset();
        EXPECT_TRUE(test::bitIdentical(reference,
                                       test::renderEffect(node, input, setup.partition, options)))
            << typeName(type);
    }
}

TEST_P(BiquadMatrixTest, FlatPerSampleValuesMatchConstantValues) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 3000;
    const AudioBuffer input = test::noiseBuffer(2, frames, 33);
    for (const BiquadType type : kAllTypes) {
        Biquad node(BiquadConfig{.type = type});
        test::prepare(node, setup.sampleRate);
        node.setParameter(Biquad::kFrequency, 777.0f);
        node.setParameter(Biquad::kGain, 3.0f);
        EXPECT_TRUE(test::flatPerSampleMatchesConstant(node, input, setup.partition))
            << typeName(type);
    }
}

INSTANTIATE_TEST_SUITE_P(Matrix, BiquadMatrixTest, ::testing::ValuesIn(test::allRenderCases()),
                         test::renderCaseName);

TEST(BiquadTest, DeclaresFrequencyQAndGain) {
    const Biquad node(BiquadConfig{.type = BiquadType::peak, .channels = 1});
    const NodeProperties props = node.properties();
    ASSERT_EQ(props.inputs.size(), 1u);
    EXPECT_EQ(props.inputs[0].channels, 1u);
    ASSERT_EQ(props.outputs.size(), 1u);
    ASSERT_EQ(props.parameters.size(), 3u);
    EXPECT_EQ(props.parameters[Biquad::kFrequency].id, "frequency");
    EXPECT_EQ(props.parameters[Biquad::kQ].id, "q");
    EXPECT_EQ(props.parameters[Biquad::kGain].id, "gain");
    EXPECT_EQ(props.latency, 0u);
    EXPECT_EQ(node.type(), BiquadType::peak);
    EXPECT_THROW(Biquad(BiquadConfig{.type = BiquadType::lowPass, .channels = 0}), Error);
}

TEST(BiquadTest, NanParameterValuesDoNotPoisonTheFilterMemory) {
    // NaN reads as the bottom of the frequency and Q ranges and as 0 dB, so a broken automation
    // value cannot leave NaN in the filter's state.
    constexpr FrameCount frames = 2000;
    for (const BiquadType type : kAllTypes) {
        Biquad node(BiquadConfig{.type = type, .channels = 1});
        test::prepare(node, 48000.0);
        RenderOptions options;
        options.perSample = test::flatPerSample(node, frames);
        for (std::vector<float>& values : options.perSample) {
            std::fill(values.begin() + 100, values.begin() + 110,
                      std::numeric_limits<float>::quiet_NaN());
        }
        const AudioBuffer out =
            test::renderEffect(node, test::noiseBuffer(1, frames, 34), Partition{64, 0}, options);
        for (FrameCount i = 0; i < frames; ++i) {
            ASSERT_TRUE(std::isfinite(out.channel(0)[i])) << typeName(type) << ", frame " << i;
        }
    }
}

TEST(BiquadTest, OutOfRangeSettingsStayStable) {
    // Frequencies beyond 0.49 fs and Q near 0 are clamped inside makeBiquadCoefficients: the poles
    // stay inside the unit circle (|a2| < 1 and |a1| < 1 + a2).
    for (const BiquadType type : kAllTypes) {
        for (const double f : {0.0, 1.0, 23000.0, 1e9}) {
            for (const double q : {0.0, 1e-6, 100.0}) {
                const BiquadCoefficients k = makeBiquadCoefficients(type, f, q, 24.0, 44100.0);
                EXPECT_LT(std::abs(k.a2), 1.0) << typeName(type) << " " << f << " " << q;
                EXPECT_LT(std::abs(k.a1), 1.0 + k.a2) << typeName(type) << " " << f << " " << q;
            }
        }
    }
}

} // namespace
} // namespace fluxforge
