// A small harness for node tests: prepares a node and renders it block by block, building the
// ProcessContext directly (no graph, no engine), in any partition of the frames into blocks and
// with parameters either as the node's constant per-block values or as per-sample arrays.
#pragma once

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/graph/node.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace fluxforge::test {

/// The largest block the harness prepares nodes for.
inline constexpr FrameCount kMaxBlockSize = 1024;

/// How a render is cut into blocks: all blocks `fixedSize` frames (the last one shorter), or, when
/// fixedSize is 0, random sizes in 1..kMaxBlockSize drawn from `seed`.
struct Partition {
    FrameCount fixedSize = 0;
    std::uint32_t seed = 0;

    [[nodiscard]] std::string name() const {
        return fixedSize != 0 ? "blocks" + std::to_string(fixedSize)
                              : "random" + std::to_string(seed);
    }
};

/// The block sizes of `partition` for `total` frames.
inline std::vector<FrameCount> blockSizes(const Partition& partition, FrameCount total) {
    std::vector<FrameCount> sizes;
    std::mt19937 random(partition.seed);
    std::uniform_int_distribution<FrameCount> size(1, kMaxBlockSize);
    for (FrameCount done = 0; done < total;) {
        const FrameCount wanted = partition.fixedSize != 0 ? partition.fixedSize : size(random);
        const FrameCount n = std::min(wanted, total - done);
        sizes.push_back(n);
        done += n;
    }
    return sizes;
}

/// The partitions every invariance test runs: blocks of 1, 64, 1024 and two random cuts.
inline std::vector<Partition> allPartitions() {
    return {{1, 0}, {64, 0}, {1024, 0}, {0, 1}, {0, 2}};
}

/// The sample rates audio tests run at.
inline std::vector<SampleRate> allSampleRates() {
    return {44100.0, 48000.0, 96000.0};
}

/// One cell of the test matrix.
struct RenderCase {
    SampleRate sampleRate = 48000.0;
    Partition partition;
};

inline std::vector<RenderCase> allRenderCases() {
    std::vector<RenderCase> cases;
    for (SampleRate rate : allSampleRates()) {
        for (const Partition& partition : allPartitions()) {
            cases.push_back({rate, partition});
        }
    }
    return cases;
}

/// Test-name suffix for a RenderCase, e.g. "sr48000_blocks64".
inline std::string renderCaseName(const ::testing::TestParamInfo<RenderCase>& info) {
    return "sr" + std::to_string(static_cast<long>(info.param.sampleRate)) + "_" +
           info.param.partition.name();
}

/// Test-name suffix for a sample rate, e.g. "sr48000".
inline std::string sampleRateName(const ::testing::TestParamInfo<SampleRate>& info) {
    return "sr" + std::to_string(static_cast<long>(info.param));
}

/// What a render feeds the node besides its inputs.
struct RenderOptions {
    /// Per parameter index: a per-sample array covering the whole render, or empty to pass the
    /// node's own constant value for each block (node.updateParameters, as the engine does today).
    std::vector<std::vector<float>> perSample;
    /// Engine time of the first frame.
    SampleTime start = 0;
};

/// Prepares `node` for `sampleRate` and kMaxBlockSize.
inline void prepare(Node& node, SampleRate sampleRate) {
    node.prepare(PrepareContext{sampleRate, kMaxBlockSize});
}

/// Renders `frames` frames of a prepared node in blocks of `blocks` (which must sum to `frames`),
/// feeding `inputs` (one full-length buffer per input port) and returning one full-length buffer
/// per output port. Before every block the output scratch is filled with NaN, so a node that
/// leaves a sample unwritten is caught. process() runs inside a RealtimeScope: in the
/// RealtimeSanitizer build any allocation, lock or blocking call in it fails the test.
inline std::vector<AudioBuffer> render(Node& node, std::span<const AudioBuffer> inputs,
                                       FrameCount frames, std::span<const FrameCount> blocks,
                                       const RenderOptions& options = {}) {
    const NodeProperties props = node.properties();
    EXPECT_EQ(inputs.size(), props.inputs.size()) << "one input buffer per input port";
    EXPECT_EQ(std::accumulate(blocks.begin(), blocks.end(), FrameCount{0}), frames);

    std::vector<AudioBuffer> outputs;
    std::vector<AudioBuffer> scratch;
    for (const PortInfo& port : props.outputs) {
        outputs.emplace_back(port.channels, frames);
        scratch.emplace_back(port.channels, kMaxBlockSize);
    }
    for (std::size_t p = 0; p < options.perSample.size(); ++p) {
        EXPECT_TRUE(options.perSample[p].empty() || options.perSample[p].size() >= frames)
            << "per-sample values of parameter " << p << " must cover the render";
    }
    // Everything the block loop needs is allocated here, outside the real-time scope.
    std::vector<ConstBufferView> inputViews(inputs.size());
    std::vector<BufferView> outputViews(outputs.size());
    std::vector<ParameterValues> parameters(props.parameters.size());

    FrameCount offset = 0;
    for (const FrameCount n : blocks) {
        for (std::size_t p = 0; p < inputs.size(); ++p) {
            inputViews[p] = inputs[p].view().subFrames(offset, n);
        }
        for (std::size_t p = 0; p < outputs.size(); ++p) {
            for (ChannelCount c = 0; c < scratch[p].numChannels(); ++c) {
                std::fill_n(scratch[p].channel(c), kMaxBlockSize,
                            std::numeric_limits<float>::quiet_NaN());
            }
            outputViews[p] = scratch[p].view().subFrames(0, n);
        }
        ProcessContext context;
        context.numFrames = n;
        context.sampleRate = node.preparedFor()->sampleRate;
        context.blockStart = options.start + static_cast<SampleTime>(offset);
        context.inputs = inputViews;
        context.outputs = outputViews;
        {
            const RealtimeScope realtime;
            const std::span<const ParameterValues> values = node.updateParameters(n);
            for (std::size_t p = 0; p < parameters.size(); ++p) {
                parameters[p] = values[p];
                if (p < options.perSample.size() && !options.perSample[p].empty()) {
                    parameters[p].setPerSample(options.perSample[p].data() + offset);
                }
            }
            context.parameters = parameters;
            node.process(context);
        }
        for (std::size_t p = 0; p < outputs.size(); ++p) {
            for (ChannelCount c = 0; c < outputs[p].numChannels(); ++c) {
                std::copy_n(scratch[p].channel(c), n, outputs[p].channel(c) + offset);
            }
        }
        offset += n;
    }
    return outputs;
}

/// render() for a node with no inputs and one output.
inline AudioBuffer renderSource(Node& node, FrameCount frames, const Partition& partition,
                                const RenderOptions& options = {}) {
    const std::vector<FrameCount> blocks = blockSizes(partition, frames);
    return std::move(render(node, {}, frames, blocks, options).front());
}

/// render() for a node with one input and one output.
inline AudioBuffer renderEffect(Node& node, const AudioBuffer& input, const Partition& partition,
                                const RenderOptions& options = {}) {
    const std::vector<FrameCount> blocks = blockSizes(partition, input.numFrames());
    return std::move(
        render(node, std::span<const AudioBuffer>(&input, 1), input.numFrames(), blocks, options)
            .front());
}

/// Per-sample arrays holding each parameter's current value for `frames` frames: fed to render(),
/// they must give the same bits as the constant values.
inline std::vector<std::vector<float>> flatPerSample(const Node& node, FrameCount frames) {
    std::vector<std::vector<float>> values;
    for (std::size_t p = 0; p < node.parameterInfos().size(); ++p) {
        values.emplace_back(frames, node.parameter(p));
    }
    return values;
}

/// Every sample of `a` and `b` has the same bits (so +0 and -0 differ, and equal NaNs match).
inline ::testing::AssertionResult bitIdentical(const AudioBuffer& a, const AudioBuffer& b) {
    if (a.numChannels() != b.numChannels() || a.numFrames() != b.numFrames()) {
        return ::testing::AssertionFailure()
               << "shapes differ: " << a.numChannels() << "x" << a.numFrames() << " vs "
               << b.numChannels() << "x" << b.numFrames();
    }
    for (ChannelCount c = 0; c < a.numChannels(); ++c) {
        for (FrameCount i = 0; i < a.numFrames(); ++i) {
            if (std::bit_cast<std::uint32_t>(a.channel(c)[i]) !=
                std::bit_cast<std::uint32_t>(b.channel(c)[i])) {
                return ::testing::AssertionFailure()
                       << "first difference at channel " << c << ", frame " << i << ": "
                       << a.channel(c)[i] << " vs " << b.channel(c)[i];
            }
        }
    }
    return ::testing::AssertionSuccess();
}

/// Renders `node` (prepared, parameters set) over `input` in `partition` twice, with its constant
/// parameter values and then with the same values as per-sample arrays (flatPerSample), resetting
/// it in between; succeeds when the two give the same bits.
inline ::testing::AssertionResult flatPerSampleMatchesConstant(Node& node, const AudioBuffer& input,
                                                               const Partition& partition) {
    const AudioBuffer constant = renderEffect(node, input, partition);
    node.reset();
    RenderOptions options;
    options.perSample = flatPerSample(node, input.numFrames());
    return bitIdentical(constant, renderEffect(node, input, partition, options));
}

/// A buffer of `channels` x `frames` filled by `value(channel, frame)`.
template <typename Function>
AudioBuffer makeBuffer(ChannelCount channels, FrameCount frames, Function value) {
    AudioBuffer buffer(channels, frames);
    for (ChannelCount c = 0; c < channels; ++c) {
        for (FrameCount i = 0; i < frames; ++i) {
            buffer.channel(c)[i] = value(c, i);
        }
    }
    return buffer;
}

/// Uniform noise in [-amplitude, amplitude) from std::mt19937 (independent of the NoiseSource
/// under test), channel after channel.
inline AudioBuffer noiseBuffer(ChannelCount channels, FrameCount frames, std::uint32_t seed,
                               float amplitude = 0.5f) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> uniform(-amplitude, amplitude);
    return makeBuffer(channels, frames, [&](ChannelCount, FrameCount) { return uniform(random); });
}

/// The largest absolute sample difference between two buffers of the same shape.
inline double maxAbsDifference(const AudioBuffer& a, const AudioBuffer& b) {
    double result = 0.0;
    for (ChannelCount c = 0; c < a.numChannels(); ++c) {
        for (FrameCount i = 0; i < a.numFrames(); ++i) {
            result = std::max(result, std::abs(static_cast<double>(a.channel(c)[i]) -
                                               static_cast<double>(b.channel(c)[i])));
        }
    }
    return result;
}

/// A linear amplitude in dB relative to full scale (1.0); -inf for 0.
inline double toDbfs(double amplitude) {
    return 20.0 * std::log10(amplitude);
}

/// Magnitude of the DFT of `samples` at `frequency` (Hz), normalised so that a full-scale sine
/// on a bin reads 1. Evaluated directly (Goertzel-like, in double) for the few bins a test needs.
inline double dftMagnitude(std::span<const float> samples, double frequency,
                           SampleRate sampleRate) {
    const double w = 2.0 * 3.14159265358979323846 * frequency / sampleRate;
    const double coefficient = 2.0 * std::cos(w);
    double s1 = 0.0;
    double s2 = 0.0;
    for (const float x : samples) {
        const double s0 = static_cast<double>(x) + coefficient * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    const double re = s1 - s2 * std::cos(w);
    const double im = s2 * std::sin(w);
    return 2.0 * std::sqrt(re * re + im * im) / static_cast<double>(samples.size());
}

} // namespace fluxforge::test
