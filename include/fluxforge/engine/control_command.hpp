// Control commands: what a ControlSender puts in its queue for the audio thread, and the status
// every try* call reports.
#pragma once

#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node_id.hpp>

#include <cstdint>
#include <string_view>
#include <type_traits>

namespace fluxforge {

class Node;

/// What a ControlSender's try* call did. Anything but `ok` means nothing was sent and nothing
/// changed; commandStatusMessage() says why in words.
enum class CommandStatus : std::uint8_t {
    ok,              ///< queued; the audio thread applies it at the start of its next block
    queueFull,       ///< the sender's queue is full (the audio thread has not drained it yet)
    invalidSender,   ///< a default-constructed or moved-from ControlSender
    invalidHandle,   ///< a default-constructed ParameterHandle
    notFinite,       ///< the value is NaN or infinite
    outOfRange,      ///< the value lies outside the parameter's range
    invalidTime,     ///< an engine time below 0 or beyond kMaxTimelinePosition
    invalidRamp,     ///< a ramp longer than kMaxRampFrames
    invalidPosition, ///< a timeline position beyond +-kMaxTimelinePosition
    invalidLoop,     ///< a loop whose start is not before its end, or beyond the timeline limit
    engineGone,      ///< the engine this sender was created by has been destroyed
    foreignHandle,   ///< the ParameterHandle comes from another engine than this sender
};

/// The longest ramp a timed parameter change may ask for (about 6 hours at 48 kHz).
inline constexpr FrameCount kMaxRampFrames = FrameCount{1} << 30;

/// A sentence describing the status, for logs and error dialogs.
/// Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] constexpr std::string_view commandStatusMessage(CommandStatus status) noexcept;

namespace detail {

enum class CommandKind : std::uint8_t { setParameter, play, stop, locate, setLoop, clearLoop };

/// "Use the engine's smoothing time" in Command::rampFrames.
inline constexpr FrameCount kDefaultRamp = ~FrameCount{0};

/// One command. Trivially copyable, so the queue moves it with a plain copy and never allocates.
struct Command {
    CommandKind kind = CommandKind::setParameter;
    std::uint32_t sequence = 0; // per sender, from 1: the audio thread checks the order
    NodeId node;
    std::uint32_t parameter = 0;
    const Node* address = nullptr; // identity check only: never dereferenced before it is found
                                   // in the running plan
    float value = 0.0f;
    FrameCount rampFrames = 0;
    SampleTime at = 0;       // engine clock, or kImmediately
    SampleTime position = 0; // locate target, or loop start
    SampleTime end = 0;      // loop end
};
static_assert(std::is_trivially_copyable_v<Command>);

} // namespace detail

// ------------------------------------------------------------------------------------------------
// Inline definitions

constexpr std::string_view commandStatusMessage(CommandStatus status) noexcept {
    switch (status) {
    case CommandStatus::ok:
        return "ok: the command is queued for the audio thread";
    case CommandStatus::queueFull:
        return "the sender's command queue is full: the audio thread has not drained it yet (is "
               "the engine processing?); nothing was sent, try again later or create the sender "
               "with a larger capacity";
    case CommandStatus::invalidSender:
        return "the ControlSender is empty (default-constructed or moved from); nothing was sent";
    case CommandStatus::invalidHandle:
        return "the ParameterHandle is empty; get one from Engine::parameter(); nothing was sent";
    case CommandStatus::notFinite:
        return "the value is NaN or infinite; nothing was sent";
    case CommandStatus::outOfRange:
        return "the value lies outside the parameter's range (see ParameterHandle::minValue and "
               "maxValue); nothing was sent";
    case CommandStatus::invalidTime:
        return "the engine time is negative or beyond kMaxTimelinePosition; nothing was sent";
    case CommandStatus::invalidRamp:
        return "the ramp is longer than kMaxRampFrames; nothing was sent";
    case CommandStatus::invalidPosition:
        return "the timeline position lies beyond +-kMaxTimelinePosition; nothing was sent";
    case CommandStatus::invalidLoop:
        return "the loop start must lie before the loop end, both within +-kMaxTimelinePosition; "
               "nothing was sent";
    case CommandStatus::engineGone:
        return "the engine that created this sender has been destroyed; nothing was sent";
    case CommandStatus::foreignHandle:
        return "the ParameterHandle was resolved by another engine than the one this sender "
               "belongs to; nothing was sent";
    }
    return "unknown command status";
}

} // namespace fluxforge
