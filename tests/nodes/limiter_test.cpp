// Limiter: the look-ahead as latency, an exact delay below the ceiling, the ceiling never
// exceeded, a smooth gain ramp before a peak, release, block-size invariance, per-sample
// parameters, and compensation by the engine.
#include "nodes/node_harness.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/nodes/impulse_source.hpp>
#include <fluxforge/nodes/limiter.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace fluxforge {
namespace {

using test::Partition;
using test::RenderCase;
using test::RenderOptions;

constexpr Partition kReference{test::kMaxBlockSize, 0};

float ceilingOf(float decibels) {
    return static_cast<float>(std::pow(10.0, static_cast<double>(decibels) / 20.0));
}

TEST(LimiterConfigTest, TheLookAheadIsFixedInFramesAtConstruction) {
    EXPECT_EQ(Limiter(LimiterConfig{}).lookAheadFrames(), 240u); // 5 ms at 48 kHz
    EXPECT_EQ(Limiter(LimiterConfig{.lookAheadMs = 5.0, .sampleRate = 44100.0}).lookAheadFrames(),
              221u); // 220.5 rounds up
    EXPECT_EQ(Limiter(LimiterConfig{.lookAheadFrames = 2048}).lookAheadFrames(), 2048u);
    EXPECT_EQ(Limiter(LimiterConfig{.lookAheadMs = 0.0}).lookAheadFrames(), 0u);
    EXPECT_EQ(Limiter(LimiterConfig{.lookAheadFrames = 2048}).properties().latency, 2048u);
}

TEST(LimiterConfigTest, BadConfigsThrowNamingTheField) {
    const auto message = [](const LimiterConfig& config) {
        try {
            const Limiter limiter(config);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(message({.channels = 0}).find("channels"), std::string::npos);
    EXPECT_NE(message({.lookAheadMs = -1.0}).find("lookAheadMs"), std::string::npos);
    EXPECT_NE(message({.lookAheadMs = 1.0, .sampleRate = 0.0}).find("sampleRate"),
              std::string::npos);
    EXPECT_NE(message({.lookAheadFrames = Limiter::kMaxLookAheadFrames + 1}).find("look-ahead"),
              std::string::npos);
}

TEST(LimiterPropertiesTest, DeclaresPortsParametersAndLatency) {
    const Limiter node(LimiterConfig{.lookAheadFrames = 64, .channels = 3});
    const NodeProperties props = node.properties();
    ASSERT_EQ(props.inputs.size(), 1u);
    EXPECT_EQ(props.inputs[0].channels, 3u);
    ASSERT_EQ(props.outputs.size(), 1u);
    EXPECT_EQ(props.outputs[0].channels, 3u);
    EXPECT_EQ(props.latency, 64u);
    ASSERT_EQ(props.parameters.size(), 2u);
    EXPECT_EQ(props.parameters[Limiter::kCeiling].id, "ceiling");
    EXPECT_EQ(props.parameters[Limiter::kCeiling].unit, "dB");
    EXPECT_EQ(props.parameters[Limiter::kRelease].id, "release");
}

class LimiterTest : public ::testing::TestWithParam<SampleRate> {};

TEST_P(LimiterTest, BelowTheCeilingItIsAnExactDelayOfItsLookAhead) {
    for (const FrameCount lookAhead : {0u, 1u, 100u, 2048u}) {
        Limiter node(LimiterConfig{.lookAheadFrames = lookAhead});
        test::prepare(node, GetParam());
        const AudioBuffer input = test::noiseBuffer(2, lookAhead + 3000, 51, 0.5f);
        const AudioBuffer out = test::renderEffect(node, input, Partition{0, 9});
        for (ChannelCount c = 0; c < 2; ++c) {
            for (FrameCount i = 0; i < input.numFrames(); ++i) {
                const float expected = i < lookAhead ? 0.0f : input.channel(c)[i - lookAhead];
                ASSERT_EQ(out.channel(c)[i], expected) << "look-ahead " << lookAhead << ", " << i;
            }
        }
        EXPECT_EQ(node.gainReductionDecibelsApprox(), 0.0f);
    }
}

TEST_P(LimiterTest, TheOutputNeverExceedsTheCeiling) {
    const SampleRate rate = GetParam();
    for (const FrameCount lookAhead : {0u, 32u, 480u}) {
        for (const float ceilingDb : {-0.1f, -6.0f, -20.0f}) {
            Limiter node(LimiterConfig{.lookAheadFrames = lookAhead});
            test::prepare(node, rate);
            node.setParameter(Limiter::kCeiling, ceilingDb);
            node.setParameter(Limiter::kRelease, 20.0f);
            // Loud noise with isolated spikes far above it, and a burst of full-scale square wave.
            const AudioBuffer input = test::makeBuffer(
                2, 12000,
                [noise = test::noiseBuffer(2, 12000, 52, 2.0f)](ChannelCount c, FrameCount i) {
                    if (i % 997 == 0) {
                        return c == 0 ? 16.0f : -9.0f;
                    }
                    if (i > 6000 && i < 7000) {
                        return (i / 7) % 2 == 0 ? 1.0f : -1.0f;
                    }
                    return noise.channel(c)[i];
                });
            const AudioBuffer out = test::renderEffect(node, input, Partition{0, 10});
            const float top = ceilingOf(ceilingDb);
            for (ChannelCount c = 0; c < 2; ++c) {
                for (FrameCount i = 0; i < out.numFrames(); ++i) {
                    ASSERT_LE(std::abs(out.channel(c)[i]), top)
                        << "look-ahead " << lookAhead << ", ceiling " << ceilingDb << ", " << i;
                }
            }
            EXPECT_GT(node.gainReductionDecibelsApprox(), 0.0f);
        }
    }
}

TEST_P(LimiterTest, TheGainRampsDownOverTheLookAheadBeforeAPeakAndRecoversAfterIt) {
    const SampleRate rate = GetParam();
    constexpr FrameCount lookAhead = 200;
    constexpr FrameCount spike = 1000;
    Limiter node(LimiterConfig{.lookAheadFrames = lookAhead, .channels = 1});
    test::prepare(node, rate);
    node.setParameter(Limiter::kCeiling, 0.0f);
    node.setParameter(Limiter::kRelease, 10.0f);
    const auto frames = static_cast<FrameCount>(rate); // one second
    // A steady 0.5 with one sample at 4 (12 dB over the ceiling).
    const AudioBuffer input = test::makeBuffer(
        1, frames, [](ChannelCount, FrameCount i) { return i == spike ? 4.0f : 0.5f; });
    const AudioBuffer out = test::renderEffect(node, input, Partition{64, 0});
    const auto gain = [&](FrameCount i) {
        return out.channel(0)[i] / input.channel(0)[i - lookAhead];
    };
    // Untouched until L frames before the spike comes out ...
    for (FrameCount i = lookAhead; i < spike; ++i) {
        ASSERT_EQ(gain(i), 1.0f) << i;
    }
    // ... then a straight ramp down to exactly what the spike needs ...
    for (FrameCount i = spike; i < spike + lookAhead; ++i) {
        ASSERT_LT(gain(i + 1), gain(i)) << i;
        ASSERT_NEAR(gain(i) - gain(i + 1), 0.75f / (lookAhead + 1), 1e-5f) << i;
    }
    EXPECT_NEAR(out.channel(0)[spike + lookAhead], 1.0f, 1e-6f);
    EXPECT_LE(out.channel(0)[spike + lookAhead], 1.0f);
    // ... and back up with the release, to exactly 1 (the limiter is an exact delay again).
    EXPECT_LT(gain(spike + lookAhead + 100), 1.0f);
    EXPECT_GT(gain(spike + lookAhead + 100), gain(spike + lookAhead + 1));
    EXPECT_EQ(out.channel(0)[frames - 1], 0.5f);
}

INSTANTIATE_TEST_SUITE_P(SampleRates, LimiterTest, ::testing::ValuesIn(test::allSampleRates()),
                         test::sampleRateName);

class LimiterMatrixTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(LimiterMatrixTest, AutomatedOutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 5000;
    RenderOptions options;
    options.perSample.assign(2, std::vector<float>(frames));
    for (FrameCount i = 0; i < frames; ++i) {
        options.perSample[Limiter::kCeiling][i] = -12.0f * std::abs(std::sin(0.002f * i));
        options.perSample[Limiter::kRelease][i] = i < frames / 2 ? 5.0f : 50.0f;
    }
    Limiter node(LimiterConfig{.lookAheadFrames = 300});
    test::prepare(node, setup.sampleRate);
    const AudioBuffer input = test::noiseBuffer(2, frames, 53, 1.5f);
    const AudioBuffer reference = test::renderEffect(node, input, kReference, options);
    node.reset();
    EXPECT_TRUE(
        test::bitIdentical(reference, test::renderEffect(node, input, setup.partition, options)));
}

TEST_P(LimiterMatrixTest, FlatPerSampleValuesMatchConstantValues) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 3000;
    Limiter node(LimiterConfig{.lookAheadFrames = 100});
    test::prepare(node, setup.sampleRate);
    node.setParameter(Limiter::kCeiling, -3.0f);
    node.setParameter(Limiter::kRelease, 40.0f);
    const AudioBuffer input = test::noiseBuffer(2, frames, 54, 1.2f);
    const AudioBuffer constantOut = test::renderEffect(node, input, setup.partition);
    node.reset();
    RenderOptions options;
    options.perSample = test::flatPerSample(node, frames);
    EXPECT_TRUE(
        test::bitIdentical(constantOut, test::renderEffect(node, input, setup.partition, options)));
}

INSTANTIATE_TEST_SUITE_P(Matrix, LimiterMatrixTest, ::testing::ValuesIn(test::allRenderCases()),
                         test::renderCaseName);

// In a graph, the engine compensates the look-ahead: a limited path and a dry path meet aligned,
// and the engine reports the look-ahead as its output latency.
TEST(LimiterPdcTest, TheEngineCompensatesTheLookAhead) {
    constexpr FrameCount lookAhead = 777;
    constexpr SampleTime impulseAt = 1000;
    Engine engine(EngineConfig{.sampleRate = 48000.0, .maxBlockSize = 256, .workers = 1});
    Graph graph(GraphConfig{0, 1});
    const NodeId wetSource = graph.add(std::make_shared<ImpulseSource>(
        ImpulseSourceConfig{.time = impulseAt, .amplitude = 0.25f}));
    const NodeId drySource = graph.add(
        std::make_shared<ImpulseSource>(ImpulseSourceConfig{.time = impulseAt, .amplitude = 0.5f}));
    const NodeId limiter = graph.add(
        std::make_shared<Limiter>(LimiterConfig{.lookAheadFrames = lookAhead, .channels = 1}));
    graph.connect(wetSource, limiter);
    graph.connect(limiter, graph.output());
    graph.connect(drySource, graph.output());
    engine.commit(graph);
    EXPECT_EQ(engine.latencyOf(limiter), lookAhead);
    EXPECT_EQ(engine.outputLatency(), lookAhead);

    AudioBuffer out(1, 4000);
    engine.process({}, out.view());
    for (FrameCount i = 0; i < out.numFrames(); ++i) {
        ASSERT_EQ(out.channel(0)[i], i == impulseAt + lookAhead ? 0.75f : 0.0f) << i;
    }
}

} // namespace
} // namespace fluxforge
