// Biquad: the RBJ Audio EQ Cookbook second-order filters.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <vector>

namespace fluxforge {

/// The response of a Biquad, after Robert Bristow-Johnson's Audio EQ Cookbook.
enum class BiquadType {
    lowPass,   ///< 12 dB/octave above the frequency; Q sets the resonance (0.7071: Butterworth)
    highPass,  ///< 12 dB/octave below the frequency
    bandPass,  ///< constant 0 dB peak gain at the frequency; Q = frequency / bandwidth
    peak,      ///< peaking EQ: gain at the frequency, 0 dB far from it; Q sets the width
    lowShelf,  ///< gain below the frequency (the shelf midpoint), 0 dB above
    highShelf, ///< gain above the frequency, 0 dB below
};

/// Construction options of a Biquad.
struct BiquadConfig {
    BiquadType type = BiquadType::lowPass;
    /// Channels of the input and output ports; each channel is filtered independently.
    ChannelCount channels = 2;
};

/// Normalised coefficients (a0 = 1) of H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2).
struct BiquadCoefficients {
    double b0 = 1.0;
    double b1 = 0.0;
    double b2 = 0.0;
    double a1 = 0.0;
    double a2 = 0.0;
};

/// The cookbook coefficients for a setting: w0 = 2 pi frequency / sampleRate,
/// alpha = sin(w0) / (2 Q), A = 10^(gainDecibels / 40) (gain is used by peak and the shelves
/// only). `frequency` is clamped to [1 Hz, 0.49 sampleRate], `q` to at least 0.01 and a
/// non-finite gain reads as 0 dB, so that any input (NaN included) gives a stable filter. See
/// docs/nodes.md for each type's formulas.
/// Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] BiquadCoefficients makeBiquadCoefficients(BiquadType type, double frequency, double q,
                                                        double gainDecibels,
                                                        double sampleRate) noexcept;

/// A second-order IIR filter per channel, one input port ("in") and one output port ("out") of
/// `channels` channels, no latency. Coefficients and state are double; the filter runs in direct
/// form I, y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2, which keeps its state meaningful when the
/// coefficients change from one frame to the next. Coefficients are recomputed for a frame only
/// when one of its three parameter values differs from the frame before, so a constant setting
/// costs nothing extra and a moving one is followed sample by sample, the same for any block
/// size.
class Biquad final : public Node {
public:
    /// Parameter "frequency": Hz, 10..20000, default 1000 (cutoff, centre or shelf midpoint).
    static constexpr std::size_t kFrequency = 0;
    /// Parameter "q": 0.1..24, default 0.7071 (1/sqrt(2)).
    static constexpr std::size_t kQ = 1;
    /// Parameter "gain": dB, -24..24, default 0; used by peak, lowShelf and highShelf.
    static constexpr std::size_t kGain = 2;

    /// Throws Error when `config.channels` is 0.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    explicit Biquad(const BiquadConfig& config = {});

    /// The filter type chosen at construction. Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] BiquadType type() const noexcept { return config_.type; }

private:
    // Direct form I memory of one channel.
    struct State {
        double x1 = 0.0;
        double x2 = 0.0;
        double y1 = 0.0;
        double y2 = 0.0;
    };

    [[nodiscard]] NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;
    void onReset() noexcept override;

    // Brings coefficients_ up to date for one setting (no work when it is unchanged).
    void updateCoefficients(float frequency, float q, float gainDecibels) noexcept;
    // One frame of one channel.
    [[nodiscard]] static double tick(const BiquadCoefficients& k, State& s, double x) noexcept;

    // Set at construction.
    BiquadConfig config_;
    // Set at prepare.
    double sampleRate_ = 48000.0;
    // Audio thread only (sized at construction).
    std::vector<State> states_;
    BiquadCoefficients coefficients_;
    float cachedFrequency_ = std::numeric_limits<float>::quiet_NaN();
    float cachedQ_ = std::numeric_limits<float>::quiet_NaN();
    float cachedGain_ = std::numeric_limits<float>::quiet_NaN();
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline BiquadCoefficients makeBiquadCoefficients(BiquadType type, double frequency, double q,
                                                 double gainDecibels, double sampleRate) noexcept {
    // Comparisons written so that NaN also lands in range: a NaN coefficient would poison the
    // filter memory until the next reset.
    const double f = frequency >= 1.0 ? std::min(frequency, 0.49 * sampleRate) : 1.0;
    const double w0 = 2.0 * std::numbers::pi * f / sampleRate;
    const double cosW = std::cos(w0);
    const double sinW = std::sin(w0);
    const double alpha = sinW / (2.0 * (q >= 0.01 ? q : 0.01));
    const double a = std::pow(10.0, std::isfinite(gainDecibels) ? gainDecibels / 40.0 : 0.0);
    const double twoSqrtAAlpha = 2.0 * std::sqrt(a) * alpha;

    double b0 = 1.0;
    double b1 = 0.0;
    double b2 = 0.0;
    double a0 = 1.0;
    double a1 = 0.0;
    double a2 = 0.0;
    switch (type) {
    case BiquadType::lowPass:
        b0 = (1.0 - cosW) / 2.0;
        b1 = 1.0 - cosW;
        b2 = (1.0 - cosW) / 2.0;
        a0 = 1.0 + alpha;
        a1 = -2.0 * cosW;
        a2 = 1.0 - alpha;
        break;
    case BiquadType::highPass:
        b0 = (1.0 + cosW) / 2.0;
        b1 = -(1.0 + cosW);
        b2 = (1.0 + cosW) / 2.0;
        a0 = 1.0 + alpha;
        a1 = -2.0 * cosW;
        a2 = 1.0 - alpha;
        break;
    case BiquadType::bandPass:
        b0 = alpha;
        b1 = 0.0;
        b2 = -alpha;
        a0 = 1.0 + alpha;
        a1 = -2.0 * cosW;
        a2 = 1.0 - alpha;
        break;
    case BiquadType::peak:
        b0 = 1.0 + alpha * a;
        b1 = -2.0 * cosW;
        b2 = 1.0 - alpha * a;
        a0 = 1.0 + alpha / a;
        a1 = -2.0 * cosW;
        a2 = 1.0 - alpha / a;
        break;
    case BiquadType::lowShelf:
        b0 = a * ((a + 1.0) - (a - 1.0) * cosW + twoSqrtAAlpha);
        b1 = 2.0 * a * ((a - 1.0) - (a + 1.0) * cosW);
        b2 = a * ((a + 1.0) - (a - 1.0) * cosW - twoSqrtAAlpha);
        a0 = (a + 1.0) + (a - 1.0) * cosW + twoSqrtAAlpha;
        a1 = -2.0 * ((a - 1.0) + (a + 1.0) * cosW);
        a2 = (a + 1.0) + (a - 1.0) * cosW - twoSqrtAAlpha;
        break;
    case BiquadType::highShelf:
        b0 = a * ((a + 1.0) + (a - 1.0) * cosW + twoSqrtAAlpha);
        b1 = -2.0 * a * ((a - 1.0) + (a + 1.0) * cosW);
        b2 = a * ((a + 1.0) + (a - 1.0) * cosW - twoSqrtAAlpha);
        a0 = (a + 1.0) - (a - 1.0) * cosW + twoSqrtAAlpha;
        a1 = 2.0 * ((a - 1.0) - (a + 1.0) * cosW);
        a2 = (a + 1.0) - (a - 1.0) * cosW - twoSqrtAAlpha;
        break;
    }
    return {b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0};
}

inline Biquad::Biquad(const BiquadConfig& config)
    : config_(config) {
    if (config_.channels == 0) {
        throw Error("Biquad: channels must be at least 1");
    }
    states_.resize(config_.channels);
}

inline NodeProperties Biquad::describe() const {
    NodeProperties props =
        NodeProperties::processor(config_.channels, 2.0 * static_cast<double>(config_.channels));
    props.parameters.push_back(
        {"frequency", "Frequency", 10.0f, 20000.0f, 1000.0f, "Hz", Automatable::yes});
    props.parameters.push_back({"q", "Q", 0.1f, 24.0f, 0.70710678f, "", Automatable::yes});
    props.parameters.push_back({"gain", "Gain", -24.0f, 24.0f, 0.0f, "dB", Automatable::yes});
    return props;
}

inline void Biquad::onPrepare(const PrepareContext& context) {
    sampleRate_ = context.sampleRate;
    cachedFrequency_ = std::numeric_limits<float>::quiet_NaN();
    onReset();
}

inline void Biquad::onReset() noexcept {
    std::fill(states_.begin(), states_.end(), State{});
}

inline void Biquad::updateCoefficients(float frequency, float q, float gainDecibels) noexcept {
    if (frequency == cachedFrequency_ && q == cachedQ_ && gainDecibels == cachedGain_) {
        return;
    }
    cachedFrequency_ = frequency;
    cachedQ_ = q;
    cachedGain_ = gainDecibels;
    coefficients_ = makeBiquadCoefficients(config_.type, frequency, q, gainDecibels, sampleRate_);
}

inline double Biquad::tick(const BiquadCoefficients& k, State& s, double x) noexcept {
    const double y = k.b0 * x + k.b1 * s.x1 + k.b2 * s.x2 - k.a1 * s.y1 - k.a2 * s.y2;
    s.x2 = s.x1;
    s.x1 = x;
    s.y2 = s.y1;
    s.y1 = y;
    return y;
}

inline void Biquad::onProcess(const ProcessContext& context) noexcept {
    const ParameterValues& frequency = context.parameter(kFrequency);
    const ParameterValues& q = context.parameter(kQ);
    const ParameterValues& gain = context.parameter(kGain);
    const ConstBufferView& in = context.inputs[0];
    const BufferView& out = context.outputs[0];
    const FrameCount n = context.numFrames;
    FLUXFORGE_ASSERT(in.numChannels() == config_.channels && out.numChannels() == config_.channels,
                     "Biquad: channel mismatch");

    if (frequency.isConstant() && q.isConstant() && gain.isConstant()) {
        updateCoefficients(frequency.constant(), q.constant(), gain.constant());
        const BiquadCoefficients k = coefficients_;
        for (ChannelCount c = 0; c < config_.channels; ++c) {
            const float* src = in.channel(c);
            float* dst = out.channel(c);
            State s = states_[c];
            for (FrameCount i = 0; i < n; ++i) {
                dst[i] = static_cast<float>(tick(k, s, static_cast<double>(src[i])));
            }
            states_[c] = s;
        }
        return;
    }
    // Moving parameters: frame by frame, every channel with the coefficients of that frame. The
    // arithmetic per channel is the same as above, so flat per-sample values give the same bits.
    for (FrameCount i = 0; i < n; ++i) {
        updateCoefficients(frequency.at(i), q.at(i), gain.at(i));
        for (ChannelCount c = 0; c < config_.channels; ++c) {
            out.channel(c)[i] = static_cast<float>(
                tick(coefficients_, states_[c], static_cast<double>(in.channel(c)[i])));
        }
    }
}

} // namespace fluxforge
