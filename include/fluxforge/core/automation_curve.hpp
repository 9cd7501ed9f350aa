// Automation curves: the shapes a segment between two breakpoints can take, and their formulas.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

namespace fluxforge {

/// How an automation segment goes from its breakpoint's value v0 to the next breakpoint's v1.
/// With u = (t - t0) / (t1 - t0) in [0, 1) the fraction of the segment elapsed:
enum class CurveShape : std::uint8_t {
    step,        ///< v0 until the next breakpoint, which jumps to v1 exactly at t1
    linear,      ///< v0 + (v1 - v0) u
    exponential, ///< v0 (v1 / v0)^u: constant ratio per frame (v0, v1 non-zero, same sign)
    sCurve,      ///< v0 + (v1 - v0) (3u^2 - 2u^3): smoothstep, flat at both ends
};

/// The curve's name, for messages. Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] constexpr std::string_view curveShapeName(CurveShape shape) noexcept;

/// Whether the value is one of the four shapes (a value cast from an integer may not be).
[[nodiscard]] constexpr bool isValidCurveShape(CurveShape shape) noexcept;

/// The curve's value at fraction u of a segment from v0 to v1, in double precision: the reference
/// the automation lanes evaluate (they precompute the per-segment constants of the same formulas).
/// Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] inline double curveValue(CurveShape shape, double v0, double v1, double u) noexcept;

// ------------------------------------------------------------------------------------------------
// Inline definitions

constexpr std::string_view curveShapeName(CurveShape shape) noexcept {
    switch (shape) {
    case CurveShape::step:
        return "step";
    case CurveShape::linear:
        return "linear";
    case CurveShape::exponential:
        return "exponential";
    case CurveShape::sCurve:
        return "S-curve";
    }
    return "unknown";
}

constexpr bool isValidCurveShape(CurveShape shape) noexcept {
    return shape == CurveShape::step || shape == CurveShape::linear ||
           shape == CurveShape::exponential || shape == CurveShape::sCurve;
}

inline double curveValue(CurveShape shape, double v0, double v1, double u) noexcept {
    switch (shape) {
    case CurveShape::step:
        return v0;
    case CurveShape::linear:
        return v0 + (v1 - v0) * u;
    case CurveShape::exponential:
        return v0 * std::exp(std::log(v1 / v0) * u);
    case CurveShape::sCurve:
        return v0 + (v1 - v0) * (u * u * (3.0 - 2.0 * u));
    }
    return v0;
}

} // namespace fluxforge
