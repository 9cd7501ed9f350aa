// AutomationLane: an immutable list of breakpoints on the timeline and the curves between them.
#pragma once

#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/automation_curve.hpp>
#include <fluxforge/core/transport_info.hpp>
#include <fluxforge/core/types.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace fluxforge {

/// One point of an automation lane: at timeline position `time` the parameter is `value`, and
/// from there to the next breakpoint it follows `curve`.
struct Breakpoint {
    SampleTime time = 0;
    float value = 0.0f;
    CurveShape curve = CurveShape::linear;
};

/// A parameter's automation: breakpoints sorted by time, immutable once built, so the audio thread
/// reads it without a lock while a control thread prepares the next version.
///
/// The value at timeline position t: before the first breakpoint, the first value; from
/// breakpoint i (inclusive) to breakpoint i+1 (exclusive), breakpoint i's curve from v_i to
/// v_{i+1}; from the last breakpoint on, the last value. So a breakpoint's value is exact at its
/// own time, and a step curve jumps exactly at the next breakpoint. Formulas: CurveShape and
/// docs/automation.md.
///
/// Construction: Thread: any (control). Real-time safe: no. Allocates: yes.
/// Queries and `render`: Thread: any. Real-time safe: yes. Allocates: no.
class AutomationLane {
public:
    /// Where a reader is in the lane: the segment it last used. Each reader (one parameter on the
    /// audio thread) keeps its own; a default Cursor makes the next render() search.
    struct Cursor {
        std::size_t segment = ~std::size_t{0};
    };

    /// An empty lane: no automation.
    AutomationLane() = default;

    /// Validates and builds a lane. Throws fluxforge::Error, naming the breakpoint (its index and
    /// time) and what is wrong, for: times not strictly increasing (unsorted or duplicate), a time
    /// beyond +-kMaxTimelinePosition, a NaN or infinite value, an unknown curve, or an exponential
    /// segment whose ends are zero or of opposite signs. Range checks against a parameter happen
    /// when the lane is assigned to one (Engine::setAutomation).
    explicit AutomationLane(std::vector<Breakpoint> breakpoints);

    [[nodiscard]] std::span<const Breakpoint> breakpoints() const noexcept { return points_; }
    [[nodiscard]] bool empty() const noexcept { return points_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return points_.size(); }

    /// The smallest and largest breakpoint value (every curve stays between its two ends, so these
    /// bound the whole lane). 0 for an empty lane.
    [[nodiscard]] float minValue() const noexcept { return minValue_; }
    [[nodiscard]] float maxValue() const noexcept { return maxValue_; }

    /// The value at timeline position `time`, found by binary search. 0 for an empty lane.
    [[nodiscard]] float valueAt(SampleTime time) const noexcept;

    /// The values at positions `position` .. `position + frames - 1`. When they are all equal (the
    /// stretch lies inside one flat segment) it returns true and sets `constant`, leaving `out`
    /// untouched: no per-frame work. Otherwise it writes `frames` values to `out` and returns
    /// false. The cursor makes playback O(1) per block: it moves to the next segment when the
    /// position reaches it, and falls back to a binary search after a jump (locate, loop).
    /// The lane must not be empty. Every value depends only on its own position, so any split of
    /// the timeline into blocks gives the same bits.
    bool render(Cursor& cursor, SampleTime position, FrameCount frames, float* out,
                float& constant) const noexcept;

private:
    // Segment k covers [start, end): segment 0 lies before the first breakpoint, segment k >= 1
    // starts at breakpoint k-1, and the last one runs on from the last breakpoint.
    struct Segment {
        SampleTime start = 0;
        SampleTime end = 0;
        double v0 = 0.0;
        double delta = 0.0;    // v1 - v0
        double invSpan = 0.0;  // 1 / (end - start)
        double logRatio = 0.0; // log(v1 / v0), exponential only
        CurveShape shape = CurveShape::step;
        bool flat = true;
        float flatValue = 0.0f;
    };

    [[nodiscard]] std::size_t segmentOf(SampleTime time) const noexcept;
    static void fill(const Segment& segment, SampleTime first, FrameCount frames,
                     float* out) noexcept;
    [[nodiscard]] static float evaluate(const Segment& segment, SampleTime time) noexcept;

    std::vector<Breakpoint> points_;
    std::vector<Segment> segments_;
    float minValue_ = 0.0f;
    float maxValue_ = 0.0f;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline std::size_t AutomationLane::segmentOf(SampleTime time) const noexcept {
    // The number of breakpoints at or before `time` is the index of its segment.
    const auto after = std::upper_bound(
        points_.begin(), points_.end(), time,
        [](SampleTime t, const Breakpoint& point) noexcept { return t < point.time; });
    return static_cast<std::size_t>(after - points_.begin());
}

inline float AutomationLane::evaluate(const Segment& segment, SampleTime time) noexcept {
    if (segment.flat) {
        return segment.flatValue;
    }
    const double u = static_cast<double>(time - segment.start) * segment.invSpan;
    switch (segment.shape) {
    case CurveShape::linear:
        return static_cast<float>(segment.v0 + segment.delta * u);
    case CurveShape::exponential:
        return static_cast<float>(segment.v0 * std::exp(segment.logRatio * u));
    case CurveShape::sCurve:
        return static_cast<float>(segment.v0 + segment.delta * (u * u * (3.0 - 2.0 * u)));
    case CurveShape::step:
        break;
    }
    return segment.flatValue;
}

// One segment's values for `frames` consecutive positions from `first`; the shape is chosen once
// per run rather than per frame.
inline void AutomationLane::fill(const Segment& segment, SampleTime first, FrameCount frames,
                                 float* out) noexcept {
    if (segment.flat) {
        std::fill_n(out, frames, segment.flatValue);
        return;
    }
    const SampleTime offset = first - segment.start;
    switch (segment.shape) {
    case CurveShape::linear:
        for (FrameCount i = 0; i < frames; ++i) {
            const double u = static_cast<double>(offset + i) * segment.invSpan;
            out[i] = static_cast<float>(segment.v0 + segment.delta * u);
        }
        return;
    case CurveShape::exponential:
        for (FrameCount i = 0; i < frames; ++i) {
            const double u = static_cast<double>(offset + i) * segment.invSpan;
            out[i] = static_cast<float>(segment.v0 * std::exp(segment.logRatio * u));
        }
        return;
    case CurveShape::sCurve:
        for (FrameCount i = 0; i < frames; ++i) {
            const double u = static_cast<double>(offset + i) * segment.invSpan;
            out[i] = static_cast<float>(segment.v0 + segment.delta * (u * u * (3.0 - 2.0 * u)));
        }
        return;
    case CurveShape::step:
        break;
    }
    std::fill_n(out, frames, segment.flatValue);
}

inline float AutomationLane::valueAt(SampleTime time) const noexcept {
    if (points_.empty()) {
        return 0.0f;
    }
    return evaluate(segments_[segmentOf(time)], time);
}

inline bool AutomationLane::render(Cursor& cursor, SampleTime position, FrameCount frames,
                                   float* out, float& constant) const noexcept {
    FLUXFORGE_ASSERT(!points_.empty(), "render() on an empty automation lane");
    FLUXFORGE_ASSERT(frames > 0, "render() of no frames");
    std::size_t k = cursor.segment;
    if (k >= segments_.size()) {
        k = segmentOf(position); // a new cursor
    } else if (position < segments_[k].start || position >= segments_[k].end) {
        // Playback moves into the next segment exactly at its start; anything else is a jump.
        if (position == segments_[k].end && k + 1 < segments_.size()) {
            ++k;
        } else {
            k = segmentOf(position);
        }
    }
    const Segment* segment = &segments_[k];
    // Segment ends are at most 2^62 and positions within 2^60 of zero: no overflow.
    SampleTime remaining = segment->end - position;
    if (segment->flat && static_cast<SampleTime>(frames) <= remaining) {
        cursor.segment = k;
        constant = segment->flatValue;
        return true;
    }
    FrameCount done = 0;
    for (;;) {
        const FrameCount run = static_cast<SampleTime>(frames - done) <= remaining
                                   ? frames - done
                                   : static_cast<FrameCount>(remaining);
        fill(*segment, position + done, run, out + done);
        done += run;
        if (done == frames) {
            break;
        }
        segment = &segments_[++k];
        remaining = segment->end - segment->start;
    }
    cursor.segment = k;
    return false;
}

} // namespace fluxforge
