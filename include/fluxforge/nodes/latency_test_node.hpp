// LatencyTestNode: reports a latency and delays its input by exactly that, for PDC tests.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace fluxforge {

/// Construction options of a LatencyTestNode.
struct LatencyTestNodeConfig {
    /// The latency it reports and the delay it applies, in frames (0 passes the input through).
    FrameCount latency = 0;
    /// Channels of the input and output ports.
    ChannelCount channels = 2;
};

/// Stands in for a latent processor (a look-ahead limiter, a linear-phase EQ): it reports
/// `latency` frames in NodeProperties::latency and delays its input ("in") to its output ("out")
/// by exactly that many frames, so that plugin delay compensation can be tested sample for
/// sample. No parameters. reset() clears the delayed audio.
class LatencyTestNode final : public Node {
public:
    /// Throws Error when `config.channels` is 0.
    /// Thread: control. Real-time safe: no. Allocates: no.
    explicit LatencyTestNode(const LatencyTestNodeConfig& config = {});

    /// The latency given at construction. Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] FrameCount latency() const noexcept { return config_.latency; }

private:
    [[nodiscard]] NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;
    void onReset() noexcept override;

    // Set at construction.
    LatencyTestNodeConfig config_;
    // Set at prepare: one ring of `latency` frames per channel, channel-major.
    std::vector<float> ring_;
    // Audio thread only: where the next frame is read (and then overwritten) in each ring.
    std::size_t position_ = 0;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline LatencyTestNode::LatencyTestNode(const LatencyTestNodeConfig& config)
    : config_(config) {
    if (config_.channels == 0) {
        throw Error("LatencyTestNode: channels must be at least 1");
    }
}

inline NodeProperties LatencyTestNode::describe() const {
    NodeProperties props;
    props.inputs.push_back({"in", config_.channels});
    props.outputs.push_back({"out", config_.channels});
    props.latency = config_.latency;
    props.estimatedCostPerFrame = 0.25 * static_cast<double>(config_.channels);
    return props;
}

inline void LatencyTestNode::onPrepare(const PrepareContext& context) {
    static_cast<void>(context);
    ring_.assign(std::size_t{config_.latency} * config_.channels, 0.0f);
    position_ = 0;
}

inline void LatencyTestNode::onReset() noexcept {
    std::fill(ring_.begin(), ring_.end(), 0.0f);
    position_ = 0;
}

inline void LatencyTestNode::onProcess(const ProcessContext& context) noexcept {
    const ConstBufferView& in = context.inputs[0];
    const BufferView& out = context.outputs[0];
    const FrameCount n = context.numFrames;
    const std::size_t latency = config_.latency;
    FLUXFORGE_ASSERT(in.numChannels() == config_.channels && out.numChannels() == config_.channels,
                     "LatencyTestNode: channel mismatch");
    if (latency == 0) {
        for (ChannelCount c = 0; c < config_.channels; ++c) {
            std::copy_n(in.channel(c), n, out.channel(c));
        }
        return;
    }
    std::size_t position = position_;
    for (ChannelCount c = 0; c < config_.channels; ++c) {
        const float* src = in.channel(c);
        float* dst = out.channel(c);
        float* ring = ring_.data() + latency * c;
        position = position_;
        // In runs up to the ring's end: each slot is read (written `latency` frames ago) and
        // then refilled with the current input.
        for (FrameCount done = 0; done < n;) {
            const auto run =
                static_cast<FrameCount>(std::min<std::size_t>(n - done, latency - position));
            std::copy_n(ring + position, run, dst + done);
            std::copy_n(src + done, run, ring + position);
            done += run;
            position += run;
            if (position == latency) {
                position = 0;
            }
        }
    }
    position_ = position;
}

} // namespace fluxforge
