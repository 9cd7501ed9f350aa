// Nodes and helpers for the parameter, automation and transport tests: probes whose output is the
// value they were given (a parameter, the timeline position), and a renderer that cuts a render
// into host blocks of any partition.
#pragma once

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/graph/node.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace fluxforge::test {

/// Outputs its parameters: channel p carries parameter p's value at every frame. Counts, for
/// parameter 0, the blocks it saw as a constant and as a per-sample buffer.
class ParameterProbe final : public Node {
public:
    explicit ParameterProbe(std::vector<ParameterInfo> parameters)
        : parameters_(std::move(parameters)) {}

    /// One parameter "value", range min..max, starting at `initial`.
    static std::shared_ptr<ParameterProbe> single(float min = 0.0f, float max = 1.0f,
                                                  float initial = 0.0f,
                                                  Automatable automatable = Automatable::yes) {
        return std::make_shared<ParameterProbe>(
            std::vector<ParameterInfo>{{"value", "Value", min, max, initial, "", automatable}});
    }

    [[nodiscard]] std::uint64_t constantBlocks() const noexcept { return constant_.load(); }
    [[nodiscard]] std::uint64_t perSampleBlocks() const noexcept { return perSample_.load(); }

protected:
    NodeProperties describe() const override {
        NodeProperties props;
        props.outputs.push_back({"out", static_cast<ChannelCount>(parameters_.size())});
        props.parameters = parameters_;
        return props;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        for (std::size_t p = 0; p < parameters_.size(); ++p) {
            const ParameterValues& values = context.parameter(p);
            float* out = context.outputs[0].channel(static_cast<ChannelCount>(p));
            for (FrameCount i = 0; i < context.numFrames; ++i) {
                out[i] = values.at(i);
            }
        }
        std::atomic<std::uint64_t>& counter =
            context.parameter(0).isConstant() ? constant_ : perSample_;
        counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

private:
    std::vector<ParameterInfo> parameters_;
    std::atomic<std::uint64_t> constant_{0};
    std::atomic<std::uint64_t> perSample_{0};
};

/// Shows the transport, frame by frame: channel 0 the timeline position of the frame, channel 1
/// 1 while playing and 0 while stopped, channel 2 the block's TimelineJump on its first frame
/// (0 elsewhere), channel 3 the engine clock (blockStart + i).
class TimelineProbe final : public Node {
public:
    static constexpr ChannelCount kChannels = 4;

protected:
    NodeProperties describe() const override {
        NodeProperties props;
        props.outputs.push_back({"out", kChannels});
        return props;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        const BufferView& out = context.outputs[0];
        for (FrameCount i = 0; i < context.numFrames; ++i) {
            out.channel(0)[i] = static_cast<float>(context.transport.positionAt(i));
            out.channel(1)[i] = context.transport.isPlaying() ? 1.0f : 0.0f;
            out.channel(2)[i] = i == 0 ? static_cast<float>(context.transport.jump) : 0.0f;
            out.channel(3)[i] = static_cast<float>(context.blockStart + i);
        }
    }
};

/// How a render is cut into host blocks: all `fixed` frames, or (fixed 0) random sizes in
/// 1..maxRandom drawn from `seed`.
struct Partition {
    FrameCount fixed = 0;
    std::uint32_t seed = 0;
    FrameCount maxRandom = 4096;

    [[nodiscard]] std::string name() const {
        return fixed != 0 ? "blocks" + std::to_string(fixed) : "random" + std::to_string(seed);
    }
};

/// Host block sizes 1..4096, fixed and random: what every sample-accuracy test runs over.
inline std::vector<Partition> hostPartitions() {
    return {{1, 0},   {2, 0},    {3, 0},    {7, 0}, {64, 0}, {100, 0}, {127, 0},
            {512, 0}, {1000, 0}, {4096, 0}, {0, 1}, {0, 2},  {0, 3}};
}

/// Runs `body(partition)` once per host partition, each run traced with the partition's name, and
/// stops at the first fatal failure. One test case per engine setup, rather than per partition,
/// keeps the number of CTest entries (one process each) small.
template <typename Body>
void forEachPartition(Body body) {
    for (const Partition& partition : hostPartitions()) {
        SCOPED_TRACE("host blocks: " + partition.name());
        body(partition);
        if (::testing::Test::HasFatalFailure()) {
            return;
        }
    }
}

/// Engine settings the tests run under.
struct EngineSetup {
    SampleRate sampleRate = 48000.0;
    FrameCount maxBlockSize = 512;
};

inline std::vector<EngineSetup> engineSetups() {
    return {{44100.0, 64}, {48000.0, 512}, {96000.0, 4096}};
}

/// Test-name suffix for an EngineSetup, e.g. "sr48000_max512".
inline std::string engineSetupName(const ::testing::TestParamInfo<EngineSetup>& info) {
    return "sr" + std::to_string(static_cast<long>(info.param.sampleRate)) + "_max" +
           std::to_string(info.param.maxBlockSize);
}

/// An engine configuration for these tests: the audio thread renders alone unless a test asks
/// for workers (the parameter machinery is per node, so the executor does not change a value).
inline EngineConfig engineConfig(SampleRate sampleRate, FrameCount maxBlockSize,
                                 double smoothingSeconds = 0.005) {
    EngineConfig config;
    config.sampleRate = sampleRate;
    config.maxBlockSize = maxBlockSize;
    config.workers = 1;
    config.parameterSmoothingSeconds = smoothingSeconds;
    return config;
}

/// Renders an engine in host blocks and keeps every channel of the output.
class Renderer {
public:
    Renderer(Engine& engine, ChannelCount channels, Partition partition)
        : engine_(engine)
        , block_(channels, 4096)
        , output_(channels)
        , partition_(partition)
        , random_(partition.seed) {}

    /// Renders `frames` more frames; the last block is cut short so the render ends exactly there.
    void render(FrameCount frames) {
        std::uniform_int_distribution<FrameCount> size(1, partition_.maxRandom);
        for (FrameCount done = 0; done < frames;) {
            const FrameCount wanted = partition_.fixed != 0 ? partition_.fixed : size(random_);
            const FrameCount n = std::min({wanted, frames - done, FrameCount{4096}});
            const BufferView view = block_.view().subFrames(0, n);
            engine_.process({}, view);
            for (ChannelCount c = 0; c < view.numChannels(); ++c) {
                output_[c].insert(output_[c].end(), view.channel(c), view.channel(c) + n);
            }
            done += n;
        }
    }

    [[nodiscard]] const std::vector<float>& channel(ChannelCount c) const { return output_[c]; }

private:
    Engine& engine_;
    AudioBuffer block_;
    std::vector<std::vector<float>> output_;
    Partition partition_;
    std::mt19937 random_;
};

/// A graph of one node feeding the output, committed to `engine`; returns the node's id.
inline NodeId commitSingle(Engine& engine, const std::shared_ptr<Node>& node,
                           ChannelCount channels) {
    Graph graph(GraphConfig{0, channels});
    const NodeId id = graph.add(node, "probe");
    graph.connect(id, graph.output());
    engine.commit(graph);
    return id;
}

/// Asserts that a try* call queued its command.
inline void expectOk(CommandStatus status) {
    ASSERT_EQ(status, CommandStatus::ok) << commandStatusMessage(status);
}

} // namespace fluxforge::test
