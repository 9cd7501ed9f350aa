// Mixer: sums N inputs, each with its own gain, then applies a master gain.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/nodes/decibels.hpp>

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace fluxforge {

/// Construction options of a Mixer.
struct MixerConfig {
    /// Number of input ports, at least 1.
    std::size_t inputs = 2;
    /// Channels of every input port and of the output port.
    ChannelCount channels = 2;
};

/// Sums its inputs ("in0", "in1", ...) into one output ("out"), all of `channels` channels:
/// out = master * (((in0 * g0) + in1 * g1) + in2 * g2 ...), always in port order, so the result
/// is the same bits whatever the block size or schedule. Gains are in dB and change exactly at
/// the frame where the parameter changes. No latency. See docs/nodes.md.
class Mixer final : public Node {
public:
    /// Parameter "master": dB, -100..24, default 0; -100 (kSilenceDecibels) mutes.
    static constexpr std::size_t kMasterGain = 0;
    /// Parameter "gain<input>" of an input port: dB, -100..24, default 0; -100 mutes.
    /// Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] static constexpr std::size_t inputGain(std::size_t input) noexcept {
        return 1 + input;
    }

    /// Throws Error when `config.inputs` or `config.channels` is 0.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    explicit Mixer(const MixerConfig& config = {});

    /// Number of input ports. Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] std::size_t numInputs() const noexcept { return config_.inputs; }

private:
    // A dB value and its linear gain: pow() runs only when the value changes.
    struct CachedGain {
        float decibels = std::numeric_limits<float>::quiet_NaN();
        float gain = 0.0f;
        float get(float value) noexcept;
    };

    [[nodiscard]] NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;

    // Fills gains_ with one gain per frame of `values` and returns it, or returns nullptr and sets
    // `constant` when the values are constant.
    const float* gainsFor(const ParameterValues& values, CachedGain& cache, FrameCount numFrames,
                          float& constant) noexcept;

    // Set at construction.
    MixerConfig config_;
    // Audio thread only (sized at construction).
    std::vector<CachedGain> inputCaches_;
    CachedGain masterCache_;
    // Set at prepare: one gain per frame, for moving values.
    std::vector<float> gains_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline float Mixer::CachedGain::get(float value) noexcept {
    if (!(value == decibels)) {
        decibels = value;
        gain = static_cast<float>(decibelsToGain(value));
    }
    return gain;
}

inline Mixer::Mixer(const MixerConfig& config)
    : config_(config) {
    if (config_.inputs == 0) {
        throw Error("Mixer: inputs must be at least 1");
    }
    if (config_.channels == 0) {
        throw Error("Mixer: channels must be at least 1");
    }
    inputCaches_.resize(config_.inputs);
}

inline NodeProperties Mixer::describe() const {
    NodeProperties props;
    for (std::size_t k = 0; k < config_.inputs; ++k) {
        props.inputs.push_back({"in" + std::to_string(k), config_.channels});
    }
    props.outputs.push_back({"out", config_.channels});
    props.parameters.push_back(
        {"master", "Master", kSilenceDecibels, 24.0f, 0.0f, "dB", Automatable::yes});
    for (std::size_t k = 0; k < config_.inputs; ++k) {
        props.parameters.push_back({"gain" + std::to_string(k), "Gain " + std::to_string(k),
                                    kSilenceDecibels, 24.0f, 0.0f, "dB", Automatable::yes});
    }
    props.estimatedCostPerFrame =
        0.25 * static_cast<double>(config_.inputs) * static_cast<double>(config_.channels);
    return props;
}

inline void Mixer::onPrepare(const PrepareContext& context) {
    gains_.assign(context.maxBlockSize, 0.0f);
}

inline const float* Mixer::gainsFor(const ParameterValues& values, CachedGain& cache,
                                    FrameCount numFrames, float& constant) noexcept {
    if (values.isConstant()) {
        constant = cache.get(values.constant());
        return nullptr;
    }
    for (FrameCount i = 0; i < numFrames; ++i) {
        gains_[i] = cache.get(values.at(i));
    }
    return gains_.data();
}

inline void Mixer::onProcess(const ProcessContext& context) noexcept {
    const FrameCount n = context.numFrames;
    const BufferView& out = context.outputs[0];
    FLUXFORGE_ASSERT(context.inputs.size() == config_.inputs, "Mixer: input port count mismatch");
    FLUXFORGE_ASSERT(out.numChannels() == config_.channels, "Mixer: output channel mismatch");

    // Input-major: each output sample sees the same sequence of float operations (in port
    // order) as a frame-by-frame sum would, so the loop order does not change the bits.
    for (std::size_t k = 0; k < config_.inputs; ++k) {
        const ConstBufferView& in = context.inputs[k];
        FLUXFORGE_ASSERT(in.numChannels() == config_.channels, "Mixer: input channel mismatch");
        float g = 0.0f;
        const float* gains = gainsFor(context.parameter(inputGain(k)), inputCaches_[k], n, g);
        for (ChannelCount c = 0; c < config_.channels; ++c) {
            const float* src = in.channel(c);
            float* dst = out.channel(c);
            // The first input writes instead of adding to zero: the same value, one pass less.
            if (k == 0 && gains == nullptr) {
                for (FrameCount i = 0; i < n; ++i) {
                    dst[i] = src[i] * g;
                }
            } else if (k == 0) {
                for (FrameCount i = 0; i < n; ++i) {
                    dst[i] = src[i] * gains[i];
                }
            } else if (gains == nullptr) {
                for (FrameCount i = 0; i < n; ++i) {
                    dst[i] += src[i] * g;
                }
            } else {
                for (FrameCount i = 0; i < n; ++i) {
                    dst[i] += src[i] * gains[i];
                }
            }
        }
    }

    float master = 0.0f;
    const float* masters = gainsFor(context.parameter(kMasterGain), masterCache_, n, master);
    for (ChannelCount c = 0; c < config_.channels; ++c) {
        float* dst = out.channel(c);
        if (masters == nullptr) {
            for (FrameCount i = 0; i < n; ++i) {
                dst[i] *= master;
            }
        } else {
            for (FrameCount i = 0; i < n; ++i) {
                dst[i] *= masters[i];
            }
        }
    }
}

} // namespace fluxforge
