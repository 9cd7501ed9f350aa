// Limiter: a look-ahead brickwall limiter whose look-ahead is its latency.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace fluxforge {

/// Construction options of a Limiter.
struct LimiterConfig {
    /// How far ahead the limiter looks, in milliseconds at `sampleRate`. It is also the latency
    /// the node reports, which the graph compiler reads before it prepares the node, so it is
    /// fixed here, in frames: round(lookAheadMs * sampleRate / 1000).
    double lookAheadMs = 5.0;
    /// The sample rate lookAheadMs is converted at (the rate the engine will run at). Prepared at
    /// another rate, the limiter keeps its look-ahead in frames.
    SampleRate sampleRate = 48000.0;
    /// When set, the look-ahead in frames (0 allowed), and lookAheadMs and sampleRate are ignored.
    std::optional<FrameCount> lookAheadFrames{};
    /// Channels of the input and output ports (linked: one gain for all).
    ChannelCount channels = 2;
};

/// A brickwall limiter with look-ahead: the output never exceeds the ceiling, and the gain
/// reaches each peak's reduction smoothly, over the look-ahead, before the peak leaves the node.
/// It delays its input ("in") to its output ("out") by exactly its look-ahead L frames and
/// reports L as NodeProperties::latency, so plugin delay compensation aligns it with the rest of
/// the graph. Below the ceiling it is an exact delay of L frames.
///
/// Per input frame n, with p the loudest channel: the required gain q[n] = min(1, ceiling / p);
/// h[n] = min(q[n-L] .. q[n]) (a sliding minimum); r follows h down at once and up with a one-pole
/// release; the applied gain is the mean of r over the last L + 1 frames, which starts falling L
/// frames before a peak and is at or below the peak's q when the peak comes out. A final clip to
/// the ceiling catches float rounding. Block-size invariant. See docs/nodes.md.
class Limiter final : public Node {
public:
    /// Parameter "ceiling": dB, -24..0, default -1. The most any output sample reaches.
    static constexpr std::size_t kCeiling = 0;
    /// Parameter "release": ms, 1..2000, default 100 (time constant of the gain's recovery).
    static constexpr std::size_t kRelease = 1;

    /// The longest look-ahead a limiter takes, in frames (about 10 s at 96 kHz).
    static constexpr FrameCount kMaxLookAheadFrames = FrameCount{1} << 20;

    /// Throws Error when `config.channels` is 0, lookAheadMs is negative or not finite, the sample
    /// rate is not positive, or the look-ahead exceeds kMaxLookAheadFrames.
    /// Thread: control. Real-time safe: no. Allocates: no.
    explicit Limiter(const LimiterConfig& config = {});

    /// The look-ahead (and latency) in frames. Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] FrameCount lookAheadFrames() const noexcept { return lookAhead_; }

    /// The largest gain reduction of the last block in dB (0 or positive). For meters.
    /// Thread: any. Real-time safe: yes. Allocates: no. May be stale.
    [[nodiscard]] float gainReductionDecibelsApprox() const noexcept {
        return gainReduction_.load(std::memory_order_relaxed);
    }

private:
    [[nodiscard]] NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;
    void onReset() noexcept override;

    [[nodiscard]] double ceilingGain(float decibels) noexcept;
    [[nodiscard]] double releaseCoefficient(float milliseconds) noexcept;

    // Set at construction.
    ChannelCount channels_;
    FrameCount lookAhead_;
    std::size_t window_; // L + 1: frames whose samples are inside the node
    std::int64_t unit_;  // fixed-point scale of the gains in the running sum
    double windowTotal_; // window_ * unit_: the sum when every gain is 1 (exact in double)
    // Set at prepare.
    double sampleRate_ = 48000.0;
    std::size_t mask_ = 0;                 // ring length - 1 (a power of two of at least window_)
    std::vector<float> delay_;             // channels x ring length, channel-major
    std::vector<float> ceilings_;          // ring: the linear ceiling each frame was analysed with
    std::vector<std::uint64_t> minFrames_; // sliding-minimum deque (ring): frame numbers
    std::vector<double> minGains_;         // and their required gains, increasing
    std::vector<std::int64_t> averaged_;   // ring of window_ fixed-point gains being averaged
    // Audio thread only.
    std::uint64_t frame_ = 0; // frames taken in since prepare/reset
    std::size_t minHead_ = 0; // deque: first entry and one past the last (monotonic counters)
    std::size_t minTail_ = 0;
    double released_ = 1.0; // r
    std::int64_t sum_ = 0;  // sum of averaged_
    std::size_t sumPosition_ = 0;
    float cachedCeilingDb_ = std::numeric_limits<float>::quiet_NaN();
    double cachedCeiling_ = 1.0;
    float cachedReleaseMs_ = std::numeric_limits<float>::quiet_NaN();
    double cachedRelease_ = 0.0;
    // Written by the audio thread, read by any.
    std::atomic<float> gainReduction_{0.0f};
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline Limiter::Limiter(const LimiterConfig& config)
    : channels_(config.channels) {
    if (config.channels == 0) {
        throw Error("Limiter: channels must be at least 1");
    }
    double frames = static_cast<double>(config.lookAheadFrames.value_or(0));
    if (!config.lookAheadFrames) {
        if (!(config.lookAheadMs >= 0.0) || !std::isfinite(config.lookAheadMs)) {
            throw Error("Limiter: lookAheadMs must be a finite number of 0 or more, got " +
                        std::to_string(config.lookAheadMs));
        }
        if (!(config.sampleRate > 0.0) || !std::isfinite(config.sampleRate)) {
            throw Error("Limiter: sampleRate must be positive, got " +
                        std::to_string(config.sampleRate));
        }
        frames = std::round(config.lookAheadMs * config.sampleRate / 1000.0);
    }
    if (frames > static_cast<double>(kMaxLookAheadFrames)) {
        throw Error("Limiter: a look-ahead of " + std::to_string(frames) +
                    " frames is longer than the most, " + std::to_string(kMaxLookAheadFrames));
    }
    lookAhead_ = static_cast<FrameCount>(frames);
    window_ = std::size_t{lookAhead_} + 1;
    // The running sum holds window_ gains of at most unit_ each; keeping it below 2^52 keeps it
    // exact in double too, so a window of unity gains divides to exactly 1.
    unit_ = std::int64_t{1} << (52 - std::bit_width(window_));
    windowTotal_ = static_cast<double>(static_cast<std::int64_t>(window_) * unit_);
}

inline NodeProperties Limiter::describe() const {
    NodeProperties props =
        NodeProperties::processor(channels_, 3.0 + static_cast<double>(channels_));
    props.parameters.push_back({"ceiling", "Ceiling", -24.0f, 0.0f, -1.0f, "dB", Automatable::yes});
    props.parameters.push_back(
        {"release", "Release", 1.0f, 2000.0f, 100.0f, "ms", Automatable::yes});
    props.latency = lookAhead_;
    return props;
}

inline void Limiter::onPrepare(const PrepareContext& context) {
    sampleRate_ = context.sampleRate;
    const std::size_t length = std::bit_ceil(window_);
    mask_ = length - 1;
    delay_.assign(length * channels_, 0.0f);
    ceilings_.assign(length, 1.0f);
    minFrames_.assign(length, 0);
    minGains_.assign(length, 1.0);
    averaged_.assign(window_, unit_);
    cachedReleaseMs_ = std::numeric_limits<float>::quiet_NaN();
    onReset();
}

inline void Limiter::onReset() noexcept {
    std::fill(delay_.begin(), delay_.end(), 0.0f);
    std::fill(ceilings_.begin(), ceilings_.end(), 1.0f);
    std::fill(averaged_.begin(), averaged_.end(), unit_);
    frame_ = 0;
    minHead_ = 0;
    minTail_ = 0;
    released_ = 1.0;
    sum_ = static_cast<std::int64_t>(window_) * unit_;
    sumPosition_ = 0;
    gainReduction_.store(0.0f, std::memory_order_relaxed);
}

inline double Limiter::ceilingGain(float decibels) noexcept {
    if (!(decibels == cachedCeilingDb_)) {
        cachedCeilingDb_ = decibels;
        // NaN reads as 0 dBFS; anything above 0 dBFS as 0 dBFS (the declared range).
        const double db = decibels <= 0.0f ? static_cast<double>(decibels) : 0.0;
        cachedCeiling_ = std::pow(10.0, db / 20.0);
    }
    return cachedCeiling_;
}

inline double Limiter::releaseCoefficient(float milliseconds) noexcept {
    if (!(milliseconds == cachedReleaseMs_)) {
        cachedReleaseMs_ = milliseconds;
        const double ms = milliseconds >= 1.0f ? static_cast<double>(milliseconds) : 1.0;
        cachedRelease_ = std::exp(-1.0 / (ms * 0.001 * sampleRate_));
    }
    return cachedRelease_;
}

inline void Limiter::onProcess(const ProcessContext& context) noexcept {
    const ParameterValues& ceiling = context.parameter(kCeiling);
    const ParameterValues& release = context.parameter(kRelease);
    const ConstBufferView& in = context.inputs[0];
    const BufferView& out = context.outputs[0];
    const FrameCount n = context.numFrames;
    FLUXFORGE_ASSERT(in.numChannels() == channels_ && out.numChannels() == channels_,
                     "Limiter: channel mismatch");
    const std::size_t length = mask_ + 1;
    // r stops this close below h when recovering, and then takes h's value: the gain gets back
    // to exactly 1 after a reduction, so the limiter becomes an exact delay again.
    constexpr double kSnap = 1e-9;

    double smallest = 1.0;
    for (FrameCount i = 0; i < n; ++i, ++frame_) {
        const std::size_t write = static_cast<std::size_t>(frame_) & mask_;
        const std::size_t read = static_cast<std::size_t>(frame_ - lookAhead_) & mask_;

        // Take the frame in: the loudest channel and the gain it needs.
        float peak = 0.0f;
        for (ChannelCount c = 0; c < channels_; ++c) {
            const float x = in.channel(c)[i];
            delay_[length * c + write] = x;
            peak = std::max(peak, std::abs(x));
        }
        const double limit = ceilingGain(ceiling.at(i));
        ceilings_[write] = static_cast<float>(limit);
        const auto level = static_cast<double>(peak);
        // A NaN sample needs no gain: it stays NaN whatever the gain, and must not stick in r.
        const double required = level > limit ? limit / level : 1.0;

        // Sliding minimum over frames frame_ - L .. frame_: a deque of increasing gains, at most
        // L + 1 entries (expired ones leave before the new one enters, so the ring never wraps
        // onto its own head).
        while (minHead_ != minTail_ && minFrames_[minHead_ & mask_] + lookAhead_ < frame_) {
            ++minHead_;
        }
        while (minTail_ != minHead_ && minGains_[(minTail_ - 1) & mask_] >= required) {
            --minTail_;
        }
        minFrames_[minTail_ & mask_] = frame_;
        minGains_[minTail_ & mask_] = required;
        ++minTail_;
        const double held = minGains_[minHead_ & mask_];

        // Down at once (the averaging below makes the ramp), up with the release.
        if (held <= released_) {
            released_ = held;
        } else {
            const double a = releaseCoefficient(release.at(i));
            released_ = std::min(held, held + a * (released_ - held));
            if (released_ > held - kSnap) {
                released_ = held;
            }
        }

        // The mean of r over the last L + 1 frames, summed in fixed point (exact, no drift).
        const auto fixed = static_cast<std::int64_t>(released_ * static_cast<double>(unit_));
        sum_ += fixed - averaged_[sumPosition_];
        averaged_[sumPosition_] = fixed;
        sumPosition_ = sumPosition_ + 1 == window_ ? 0 : sumPosition_ + 1;
        const double gain = static_cast<double>(sum_) / windowTotal_;
        smallest = std::min(smallest, gain);

        // Give the frame that entered L frames ago out, at the gain and within its ceiling.
        const float g = static_cast<float>(gain);
        const float top = ceilings_[read];
        for (ChannelCount c = 0; c < channels_; ++c) {
            const float y = delay_[length * c + read] * g;
            out.channel(c)[i] = y > top ? top : (y < -top ? -top : y);
        }
    }
    gainReduction_.store(static_cast<float>(-20.0 * std::log10(std::max(smallest, 1e-10))),
                         std::memory_order_relaxed);
}

} // namespace fluxforge
