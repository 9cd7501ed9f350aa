// Meter: passes its input through and publishes peak and RMS levels for a control thread.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/kernels.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace fluxforge {

/// Construction options of a Meter.
struct MeterConfig {
    /// Channels of the input and output ports.
    ChannelCount channels = 2;
};

/// A pass-through ("in" to "out", bit for bit, no latency) that measures every block it renders:
/// per channel the peak (largest absolute sample) and the RMS of the block, and a peak hold (the
/// largest peak since the last resetPeakHold()). The audio thread publishes them as relaxed
/// atomics; a control thread (a UI timer) reads them without disturbing it. A reading describes
/// one whole block, so how often it changes depends on the block size; the audio does not.
///
/// Thread: the *Approx queries and resetPeakHold from any thread; Real-time safe: yes;
/// Allocates: no.
class Meter final : public Node {
public:
    /// Throws Error when `config.channels` is 0.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    explicit Meter(const MeterConfig& config = {});

    /// Channels of the ports (and of the readings).
    /// Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] ChannelCount numChannels() const noexcept { return channels_; }

    /// The peak of `channel` in the last block (linear, 0 before the first block).
    [[nodiscard]] float peakApprox(ChannelCount channel) const noexcept;
    /// The RMS of `channel` in the last block (linear).
    [[nodiscard]] float rmsApprox(ChannelCount channel) const noexcept;
    /// The largest peak of `channel` since the last resetPeakHold() (or since the start).
    [[nodiscard]] float peakHoldApprox(ChannelCount channel) const noexcept;
    /// Starts the peak hold afresh from the next block the meter renders.
    void resetPeakHold() noexcept { holdResets_.fetch_add(1, std::memory_order_release); }
    /// Blocks measured since construction.
    [[nodiscard]] std::uint64_t blocksApprox() const noexcept {
        return blocks_.load(std::memory_order_relaxed);
    }

private:
    struct Reading {
        std::atomic<float> peak{0.0f};
        std::atomic<float> rms{0.0f};
        std::atomic<float> hold{0.0f};
    };

    [[nodiscard]] NodeProperties describe() const override;
    void onProcess(const ProcessContext& context) noexcept override;
    void onReset() noexcept override;

    // Set at construction.
    ChannelCount channels_;
    // Written by the audio thread, read by any.
    std::unique_ptr<Reading[]> readings_;
    std::atomic<std::uint64_t> blocks_{0};
    // Written by resetPeakHold (any thread); the audio thread compares it with what it saw.
    std::atomic<std::uint32_t> holdResets_{0};
    std::uint32_t seenHoldResets_ = 0; // audio thread only
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline Meter::Meter(const MeterConfig& config)
    : channels_(config.channels) {
    if (config.channels == 0) {
        throw Error("Meter: channels must be at least 1");
    }
    readings_ = std::make_unique<Reading[]>(channels_);
}

inline float Meter::peakApprox(ChannelCount channel) const noexcept {
    FLUXFORGE_ASSERT(channel < channels_, "Meter: channel out of range");
    return readings_[channel].peak.load(std::memory_order_relaxed);
}

inline float Meter::rmsApprox(ChannelCount channel) const noexcept {
    FLUXFORGE_ASSERT(channel < channels_, "Meter: channel out of range");
    return readings_[channel].rms.load(std::memory_order_relaxed);
}

inline float Meter::peakHoldApprox(ChannelCount channel) const noexcept {
    FLUXFORGE_ASSERT(channel < channels_, "Meter: channel out of range");
    return readings_[channel].hold.load(std::memory_order_relaxed);
}

inline NodeProperties Meter::describe() const {
    return NodeProperties::processor(channels_, 0.5 * static_cast<double>(channels_));
}

inline void Meter::onReset() noexcept {
    for (ChannelCount c = 0; c < channels_; ++c) {
        readings_[c].peak.store(0.0f, std::memory_order_relaxed);
        readings_[c].rms.store(0.0f, std::memory_order_relaxed);
        readings_[c].hold.store(0.0f, std::memory_order_relaxed);
    }
}

inline void Meter::onProcess(const ProcessContext& context) noexcept {
    const ConstBufferView& in = context.inputs[0];
    const BufferView& out = context.outputs[0];
    const FrameCount n = context.numFrames;
    FLUXFORGE_ASSERT(in.numChannels() == channels_ && out.numChannels() == channels_,
                     "Meter: channel mismatch");
    const std::uint32_t resets = holdResets_.load(std::memory_order_acquire);
    const bool restartHold = resets != seenHoldResets_;
    seenHoldResets_ = resets;
    for (ChannelCount c = 0; c < channels_; ++c) {
        kernels::copy(out.channel(c), in.channel(c), n);
        const float peak = kernels::peak(in.channel(c), n);
        Reading& reading = readings_[c];
        reading.peak.store(peak, std::memory_order_relaxed);
        reading.rms.store(kernels::rms(in.channel(c), n), std::memory_order_relaxed);
        // Only this thread writes the hold, so a load and a store need no read-modify-write.
        const float held = restartHold ? 0.0f : reading.hold.load(std::memory_order_relaxed);
        reading.hold.store(std::max(held, peak), std::memory_order_relaxed);
    }
    blocks_.fetch_add(1, std::memory_order_relaxed);
}

} // namespace fluxforge
