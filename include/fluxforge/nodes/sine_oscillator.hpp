// SineOscillator: a sine wave source.
#pragma once

#include <fluxforge/nodes/oscillator_node.hpp>

#include <cmath>
#include <numbers>

namespace fluxforge {

/// A sine wave, `amplitude * sin(2 pi phase)`, whose phase (in cycles, kept in double) advances by
/// `frequency / sampleRate` per frame. See OscillatorNode and docs/nodes.md.
struct SineWave {
    static constexpr const char* kName = "SineOscillator";
    static constexpr double kCostPerFrame = 10.0;
    /// Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] static double sample(double phase, double /*increment*/) noexcept {
        return std::sin(2.0 * std::numbers::pi * phase);
    }
};

/// Construction options of a SineOscillator.
using SineOscillatorConfig = OscillatorConfig;
/// A sine wave source: no inputs, one output port ("out"), parameters "frequency" and "amplitude".
using SineOscillator = OscillatorNode<SineWave>;

} // namespace fluxforge
