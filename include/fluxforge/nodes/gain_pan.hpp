// GainPan: gain in dB and a pan (or balance) from a mono or stereo input to a stereo output.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/nodes/decibels.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <vector>

namespace fluxforge {

/// The channel layout of a GainPan's input.
enum class PanInput { mono, stereo };

/// What pan does to a stereo input.
enum class StereoPanMode {
    /// A balance control: the side panned towards stays at unity, the other side follows the
    /// same sine curve as the mono law, scaled to unity at the centre. Centre leaves the input
    /// unchanged (0 dB on both sides).
    balance,
    /// The mono law applied per side: left input times the left gain, right input times the right
    /// gain (-3 dB on both sides at the centre).
    constantPower,
};

/// Construction options of a GainPan.
struct GainPanConfig {
    PanInput input = PanInput::mono;
    StereoPanMode stereoMode = StereoPanMode::balance; ///< used only when input is stereo
};

/// The two channel gains of one (gain, pan) setting, as the node applies them.
struct PanGains {
    float left = 0.0f;
    float right = 0.0f;
};

/// Gain and pan to a stereo output ("out", 2 channels) from one input port ("in", 1 or 2
/// channels). Mono input uses the constant-power sine law: with theta = (pan + 1) pi / 4,
/// left = gain cos(theta) and right = gain sin(theta), so left^2 + right^2 = gain^2 and the centre
/// is -3 dB per side. No latency. Values change exactly at the frame where the parameter changes;
/// smoothing is the engine's job. See docs/nodes.md.
class GainPan final : public Node {
public:
    /// Parameter "gain": dB, -100..24, default 0; -100 (kSilenceDecibels) mutes.
    static constexpr std::size_t kGain = 0;
    /// Parameter "pan": -1 (left) .. 1 (right), default 0.
    static constexpr std::size_t kPan = 1;

    /// Thread: control. Real-time safe: no. Allocates: no.
    explicit GainPan(const GainPanConfig& config = {});

    /// The left and right gains for a setting, exactly as process() applies them.
    /// Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] static PanGains gainsFor(float gainDecibels, float pan, PanInput input,
                                           StereoPanMode stereoMode) noexcept;

private:
    [[nodiscard]] NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;

    [[nodiscard]] PanGains cachedGains(float gainDecibels, float pan) noexcept;

    // Set at construction.
    GainPanConfig config_;
    // Set at prepare: per-frame gains for blocks whose parameters move.
    std::vector<float> leftGains_;
    std::vector<float> rightGains_;
    // Audio thread only: the last setting seen, so a pow and two sines run only when it changes.
    float cachedDecibels_ = std::numeric_limits<float>::quiet_NaN();
    float cachedPan_ = std::numeric_limits<float>::quiet_NaN();
    PanGains cached_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline GainPan::GainPan(const GainPanConfig& config)
    : config_(config) {}

inline NodeProperties GainPan::describe() const {
    NodeProperties props;
    props.inputs.push_back({"in", config_.input == PanInput::mono ? 1u : 2u});
    props.outputs.push_back({"out", 2});
    props.parameters.push_back(
        {"gain", "Gain", kSilenceDecibels, 24.0f, 0.0f, "dB", Automatable::yes});
    props.parameters.push_back({"pan", "Pan", -1.0f, 1.0f, 0.0f, "", Automatable::yes});
    props.estimatedCostPerFrame = 1.0;
    return props;
}

inline void GainPan::onPrepare(const PrepareContext& context) {
    leftGains_.assign(context.maxBlockSize, 0.0f);
    rightGains_.assign(context.maxBlockSize, 0.0f);
}

inline PanGains GainPan::gainsFor(float gainDecibels, float pan, PanInput input,
                                  StereoPanMode stereoMode) noexcept {
    const double gain = decibelsToGain(gainDecibels);
    double p = static_cast<double>(pan);
    if (p < -1.0) {
        p = -1.0;
    } else if (p > 1.0) {
        p = 1.0;
    } else if (std::isnan(p)) {
        p = 0.0; // NaN reads as the centre
    }
    // sin((1 -+ p) pi / 4) rather than cos/sin of one angle: the law is then mirror-symmetric bit
    // for bit, and the far side is exactly 0 at a hard pan (sin(0) is 0, cos(pi/2) is not).
    double left = std::sin((1.0 - p) * std::numbers::pi / 4.0);
    double right = std::sin((1.0 + p) * std::numbers::pi / 4.0);
    if (input == PanInput::stereo && stereoMode == StereoPanMode::balance) {
        left = p <= 0.0 ? 1.0 : std::numbers::sqrt2 * left;
        right = p >= 0.0 ? 1.0 : std::numbers::sqrt2 * right;
    }
    return {static_cast<float>(gain * left), static_cast<float>(gain * right)};
}

inline PanGains GainPan::cachedGains(float gainDecibels, float pan) noexcept {
    if (!(gainDecibels == cachedDecibels_) || !(pan == cachedPan_)) {
        cachedDecibels_ = gainDecibels;
        cachedPan_ = pan;
        cached_ = gainsFor(gainDecibels, pan, config_.input, config_.stereoMode);
    }
    return cached_;
}

inline void GainPan::onProcess(const ProcessContext& context) noexcept {
    const ParameterValues& gain = context.parameter(kGain);
    const ParameterValues& pan = context.parameter(kPan);
    const ConstBufferView& in = context.inputs[0];
    const BufferView& out = context.outputs[0];
    const FrameCount n = context.numFrames;
    FLUXFORGE_ASSERT(out.numChannels() == 2, "GainPan: output must be stereo");
    FLUXFORGE_ASSERT(in.numChannels() == (config_.input == PanInput::mono ? 1u : 2u),
                     "GainPan: input channel mismatch");
    const float* inLeft = in.channel(0);
    const float* inRight = in.channel(in.numChannels() - 1);
    float* outLeft = out.channel(0);
    float* outRight = out.channel(1);

    if (gain.isConstant() && pan.isConstant()) {
        const PanGains g = cachedGains(gain.constant(), pan.constant());
        for (FrameCount i = 0; i < n; ++i) {
            outLeft[i] = inLeft[i] * g.left;
        }
        for (FrameCount i = 0; i < n; ++i) {
            outRight[i] = inRight[i] * g.right;
        }
        return;
    }
    // Moving values: the same products with a gain per frame, so a flat per-sample buffer gives
    // the same bits as a constant.
    for (FrameCount i = 0; i < n; ++i) {
        const PanGains g = cachedGains(gain.at(i), pan.at(i));
        leftGains_[i] = g.left;
        rightGains_[i] = g.right;
    }
    for (FrameCount i = 0; i < n; ++i) {
        outLeft[i] = inLeft[i] * leftGains_[i];
    }
    for (FrameCount i = 0; i < n; ++i) {
        outRight[i] = inRight[i] * rightGains_[i];
    }
}

} // namespace fluxforge
