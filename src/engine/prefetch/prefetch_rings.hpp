// PrefetchRings: the single-producer single-consumer rings between the prefetched part of a graph
// and its live part, and the prefetch timeline they are filled along. Private to src/engine/.
#pragma once

#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/kernels.hpp>
#include <fluxforge/core/transport_info.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node_id.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace fluxforge::detail {

/// One ring per boundary port (a prefetched output that live nodes read), all filled and read
/// along one timeline in engine time: the producer (whoever holds the prefetch domain: the
/// prefetch renderer, or the audio thread on an underrun) renders frames [written, ...) and
/// publishes `written`; the live part reads [t, t + frames) once written >= t + frames and
/// publishes `consumed`. A ring never holds more than `capacity` frames.
///
/// The rings outlive one plan: a commit whose prefetched part reads the same boundary ports takes
/// the rings over, contents and timeline included, so that a live-side edit does not empty them.
///
/// Thread: storage and `timeline` belong to the domain's holder; written/consumed are the
/// handshake. Real-time safe: yes (after construction). Allocates: only in the constructor.
class PrefetchRings {
public:
    /// Thread: control. Allocates: yes.
    PrefetchRings(std::vector<OutputPort> ports, const std::vector<ChannelCount>& channels,
                  FrameCount capacity)
        : ports_(std::move(ports))
        , capacity_(capacity) {
        std::size_t total = 0;
        for (ChannelCount c : channels) {
            firstChannel_.push_back(total);
            total += c;
        }
        firstChannel_.push_back(total);
        storage_.assign(total * capacity_, 0.0f);
    }

    [[nodiscard]] const std::vector<OutputPort>& ports() const noexcept { return ports_; }
    [[nodiscard]] FrameCount capacity() const noexcept { return capacity_; }
    [[nodiscard]] ChannelCount channels(std::size_t ring) const noexcept {
        return static_cast<ChannelCount>(firstChannel_[ring + 1] - firstChannel_[ring]);
    }

    /// Copies `frames` frames of `source` to engine time `at`. Thread: the domain's holder.
    void write(std::size_t ring, const ConstBufferView& source, SampleTime at) noexcept {
        const ChannelCount count = std::min(source.numChannels(), channels(ring));
        for (ChannelCount c = 0; c < count; ++c) {
            copyIn(channel(ring, c), source.channel(c), at, source.numFrames());
        }
    }
    /// Copies the frames at engine time `at` into `destination`. Thread: audio.
    void read(std::size_t ring, const BufferView& destination, SampleTime at) const noexcept {
        for (ChannelCount c = 0; c < destination.numChannels(); ++c) {
            if (c < channels(ring)) {
                copyOut(destination.channel(c), channel(ring, c), at, destination.numFrames());
            } else {
                kernels::clear(destination.channel(c), destination.numFrames());
            }
        }
    }

    /// The end of what is rendered (release after writing) and of what the live part has read.
    std::atomic<SampleTime> written{0};
    std::atomic<SampleTime> consumed{0};
    /// Set (control thread) once a commit publishes a plan that does not take these rings over:
    /// the audio thread then plays out what they hold before it switches, so that every node
    /// carries on from the frame its state is at (docs/prefetch.md, "Arming and disarming").
    std::atomic<bool> superseded{false};

    /// Where the prefetched part renders next: the domain holder's alone.
    struct Timeline {
        bool started = false;             ///< set when the audio thread first binds a domain to it
        TransportInfo transport{};        ///< of the next frame to render (at `written`)
        std::uint64_t transportEpoch = 0; ///< the transport's change count it follows
        /// From a (re)start until the rings first reach the horizon, or for one horizon of
        /// playing if they never do: frames the audio thread renders itself meanwhile are the
        /// refill, not underruns. Audio thread only.
        bool refilling = false;
        SampleTime restartedAt = 0;
    } timeline;

private:
    [[nodiscard]] float* channel(std::size_t ring, ChannelCount c) noexcept {
        return storage_.data() + (firstChannel_[ring] + c) * capacity_;
    }
    [[nodiscard]] const float* channel(std::size_t ring, ChannelCount c) const noexcept {
        return storage_.data() + (firstChannel_[ring] + c) * capacity_;
    }
    void copyIn(float* ring, const float* source, SampleTime at, FrameCount frames) noexcept {
        const auto offset = static_cast<FrameCount>(at % static_cast<SampleTime>(capacity_));
        const FrameCount first = std::min(frames, capacity_ - offset);
        kernels::copy(ring + offset, source, first);
        if (first < frames) {
            kernels::copy(ring, source + first, frames - first);
        }
    }
    void copyOut(float* destination, const float* ring, SampleTime at,
                 FrameCount frames) const noexcept {
        const auto offset = static_cast<FrameCount>(at % static_cast<SampleTime>(capacity_));
        const FrameCount first = std::min(frames, capacity_ - offset);
        kernels::copy(destination, ring + offset, first);
        if (first < frames) {
            kernels::copy(destination + first, ring, frames - first);
        }
    }

    std::vector<OutputPort> ports_;
    FrameCount capacity_;
    std::vector<std::size_t> firstChannel_;
    std::vector<float> storage_;
};

} // namespace fluxforge::detail
