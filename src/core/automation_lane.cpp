// AutomationLane construction: validation and the per-segment constants render() uses.
#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/core/transport_info.hpp>

#include <sstream>
#include <string>
#include <utility>

namespace fluxforge {
namespace {

// Sentinel ends of the first and last segments: beyond any timeline position, yet far enough from
// the limits of SampleTime that differences with any valid position cannot overflow.
constexpr SampleTime kFarPast = -(SampleTime{1} << 62);
constexpr SampleTime kFarFuture = SampleTime{1} << 62;

std::string describePoint(std::size_t index, const Breakpoint& point) {
    return "automation breakpoint " + std::to_string(index) + " (time " +
           std::to_string(point.time) + ")";
}

void validate(const std::vector<Breakpoint>& points) {
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Breakpoint& point = points[i];
        if (point.time > kMaxTimelinePosition || point.time < -kMaxTimelinePosition) {
            throw Error(describePoint(i, point) + " lies beyond the timeline limit of +-" +
                        std::to_string(kMaxTimelinePosition) + " samples");
        }
        if (!std::isfinite(point.value)) {
            std::ostringstream message;
            message << describePoint(i, point) << " has the value " << point.value
                    << ": values must be finite numbers";
            throw Error(message.str());
        }
        if (!isValidCurveShape(point.curve)) {
            throw Error(describePoint(i, point) + " has an unknown curve shape (" +
                        std::to_string(static_cast<int>(point.curve)) + ")");
        }
        if (i == 0) {
            continue;
        }
        const Breakpoint& previous = points[i - 1];
        if (point.time == previous.time) {
            throw Error("automation breakpoints " + std::to_string(i - 1) + " and " +
                        std::to_string(i) + " share the time " + std::to_string(point.time) +
                        ": each breakpoint needs a time of its own (use a step curve for a jump)");
        }
        if (point.time < previous.time) {
            throw Error(describePoint(i, point) + " comes before breakpoint " +
                        std::to_string(i - 1) + " (time " + std::to_string(previous.time) +
                        "): breakpoints must be sorted by time");
        }
        if (previous.curve == CurveShape::exponential &&
            !((previous.value > 0.0f && point.value > 0.0f) ||
              (previous.value < 0.0f && point.value < 0.0f))) {
            std::ostringstream message;
            message << describePoint(i - 1, previous) << " starts an exponential segment from "
                    << previous.value << " to " << point.value
                    << ": both ends must be non-zero and of the same sign (use a linear or "
                       "S-curve segment through zero)";
            throw Error(message.str());
        }
    }
}

} // namespace

AutomationLane::AutomationLane(std::vector<Breakpoint> breakpoints) {
    validate(breakpoints);
    points_ = std::move(breakpoints);
    if (points_.empty()) {
        return;
    }
    minValue_ = points_.front().value;
    maxValue_ = points_.front().value;
    for (const Breakpoint& point : points_) {
        minValue_ = std::min(minValue_, point.value);
        maxValue_ = std::max(maxValue_, point.value);
    }

    const std::size_t n = points_.size();
    segments_.resize(n + 1);
    Segment& before = segments_.front();
    before.start = kFarPast;
    before.end = points_.front().time;
    before.flatValue = points_.front().value;
    for (std::size_t i = 0; i < n; ++i) {
        Segment& segment = segments_[i + 1];
        const Breakpoint& from = points_[i];
        segment.start = from.time;
        segment.shape = from.curve;
        segment.v0 = static_cast<double>(from.value);
        segment.flatValue = from.value;
        if (i + 1 == n) {
            segment.end = kFarFuture;
            segment.flat = true;
            continue;
        }
        const Breakpoint& to = points_[i + 1];
        segment.end = to.time;
        segment.flat = from.curve == CurveShape::step || from.value == to.value;
        segment.delta = static_cast<double>(to.value) - static_cast<double>(from.value);
        segment.invSpan = 1.0 / static_cast<double>(to.time - from.time);
        if (from.curve == CurveShape::exponential && !segment.flat) {
            segment.logRatio =
                std::log(static_cast<double>(to.value) / static_cast<double>(from.value));
        }
    }
}

} // namespace fluxforge
