// Whole-buffer operations on BufferViews, built on the SIMD kernels.
//
// Where two views are involved their shapes must match (checked with FLUXFORGE_ASSERT).
// All functions: Thread: any. Real-time safe: yes. Allocates: no.
#pragma once

#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/kernels.hpp>

#include <algorithm>

namespace fluxforge {

/// Sets every sample of `dst` to zero.
void clear(const BufferView& dst) noexcept;

/// Copies `src` into `dst`.
void copy(const BufferView& dst, const ConstBufferView& src) noexcept;

/// Multiplies every sample of `buffer` by `gain`.
void applyGain(const BufferView& buffer, float gain) noexcept;

/// Multiplies `buffer` by a linear ramp from startGain toward endGain (see kernels::gainRamp).
void applyGainRamp(const BufferView& buffer, float startGain, float endGain) noexcept;

/// Adds `src` into `dst`.
void mixAdd(const BufferView& dst, const ConstBufferView& src) noexcept;

/// Adds `src * gain` into `dst`.
void mixAdd(const BufferView& dst, const ConstBufferView& src, float gain) noexcept;

/// The largest absolute sample value over all channels.
[[nodiscard]] float peak(const ConstBufferView& src) noexcept;

// ------------------------------------------------------------------------------------------------
// Inline definitions

namespace detail {
inline void assertSameShape([[maybe_unused]] const ConstBufferView& a,
                            [[maybe_unused]] const ConstBufferView& b) noexcept {
    FLUXFORGE_ASSERT(a.numChannels() == b.numChannels() && a.numFrames() == b.numFrames(),
                     "buffer shapes differ");
}
} // namespace detail

inline void clear(const BufferView& dst) noexcept {
    for (ChannelCount c = 0; c < dst.numChannels(); ++c) {
        kernels::clear(dst.channel(c), dst.numFrames());
    }
}

inline void copy(const BufferView& dst, const ConstBufferView& src) noexcept {
    detail::assertSameShape(dst, src);
    for (ChannelCount c = 0; c < dst.numChannels(); ++c) {
        kernels::copy(dst.channel(c), src.channel(c), dst.numFrames());
    }
}

inline void applyGain(const BufferView& buffer, float gain) noexcept {
    for (ChannelCount c = 0; c < buffer.numChannels(); ++c) {
        kernels::gain(buffer.channel(c), buffer.channel(c), gain, buffer.numFrames());
    }
}

inline void applyGainRamp(const BufferView& buffer, float startGain, float endGain) noexcept {
    for (ChannelCount c = 0; c < buffer.numChannels(); ++c) {
        kernels::gainRamp(buffer.channel(c), buffer.channel(c), startGain, endGain,
                          buffer.numFrames());
    }
}

inline void mixAdd(const BufferView& dst, const ConstBufferView& src) noexcept {
    detail::assertSameShape(dst, src);
    for (ChannelCount c = 0; c < dst.numChannels(); ++c) {
        kernels::mixAdd(dst.channel(c), src.channel(c), dst.numFrames());
    }
}

inline void mixAdd(const BufferView& dst, const ConstBufferView& src, float gain) noexcept {
    detail::assertSameShape(dst, src);
    for (ChannelCount c = 0; c < dst.numChannels(); ++c) {
        kernels::mixAddWithGain(dst.channel(c), src.channel(c), gain, dst.numFrames());
    }
}

inline float peak(const ConstBufferView& src) noexcept {
    float result = 0.0f;
    for (ChannelCount c = 0; c < src.numChannels(); ++c) {
        result = std::max(result, kernels::peak(src.channel(c), src.numFrames()));
    }
    return result;
}

} // namespace fluxforge
