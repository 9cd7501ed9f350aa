// EngineControl: construction (the smoothing time, checked and turned into frames).
#include "engine_control.hpp"

#include <fluxforge/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace fluxforge::detail {

namespace {

FrameCount smoothingFramesFor(SampleRate sampleRate, double smoothingSeconds) {
    if (!(smoothingSeconds >= 0.0 && smoothingSeconds <= 1.0)) {
        std::ostringstream message;
        message << "parameter smoothing time " << smoothingSeconds
                << " s is invalid: it must lie in 0..1 s (0 turns smoothing off)";
        throw Error(message.str());
    }
    // An invalid sample rate is the Engine's to report; it only must not poison this value.
    const double frames = std::isfinite(sampleRate) && sampleRate > 0.0
                              ? std::round(smoothingSeconds * sampleRate)
                              : 0.0;
    return static_cast<FrameCount>(std::min(frames, double{kMaxRampFrames}));
}

} // namespace

EngineControl::EngineControl(SampleRate sampleRate, double smoothingSeconds)
    : drain(smoothingFramesFor(sampleRate, smoothingSeconds)) {}

} // namespace fluxforge::detail
