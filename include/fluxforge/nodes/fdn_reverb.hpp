// FdnReverb: a feedback delay network reverb with a Householder feedback matrix and damping.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace fluxforge {

/// Construction options of an FdnReverb.
struct FdnReverbConfig {
    /// Delay lines in the network, 2..FdnReverb::kMaxLines. More lines give a denser tail.
    std::size_t lines = 8;
    /// The shortest and longest line, in ms; the others are spaced geometrically between them and
    /// rounded to distinct prime numbers of frames, so that their echoes rarely coincide.
    double shortestLineMs = 21.0;
    double longestLineMs = 79.0;
};

/// A stereo feedback delay network reverb: `lines` delay lines whose outputs are damped by a
/// one-pole low-pass each, attenuated for the decay time, mixed by the Householder matrix
/// A = I - (2/N) 1 1^T (lossless, and O(N) to apply) and fed back. The left input feeds the even
/// lines and the right input the odd ones; the even lines make the left output and the odd ones
/// the right, with alternating signs. Input "in" and output "out", 2 channels each. No latency
/// (the first echo arrives after the shortest line). Block-size invariant; parameters are read per
/// frame. See docs/nodes.md.
class FdnReverb final : public Node {
public:
    /// Parameter "decay": seconds, 0.1..20, default 2: the time the tail takes to fall by 60 dB
    /// (RT60) at low frequencies.
    static constexpr std::size_t kDecay = 0;
    /// Parameter "damping": 0..1, default 0.5: how much faster high frequencies die away
    /// (the pole of each line's low-pass is 0.9 x damping).
    static constexpr std::size_t kDamping = 1;
    /// Parameter "mix": 0 (dry) .. 1 (wet), default 1, as an effect return wants it.
    static constexpr std::size_t kMix = 2;

    static constexpr std::size_t kMaxLines = 16;

    /// Throws Error when `config.lines` is outside 2..kMaxLines or the line lengths are not
    /// positive, finite and ordered (shortest <= longest, at most 2000 ms).
    /// Thread: control. Real-time safe: no. Allocates: no.
    explicit FdnReverb(const FdnReverbConfig& config = {});

    /// The length of each line in frames at the prepared sample rate (empty before prepare()).
    /// Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] const std::vector<FrameCount>& lineLengths() const noexcept { return lengths_; }

private:
    [[nodiscard]] NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;
    void onReset() noexcept override;

    // Brings the per-line feedback gains up to date for a decay time (no work when unchanged).
    void updateGains(float decaySeconds) noexcept;

    // Set at construction.
    FdnReverbConfig config_;
    // Set at prepare.
    double sampleRate_ = 48000.0;
    std::vector<FrameCount> lengths_;
    std::size_t stride_ = 0;    // ring length per line (a power of two)
    std::vector<float> buffer_; // lines x stride_, line-major
    // Audio thread only.
    std::array<float, kMaxLines> lowPass_{};
    std::array<float, kMaxLines> gains_{};
    std::size_t writeIndex_ = 0; // frames written since prepare/reset, masked on use
    float cachedDecay_ = std::numeric_limits<float>::quiet_NaN();
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline FdnReverb::FdnReverb(const FdnReverbConfig& config)
    : config_(config) {
    if (config_.lines < 2 || config_.lines > kMaxLines) {
        throw Error("FdnReverb: lines must be 2.." + std::to_string(kMaxLines) + ", got " +
                    std::to_string(config_.lines));
    }
    if (!(config_.shortestLineMs > 0.0) || !(config_.longestLineMs >= config_.shortestLineMs) ||
        !(config_.longestLineMs <= 2000.0)) {
        throw Error("FdnReverb: line lengths must satisfy 0 < shortestLineMs <= longestLineMs <= "
                    "2000, got " +
                    std::to_string(config_.shortestLineMs) + " and " +
                    std::to_string(config_.longestLineMs));
    }
}

inline NodeProperties FdnReverb::describe() const {
    NodeProperties props =
        NodeProperties::processor(2, 1.0 + 0.75 * static_cast<double>(config_.lines));
    props.parameters.push_back({"decay", "Decay", 0.1f, 20.0f, 2.0f, "s", Automatable::yes});
    props.parameters.push_back({"damping", "Damping", 0.0f, 1.0f, 0.5f, "", Automatable::yes});
    props.parameters.push_back({"mix", "Mix", 0.0f, 1.0f, 1.0f, "", Automatable::yes});
    return props;
}

inline void FdnReverb::onPrepare(const PrepareContext& context) {
    sampleRate_ = context.sampleRate;
    const auto isPrime = [](FrameCount v) {
        if (v < 2) {
            return false;
        }
        for (FrameCount d = 2; d * d <= v; ++d) {
            if (v % d == 0) {
                return false;
            }
        }
        return true;
    };
    const std::size_t lines = config_.lines;
    lengths_.assign(lines, 0);
    FrameCount longest = 0;
    for (std::size_t i = 0; i < lines; ++i) {
        const double position = static_cast<double>(i) / static_cast<double>(lines - 1);
        const double ms = config_.shortestLineMs *
                          std::pow(config_.longestLineMs / config_.shortestLineMs, position);
        auto length = static_cast<FrameCount>(std::max(2.0, std::round(ms * sampleRate_ / 1000.0)));
        // The next prime not taken yet: distinct primes share no common period.
        while (!isPrime(length) || (i > 0 && length <= lengths_[i - 1])) {
            ++length;
        }
        lengths_[i] = length;
        longest = std::max(longest, length);
    }
    stride_ = std::bit_ceil(std::size_t{longest} + 1);
    buffer_.assign(stride_ * lines, 0.0f);
    cachedDecay_ = std::numeric_limits<float>::quiet_NaN();
    onReset();
}

inline void FdnReverb::onReset() noexcept {
    std::fill(buffer_.begin(), buffer_.end(), 0.0f);
    lowPass_.fill(0.0f);
    writeIndex_ = 0;
}

inline void FdnReverb::updateGains(float decaySeconds) noexcept {
    if (decaySeconds == cachedDecay_) {
        return;
    }
    cachedDecay_ = decaySeconds;
    // NaN and values below the range read as the shortest decay: a gain of 1 or more would let
    // the network ring forever.
    const double t60 = decaySeconds >= 0.1f ? static_cast<double>(decaySeconds) : 0.1;
    for (std::size_t l = 0; l < config_.lines; ++l) {
        // -60 dB after t60 seconds: each pass through a line of d frames loses 60 d / (t60 fs) dB.
        gains_[l] = static_cast<float>(
            std::pow(10.0, -3.0 * static_cast<double>(lengths_[l]) / (t60 * sampleRate_)));
    }
}

inline void FdnReverb::onProcess(const ProcessContext& context) noexcept {
    const ParameterValues& decay = context.parameter(kDecay);
    const ParameterValues& damping = context.parameter(kDamping);
    const ParameterValues& mix = context.parameter(kMix);
    const ConstBufferView& in = context.inputs[0];
    const BufferView& out = context.outputs[0];
    const FrameCount n = context.numFrames;
    FLUXFORGE_ASSERT(in.numChannels() == 2 && out.numChannels() == 2,
                     "FdnReverb: input and output must be stereo");
    const std::size_t lines = config_.lines;
    const std::size_t mask = stride_ - 1;
    const float householder = 2.0f / static_cast<float>(lines);
    // The even (odd) lines sum into the left (right) output; 1/sqrt(lines/2) keeps the wet level
    // near the dry one.
    const float outputScale = 1.0f / std::sqrt(static_cast<float>(lines) / 2.0f);
    std::array<float, kMaxLines> v{};

    for (FrameCount i = 0; i < n; ++i, ++writeIndex_) {
        updateGains(decay.at(i));
        const float d = damping.at(i);
        // NaN and values outside 0..1 are clamped: a pole at 1 or beyond would not decay.
        const float pole = 0.9f * (d > 0.0f ? std::min(d, 1.0f) : 0.0f);
        const float inLeft = in.channel(0)[i];
        const float inRight = in.channel(1)[i];
        float wetLeft = 0.0f;
        float wetRight = 0.0f;
        float sum = 0.0f;
        for (std::size_t l = 0; l < lines; ++l) {
            const float y = buffer_[l * stride_ + ((writeIndex_ - lengths_[l]) & mask)];
            const float sign = (l & 2) == 0 ? 1.0f : -1.0f;
            if ((l & 1) == 0) {
                wetLeft += sign * y;
            } else {
                wetRight += sign * y;
            }
            lowPass_[l] = y + pole * (lowPass_[l] - y);
            v[l] = gains_[l] * lowPass_[l];
            sum += v[l];
        }
        const float reflected = householder * sum;
        for (std::size_t l = 0; l < lines; ++l) {
            const float input = (l & 1) == 0 ? inLeft : inRight;
            buffer_[l * stride_ + (writeIndex_ & mask)] = v[l] - reflected + input;
        }
        const float wet = mix.at(i);
        out.channel(0)[i] = (1.0f - wet) * inLeft + wet * (outputScale * wetLeft);
        out.channel(1)[i] = (1.0f - wet) * inRight + wet * (outputScale * wetRight);
    }
}

} // namespace fluxforge
