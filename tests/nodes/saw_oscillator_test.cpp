// SawOscillator: band-limiting (aliasing against a naive ramp), level, block-size invariance and
// per-sample parameters.
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/saw_oscillator.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <numeric>

namespace fluxforge {
namespace {

using test::Partition;
using test::RenderCase;
using test::RenderOptions;

constexpr Partition kReference{test::kMaxBlockSize, 0};

std::vector<float> sweep(FrameCount frames, float from, float to) {
    std::vector<float> values(frames);
    for (FrameCount i = 0; i < frames; ++i) {
        values[i] = from + (to - from) * static_cast<float>(i) / static_cast<float>(frames);
    }
    return values;
}

class SawOscillatorMatrixTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(SawOscillatorMatrixTest, OutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 6000;
    SawOscillator node(SawOscillatorConfig{.channels = 2});
    test::prepare(node, setup.sampleRate);
    node.setParameter(SawOscillator::kFrequency, 1013.0f);
    const AudioBuffer reference = test::renderSource(node, frames, kReference);
    node.reset();
    EXPECT_TRUE(test::bitIdentical(reference, test::renderSource(node, frames, setup.partition)));
}

TEST_P(SawOscillatorMatrixTest, AutomatedOutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 6000;
    RenderOptions options;
    options.perSample = {sweep(frames, 50.0f, 12000.0f), sweep(frames, 0.1f, 1.0f)};
    SawOscillator node;
    test::prepare(node, setup.sampleRate);
    const AudioBuffer reference = test::renderSource(node, frames, kReference, options);
    node.reset();
    const AudioBuffer cut = test::renderSource(node, frames, setup.partition, options);
    EXPECT_TRUE(test::bitIdentical(reference, cut));
}

TEST_P(SawOscillatorMatrixTest, FlatPerSampleValuesMatchConstantValues) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 3000;
    SawOscillator node;
    test::prepare(node, setup.sampleRate);
    node.setParameter(SawOscillator::kFrequency, 2345.6f);
    node.setParameter(SawOscillator::kAmplitude, 0.7f);
    const AudioBuffer constant = test::renderSource(node, frames, setup.partition);
    node.reset();
    RenderOptions options;
    options.perSample = test::flatPerSample(node, frames);
    EXPECT_TRUE(
        test::bitIdentical(constant, test::renderSource(node, frames, setup.partition, options)));
}

INSTANTIATE_TEST_SUITE_P(Matrix, SawOscillatorMatrixTest,
                         ::testing::ValuesIn(test::allRenderCases()), test::renderCaseName);

// The spectrum of a saw at a frequency that is a multiple of 10 Hz, split into harmonics
// (multiples of f0) and everything else on the grid gcd(f0, rate), where all aliases fall. A tenth
// of a second holds a whole number of periods, so every component sits exactly on a DFT bin.
struct AliasReport {
    double fundamental = 0.0;
    double strongestAudibleAlias = 0.0; // relative to the fundamental, alias at or below 20 kHz
    double aliasPower = 0.0;            // sum of squared alias magnitudes / fundamental^2
};

AliasReport analyse(std::span<const float> samples, long f0, long rate) {
    AliasReport report;
    report.fundamental = test::dftMagnitude(samples, static_cast<double>(f0), rate);
    const long grid = std::gcd(f0, rate);
    for (long f = grid; 2 * f < rate; f += grid) {
        if (f % f0 == 0) {
            continue;
        }
        const double m = test::dftMagnitude(samples, static_cast<double>(f), rate);
        report.aliasPower += m * m;
        if (f <= 20000) {
            report.strongestAudibleAlias = std::max(report.strongestAudibleAlias, m);
        }
    }
    report.strongestAudibleAlias /= report.fundamental;
    report.aliasPower /= report.fundamental * report.fundamental;
    return report;
}

// The same ramp without the BLEP: what band-limiting is measured against.
std::vector<float> naiveSaw(FrameCount frames, double f0, double rate) {
    std::vector<float> samples(frames);
    double phase = 0.0;
    for (FrameCount i = 0; i < frames; ++i) {
        samples[i] = static_cast<float>(2.0 * phase - 1.0);
        phase += f0 / rate;
        if (phase >= 1.0) {
            phase -= 1.0;
        }
    }
    return samples;
}

class SawOscillatorTest : public ::testing::TestWithParam<SampleRate> {};

// What a two-point PolyBLEP can promise (docs/nodes.md has the measured table). Its residual
// removes most of the step's energy above Nyquist but not all: the strongest audible alias of a
// 440 Hz saw sits about 45 dB under the fundamental at 44.1 and 48 kHz (a naive ramp: about
// 35 dB), and total alias power drops by about 16 dB at every pitch. The limits below are those
// measurements with 2 to 3 dB of margin, so a regression (a sign error in the residual, a missed
// branch) fails while rounding noise does not.
TEST_P(SawOscillatorTest, AliasingStaysWellBelowANaiveRamp) {
    const auto rate = static_cast<long>(GetParam());
    struct Case {
        long f0;
        double maxAliasDb; // strongest audible alias, dB relative to the fundamental
    };
    for (const Case c :
         {Case{110, -52.0}, Case{440, -41.0}, Case{1250, -33.0}, Case{2500, -27.0}}) {
        SawOscillator node;
        test::prepare(node, static_cast<SampleRate>(rate));
        node.setParameter(SawOscillator::kFrequency, static_cast<float>(c.f0));
        node.setParameter(SawOscillator::kAmplitude, 1.0f);
        const auto frames = static_cast<FrameCount>(rate / 10);
        const AudioBuffer out = test::renderSource(node, frames, Partition{0, 5});
        const AliasReport blep =
            analyse(std::span<const float>(out.channel(0), frames), c.f0, rate);
        const std::vector<float> naive =
            naiveSaw(frames, static_cast<double>(c.f0), static_cast<double>(rate));
        const AliasReport reference = analyse(naive, c.f0, rate);

        EXPECT_LT(test::toDbfs(blep.strongestAudibleAlias), c.maxAliasDb) << c.f0 << " Hz";
        EXPECT_LT(test::toDbfs(blep.strongestAudibleAlias),
                  test::toDbfs(reference.strongestAudibleAlias) - 6.0)
            << c.f0 << " Hz";
        EXPECT_LT(10.0 * std::log10(blep.aliasPower),
                  10.0 * std::log10(reference.aliasPower) - 12.0)
            << c.f0 << " Hz";
    }
}

TEST_P(SawOscillatorTest, HarmonicsHaveSawtoothAmplitudes) {
    const SampleRate rate = GetParam();
    SawOscillator node;
    test::prepare(node, rate);
    node.setParameter(SawOscillator::kFrequency, 200.0f);
    node.setParameter(SawOscillator::kAmplitude, 0.5f);
    const auto frames = static_cast<FrameCount>(rate);
    const AudioBuffer out = test::renderSource(node, frames, Partition{64, 0});
    const std::span<const float> samples(out.channel(0), frames);
    // A saw from -a to a has harmonics of 2a / (pi k); the BLEP's gentle low-pass is far below 1%
    // at these harmonics.
    for (int k = 1; k <= 5; ++k) {
        const double expected = 2.0 * 0.5 / (std::numbers::pi * k);
        EXPECT_NEAR(test::dftMagnitude(samples, 200.0 * k, rate), expected, 0.01 * expected)
            << "harmonic " << k;
    }
}

TEST_P(SawOscillatorTest, StaysWithinTheAmplitude) {
    const SampleRate rate = GetParam();
    RenderOptions options;
    options.perSample.assign(2, {});
    constexpr FrameCount frames = 20000;
    options.perSample[SawOscillator::kFrequency] = sweep(frames, 20.0f, 20000.0f);
    SawOscillator node;
    test::prepare(node, rate);
    node.setParameter(SawOscillator::kAmplitude, 0.8f);
    const AudioBuffer out = test::renderSource(node, frames, Partition{0, 9}, options);
    for (FrameCount i = 0; i < frames; ++i) {
        ASSERT_LE(std::abs(out.channel(0)[i]), 0.8f) << "frame " << i;
    }
}

TEST_P(SawOscillatorTest, ResetRestartsTheWaveform) {
    SawOscillator node;
    test::prepare(node, GetParam());
    node.setParameter(SawOscillator::kFrequency, 777.0f);
    const AudioBuffer first = test::renderSource(node, 3000, Partition{0, 1});
    node.reset();
    EXPECT_TRUE(test::bitIdentical(first, test::renderSource(node, 3000, Partition{100, 0})));
}

TEST_P(SawOscillatorTest, PerSampleAmplitudeScalesEachFrame) {
    const SampleRate rate = GetParam();
    constexpr FrameCount frames = 4000;
    SawOscillator fixed;
    test::prepare(fixed, rate);
    fixed.setParameter(SawOscillator::kAmplitude, 1.0f);
    const AudioBuffer full = test::renderSource(fixed, frames, Partition{512, 0});

    RenderOptions options;
    options.perSample.assign(2, {});
    options.perSample[SawOscillator::kAmplitude] = sweep(frames, 0.0f, 1.0f);
    SawOscillator moving;
    test::prepare(moving, rate);
    const AudioBuffer scaled = test::renderSource(moving, frames, Partition{0, 3}, options);
    for (FrameCount i = 0; i < frames; ++i) {
        const double expected = static_cast<double>(full.channel(0)[i]) *
                                options.perSample[SawOscillator::kAmplitude][i];
        ASSERT_NEAR(scaled.channel(0)[i], expected, 1e-6) << "frame " << i;
    }
}

INSTANTIATE_TEST_SUITE_P(SampleRates, SawOscillatorTest,
                         ::testing::ValuesIn(test::allSampleRates()), test::sampleRateName);

TEST(SawOscillatorPolyBlepTest, ResidualIsZeroAwayFromTheJumpAndHalvesItAtTheJump) {
    EXPECT_EQ(SawWave::polyBlep(0.5, 0.01), 0.0);
    // At the jump the residual is -1 just after and +1 just before: the corrected ramp meets the
    // jump's midpoint (0) from both sides.
    EXPECT_DOUBLE_EQ(SawWave::polyBlep(0.0, 0.01), -1.0);
    EXPECT_NEAR(SawWave::polyBlep(1.0 - 1e-12, 0.01), 1.0, 1e-9);
    // Continuous where it starts: zero at one increment from the jump on either side.
    EXPECT_NEAR(SawWave::polyBlep(0.01 - 1e-12, 0.01), 0.0, 1e-9);
    EXPECT_NEAR(SawWave::polyBlep(0.99 + 1e-12, 0.01), 0.0, 1e-9);
}

} // namespace
} // namespace fluxforge
