// DelayLine: a feedback delay with a fractional delay time and a dry/wet mix.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace fluxforge {

/// Construction options of a DelayLine.
struct DelayLineConfig {
    /// The longest delay time, in milliseconds, 0 < maxDelayMs <= kMaxDelayMs; the buffer for it
    /// is allocated by prepare().
    double maxDelayMs = 2000.0;

    /// The largest maxDelayMs: one minute (46 million frames at 768 kHz).
    static constexpr double kMaxDelayMs = 60000.0;
    /// Channels of the input and output ports; each channel is delayed independently.
    ChannelCount channels = 2;
};

/// A delay line with feedback, one input port ("in") and one output port ("out") of `channels`
/// channels. Per frame, with d the delay in samples (delayTime * sampleRate / 1000, at least 1 and
/// at most the maximum):
///
///     delayed = w[n - d]                      (linear interpolation between the two neighbours)
///     w[n]    = x[n] + feedback * delayed     (what the line stores)
///     y[n]    = (1 - mix) * x[n] + mix * delayed
///
/// At whole-sample delays the interpolation weight is 0 and the output is exactly the input d
/// frames earlier. The node reports no latency: the delay is its effect, not a processing cost.
/// See docs/nodes.md.
class DelayLine final : public Node {
public:
    /// Parameter "delay": ms, 0..maxDelayMs, default min(250, maxDelayMs). Below one sample it
    /// acts as one sample (feedback needs a past output to feed back).
    static constexpr std::size_t kDelayTime = 0;
    /// Parameter "feedback": 0..0.99, default 0.
    static constexpr std::size_t kFeedback = 1;
    /// Parameter "mix": 0 (dry) .. 1 (wet), default 1 (a pure delay line).
    static constexpr std::size_t kMix = 2;

    /// Throws Error when `config.channels` is 0 or `config.maxDelayMs` is not positive and finite.
    /// Thread: control. Real-time safe: no. Allocates: no.
    explicit DelayLine(const DelayLineConfig& config = {});

    /// The longest delay in samples at the prepared sample rate (0 before prepare()).
    /// Thread: control. Real-time safe: yes. Allocates: no.
    [[nodiscard]] FrameCount maxDelaySamples() const noexcept { return maxDelaySamples_; }

private:
    // A delay in samples split for the read: whole samples and the interpolation weight.
    struct Tap {
        std::size_t whole = 1;
        float fraction = 0.0f;
    };

    [[nodiscard]] NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;
    void onReset() noexcept override;

    [[nodiscard]] Tap tapFor(float delayMs) noexcept;

    // Set at construction.
    DelayLineConfig config_;
    // Set at prepare.
    double sampleRate_ = 48000.0;
    FrameCount maxDelaySamples_ = 0;
    std::size_t mask_ = 0;      // ring length - 1 (a power of two)
    std::vector<float> buffer_; // channels x ring length, channel-major
    std::vector<Tap> taps_;     // one per frame, for blocks whose delay time moves
    // Audio thread only.
    std::size_t writeIndex_ = 0; // frames written since prepare/reset, masked on use
    float cachedDelayMs_ = std::numeric_limits<float>::quiet_NaN();
    Tap cachedTap_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline DelayLine::DelayLine(const DelayLineConfig& config)
    : config_(config) {
    if (config_.channels == 0) {
        throw Error("DelayLine: channels must be at least 1");
    }
    if (config_.channels > kMaxPortChannels) {
        throw Error("DelayLine: channels " + std::to_string(config_.channels) +
                    " is above the maximum of " + std::to_string(kMaxPortChannels));
    }
    if (!(config_.maxDelayMs > 0.0) || !(config_.maxDelayMs <= DelayLineConfig::kMaxDelayMs)) {
        throw Error("DelayLine: maxDelayMs must lie in (0, " +
                    std::to_string(DelayLineConfig::kMaxDelayMs) + "], got " +
                    std::to_string(config_.maxDelayMs));
    }
}

inline NodeProperties DelayLine::describe() const {
    NodeProperties props =
        NodeProperties::processor(config_.channels, 2.0 * static_cast<double>(config_.channels));
    const auto maxMs = static_cast<float>(config_.maxDelayMs);
    props.parameters.push_back(
        {"delay", "Delay", 0.0f, maxMs, std::min(250.0f, maxMs), "ms", Automatable::yes});
    props.parameters.push_back({"feedback", "Feedback", 0.0f, 0.99f, 0.0f, "", Automatable::yes});
    props.parameters.push_back({"mix", "Mix", 0.0f, 1.0f, 1.0f, "", Automatable::yes});
    return props;
}

inline void DelayLine::onPrepare(const PrepareContext& context) {
    sampleRate_ = context.sampleRate;
    const double samples = std::ceil(config_.maxDelayMs * sampleRate_ / 1000.0);
    if (!(samples < static_cast<double>(std::numeric_limits<FrameCount>::max() / 4))) {
        throw Error("DelayLine: maxDelayMs " + std::to_string(config_.maxDelayMs) +
                    " is too long for sample rate " + std::to_string(sampleRate_));
    }
    maxDelaySamples_ = std::max<FrameCount>(1, static_cast<FrameCount>(samples));
    // Room for the farther interpolation neighbour (d + 1) and the sample being written.
    std::size_t length = 1;
    while (length < std::size_t{maxDelaySamples_} + 2) {
        length *= 2;
    }
    mask_ = length - 1;
    buffer_.assign(length * config_.channels, 0.0f);
    taps_.assign(context.maxBlockSize, Tap{});
    cachedDelayMs_ = std::numeric_limits<float>::quiet_NaN();
    writeIndex_ = 0;
}

inline void DelayLine::onReset() noexcept {
    std::fill(buffer_.begin(), buffer_.end(), 0.0f);
    writeIndex_ = 0;
}

inline DelayLine::Tap DelayLine::tapFor(float delayMs) noexcept {
    if (!(delayMs == cachedDelayMs_)) {
        cachedDelayMs_ = delayMs;
        double d = static_cast<double>(delayMs) * sampleRate_ / 1000.0;
        // Written so that NaN also ends up in range: an index must never leave the ring.
        if (!(d >= 1.0)) {
            d = 1.0;
        } else if (d > static_cast<double>(maxDelaySamples_)) {
            d = static_cast<double>(maxDelaySamples_);
        }
        const double whole = std::floor(d);
        cachedTap_.whole = static_cast<std::size_t>(whole);
        cachedTap_.fraction = static_cast<float>(d - whole);
    }
    return cachedTap_;
}

inline void DelayLine::onProcess(const ProcessContext& context) noexcept {
    const ParameterValues& delayTime = context.parameter(kDelayTime);
    const ParameterValues& feedback = context.parameter(kFeedback);
    const ParameterValues& mix = context.parameter(kMix);
    const ConstBufferView& in = context.inputs[0];
    const BufferView& out = context.outputs[0];
    const FrameCount n = context.numFrames;
    FLUXFORGE_ASSERT(in.numChannels() == config_.channels && out.numChannels() == config_.channels,
                     "DelayLine: channel mismatch");

    const bool constantDelay = delayTime.isConstant();
    const Tap constantTap = constantDelay ? tapFor(delayTime.constant()) : Tap{};
    if (!constantDelay) {
        for (FrameCount i = 0; i < n; ++i) {
            taps_[i] = tapFor(delayTime.at(i));
        }
    }
    const std::size_t length = mask_ + 1;
    for (ChannelCount c = 0; c < config_.channels; ++c) {
        const float* src = in.channel(c);
        float* dst = out.channel(c);
        float* ring = buffer_.data() + length * c;
        std::size_t w = writeIndex_;
        for (FrameCount i = 0; i < n; ++i, ++w) {
            const Tap tap = constantDelay ? constantTap : taps_[i];
            const float newer = ring[(w - tap.whole) & mask_];
            const float older = ring[(w - tap.whole - 1) & mask_];
            const float delayed = newer + tap.fraction * (older - newer);
            const float x = src[i];
            const float wet = mix.at(i);
            ring[w & mask_] = x + feedback.at(i) * delayed;
            dst[i] = (1.0f - wet) * x + wet * delayed;
        }
    }
    writeIndex_ += n;
}

} // namespace fluxforge
