// The two built-in endpoints of every Graph: where the device's input enters and where the
// rendered output leaves. The engine points them at the host's buffers before each block.
#pragma once

#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/graph/node.hpp>

#include <algorithm>

namespace fluxforge {

/// A source with one output port that carries the host's input (the device's capture channels).
/// Channels the host does not supply are silent.
class GraphInputNode final : public Node {
public:
    explicit GraphInputNode(ChannelCount channels)
        : channels_(channels) {}

    /// Points the node at the host's input for the next block; frames must equal the block's.
    /// Thread: audio. Real-time safe: yes. Allocates: no.
    void setSource(ConstBufferView source) noexcept { source_ = source; }

protected:
    NodeProperties describe() const override {
        NodeProperties props = NodeProperties::source(channels_, 0.1, "input");
        props.liveInput = LiveInput::yes;
        return props;
    }

    void onProcess(const ProcessContext& context) noexcept override {
        const BufferView& out = context.outputs[0];
        const ChannelCount available = std::min(out.numChannels(), source_.numChannels());
        const bool fits = source_.numFrames() >= context.numFrames;
        for (ChannelCount c = 0; c < out.numChannels(); ++c) {
            if (c < available && fits) {
                kernels::copy(out.channel(c), source_.channel(c), context.numFrames);
            } else {
                kernels::clear(out.channel(c), context.numFrames);
            }
        }
    }

private:
    ChannelCount channels_;
    ConstBufferView source_; // audio thread only
};

/// A sink with one input port whose (summed) signal is copied to the host's output. Host channels
/// beyond the port's are cleared.
class GraphOutputNode final : public Node {
public:
    explicit GraphOutputNode(ChannelCount channels)
        : channels_(channels) {}

    /// Points the node at the host's output for the next block; frames must equal the block's.
    /// Thread: audio. Real-time safe: yes. Allocates: no.
    void setDestination(BufferView destination) noexcept { destination_ = destination; }

protected:
    NodeProperties describe() const override {
        NodeProperties props;
        props.inputs.push_back({"output", channels_});
        props.estimatedCostPerFrame = 0.1;
        return props;
    }

    void onProcess(const ProcessContext& context) noexcept override {
        const ConstBufferView& in = context.inputs[0];
        if (destination_.numFrames() < context.numFrames) {
            return;
        }
        for (ChannelCount c = 0; c < destination_.numChannels(); ++c) {
            if (c < in.numChannels()) {
                kernels::copy(destination_.channel(c), in.channel(c), context.numFrames);
            } else {
                kernels::clear(destination_.channel(c), context.numFrames);
            }
        }
    }

private:
    ChannelCount channels_;
    BufferView destination_; // audio thread only
};

} // namespace fluxforge
