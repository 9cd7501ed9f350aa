// Mixer: summing order, per-input and master gains, block-size invariance and per-sample gains.
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/mixer.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace fluxforge {
namespace {

using test::Partition;
using test::RenderCase;
using test::RenderOptions;

constexpr Partition kReference{test::kMaxBlockSize, 0};

std::vector<AudioBuffer> noiseInputs(std::size_t count, ChannelCount channels, FrameCount frames) {
    std::vector<AudioBuffer> inputs;
    for (std::size_t k = 0; k < count; ++k) {
        inputs.push_back(test::noiseBuffer(channels, frames, static_cast<std::uint32_t>(100 + k)));
    }
    return inputs;
}

AudioBuffer renderMixer(Mixer& node, const std::vector<AudioBuffer>& inputs,
                        const Partition& partition, const RenderOptions& options = {}) {
    const FrameCount frames = inputs.front().numFrames();
    const std::vector<FrameCount> blocks = test::blockSizes(partition, frames);
    return std::move(test::render(node, inputs, frames, blocks, options).front());
}

TEST(MixerTest, SumsInPortOrder) {
    // 2^24 + 1 rounds back to 2^24 in float, so ((in0 + in1) + in2) is 0 while any order that
    // adds in2 before in1 gives 1.
    Mixer node(MixerConfig{.inputs = 3, .channels = 1});
    test::prepare(node, 48000.0);
    const auto constant = [](float value) {
        return test::makeBuffer(1, 100, [value](ChannelCount, FrameCount) { return value; });
    };
    const std::vector<AudioBuffer> inputs = {constant(16777216.0f), constant(1.0f),
                                             constant(-16777216.0f)};
    const AudioBuffer out = renderMixer(node, inputs, Partition{0, 1});
    for (FrameCount i = 0; i < 100; ++i) {
        ASSERT_EQ(out.channel(0)[i], 0.0f);
    }
}

TEST(MixerTest, AppliesEachInputsGainThenTheMaster) {
    Mixer node(MixerConfig{.inputs = 3, .channels = 2});
    test::prepare(node, 44100.0);
    node.setParameter(Mixer::inputGain(0), -6.0f);
    node.setParameter(Mixer::inputGain(1), 0.0f);
    node.setParameter(Mixer::inputGain(2), kSilenceDecibels);
    node.setParameter(Mixer::kMasterGain, 3.0f);
    const std::vector<AudioBuffer> inputs = noiseInputs(3, 2, 2000);
    const AudioBuffer out = renderMixer(node, inputs, Partition{64, 0});
    const auto g0 = static_cast<float>(std::pow(10.0, -6.0 / 20.0));
    const auto master = static_cast<float>(std::pow(10.0, 3.0 / 20.0));
    for (ChannelCount c = 0; c < 2; ++c) {
        for (FrameCount i = 0; i < 2000; ++i) {
            float sum = inputs[0].channel(c)[i] * g0;
            sum += inputs[1].channel(c)[i] * 1.0f;
            sum += inputs[2].channel(c)[i] * 0.0f;
            ASSERT_EQ(out.channel(c)[i], sum * master) << "channel " << c << ", frame " << i;
        }
    }
}

TEST(MixerTest, MasterAtTheBottomMutes) {
    Mixer node(MixerConfig{.inputs = 2, .channels = 1});
    test::prepare(node, 48000.0);
    node.setParameter(Mixer::kMasterGain, kSilenceDecibels);
    const AudioBuffer out = renderMixer(node, noiseInputs(2, 1, 500), Partition{0, 2});
    for (FrameCount i = 0; i < 500; ++i) {
        ASSERT_EQ(std::abs(out.channel(0)[i]), 0.0f);
    }
}

TEST(MixerTest, PerSampleGainsFollowEachFrame) {
    constexpr FrameCount frames = 1000;
    Mixer node(MixerConfig{.inputs = 2, .channels = 1});
    test::prepare(node, 48000.0);
    RenderOptions options;
    options.perSample.assign(3, {});
    options.perSample[Mixer::inputGain(1)].resize(frames);
    options.perSample[Mixer::kMasterGain].resize(frames);
    for (FrameCount i = 0; i < frames; ++i) {
        options.perSample[Mixer::inputGain(1)][i] = -60.0f + 0.06f * static_cast<float>(i);
        options.perSample[Mixer::kMasterGain][i] = (i / 100) % 2 == 0 ? 0.0f : -12.0f;
    }
    const std::vector<AudioBuffer> inputs = noiseInputs(2, 1, frames);
    const AudioBuffer out = renderMixer(node, inputs, Partition{0, 5}, options);
    for (FrameCount i = 0; i < frames; ++i) {
        const auto g1 = static_cast<float>(
            std::pow(10.0, static_cast<double>(options.perSample[Mixer::inputGain(1)][i]) / 20.0));
        const auto master = static_cast<float>(
            std::pow(10.0, static_cast<double>(options.perSample[Mixer::kMasterGain][i]) / 20.0));
        float sum = inputs[0].channel(0)[i] * 1.0f;
        sum += inputs[1].channel(0)[i] * g1;
        ASSERT_EQ(out.channel(0)[i], sum * master) << "frame " << i;
    }
}

class MixerMatrixTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(MixerMatrixTest, AutomatedOutputIsBlockSizeInvariant) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 4000;
    Mixer node(MixerConfig{.inputs = 4, .channels = 2});
    test::prepare(node, setup.sampleRate);
    node.setParameter(Mixer::inputGain(3), -9.0f);
    RenderOptions options;
    options.perSample.assign(5, {});
    options.perSample[Mixer::kMasterGain].resize(frames);
    options.perSample[Mixer::inputGain(1)].resize(frames);
    for (FrameCount i = 0; i < frames; ++i) {
        options.perSample[Mixer::kMasterGain][i] = -6.0f * std::sin(static_cast<float>(i) * 1e-3f);
        options.perSample[Mixer::inputGain(1)][i] = -30.0f + static_cast<float>(i % 700) / 20.0f;
    }
    const std::vector<AudioBuffer> inputs = noiseInputs(4, 2, frames);
    const AudioBuffer reference = renderMixer(node, inputs, kReference, options);
    EXPECT_TRUE(test::bitIdentical(reference, renderMixer(node, inputs, setup.partition, options)));
}

TEST_P(MixerMatrixTest, FlatPerSampleValuesMatchConstantValues) {
    const RenderCase& setup = GetParam();
    constexpr FrameCount frames = 3000;
    Mixer node(MixerConfig{.inputs = 3, .channels = 2});
    test::prepare(node, setup.sampleRate);
    node.setParameter(Mixer::inputGain(0), -1.5f);
    node.setParameter(Mixer::inputGain(2), 4.0f);
    node.setParameter(Mixer::kMasterGain, -2.0f);
    const std::vector<AudioBuffer> inputs = noiseInputs(3, 2, frames);
    const AudioBuffer constant = renderMixer(node, inputs, setup.partition);
    RenderOptions options;
    options.perSample = test::flatPerSample(node, frames);
    EXPECT_TRUE(test::bitIdentical(constant, renderMixer(node, inputs, setup.partition, options)));
}

INSTANTIATE_TEST_SUITE_P(Matrix, MixerMatrixTest, ::testing::ValuesIn(test::allRenderCases()),
                         test::renderCaseName);

TEST(MixerTest, DeclaresPortsAndGains) {
    const Mixer node(MixerConfig{.inputs = 3, .channels = 4});
    const NodeProperties props = node.properties();
    ASSERT_EQ(props.inputs.size(), 3u);
    EXPECT_EQ(props.inputs[2].name, "in2");
    EXPECT_EQ(props.inputs[2].channels, 4u);
    ASSERT_EQ(props.outputs.size(), 1u);
    EXPECT_EQ(props.outputs[0].channels, 4u);
    ASSERT_EQ(props.parameters.size(), 4u);
    EXPECT_EQ(props.parameters[Mixer::kMasterGain].id, "master");
    EXPECT_EQ(props.parameters[Mixer::inputGain(0)].id, "gain0");
    EXPECT_EQ(props.parameters[Mixer::inputGain(2)].id, "gain2");
    EXPECT_EQ(node.numInputs(), 3u);
    EXPECT_THROW(Mixer(MixerConfig{.inputs = 0, .channels = 2}), Error);
    EXPECT_THROW(Mixer(MixerConfig{.inputs = 2, .channels = 0}), Error);
}

} // namespace
} // namespace fluxforge
