// PrefetchConfig: the guard levels of the hybrid live/prefetch rendering (docs/prefetch.md).
#pragma once

#include <fluxforge/core/types.hpp>

#include <cstdint>
#include <string_view>

namespace fluxforge {

/// How far ahead of the playhead the prefetchable part of a graph is rendered. The live part
/// (what reads the device input, is monitored or must run live, and everything downstream of it)
/// always renders at the device block; the guard only changes what the rest is given.
enum class GuardLevel : std::uint8_t {
    off,    ///< everything renders at the device block on the audio thread and workers
    low,    ///< 2 prefetch blocks ahead
    normal, ///< 4 prefetch blocks ahead
    high,   ///< 8 prefetch blocks ahead
};

/// A short name: "off", "low", "normal", "high".
[[nodiscard]] constexpr std::string_view guardLevelName(GuardLevel level) noexcept {
    switch (level) {
    case GuardLevel::off:
        return "off";
    case GuardLevel::low:
        return "low";
    case GuardLevel::normal:
        return "normal";
    case GuardLevel::high:
        return "high";
    }
    return "unknown";
}

/// Whether `level` is one of the enumerators (not a cast from another integer).
[[nodiscard]] constexpr bool isGuardLevel(GuardLevel level) noexcept {
    return level == GuardLevel::off || level == GuardLevel::low || level == GuardLevel::normal ||
           level == GuardLevel::high;
}

/// Prefetch blocks a guard level renders ahead of the playhead.
[[nodiscard]] constexpr std::uint32_t guardBlocks(GuardLevel level) noexcept {
    switch (level) {
    case GuardLevel::off:
        return 0;
    case GuardLevel::low:
        return 2;
    case GuardLevel::normal:
        return 4;
    case GuardLevel::high:
        return 8;
    }
    return 0;
}

/// The prefetch renderer's settings (EngineConfig::prefetch).
struct PrefetchConfig {
    /// The level the engine starts with. An engine created with `off` never splits its graphs
    /// (and setGuardLevel refuses other levels); one created with another level splits every
    /// graph into its live and prefetched parts and may switch between all four while playing.
    GuardLevel guard = GuardLevel::off;
    /// Frames the prefetch renderer renders at once, kMinBlockFrames..kMaxBlockFrames. Nodes are
    /// prepared for the larger of this and EngineConfig::maxBlockSize.
    FrameCount blockFrames = 1024;
    /// Threads rendering the prefetched part, the prefetch renderer included, 1..maxWorkers. They
    /// run at normal (not real-time) priority, below the real-time workers.
    std::uint32_t workers = 1;

    static constexpr FrameCount kMinBlockFrames = 64;
    static constexpr FrameCount kMaxBlockFrames = 8192;

    /// Frames of the horizon at `level`: how far ahead of the playhead the renderer works, and
    /// so the longest delay before a live parameter change on a prefetched node is heard.
    [[nodiscard]] constexpr FrameCount horizonFrames(GuardLevel level) const noexcept {
        return guardBlocks(level) * blockFrames;
    }
};

} // namespace fluxforge
