// OscillatorNode: the node skeleton every built-in oscillator shares (parameters, phase, channel
// copies); a Waveform says what one frame sounds like.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/nodes/oscillator_phase.hpp>

#include <algorithm>
#include <cstddef>
#include <string>

namespace fluxforge {

/// Construction options of an oscillator (SineOscillatorConfig, SawOscillatorConfig).
struct OscillatorConfig {
    /// Channels of the output port; every channel carries the same signal.
    ChannelCount channels = 1;
};

/// An oscillator: no inputs, one output port ("out"), no latency, parameters "frequency" and
/// "amplitude", and a phase (OscillatorPhase) advanced by `frequency / sampleRate` per frame. The
/// output depends only on the parameter values frame by frame, never on how the audio is cut into
/// blocks.
///
/// `Waveform` provides `static constexpr const char* kName` (for messages),
/// `static constexpr double kCostPerFrame` (the estimate without the per-channel copy) and
/// `static double sample(double phase, double increment) noexcept`: the value in -1..1 at `phase`
/// (cycles, [0, 1)) for a phase increment `increment` per frame.
template <class Waveform>
class OscillatorNode final : public Node {
public:
    /// Parameter "frequency": Hz, 0..20000, default 440. Values above half the sample rate are
    /// treated as half the sample rate.
    static constexpr std::size_t kFrequency = 0;
    /// Parameter "amplitude": linear peak level, 0..1, default 0.5.
    static constexpr std::size_t kAmplitude = 1;

    /// Throws Error when `config.channels` is 0.
    /// Thread: control. Real-time safe: no. Allocates: no.
    explicit OscillatorNode(const OscillatorConfig& config = {})
        : channels_(config.channels) {
        if (channels_ == 0) {
            throw Error(std::string(Waveform::kName) + ": channels must be at least 1");
        }
    }

    /// The phase the next frame will be rendered at, in cycles [0, 1). For tests and displays.
    /// Thread: the thread that processes the node, or any while it is not processing.
    /// Real-time safe: yes. Allocates: no.
    [[nodiscard]] double phase() const noexcept { return phase_.value(); }

private:
    [[nodiscard]] NodeProperties describe() const override {
        NodeProperties props = NodeProperties::source(
            channels_, Waveform::kCostPerFrame + static_cast<double>(channels_));
        props.parameters.push_back(
            {"frequency", "Frequency", 0.0f, 20000.0f, 440.0f, "Hz", Automatable::yes});
        props.parameters.push_back(
            {"amplitude", "Amplitude", 0.0f, 1.0f, 0.5f, "", Automatable::yes});
        return props;
    }

    void onPrepare(const PrepareContext& context) override { phase_.prepare(context.sampleRate); }

    void onProcess(const ProcessContext& context) noexcept override {
        const ParameterValues& frequency = context.parameter(kFrequency);
        const ParameterValues& amplitude = context.parameter(kAmplitude);
        const BufferView& out = context.outputs[0];
        FLUXFORGE_ASSERT(out.numChannels() == channels_, "oscillator: output channel mismatch");
        float* first = out.channel(0);
        // One code path for constant and per-sample values: at() reads whichever the block
        // carries, so the two give the same bits.
        for (FrameCount i = 0; i < context.numFrames; ++i) {
            const double increment = phase_.incrementFor(frequency.at(i));
            const double value = Waveform::sample(phase_.value(), increment);
            first[i] = static_cast<float>(static_cast<double>(amplitude.at(i)) * value);
            phase_.advance(increment);
        }
        for (ChannelCount c = 1; c < channels_; ++c) {
            std::copy(first, first + context.numFrames, out.channel(c));
        }
    }

    void onReset() noexcept override { phase_.reset(); }

    // Set at construction.
    ChannelCount channels_ = 1;
    // Audio thread (prepared on the control thread).
    OscillatorPhase phase_;
};

} // namespace fluxforge
