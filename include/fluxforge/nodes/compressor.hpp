// Compressor: a feed-forward dynamics compressor with a soft knee and an optional sidechain input.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/graph/node_id.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <limits>

namespace fluxforge {

/// What keys a Compressor's level detector.
enum class CompressorSidechain {
    none,     ///< the main input
    external, ///< a second input port, "sidechain", of the same channel count
};

/// Construction options of a Compressor.
struct CompressorConfig {
    /// Channels of the main input, the output and (with a sidechain) the sidechain input.
    ChannelCount channels = 2;
    CompressorSidechain sidechain = CompressorSidechain::none;
};

/// A feed-forward compressor, stereo-linked: one gain for all channels, computed from the
/// loudest channel of the key (the main input, or the "sidechain" input when built with
/// CompressorSidechain::external). Per frame, in double:
///
///     x  = 20 log10(max over channels |key|)                     level in dB
///     gc = curve(x) - x                                          gain computer (<= 0 dB)
///     gs = gs + (1 - a) (gc - gs), a = attack coefficient while gc < gs (more reduction),
///                                  the release coefficient otherwise
///     y  = in * 10^((gs + makeup) / 20)
///
/// with a soft knee of width `knee` dB centred on the threshold (Giannoulis, Massberg and Reiss,
/// "Digital dynamic range compressor design", JAES 2012) and one-pole coefficients
/// a = exp(-1 / (time * sampleRate)). No latency. Block-size invariant; parameters are read per
/// frame. See docs/nodes.md.
class Compressor final : public Node {
public:
    /// Parameter "threshold": dB, -60..0, default -18.
    static constexpr std::size_t kThreshold = 0;
    /// Parameter "ratio": 1..20 (input dB over the threshold per output dB), default 4.
    static constexpr std::size_t kRatio = 1;
    /// Parameter "attack": ms, 0.1..500, default 10 (time constant of a growing reduction).
    static constexpr std::size_t kAttack = 2;
    /// Parameter "release": ms, 1..5000, default 100 (time constant of a shrinking reduction).
    static constexpr std::size_t kRelease = 3;
    /// Parameter "makeup": dB, 0..24, default 0.
    static constexpr std::size_t kMakeup = 4;
    /// Parameter "knee": dB, 0 (hard) .. 24, default 6.
    static constexpr std::size_t kKnee = 5;

    /// The input port of the main signal ("in") and, with a sidechain, of the key ("sidechain").
    static constexpr PortIndex kMainInput = 0;
    static constexpr PortIndex kSidechainInput = 1;

    /// Throws Error when `config.channels` is 0.
    /// Thread: control. Real-time safe: no. Allocates: no.
    explicit Compressor(const CompressorConfig& config = {});

    /// Whether the node has the "sidechain" input port. Thread: any. Real-time safe: yes.
    /// Allocates: no.
    [[nodiscard]] bool hasSidechain() const noexcept {
        return config_.sidechain == CompressorSidechain::external;
    }

    /// The largest gain reduction of the last block, in dB (0 or positive: 6 means the signal was
    /// turned down by 6 dB), makeup not included. For meters.
    /// Thread: any. Real-time safe: yes. Allocates: no. May be stale.
    [[nodiscard]] float gainReductionDecibelsApprox() const noexcept {
        return gainReduction_.load(std::memory_order_relaxed);
    }

    /// The static curve: the output level in dB for an input level `inputDecibels`, as the gain
    /// computer uses it (before attack and release smoothing).
    /// Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] static double staticCurve(double inputDecibels, double thresholdDecibels,
                                            double ratio, double kneeDecibels) noexcept;

private:
    // A one-pole coefficient for a time in ms, recomputed only when the value changes.
    struct CachedCoefficient {
        float milliseconds = std::numeric_limits<float>::quiet_NaN();
        double coefficient = 0.0;
    };

    [[nodiscard]] NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;
    void onReset() noexcept override;

    [[nodiscard]] double coefficient(CachedCoefficient& cache, float milliseconds,
                                     float minimumMs) const noexcept;
    // Threshold and knee as the gain computer uses them: NaN threshold reads as 0 dB, the knee is
    // clamped to 0..48 dB.
    [[nodiscard]] static double sanitizedThreshold(float decibels) noexcept {
        return decibels == decibels ? static_cast<double>(decibels) : 0.0;
    }
    [[nodiscard]] static double sanitizedKnee(float decibels) noexcept {
        return decibels > 0.0f ? std::min(static_cast<double>(decibels), 48.0) : 0.0;
    }
    [[nodiscard]] double kneeStart(float thresholdDecibels, float kneeDecibels) noexcept;
    [[nodiscard]] float linearGain(double decibels) noexcept;

    // Set at construction.
    CompressorConfig config_;
    // Set at prepare.
    double sampleRate_ = 48000.0;
    // Audio thread only.
    double smoothedGain_ = 0.0; // gs, in dB (<= 0)
    CachedCoefficient attack_;
    CachedCoefficient release_;
    float cachedThreshold_ = std::numeric_limits<float>::quiet_NaN();
    float cachedKnee_ = std::numeric_limits<float>::quiet_NaN();
    double cachedKneeStart_ = 0.0; // linear level below which the gain computer gives 0 dB
    double cachedGainDecibels_ = std::numeric_limits<double>::quiet_NaN();
    float cachedGain_ = 1.0f;
    // Written by the audio thread, read by any.
    std::atomic<float> gainReduction_{0.0f};
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline Compressor::Compressor(const CompressorConfig& config)
    : config_(config) {
    if (config_.channels == 0) {
        throw Error("Compressor: channels must be at least 1");
    }
}

inline NodeProperties Compressor::describe() const {
    NodeProperties props;
    props.inputs.push_back({"in", config_.channels});
    if (hasSidechain()) {
        props.inputs.push_back({"sidechain", config_.channels});
    }
    props.outputs.push_back({"out", config_.channels});
    props.parameters.push_back(
        {"threshold", "Threshold", -60.0f, 0.0f, -18.0f, "dB", Automatable::yes});
    props.parameters.push_back({"ratio", "Ratio", 1.0f, 20.0f, 4.0f, "", Automatable::yes});
    props.parameters.push_back({"attack", "Attack", 0.1f, 500.0f, 10.0f, "ms", Automatable::yes});
    props.parameters.push_back(
        {"release", "Release", 1.0f, 5000.0f, 100.0f, "ms", Automatable::yes});
    props.parameters.push_back({"makeup", "Makeup", 0.0f, 24.0f, 0.0f, "dB", Automatable::yes});
    props.parameters.push_back({"knee", "Knee", 0.0f, 24.0f, 6.0f, "dB", Automatable::yes});
    props.estimatedCostPerFrame = 3.0 + static_cast<double>(config_.channels);
    return props;
}

inline void Compressor::onPrepare(const PrepareContext& context) {
    sampleRate_ = context.sampleRate;
    attack_ = {};
    release_ = {};
    onReset();
}

inline void Compressor::onReset() noexcept {
    smoothedGain_ = 0.0;
    gainReduction_.store(0.0f, std::memory_order_relaxed);
}

inline double Compressor::staticCurve(double inputDecibels, double thresholdDecibels, double ratio,
                                      double kneeDecibels) noexcept {
    const double over = inputDecibels - thresholdDecibels;
    if (2.0 * over < -kneeDecibels) {
        return inputDecibels;
    }
    if (kneeDecibels > 0.0 && 2.0 * std::abs(over) <= kneeDecibels) {
        const double into = over + kneeDecibels / 2.0;
        return inputDecibels + (1.0 / ratio - 1.0) * into * into / (2.0 * kneeDecibels);
    }
    return thresholdDecibels + over / ratio;
}

inline double Compressor::coefficient(CachedCoefficient& cache, float milliseconds,
                                      float minimumMs) const noexcept {
    if (!(milliseconds == cache.milliseconds)) {
        cache.milliseconds = milliseconds;
        // Written so that NaN lands on the minimum: a NaN coefficient would stick in the state.
        const double ms = milliseconds >= minimumMs ? static_cast<double>(milliseconds)
                                                    : static_cast<double>(minimumMs);
        cache.coefficient = std::exp(-1.0 / (ms * 0.001 * sampleRate_));
    }
    return cache.coefficient;
}

inline double Compressor::kneeStart(float thresholdDecibels, float kneeDecibels) noexcept {
    if (!(thresholdDecibels == cachedThreshold_) || !(kneeDecibels == cachedKnee_)) {
        cachedThreshold_ = thresholdDecibels;
        cachedKnee_ = kneeDecibels;
        cachedKneeStart_ = std::pow(
            10.0,
            (sanitizedThreshold(thresholdDecibels) - sanitizedKnee(kneeDecibels) / 2.0) / 20.0);
    }
    return cachedKneeStart_;
}

inline float Compressor::linearGain(double decibels) noexcept {
    if (!(decibels == cachedGainDecibels_)) {
        cachedGainDecibels_ = decibels;
        cachedGain_ = static_cast<float>(std::pow(10.0, decibels / 20.0));
    }
    return cachedGain_;
}

inline void Compressor::onProcess(const ProcessContext& context) noexcept {
    const ParameterValues& threshold = context.parameter(kThreshold);
    const ParameterValues& ratio = context.parameter(kRatio);
    const ParameterValues& attack = context.parameter(kAttack);
    const ParameterValues& release = context.parameter(kRelease);
    const ParameterValues& makeup = context.parameter(kMakeup);
    const ParameterValues& knee = context.parameter(kKnee);
    const ConstBufferView& in = context.inputs[kMainInput];
    const ConstBufferView& key = hasSidechain() ? context.inputs[kSidechainInput] : in;
    const BufferView& out = context.outputs[0];
    const FrameCount n = context.numFrames;
    const ChannelCount channels = config_.channels;
    FLUXFORGE_ASSERT(in.numChannels() == channels && out.numChannels() == channels &&
                         key.numChannels() == channels,
                     "Compressor: channel mismatch");

    // A snap for the release: the reduction approaches 0 dB only asymptotically, and stopping
    // the approach at a millionth of a dB lets a quiet signal pass with no gain change at all
    // (and keeps the state out of the denormal range).
    constexpr double kSnapDecibels = 1e-6;
    // Levels above +200 dBFS (infinity included) are treated as +200 dBFS: the curve stays finite.
    constexpr double kMaxLevelDecibels = 200.0;

    double gs = smoothedGain_;
    double deepest = 0.0;
    // One loop for constant and per-sample parameters alike: at(i) returns the constant when
    // there is one, so both give the same bits.
    for (FrameCount i = 0; i < n; ++i) {
        float level = 0.0f;
        for (ChannelCount c = 0; c < channels; ++c) {
            level = std::max(level, std::abs(key.channel(c)[i]));
        }
        const float t = threshold.at(i);
        const float w = knee.at(i);
        double target = 0.0;
        if (static_cast<double>(level) > kneeStart(t, w)) {
            const float r = ratio.at(i);
            const double ratioValue = r >= 1.0f ? static_cast<double>(r) : 1.0;
            const double x =
                std::min(20.0 * std::log10(static_cast<double>(level)), kMaxLevelDecibels);
            target = std::min(
                0.0, staticCurve(x, sanitizedThreshold(t), ratioValue, sanitizedKnee(w)) - x);
        }
        if (target < gs) {
            const double a = coefficient(attack_, attack.at(i), 0.1f);
            gs = target + a * (gs - target);
        } else {
            const double a = coefficient(release_, release.at(i), 1.0f);
            gs = target + a * (gs - target);
            if (gs > target - kSnapDecibels) {
                gs = target;
            }
        }
        deepest = std::min(deepest, gs);
        const float m = makeup.at(i);
        const float gain =
            linearGain(gs + (m > 0.0f ? std::min(static_cast<double>(m), 48.0) : 0.0));
        for (ChannelCount c = 0; c < channels; ++c) {
            out.channel(c)[i] = in.channel(c)[i] * gain;
        }
    }
    smoothedGain_ = gs;
    gainReduction_.store(static_cast<float>(-deepest), std::memory_order_relaxed);
}

} // namespace fluxforge
