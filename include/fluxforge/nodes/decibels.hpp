// Decibel conversions shared by the built-in nodes' gain parameters.
#pragma once

#include <cmath>

namespace fluxforge {

/// The bottom of every built-in gain parameter's range. A gain at or below it is silence (a gain
/// of exactly 0), so that the bottom of a fader mutes instead of leaving -100 dB of signal.
inline constexpr float kSilenceDecibels = -100.0f;

/// 10^(decibels / 20), or 0 at or below kSilenceDecibels. Computed in double so that the one
/// rounding to float happens in the caller, after any further factors.
/// Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] double decibelsToGain(double decibels) noexcept;

/// 20 log10(gain), or kSilenceDecibels for gains at or below its linear value.
/// Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] double gainToDecibels(double gain) noexcept;

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline double decibelsToGain(double decibels) noexcept {
    if (!(decibels > static_cast<double>(kSilenceDecibels))) {
        return 0.0; // also catches NaN: a broken automation value mutes rather than explodes
    }
    return std::pow(10.0, decibels / 20.0);
}

inline double gainToDecibels(double gain) noexcept {
    const double floor = std::pow(10.0, static_cast<double>(kSilenceDecibels) / 20.0);
    if (!(gain > floor)) {
        return static_cast<double>(kSilenceDecibels);
    }
    return 20.0 * std::log10(gain);
}

} // namespace fluxforge
