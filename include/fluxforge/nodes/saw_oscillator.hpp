// SawOscillator: a band-limited sawtooth source (PolyBLEP).
#pragma once

#include <fluxforge/nodes/oscillator_node.hpp>

namespace fluxforge {

/// A rising sawtooth from -amplitude to +amplitude, band-limited with a two-sample polynomial
/// band-limited step (PolyBLEP) at each reset: the naive ramp `2 phase - 1` minus a quadratic
/// residual over the sample before and the sample after the jump. It costs a few multiplies per
/// frame, needs no table, no look-ahead and no state beyond the phase, so it follows per-sample
/// frequency changes exactly; it puts the strongest audible alias about 10 dB, and the total alias
/// power about 16 dB, below a naive ramp's (docs/nodes.md has the measured table and the
/// alternatives). See OscillatorNode.
struct SawWave {
    static constexpr const char* kName = "SawOscillator";
    static constexpr double kCostPerFrame = 3.0;

    /// The PolyBLEP residual at `phase` (cycles, [0, 1)) for a phase increment `increment` per
    /// frame (0 < increment <= 0.5): what the oscillator subtracts from `2 phase - 1`.
    /// Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] static double polyBlep(double phase, double increment) noexcept {
        if (phase < increment) {
            // The first sample after the jump: t in [0, 1) samples past it.
            const double t = phase / increment;
            return t + t - t * t - 1.0;
        }
        if (phase > 1.0 - increment) {
            // The last sample before the jump: t in (-1, 0] samples before it.
            const double t = (phase - 1.0) / increment;
            return t * t + t + t + 1.0;
        }
        return 0.0;
    }

    /// Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] static double sample(double phase, double increment) noexcept {
        // At increment 0 (0 Hz) neither branch of polyBlep is taken, so nothing divides by it.
        return 2.0 * phase - 1.0 - polyBlep(phase, increment);
    }
};

/// Construction options of a SawOscillator.
using SawOscillatorConfig = OscillatorConfig;
/// A band-limited sawtooth source: no inputs, one output port ("out"), parameters "frequency" and
/// "amplitude".
using SawOscillator = OscillatorNode<SawWave>;

} // namespace fluxforge
