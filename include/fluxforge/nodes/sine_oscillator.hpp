// SineOscillator: a sine wave source.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/nodes/oscillator_phase.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>

namespace fluxforge {

/// Construction options of a SineOscillator.
struct SineOscillatorConfig {
    /// Channels of the output port; every channel carries the same signal.
    ChannelCount channels = 1;
};

/// A sine wave, `amplitude * sin(2 pi phase)`, whose phase (in cycles, kept in double) advances by
/// `frequency / sampleRate` per frame. No inputs, one output port ("out"), no latency. The output
/// depends only on the parameter values frame by frame, never on how the audio is cut into blocks.
/// See docs/nodes.md.
class SineOscillator final : public Node {
public:
    /// Parameter "frequency": Hz, 0..20000, default 440. Values above half the sample rate are
    /// treated as half the sample rate.
    static constexpr std::size_t kFrequency = 0;
    /// Parameter "amplitude": linear peak level, 0..1, default 0.5.
    static constexpr std::size_t kAmplitude = 1;

    /// Throws Error when `config.channels` is 0.
    /// Thread: control. Real-time safe: no. Allocates: no.
    explicit SineOscillator(const SineOscillatorConfig& config = {});

    /// The phase the next frame will be rendered at, in cycles [0, 1). For tests and displays.
    /// Thread: the thread that processes the node, or any while it is not processing.
    /// Real-time safe: yes. Allocates: no.
    [[nodiscard]] double phase() const noexcept { return phase_.value(); }

private:
    [[nodiscard]] NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;
    void onReset() noexcept override;

    // Set at construction.
    ChannelCount channels_ = 1;
    // Audio thread (prepared on the control thread).
    OscillatorPhase phase_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline SineOscillator::SineOscillator(const SineOscillatorConfig& config)
    : channels_(config.channels) {
    if (channels_ == 0) {
        throw Error("SineOscillator: channels must be at least 1");
    }
}

inline NodeProperties SineOscillator::describe() const {
    NodeProperties props;
    props.outputs.push_back({"out", channels_});
    props.parameters.push_back(
        {"frequency", "Frequency", 0.0f, 20000.0f, 440.0f, "Hz", Automatable::yes});
    props.parameters.push_back({"amplitude", "Amplitude", 0.0f, 1.0f, 0.5f, "", Automatable::yes});
    props.estimatedCostPerFrame = 10.0 + static_cast<double>(channels_);
    return props;
}

inline void SineOscillator::onPrepare(const PrepareContext& context) {
    phase_.prepare(context.sampleRate);
}

inline void SineOscillator::onProcess(const ProcessContext& context) noexcept {
    const ParameterValues& frequency = context.parameter(kFrequency);
    const ParameterValues& amplitude = context.parameter(kAmplitude);
    const BufferView& out = context.outputs[0];
    FLUXFORGE_ASSERT(out.numChannels() == channels_, "SineOscillator: output channel mismatch");
    float* first = out.channel(0);
    // One code path for constant and per-sample values: at() reads whichever the block carries,
    // so the two give the same bits.
    for (FrameCount i = 0; i < context.numFrames; ++i) {
        const double increment = phase_.incrementFor(frequency.at(i));
        const double value = std::sin(2.0 * std::numbers::pi * phase_.value());
        first[i] = static_cast<float>(static_cast<double>(amplitude.at(i)) * value);
        phase_.advance(increment);
    }
    for (ChannelCount c = 1; c < channels_; ++c) {
        std::copy(first, first + context.numFrames, out.channel(c));
    }
}

inline void SineOscillator::onReset() noexcept {
    phase_.reset();
}

} // namespace fluxforge
