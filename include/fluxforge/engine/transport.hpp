// Transport: play, stop, locate and loop on the audio thread, block by block, and the position
// reported back to the host.
#pragma once

#include <fluxforge/core/seqlock.hpp>
#include <fluxforge/core/transport_info.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/engine/control_command.hpp>

#include <algorithm>
#include <array>
#include <cstdint>

namespace fluxforge {

/// The transport as the host reads it back (Engine::transportApprox).
struct TransportSnapshot {
    PlayState playState = PlayState::stopped;
    /// Timeline position of the next frame the engine will render.
    SampleTime position = 0;
    /// Engine clock of that frame (frames since the engine started): position and engineTime
    /// together let the host map between the two clocks.
    SampleTime engineTime = 0;
    LoopMode loopMode = LoopMode::off;
    SampleTime loopStart = 0;
    SampleTime loopEnd = 0;
};

namespace detail {

/// The frames a block starting at `info` may have, at most `limit`: it ends at the loop end while
/// playing into one. At least 1. Thread: any. Real-time safe: yes.
[[nodiscard]] inline FrameCount framesBeforeLoopEnd(const TransportInfo& info,
                                                    FrameCount limit) noexcept {
    SampleTime frames = limit;
    if (info.isPlaying() && info.loopMode == LoopMode::on && info.position < info.loopEnd) {
        frames = std::min(frames, info.loopEnd - info.position);
    }
    return static_cast<FrameCount>(std::max<SampleTime>(frames, 1));
}

/// Moves the playhead past a block of `frames` frames: advances it while playing and wraps it at
/// the loop end. Thread: any. Real-time safe: yes.
inline void advancePlayhead(TransportInfo& info, FrameCount frames) noexcept {
    info.jump = TimelineJump::none;
    if (info.isPlaying()) {
        const SampleTime before = info.position;
        info.position += frames;
        if (info.loopMode == LoopMode::on && before < info.loopEnd &&
            info.position == info.loopEnd) {
            info.position = info.loopStart;
            info.jump = TimelineJump::looped;
        }
    }
}

/// The audio thread's transport. Commands arrive through the engine's queues: immediate ones
/// apply at once, timed ones wait (sorted) until their engine time. The engine asks how many frames
/// the next block may have (nextBlockFrames), so that a loop end or a timed command always falls
/// on a block boundary, and advances the transport after each block.
///
/// Thread: audio, except snapshot() (any).
class TransportRuntime {
public:
    /// Timed transport commands waiting at once; more wait in their sender's queue.
    static constexpr std::uint32_t kMaxPendingCommands = 32;

    enum class Outcome { applied, late, full };

    /// Applies `command` (a transport kind) now or at its time. `now` is the engine time of the
    /// next frame to render. Thread: audio. Real-time safe: yes. Allocates: no.
    Outcome apply(const Command& command, SampleTime now) noexcept;

    /// The frames the block starting at `engineTime` may have, at most `limit`: it ends at a loop
    /// end or at the time of a waiting command. Thread: audio. Real-time safe: yes.
    [[nodiscard]] FrameCount nextBlockFrames(SampleTime engineTime,
                                             FrameCount limit) const noexcept;

    /// The transport for the next block. Thread: audio. Real-time safe: yes.
    [[nodiscard]] const TransportInfo& info() const noexcept { return info_; }
    /// Counts the commands that changed the timeline (play, stop, locate, loop): a renderer
    /// working ahead along the timeline starts again when it moves. Thread: audio.
    [[nodiscard]] std::uint64_t epoch() const noexcept { return epoch_; }

    /// Moves past a rendered block of `frames` frames that started at engine time `blockStart`:
    /// advances the playhead, wraps at the loop end, applies commands due at the next frame.
    /// Thread: audio. Real-time safe: yes. Allocates: no.
    void advance(SampleTime blockStart, FrameCount frames) noexcept;

    /// Publishes the state for snapshot(); `engineTime` is the next frame's engine time.
    /// Thread: audio. Real-time safe: yes (wait-free). Allocates: no.
    void publish(SampleTime engineTime) noexcept;

    /// The last published state, consistent across its fields. Thread: any. Real-time safe: no
    /// (it retries while the audio thread is publishing). Allocates: no.
    [[nodiscard]] TransportSnapshot snapshot() const noexcept;

private:
    void applyNow(const Command& command) noexcept;
    void applyDue(SampleTime time) noexcept;

    // Audio thread only.
    TransportInfo info_;
    std::uint64_t epoch_ = 0;
    std::array<Command, kMaxPendingCommands> pending_{}; // sorted by time, then arrival
    std::uint32_t pendingCount_ = 0;

    // Shared: the reported state behind a seqlock, so the reader never sees a torn snapshot and the
    // writer never waits.
    Seqlock<TransportSnapshot> reported_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline void TransportRuntime::applyNow(const Command& command) noexcept {
    ++epoch_;
    switch (command.kind) {
    case CommandKind::play:
        info_.playState = PlayState::playing;
        break;
    case CommandKind::stop:
        info_.playState = PlayState::stopped;
        break;
    case CommandKind::locate:
        info_.position = command.position;
        info_.jump = TimelineJump::located;
        break;
    case CommandKind::setLoop:
        info_.loopMode = LoopMode::on;
        info_.loopStart = command.position;
        info_.loopEnd = command.end;
        break;
    case CommandKind::clearLoop:
        info_.loopMode = LoopMode::off;
        break;
    case CommandKind::setParameter:
        break;
    }
}

inline TransportRuntime::Outcome TransportRuntime::apply(const Command& command,
                                                         SampleTime now) noexcept {
    if (command.at == kImmediately || command.at <= now) {
        applyNow(command);
        return command.at != kImmediately && command.at < now ? Outcome::late : Outcome::applied;
    }
    if (pendingCount_ == kMaxPendingCommands) {
        return Outcome::full;
    }
    std::uint32_t position = pendingCount_;
    while (position > 0 && pending_[position - 1].at > command.at) {
        pending_[position] = pending_[position - 1];
        --position;
    }
    pending_[position] = command;
    ++pendingCount_;
    return Outcome::applied;
}

inline void TransportRuntime::applyDue(SampleTime time) noexcept {
    std::uint32_t due = 0;
    while (due < pendingCount_ && pending_[due].at <= time) {
        applyNow(pending_[due]);
        ++due;
    }
    if (due > 0) {
        for (std::uint32_t i = due; i < pendingCount_; ++i) {
            pending_[i - due] = pending_[i];
        }
        pendingCount_ -= due;
    }
}

inline FrameCount TransportRuntime::nextBlockFrames(SampleTime engineTime,
                                                    FrameCount limit) const noexcept {
    SampleTime frames = limit;
    if (pendingCount_ > 0) {
        frames = std::min(frames, pending_[0].at - engineTime);
    }
    // Waiting commands lie in the future and the playhead before the loop end: at least 1.
    return framesBeforeLoopEnd(info_, static_cast<FrameCount>(std::max<SampleTime>(frames, 1)));
}

inline void TransportRuntime::advance(SampleTime blockStart, FrameCount frames) noexcept {
    advancePlayhead(info_, frames);
    applyDue(blockStart + frames);
}

inline void TransportRuntime::publish(SampleTime engineTime) noexcept {
    TransportSnapshot state;
    state.playState = info_.playState;
    state.position = info_.position;
    state.engineTime = engineTime;
    state.loopMode = info_.loopMode;
    state.loopStart = info_.loopStart;
    state.loopEnd = info_.loopEnd;
    reported_.store(state);
}

inline TransportSnapshot TransportRuntime::snapshot() const noexcept {
    return reported_.load();
}

} // namespace detail
} // namespace fluxforge
