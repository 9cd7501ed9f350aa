// AudioBuffer: owning, aligned, planar audio storage.
#pragma once

#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace fluxforge {

/// Owns `numChannels()` channels of `numFrames()` samples in one allocation. Every channel starts
/// on a kBufferAlignment boundary (its stride is padded to a whole number of cache lines), so
/// kernels see aligned data and two channels never share a cache line.
///
/// Construction, copying and `resize` allocate and belong on a control thread; reading and
/// writing samples and taking views are real-time safe.
class AudioBuffer {
public:
    AudioBuffer() noexcept = default;

    /// Allocates a zeroed buffer; throws fluxforge::Error, naming the size, when the memory is
    /// not there. Thread: control. Real-time safe: no. Allocates: yes.
    AudioBuffer(ChannelCount numChannels, FrameCount numFrames);

    AudioBuffer(const AudioBuffer& other);
    AudioBuffer& operator=(const AudioBuffer& other);
    AudioBuffer(AudioBuffer&& other) noexcept = default;
    AudioBuffer& operator=(AudioBuffer&& other) noexcept = default;
    ~AudioBuffer() = default;

    /// Reallocates to the new shape, zeroed; old contents are discarded.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    void resize(ChannelCount numChannels, FrameCount numFrames);

    /// Sets every sample to zero. Thread: any, one writer. Real-time safe: yes. Allocates: no.
    void clear() noexcept;

    [[nodiscard]] ChannelCount numChannels() const noexcept { return numChannels_; }
    [[nodiscard]] FrameCount numFrames() const noexcept { return numFrames_; }

    /// Distance in samples between the starts of two adjacent channels (>= numFrames()).
    [[nodiscard]] FrameCount channelStride() const noexcept { return stride_; }

    [[nodiscard]] float* channel(ChannelCount index) noexcept;
    [[nodiscard]] const float* channel(ChannelCount index) const noexcept;

    /// Views of the whole buffer. Real-time safe: yes. Allocates: no.
    [[nodiscard]] BufferView view() noexcept;
    [[nodiscard]] ConstBufferView view() const noexcept;

private:
    struct AlignedDelete {
        void operator()(float* p) const noexcept {
            ::operator delete[](p, std::align_val_t{kBufferAlignment});
        }
    };

    std::unique_ptr<float[], AlignedDelete> samples_;
    std::vector<float*> pointers_;
    ChannelCount numChannels_ = 0;
    FrameCount numFrames_ = 0;
    FrameCount stride_ = 0;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline AudioBuffer::AudioBuffer(ChannelCount numChannels, FrameCount numFrames) {
    resize(numChannels, numFrames);
}

inline AudioBuffer::AudioBuffer(const AudioBuffer& other) {
    resize(other.numChannels_, other.numFrames_);
    if (samples_ != nullptr) {
        std::memcpy(samples_.get(), other.samples_.get(),
                    sizeof(float) * std::size_t{stride_} * numChannels_);
    }
}

inline AudioBuffer& AudioBuffer::operator=(const AudioBuffer& other) {
    if (this != &other) {
        AudioBuffer copy(other);
        *this = std::move(copy);
    }
    return *this;
}

inline void AudioBuffer::resize(ChannelCount numChannels, FrameCount numFrames) {
    constexpr FrameCount samplesPerLine = kBufferAlignment / sizeof(float);
    if (numFrames > ~FrameCount{0} - samplesPerLine) { // the padded stride would wrap around
        throw Error("AudioBuffer: " + std::to_string(numFrames) +
                    " frames is above the maximum of " +
                    std::to_string(~FrameCount{0} - samplesPerLine));
    }
    const FrameCount stride = (numFrames + samplesPerLine - 1) / samplesPerLine * samplesPerLine;
    const std::size_t total = std::size_t{stride} * numChannels;

    std::unique_ptr<float[], AlignedDelete> samples;
    std::vector<float*> pointers;
    try {
        if (total > 0) {
            samples.reset(new (std::align_val_t{kBufferAlignment}) float[total]());
        }
        pointers.assign(numChannels, nullptr);
    } catch (const std::bad_alloc&) {
        // Name the request: a channel or frame count off by a few zeros is the usual cause.
        throw Error("AudioBuffer: " + std::to_string(numChannels) + " channels x " +
                    std::to_string(numFrames) + " frames (" +
                    std::to_string(total * sizeof(float) >> 20) + " MiB) could not be allocated");
    }
    for (ChannelCount c = 0; c < numChannels && samples != nullptr; ++c) {
        pointers[c] = samples.get() + std::size_t{stride} * c;
    }

    samples_ = std::move(samples);
    pointers_ = std::move(pointers);
    numChannels_ = numChannels;
    numFrames_ = numFrames;
    stride_ = stride;
}

inline void AudioBuffer::clear() noexcept {
    if (samples_ != nullptr) {
        std::fill_n(samples_.get(), std::size_t{stride_} * numChannels_, 0.0f);
    }
}

inline float* AudioBuffer::channel(ChannelCount index) noexcept {
    FLUXFORGE_ASSERT(index < numChannels_, "channel index out of range");
    return pointers_[index];
}

inline const float* AudioBuffer::channel(ChannelCount index) const noexcept {
    FLUXFORGE_ASSERT(index < numChannels_, "channel index out of range");
    return pointers_[index];
}

inline BufferView AudioBuffer::view() noexcept {
    return {pointers_.data(), numChannels_, numFrames_};
}

inline ConstBufferView AudioBuffer::view() const noexcept {
    return {pointers_.data(), numChannels_, numFrames_};
}

} // namespace fluxforge
