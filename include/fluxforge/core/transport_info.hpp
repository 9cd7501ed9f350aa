// TransportInfo: where a block lies on the host's timeline, as a node sees it.
#pragma once

#include <fluxforge/core/types.hpp>

#include <cstdint>
#include <limits>

namespace fluxforge {

/// Whether the transport is rolling.
enum class PlayState : std::uint8_t { stopped, playing };

/// Whether the loop range is in force.
enum class LoopMode : std::uint8_t { off, on };

/// Why a block's timeline position does not continue from the previous block's.
enum class TimelineJump : std::uint8_t {
    none,    ///< the position continues (or stays, while stopped)
    located, ///< the host located the playhead
    looped,  ///< the playhead reached the loop end and wrapped to the loop start
};

/// The largest timeline position (and automation breakpoint time) in either direction, about
/// 760,000 years at 48 kHz: far enough that adding any block length can never overflow.
inline constexpr SampleTime kMaxTimelinePosition = SampleTime{1} << 60;

/// "No time given": a command takes effect at the first frame of the next block the audio thread
/// renders (see docs/automation.md).
inline constexpr SampleTime kImmediately = std::numeric_limits<SampleTime>::min();

/// The transport as it stands for one block. The engine splits blocks wherever the timeline jumps
/// (a loop wrap, a locate, a timed play or stop), so that inside one block the timeline is
/// contiguous: while playing, frame i lies at `position + i`; while stopped, every frame lies at
/// `position` (the timeline does not advance, but the block is still rendered).
///
/// Thread: written by the engine's audio thread, read by nodes in process(). Real-time safe: yes.
struct TransportInfo {
    PlayState playState = PlayState::stopped;
    /// Timeline position of the block's first frame.
    SampleTime position = 0;
    LoopMode loopMode = LoopMode::off;
    SampleTime loopStart = 0; ///< first frame of the loop
    SampleTime loopEnd = 0;   ///< first frame after the loop (the playhead wraps when it gets here)
    /// Set on the first block after a locate or a loop wrap: a node that follows the timeline
    /// (a sample player) resynchronises here.
    TimelineJump jump = TimelineJump::none;

    [[nodiscard]] constexpr bool isPlaying() const noexcept {
        return playState == PlayState::playing;
    }

    /// Timeline position of frame `frame` of the block.
    [[nodiscard]] constexpr SampleTime positionAt(FrameCount frame) const noexcept {
        return isPlaying() ? position + static_cast<SampleTime>(frame) : position;
    }
};

} // namespace fluxforge
