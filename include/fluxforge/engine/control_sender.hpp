// ControlSender: one thread's wait-free line to an engine's audio thread (parameter changes and
// transport commands), over a single-producer queue of its own.
#pragma once

#include <fluxforge/core/transport_info.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/engine/control_command.hpp>
#include <fluxforge/engine/parameter_handle.hpp>

#include <readerwriterqueue/readerwriterqueue.h>

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace fluxforge {

/// Settings of a ControlSender.
struct SenderConfig {
    /// Commands the queue holds, exactly: with this many sent and not yet taken by the audio
    /// thread, try* calls report CommandStatus::queueFull (1..kMaxSenderCapacity). The audio
    /// thread empties it at the start of every process() call.
    std::size_t capacity = 1024;
};

/// The largest SenderConfig::capacity.
inline constexpr std::size_t kMaxSenderCapacity = std::size_t{1} << 20;

namespace detail {

/// The queue between one ControlSender and the audio thread, shared by both (and by the engine's
/// list of senders) so that neither side's lifetime constrains the other's.
struct CommandChannel {
    CommandChannel(std::size_t requestedCapacity, std::uint64_t engineSerial)
        : queue(requestedCapacity)
        , capacity(requestedCapacity)
        , engine(engineSerial) {}

    moodycamel::ReaderWriterQueue<Command> queue; // producer: the sender; consumer: audio
    // SenderConfig::capacity: the most commands in flight (the sender counts them against
    // `delivered`; the queue itself may round its size up), and the most the audio thread takes
    // from it per process() call.
    const std::size_t capacity;
    const std::uint64_t engine;              // the serial of the engine it belongs to
    std::atomic<bool> engineGone{false};     // set when that engine is destroyed
    std::atomic<bool> closed{false};         // set by the sender when it goes away
    std::atomic<bool> drained{false};        // set by audio once closed and empty
    std::atomic<std::uint64_t> delivered{0}; // written by audio
    std::uint32_t lastSequence = 0;          // audio thread only
};

} // namespace detail

/// Sends commands from one thread to an Engine's audio thread. Each sender owns a bounded
/// single-producer/single-consumer queue (readerwriterqueue, `try_enqueue` only), so sending is
/// wait-free, never allocates and never contends with other senders: create one per thread that
/// controls the engine (Engine::createSender). Commands from one sender are applied in the order
/// they were sent; commands from different senders have no order among themselves, except
/// through the times they carry (docs/automation.md).
///
/// Every try* call validates its arguments and returns a CommandStatus: anything but `ok` means
/// nothing was queued (a full queue included: nothing is dropped silently).
///
/// Thread: the try* calls and queries from one thread at a time (any thread, a real-time one
/// included); construction, move and destruction on a control thread. Real-time safe: try* yes.
/// Allocates: try* no.
class ControlSender {
public:
    /// An empty sender: every try* returns CommandStatus::invalidSender.
    ControlSender() = default;
    ControlSender(ControlSender&& other) noexcept;
    ControlSender& operator=(ControlSender&& other) noexcept;
    ControlSender(const ControlSender&) = delete;
    ControlSender& operator=(const ControlSender&) = delete;
    /// Closes the queue; the audio thread still applies what is in it, then the engine forgets it.
    ~ControlSender();

    [[nodiscard]] bool isValid() const noexcept { return channel_ != nullptr; }

    /// A live change: the parameter glides to `value` over the engine's smoothing time
    /// (EngineConfig::parameterSmoothingSeconds), starting at the first frame of the next block
    /// the audio thread renders. Values outside the parameter's range are rejected.
    [[nodiscard]] CommandStatus trySetParameter(const ParameterHandle& parameter,
                                                float value) noexcept;

    /// A timed change: at engine time `at` (frames since the engine started, the clock of
    /// Engine::framesRenderedApprox), the parameter steps to `value` (rampFrames 0) or starts a
    /// linear ramp of `rampFrames` frames, moving at `at` and landing on `value` at
    /// at + rampFrames - 1. A time already rendered when the
    /// audio thread gets the command is applied at the first frame of its next block and counted
    /// in ControlStats::commandsLate.
    [[nodiscard]] CommandStatus trySetParameterAt(const ParameterHandle& parameter, float value,
                                                  SampleTime at,
                                                  FrameCount rampFrames = 0) noexcept;

    /// Starts the transport at engine time `at` (default: the next block).
    [[nodiscard]] CommandStatus tryPlay(SampleTime at = kImmediately) noexcept;
    /// Stops the transport at engine time `at`; the playhead stays where it stopped.
    [[nodiscard]] CommandStatus tryStop(SampleTime at = kImmediately) noexcept;
    /// Moves the playhead to timeline `position` at engine time `at`.
    [[nodiscard]] CommandStatus tryLocate(SampleTime position,
                                          SampleTime at = kImmediately) noexcept;
    /// Loops the timeline range [start, end) from the next block on: when playback reaches `end`
    /// it continues at `start`, exactly at that frame.
    [[nodiscard]] CommandStatus trySetLoop(SampleTime start, SampleTime end) noexcept;
    /// Turns looping off from the next block on.
    [[nodiscard]] CommandStatus tryClearLoop() noexcept;

    /// Commands this sender has queued (try* calls that returned ok).
    [[nodiscard]] std::uint64_t sentCount() const noexcept { return sent_; }
    /// Commands the audio thread has taken from this sender's queue. May be stale.
    [[nodiscard]] std::uint64_t deliveredApprox() const noexcept;

private:
    friend class detail::ParameterRegistry;
    explicit ControlSender(std::shared_ptr<detail::CommandChannel> channel) noexcept;

    CommandStatus sendParameter(const ParameterHandle& parameter, float value, SampleTime at,
                                FrameCount rampFrames) noexcept;
    CommandStatus push(detail::Command& command) noexcept;
    // invalidSender or engineGone when the sender cannot send, else ok.
    [[nodiscard]] CommandStatus usable() const noexcept {
        if (channel_ == nullptr) {
            return CommandStatus::invalidSender;
        }
        return channel_->engineGone.load(std::memory_order_acquire) ? CommandStatus::engineGone
                                                                    : CommandStatus::ok;
    }
    static bool isValidTime(SampleTime at) noexcept {
        return at == kImmediately || (at >= 0 && at <= kMaxTimelinePosition);
    }
    static bool isValidPosition(SampleTime position) noexcept {
        return position >= -kMaxTimelinePosition && position <= kMaxTimelinePosition;
    }

    std::shared_ptr<detail::CommandChannel> channel_;
    std::uint32_t nextSequence_ = 1;
    std::uint64_t sent_ = 0;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline CommandStatus ControlSender::push(detail::Command& command) noexcept {
    // A stale count only reports full early; the queue itself refuses a slot not yet freed.
    if (sent_ - channel_->delivered.load(std::memory_order_relaxed) >= channel_->capacity) {
        return CommandStatus::queueFull;
    }
    command.sequence = nextSequence_;
    if (!channel_->queue.try_enqueue(command)) {
        return CommandStatus::queueFull;
    }
    ++nextSequence_;
    ++sent_;
    return CommandStatus::ok;
}

inline CommandStatus ControlSender::sendParameter(const ParameterHandle& parameter, float value,
                                                  SampleTime at, FrameCount rampFrames) noexcept {
    if (const CommandStatus status = usable(); status != CommandStatus::ok) {
        return status;
    }
    if (!parameter.isValid()) {
        return CommandStatus::invalidHandle;
    }
    if (parameter.engine_ != channel_->engine) {
        return CommandStatus::foreignHandle;
    }
    if (!std::isfinite(value)) {
        return CommandStatus::notFinite;
    }
    if (value < parameter.minValue() || value > parameter.maxValue()) {
        return CommandStatus::outOfRange;
    }
    detail::Command command;
    command.kind = detail::CommandKind::setParameter;
    command.node = parameter.node_;
    command.parameter = parameter.index_;
    command.address = parameter.address_;
    command.value = value;
    command.rampFrames = rampFrames;
    command.at = at;
    return push(command);
}

inline CommandStatus ControlSender::trySetParameter(const ParameterHandle& parameter,
                                                    float value) noexcept {
    return sendParameter(parameter, value, kImmediately, detail::kDefaultRamp);
}

inline CommandStatus ControlSender::trySetParameterAt(const ParameterHandle& parameter, float value,
                                                      SampleTime at,
                                                      FrameCount rampFrames) noexcept {
    if (channel_ != nullptr && parameter.isValid()) {
        if (at == kImmediately || !isValidTime(at)) {
            return CommandStatus::invalidTime;
        }
        if (rampFrames > kMaxRampFrames) {
            return CommandStatus::invalidRamp;
        }
    }
    return sendParameter(parameter, value, at, rampFrames);
}

inline CommandStatus ControlSender::tryPlay(SampleTime at) noexcept {
    if (const CommandStatus status = usable(); status != CommandStatus::ok) {
        return status;
    }
    if (!isValidTime(at)) {
        return CommandStatus::invalidTime;
    }
    detail::Command command;
    command.kind = detail::CommandKind::play;
    command.at = at;
    return push(command);
}

inline CommandStatus ControlSender::tryStop(SampleTime at) noexcept {
    if (const CommandStatus status = usable(); status != CommandStatus::ok) {
        return status;
    }
    if (!isValidTime(at)) {
        return CommandStatus::invalidTime;
    }
    detail::Command command;
    command.kind = detail::CommandKind::stop;
    command.at = at;
    return push(command);
}

inline CommandStatus ControlSender::tryLocate(SampleTime position, SampleTime at) noexcept {
    if (const CommandStatus status = usable(); status != CommandStatus::ok) {
        return status;
    }
    if (!isValidPosition(position)) {
        return CommandStatus::invalidPosition;
    }
    if (!isValidTime(at)) {
        return CommandStatus::invalidTime;
    }
    detail::Command command;
    command.kind = detail::CommandKind::locate;
    command.position = position;
    command.at = at;
    return push(command);
}

inline CommandStatus ControlSender::trySetLoop(SampleTime start, SampleTime end) noexcept {
    if (const CommandStatus status = usable(); status != CommandStatus::ok) {
        return status;
    }
    if (!(start < end) || !isValidPosition(start) || !isValidPosition(end)) {
        return CommandStatus::invalidLoop;
    }
    detail::Command command;
    command.kind = detail::CommandKind::setLoop;
    command.position = start;
    command.end = end;
    command.at = kImmediately;
    return push(command);
}

inline CommandStatus ControlSender::tryClearLoop() noexcept {
    if (const CommandStatus status = usable(); status != CommandStatus::ok) {
        return status;
    }
    detail::Command command;
    command.kind = detail::CommandKind::clearLoop;
    command.at = kImmediately;
    return push(command);
}

inline std::uint64_t ControlSender::deliveredApprox() const noexcept {
    return channel_ == nullptr ? 0 : channel_->delivered.load(std::memory_order_relaxed);
}

} // namespace fluxforge
