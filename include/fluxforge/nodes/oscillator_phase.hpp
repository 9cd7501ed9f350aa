// OscillatorPhase: the running phase of an oscillator, shared by the built-in oscillators.
#pragma once

#include <fluxforge/core/types.hpp>

#include <limits>

namespace fluxforge {

/// An oscillator's phase in cycles, [0, 1), advanced one frame at a time by a frequency that may
/// change on any frame. Kept in double, so it is exact however the audio is cut into blocks.
///
/// Thread: the thread that processes the node (prepare: control). Real-time safe: yes (prepare
/// too). Allocates: no.
class OscillatorPhase {
public:
    void prepare(SampleRate sampleRate) noexcept {
        sampleRate_ = sampleRate;
        cachedFrequency_ = std::numeric_limits<float>::quiet_NaN();
        phase_ = 0.0;
    }
    void reset() noexcept { phase_ = 0.0; }

    [[nodiscard]] double value() const noexcept { return phase_; }

    /// The phase increment for `frequency` (cycles per frame), clamped to 0..Nyquist; NaN counts as
    /// 0 Hz, since a NaN phase would never recover. It divides only when the frequency changes.
    [[nodiscard]] double incrementFor(float frequency) noexcept {
        if (!(frequency == cachedFrequency_)) {
            cachedFrequency_ = frequency;
            double clamped = static_cast<double>(frequency);
            if (!(clamped >= 0.0)) {
                clamped = 0.0;
            } else if (clamped > sampleRate_ / 2.0) {
                clamped = sampleRate_ / 2.0;
            }
            cachedIncrement_ = clamped / sampleRate_;
        }
        return cachedIncrement_;
    }

    /// Moves one frame on.
    void advance(double increment) noexcept {
        phase_ += increment;
        if (phase_ >= 1.0) {
            phase_ -= 1.0; // exact: the increment is at most 0.5
        }
    }

private:
    SampleRate sampleRate_ = 48000.0;
    double phase_ = 0.0;
    // The last frequency seen and its increment; NaN forces the first computation.
    float cachedFrequency_ = std::numeric_limits<float>::quiet_NaN();
    double cachedIncrement_ = 0.0;
};

} // namespace fluxforge
