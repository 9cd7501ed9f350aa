// Plugin-delay-compensation history rings, and the pool that keeps them across plans.
#pragma once

#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/kernels.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node_id.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace fluxforge {

/// The recent history of one output port, from which compensation delays are read. The task that
/// renders the port appends each block after processing; every connection from the port that
/// needs a delay then reads the same block back from the history, its own delay late. One ring per
/// output port (not per connection) means a port feeding several compensated joins is written
/// once and stored once.
///
/// The ring outlives plans: a new plan in which the port still needs compensation takes the same
/// ring over, so audio in flight survives a latency change; only the delays it reads at belong to
/// the plan.
///
/// Construction: Thread: control. Allocates: yes. append(): Thread: the task rendering the port.
/// read(): Thread: a task running after that one in the same block. Both real-time safe, no
/// allocation.
class CompensationHistory {
public:
    /// A ring long enough for delays up to `maxDelay` with blocks up to `maxBlockSize`.
    CompensationHistory(ChannelCount channels, FrameCount maxDelay, FrameCount maxBlockSize)
        : channels_(channels)
        , capacity_(std::bit_ceil(std::size_t{maxDelay} + std::size_t{maxBlockSize}))
        , maxDelay_(static_cast<FrameCount>(capacity_ - maxBlockSize))
        , ring_(new float[capacity_ * channels_]()) {}

    [[nodiscard]] ChannelCount channels() const noexcept { return channels_; }
    /// The longest delay this ring supports at the block size it was made for.
    [[nodiscard]] FrameCount maxDelay() const noexcept { return maxDelay_; }
    /// Bytes of audio history held.
    [[nodiscard]] std::size_t bytes() const noexcept {
        return capacity_ * channels_ * sizeof(float);
    }

    /// Appends this block of the port's output.
    void append(const float* const* block, FrameCount frames) noexcept {
        const std::size_t at = static_cast<std::size_t>(written_ & (capacity_ - 1));
        const std::size_t first = std::min<std::size_t>(frames, capacity_ - at);
        for (ChannelCount c = 0; c < channels_; ++c) {
            float* ring = ring_.get() + capacity_ * c;
            kernels::copy(ring + at, block[c], static_cast<FrameCount>(first));
            kernels::copy(ring, block[c] + first, static_cast<FrameCount>(frames - first));
        }
        written_ += frames;
    }

    /// Reads the block just appended, `delay` frames late: what the port played `delay` frames ago.
    void read(float* const* out, FrameCount frames, FrameCount delay) const noexcept {
        FLUXFORGE_ASSERT(delay <= maxDelay_, "compensation delay longer than its ring");
        const std::size_t at =
            static_cast<std::size_t>((written_ - frames - delay) & (capacity_ - 1));
        const std::size_t first = std::min<std::size_t>(frames, capacity_ - at);
        for (ChannelCount c = 0; c < channels_; ++c) {
            const float* ring = ring_.get() + capacity_ * c;
            kernels::copy(out[c], ring + at, static_cast<FrameCount>(first));
            kernels::copy(out[c] + first, ring, static_cast<FrameCount>(frames - first));
        }
    }

private:
    ChannelCount channels_;
    std::size_t capacity_; // a power of two
    FrameCount maxDelay_;
    std::unique_ptr<float[]> ring_;
    std::uint64_t written_ = 0; // frames appended so far
};

/// Keeps the compensation history of every output port between compiles, so that recompiling (a
/// latency changed, an unrelated edit) hands each port that still needs one the same ring. A ring
/// is replaced, losing its history, only when the channel count changes or the new longest delay
/// does not fit (rings are rounded up to a power of two, which leaves room for a latency that
/// creeps up); rings no longer needed are released (a running plan keeps its share until it is
/// retired).
///
/// Thread: control (the one that compiles). Real-time safe: no. Allocates: yes.
class CompensationDelayPool {
public:
    /// The history ring of `port`, reused when it fits, else new (and remembered).
    std::shared_ptr<CompensationHistory> acquire(const OutputPort& port, ChannelCount channels,
                                                 FrameCount maxDelay, FrameCount maxBlockSize) {
        Entry& entry = rings_[port];
        if (entry.ring == nullptr || entry.ring->channels() != channels ||
            entry.ring->maxDelay() < maxDelay) {
            entry.ring = std::make_shared<CompensationHistory>(channels, maxDelay, maxBlockSize);
        }
        entry.generation = generation_;
        return entry.ring;
    }

    /// Forgets every ring not acquired since the last call. Call after each compile.
    void releaseUnused() {
        std::erase_if(rings_,
                      [&](const auto& item) { return item.second.generation != generation_; });
        ++generation_;
    }

    /// Gives `to`, history and all, the ring of every port for which `rendersThere(port)` holds
    /// and of which `to` has none; with `keep`, this pool keeps it too (dropShared() then parts
    /// them). For the engine's two parts (docs/prefetch.md): when a port's node moves from one
    /// part to the other at a frame where both parts' timelines meet, the compensation reading its
    /// history carries on as if nothing had moved. A ring not acquired by `to`'s next compile is
    /// released by it.
    template <class RendersThere>
    void handOver(CompensationDelayPool& to, RendersThere&& rendersThere, bool keep = false) {
        for (auto it = rings_.begin(); it != rings_.end();) {
            if (rendersThere(it->first) && !to.rings_.contains(it->first)) {
                to.rings_.emplace(it->first, Entry{it->second.ring, to.generation_ - 1});
                if (!keep) {
                    it = rings_.erase(it);
                    continue;
                }
            }
            ++it;
        }
    }

    /// Forgets every ring that `other` holds too (its compile acquired it): one ring, one writer.
    void dropShared(const CompensationDelayPool& other) {
        std::erase_if(rings_, [&](const auto& item) {
            const auto it = other.rings_.find(item.first);
            return it != other.rings_.end() && it->second.ring == item.second.ring;
        });
    }

    [[nodiscard]] std::size_t size() const noexcept { return rings_.size(); }

private:
    struct Entry {
        std::shared_ptr<CompensationHistory> ring;
        std::uint64_t generation = 0; // the compile that last used it
    };
    struct PortHash {
        std::size_t operator()(const OutputPort& p) const noexcept {
            return std::hash<std::uint64_t>{}((std::uint64_t{p.node.value} << 32) | p.port);
        }
    };
    std::unordered_map<OutputPort, Entry, PortHash> rings_;
    std::uint64_t generation_ = 0;
};

} // namespace fluxforge
