// RealtimeHandoff: hands immutable objects from a control thread to the audio thread without a
// lock, and hands the ones the audio thread stops using back to be freed off the audio thread.
#pragma once

#include <fluxforge/core/assert.hpp>

#include <readerwriterqueue/readerwriterqueue.h>

#include <atomic>
#include <cstddef>
#include <memory>

namespace fluxforge {

/// One publisher (a control thread) and one consumer (the audio thread) of objects of type T.
///
/// - `publish` (control) offers a new object. If the audio thread has not yet taken the previous
///   offer, that one is replaced and freed at once (the audio thread never saw it).
/// - `acquire` (audio) returns the current object, switching to the newest offer first. The object
///   it switches away from goes into a bounded return queue, never freed on the audio thread; if
///   that queue is full, the switch waits for a later block (the old object keeps playing).
/// - `collect` (control) frees what the audio thread has returned.
///
/// The audio thread's object stays valid until its next `acquire`, or until destruction.
/// Destruction frees everything; it must not run while `acquire` or the current object is in use.
template <typename T>
class RealtimeHandoff {
public:
    /// Thread: control. Real-time safe: no. Allocates: yes (the return queue).
    explicit RealtimeHandoff(std::size_t returnCapacity = 64)
        : returned_(returnCapacity) {}

    RealtimeHandoff(const RealtimeHandoff&) = delete;
    RealtimeHandoff& operator=(const RealtimeHandoff&) = delete;

    ~RealtimeHandoff() {
        collect();
        delete pending_.exchange(nullptr, std::memory_order_acquire);
        delete current_;
    }

    /// Offers `object` to the audio thread and frees returned objects.
    /// Thread: control (one at a time). Real-time safe: no. Allocates: no; frees.
    void publish(std::unique_ptr<T> object) {
        T* replaced = pending_.exchange(object.release(), std::memory_order_acq_rel);
        delete replaced;
        collect();
    }

    /// Frees the objects the audio thread has stopped using; returns how many.
    /// Thread: control (one at a time). Real-time safe: no. Allocates: no; frees.
    std::size_t collect() {
        std::size_t count = 0;
        T* object = nullptr;
        while (returned_.try_dequeue(object)) {
            delete object;
            ++count;
        }
        return count;
    }

    /// The object to use for this block, switching to the newest published one if there is one.
    /// Null until something is published.
    /// Thread: audio. Real-time safe: yes. Allocates: no.
    T* acquire() noexcept {
        if (pending_.load(std::memory_order_relaxed) != nullptr) {
            // Make room before taking the offer, so the old object always has somewhere to go.
            if (current_ == nullptr || returned_.size_approx() < returned_.max_capacity()) {
                T* next = pending_.exchange(nullptr, std::memory_order_acq_rel);
                if (next != nullptr) {
                    if (current_ != nullptr) {
                        const bool queued = returned_.try_enqueue(current_);
                        FLUXFORGE_ASSERT(queued, "return queue full after checking for room");
                        static_cast<void>(queued);
                    }
                    current_ = next;
                    swaps_.fetch_add(1, std::memory_order_relaxed);
                }
            }
        }
        return current_;
    }

    /// Whether an object is on offer that acquire() would switch to. Thread: audio.
    [[nodiscard]] bool hasOffer() const noexcept {
        return pending_.load(std::memory_order_relaxed) != nullptr;
    }
    /// The object in use, without switching. Thread: audio.
    [[nodiscard]] T* current() const noexcept { return current_; }

    /// How many times the audio thread has switched objects. Thread: any. May be stale.
    [[nodiscard]] std::size_t swapCountApprox() const noexcept {
        return swaps_.load(std::memory_order_relaxed);
    }

private:
    std::atomic<T*> pending_{nullptr};
    T* current_ = nullptr; // audio thread only
    moodycamel::ReaderWriterQueue<T*> returned_;
    std::atomic<std::size_t> swaps_{0};
};

} // namespace fluxforge
