// Sample time and count types shared by every layer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fluxforge {

/// A number of frames (samples per channel) in a block or buffer.
using FrameCount = std::uint32_t;

/// A number of channels.
using ChannelCount = std::uint32_t;

/// An absolute position on the engine's sample clock, in frames since time zero. Signed, so that
/// differences and positions before a loop start stay representable.
using SampleTime = std::int64_t;

/// Frames per second.
using SampleRate = double;

/// Alignment, in bytes, of every buffer FluxForge allocates: one cache line, and enough for
/// AVX-512.
inline constexpr std::size_t kBufferAlignment = 64;

} // namespace fluxforge
