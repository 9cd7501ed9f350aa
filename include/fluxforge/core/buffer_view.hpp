// BufferView: a non-owning, planar view of audio (channels x frames).
#pragma once

#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/types.hpp>

#include <span>
#include <type_traits>

namespace fluxforge {

/// A non-owning view of planar audio: `numChannels()` channels of `numFrames()` samples each.
///
/// It holds the caller's array of channel pointers plus a frame offset, so taking a sub-range of
/// frames or channels is free and never allocates. The channel-pointer array and the samples must
/// outlive the view. `Sample` is `float` (a writable view) or `const float` (a read-only view); a
/// writable view converts implicitly to a read-only one.
///
/// Thread: any (it is a value). Real-time safe: yes. Allocates: no.
template <typename Sample>
class BasicBufferView {
public:
    using SampleType = Sample;

    constexpr BasicBufferView() noexcept = default;

    /// Views `numChannels` channels of `numFrames` frames, starting `frameOffset` frames into each
    /// channel. `channels` may be null only when `numChannels` is 0.
    constexpr BasicBufferView(Sample* const* channels, ChannelCount numChannels,
                              FrameCount numFrames, FrameCount frameOffset = 0) noexcept;

    /// A read-only view of a writable one.
    template <typename Other>
        requires(std::is_const_v<Sample>&& std::is_same_v<const Other, Sample> &&
                 !std::is_same_v<Other, Sample>)
    constexpr BasicBufferView(const BasicBufferView<Other>& other) noexcept; // NOLINT: implicit

    [[nodiscard]] constexpr ChannelCount numChannels() const noexcept { return numChannels_; }
    [[nodiscard]] constexpr FrameCount numFrames() const noexcept { return numFrames_; }
    [[nodiscard]] constexpr bool empty() const noexcept {
        return numChannels_ == 0 || numFrames_ == 0;
    }

    /// The first sample of channel `index` within this view.
    [[nodiscard]] constexpr Sample* channel(ChannelCount index) const noexcept;

    /// Channel `index` as a span of `numFrames()` samples.
    [[nodiscard]] constexpr std::span<Sample> channelSpan(ChannelCount index) const noexcept;

    /// The frames [start, start + count) of every channel.
    [[nodiscard]] constexpr BasicBufferView subFrames(FrameCount start,
                                                      FrameCount count) const noexcept;

    /// The channels [first, first + count), all frames.
    [[nodiscard]] constexpr BasicBufferView subChannels(ChannelCount first,
                                                        ChannelCount count) const noexcept;

    /// The raw parts, for building views in other forms.
    [[nodiscard]] constexpr Sample* const* channelPointers() const noexcept { return channels_; }
    [[nodiscard]] constexpr FrameCount frameOffset() const noexcept { return frameOffset_; }

private:
    Sample* const* channels_ = nullptr;
    ChannelCount numChannels_ = 0;
    FrameCount numFrames_ = 0;
    FrameCount frameOffset_ = 0;
};

using BufferView = BasicBufferView<float>;
using ConstBufferView = BasicBufferView<const float>;

// ------------------------------------------------------------------------------------------------
// Inline definitions

template <typename Sample>
constexpr BasicBufferView<Sample>::BasicBufferView(Sample* const* channels,
                                                   ChannelCount numChannels, FrameCount numFrames,
                                                   FrameCount frameOffset) noexcept
    : channels_(channels)
    , numChannels_(numChannels)
    , numFrames_(numFrames)
    , frameOffset_(frameOffset) {
    FLUXFORGE_ASSERT(channels != nullptr || numChannels == 0, "channel pointers missing");
}

template <typename Sample>
template <typename Other>
    requires(std::is_const_v<Sample>&& std::is_same_v<const Other, Sample> &&
             !std::is_same_v<Other, Sample>)
constexpr BasicBufferView<Sample>::BasicBufferView(const BasicBufferView<Other>& other) noexcept
    : channels_(other.channelPointers())
    , numChannels_(other.numChannels())
    , numFrames_(other.numFrames())
    , frameOffset_(other.frameOffset()) {}

template <typename Sample>
constexpr Sample* BasicBufferView<Sample>::channel(ChannelCount index) const noexcept {
    FLUXFORGE_ASSERT(index < numChannels_, "channel index out of range");
    return channels_[index] + frameOffset_;
}

template <typename Sample>
constexpr std::span<Sample>
BasicBufferView<Sample>::channelSpan(ChannelCount index) const noexcept {
    return {channel(index), numFrames_};
}

template <typename Sample>
constexpr BasicBufferView<Sample>
BasicBufferView<Sample>::subFrames(FrameCount start, FrameCount count) const noexcept {
    FLUXFORGE_ASSERT(start <= numFrames_ && count <= numFrames_ - start, "frame range out of view");
    return BasicBufferView(channels_, numChannels_, count, frameOffset_ + start);
}

template <typename Sample>
constexpr BasicBufferView<Sample>
BasicBufferView<Sample>::subChannels(ChannelCount first, ChannelCount count) const noexcept {
    FLUXFORGE_ASSERT(first <= numChannels_ && count <= numChannels_ - first,
                     "channel range out of view");
    return BasicBufferView(count == 0 ? nullptr : channels_ + first, count, numFrames_,
                           frameOffset_);
}

} // namespace fluxforge
