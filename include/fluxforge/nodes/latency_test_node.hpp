// LatencyTestNode: reports a latency and delays its input by exactly that, for PDC tests.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/kernels.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fluxforge {

/// Construction options of a LatencyTestNode.
struct LatencyTestNodeConfig {
    /// The latency it reports and the delay it applies, in frames (0 passes the input through).
    FrameCount latency = 0;
    /// Channels of the input and output ports.
    ChannelCount channels = 2;
    /// The largest latency setLatency() may set later, at most kMaxLatency; it sizes the delay
    /// memory (channels x (maxLatency + block) floats). Unset: kDefaultMaxLatency, or `latency`
    /// when that is larger.
    std::optional<FrameCount> maxLatency = std::nullopt;

    /// maxLatency when it is not given: 16,384 frames (341 ms at 48 kHz).
    static constexpr FrameCount kDefaultMaxLatency = 16384;
};

/// Stands in for a latent processor (a look-ahead limiter, a linear-phase EQ): it reports its
/// latency in NodeProperties::latency and delays its input ("in") to its output ("out") by
/// exactly that many frames, so that plugin delay compensation can be tested sample for sample.
/// Like a plugin whose look-ahead setting changes, its latency can change while it plays
/// (setLatency): from the next block it delays by the new amount, reading its history, and it
/// announces the change (Node::notifyPropertiesChanged) so the engine re-aligns the graph. No
/// parameters. reset() clears the delayed audio.
class LatencyTestNode final : public Node {
public:
    /// Throws Error when `config.channels` is 0 or above kMaxPortChannels, when maxLatency is
    /// below latency, or when either is above kMaxLatency.
    /// Thread: control. Real-time safe: no. Allocates: no.
    explicit LatencyTestNode(const LatencyTestNodeConfig& config = {});

    /// The latency it reports now. Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] FrameCount latency() const noexcept {
        return latency_.load(std::memory_order_acquire);
    }

    /// The largest latency setLatency() accepts. Thread: any. Real-time safe: yes.
    [[nodiscard]] FrameCount maxLatency() const noexcept { return maxLatency_; }

    /// Changes the latency from the next block on and returns true; returns false and changes
    /// nothing when `latency` is above maxLatency() (not clamped: the delay memory is sized at
    /// construction). Thread: any. Real-time safe: yes. Allocates: no.
    bool setLatency(FrameCount latency) noexcept {
        if (latency > maxLatency_) {
            return false;
        }
        latency_.store(latency, std::memory_order_release);
        notifyPropertiesChanged();
        return true;
    }

private:
    [[nodiscard]] NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;
    void onReset() noexcept override;

    // Set at construction.
    ChannelCount channels_;
    FrameCount maxLatency_;
    // Written by setLatency (any thread), read by describe and the audio thread.
    std::atomic<FrameCount> latency_;
    // Set at prepare: one ring per channel, channel-major, a power of two long.
    std::vector<float> ring_;
    std::size_t capacity_ = 0;
    // Audio thread only: frames written so far.
    std::uint64_t written_ = 0;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline LatencyTestNode::LatencyTestNode(const LatencyTestNodeConfig& config)
    : channels_(config.channels)
    , maxLatency_(config.maxLatency.value_or(
          std::max(config.latency, LatencyTestNodeConfig::kDefaultMaxLatency)))
    , latency_(config.latency) {
    if (config.channels == 0 || config.channels > kMaxPortChannels) {
        throw Error("LatencyTestNode: channels must be 1.." + std::to_string(kMaxPortChannels) +
                    ", got " + std::to_string(config.channels));
    }
    if (config.latency > kMaxLatency || maxLatency_ > kMaxLatency) {
        throw Error("LatencyTestNode: " +
                    (config.latency > kMaxLatency ? "latency " + std::to_string(config.latency)
                                                  : "maxLatency " + std::to_string(maxLatency_)) +
                    " frames is above the maximum of " + std::to_string(kMaxLatency) +
                    " (kMaxLatency)");
    }
    if (maxLatency_ < config.latency) {
        throw Error("LatencyTestNode: maxLatency " + std::to_string(maxLatency_) +
                    " is below latency " + std::to_string(config.latency));
    }
}

inline NodeProperties LatencyTestNode::describe() const {
    NodeProperties props =
        NodeProperties::processor(channels_, 0.25 * static_cast<double>(channels_));
    props.latency = latency();
    return props;
}

inline void LatencyTestNode::onPrepare(const PrepareContext& context) {
    // Room for the longest latency plus one block: a block is written before it is read.
    capacity_ = std::bit_ceil(std::size_t{maxLatency_} + context.maxBlockSize);
    ring_.assign(capacity_ * channels_, 0.0f);
    written_ = 0;
}

inline void LatencyTestNode::onReset() noexcept {
    std::fill(ring_.begin(), ring_.end(), 0.0f);
    written_ = 0;
}

inline void LatencyTestNode::onProcess(const ProcessContext& context) noexcept {
    const ConstBufferView& in = context.inputs[0];
    const BufferView& out = context.outputs[0];
    const FrameCount n = context.numFrames;
    const FrameCount latency = latency_.load(std::memory_order_acquire);
    const std::size_t mask = capacity_ - 1;
    const std::size_t write = static_cast<std::size_t>(written_ & mask);
    const std::size_t read = static_cast<std::size_t>((written_ - latency) & mask);
    for (ChannelCount c = 0; c < channels_; ++c) {
        float* ring = ring_.data() + capacity_ * c;
        // Write the block, then read it `latency` frames late (a ring at least one block longer
        // than the latency keeps what is read from being overwritten first).
        const std::size_t firstIn = std::min<std::size_t>(n, capacity_ - write);
        kernels::copy(ring + write, in.channel(c), static_cast<FrameCount>(firstIn));
        kernels::copy(ring, in.channel(c) + firstIn, static_cast<FrameCount>(n - firstIn));
        const std::size_t firstOut = std::min<std::size_t>(n, capacity_ - read);
        kernels::copy(out.channel(c), ring + read, static_cast<FrameCount>(firstOut));
        kernels::copy(out.channel(c) + firstOut, ring, static_cast<FrameCount>(n - firstOut));
    }
    written_ += n;
}

} // namespace fluxforge
