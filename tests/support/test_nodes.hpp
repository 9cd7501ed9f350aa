// Small nodes for testing the graph, compiler, executors and engine: their output is a known
// function of their inputs and the sample clock, so a test can predict every sample.
#pragma once

#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/graph/node.hpp>

#include <atomic>
#include <cstdint>
#include <vector>

namespace fluxforge::test {

/// Outputs a constant on every channel.
class ConstantSource final : public Node {
public:
    explicit ConstantSource(float value, ChannelCount channels = 1)
        : value_(value)
        , channels_(channels) {}

protected:
    NodeProperties describe() const override {
        NodeProperties p;
        p.outputs.push_back({"out", channels_});
        return p;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        for (ChannelCount c = 0; c < channels_; ++c) {
            float* out = context.outputs[0].channel(c);
            for (FrameCount i = 0; i < context.numFrames; ++i)
                out[i] = value_;
        }
    }

private:
    float value_;
    ChannelCount channels_;
};

/// Outputs its own running sample count (frames processed since prepare/reset) plus an offset:
/// a ramp that shows whether blocks arrive whole, in order and without gaps.
class RampSource final : public Node {
public:
    explicit RampSource(float offset = 0.0f, ChannelCount channels = 1)
        : offset_(offset)
        , channels_(channels) {}

protected:
    NodeProperties describe() const override {
        NodeProperties p;
        p.outputs.push_back({"out", channels_});
        return p;
    }
    void onPrepare(const PrepareContext&) override { count_ = 0; }
    void onReset() noexcept override { count_ = 0; }
    void onProcess(const ProcessContext& context) noexcept override {
        for (ChannelCount c = 0; c < channels_; ++c) {
            float* out = context.outputs[0].channel(c);
            for (FrameCount i = 0; i < context.numFrames; ++i) {
                out[i] = offset_ + static_cast<float>(count_ + i);
            }
        }
        count_ += context.numFrames;
    }

private:
    float offset_;
    ChannelCount channels_;
    std::uint64_t count_ = 0; // audio thread
};

/// Outputs the engine clock of each frame (blockStart + i).
class ClockSource final : public Node {
protected:
    NodeProperties describe() const override {
        NodeProperties p;
        p.outputs.push_back({"out", 1});
        return p;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        float* out = context.outputs[0].channel(0);
        for (FrameCount i = 0; i < context.numFrames; ++i) {
            out[i] = static_cast<float>(context.blockStart + i);
        }
    }
};

/// `inputs` input ports and `outputs` output ports of `channels` channels each. Every output is
/// the sum of all inputs (in port order) times `gain`, plus `bias`.
class MixNode final : public Node {
public:
    MixNode(std::uint32_t inputs, std::uint32_t outputs, ChannelCount channels = 1,
            float gain = 1.0f, float bias = 0.0f)
        : inputs_(inputs)
        , outputs_(outputs)
        , channels_(channels)
        , gain_(gain)
        , bias_(bias) {}

    /// Changes what the node reports (to test validation at compile time).
    void setChannels(ChannelCount channels) { channels_ = channels; }
    void setPortCounts(std::uint32_t inputs, std::uint32_t outputs) {
        inputs_ = inputs;
        outputs_ = outputs;
    }

protected:
    NodeProperties describe() const override {
        NodeProperties p;
        for (std::uint32_t i = 0; i < inputs_; ++i)
            p.inputs.push_back({"in", channels_});
        for (std::uint32_t o = 0; o < outputs_; ++o)
            p.outputs.push_back({"out", channels_});
        return p;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        for (const BufferView& out : context.outputs) {
            for (ChannelCount c = 0; c < out.numChannels(); ++c) {
                float* o = out.channel(c);
                for (FrameCount i = 0; i < context.numFrames; ++i) {
                    float sum = 0.0f;
                    for (const ConstBufferView& in : context.inputs)
                        sum += in.channel(c)[i];
                    o[i] = sum * gain_ + bias_;
                }
            }
        }
    }

private:
    std::uint32_t inputs_;
    std::uint32_t outputs_;
    ChannelCount channels_;
    float gain_;
    float bias_;
};

/// One input, one output: passes its input through and counts its process() calls.
class CountingPass final : public Node {
public:
    explicit CountingPass(ChannelCount channels = 1)
        : channels_(channels) {}

    [[nodiscard]] std::uint64_t calls() const noexcept { return calls_.load(); }

protected:
    NodeProperties describe() const override {
        NodeProperties p;
        p.inputs.push_back({"in", channels_});
        p.outputs.push_back({"out", channels_});
        return p;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        copy(context.outputs[0], context.inputs[0]);
        calls_.fetch_add(1, std::memory_order_relaxed);
    }

private:
    ChannelCount channels_;
    std::atomic<std::uint64_t> calls_{0};
};

/// `inputs` input ports (0 makes it a source emitting one impulse at frame 0 of the engine clock),
/// summed, then delayed by `latency` frames (which it reports); records every output sample, so a
/// test can see when an impulse came out. Mono.
class LatentRecorder final : public Node {
public:
    LatentRecorder(std::uint32_t inputs, FrameCount latency, std::size_t recordFrames)
        : inputs_(inputs)
        , latency_(latency)
        , recording_(recordFrames, 0.0f) {}

    [[nodiscard]] const std::vector<float>& recording() const noexcept { return recording_; }
    [[nodiscard]] FrameCount latency() const noexcept { return latency_; }

    /// Frames at which the recording is not zero.
    [[nodiscard]] std::vector<std::size_t> nonZeroFrames() const {
        std::vector<std::size_t> frames;
        for (std::size_t i = 0; i < recording_.size(); ++i) {
            if (recording_[i] != 0.0f)
                frames.push_back(i);
        }
        return frames;
    }

protected:
    NodeProperties describe() const override {
        NodeProperties p;
        for (std::uint32_t i = 0; i < inputs_; ++i)
            p.inputs.push_back({"in", 1});
        p.outputs.push_back({"out", 1});
        p.latency = latency_;
        return p;
    }
    void onPrepare(const PrepareContext& context) override {
        ring_.assign(std::size_t{latency_} + context.maxBlockSize, 0.0f);
        written_ = 0;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        float* out = context.outputs[0].channel(0);
        for (FrameCount i = 0; i < context.numFrames; ++i) {
            float in = 0.0f;
            if (inputs_ == 0) {
                in = context.blockStart + i == 0 ? 1.0f : 0.0f;
            }
            for (const ConstBufferView& port : context.inputs)
                in += port.channel(0)[i];
            const std::size_t size = ring_.size();
            ring_[written_ % size] = in;
            out[i] = written_ >= latency_ ? ring_[(written_ - latency_) % size] : 0.0f;
            const auto t = static_cast<std::size_t>(context.blockStart + i);
            if (t < recording_.size())
                recording_[t] = out[i];
            ++written_;
        }
    }

private:
    std::uint32_t inputs_;
    FrameCount latency_;
    std::vector<float> ring_;
    std::uint64_t written_ = 0;
    std::vector<float> recording_;
};

} // namespace fluxforge::test
