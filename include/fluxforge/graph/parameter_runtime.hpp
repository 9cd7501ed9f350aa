// ParameterRuntime: the per-node machinery behind ProcessContext::parameter(): base values with
// timed steps and ramps, automation lanes, and the per-sample buffers a moving value is written to.
#pragma once

#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/core/transport_info.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/parameter.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace fluxforge::detail {

/// A change of a parameter's base value on the engine clock. With rampFrames R = 0 the value
/// steps at `at`; otherwise, from the value v_prev at frame at - 1, frame at + j (j < R) hears
/// v_prev + (value - v_prev) (j + 1) / R, so the output moves at `at` and lands on `value` at
/// at + R - 1.
struct ParameterChange {
    SampleTime at = 0;
    float value = 0.0f;
    FrameCount rampFrames = 0;
};

/// Every parameter of one node, as the audio thread evaluates it block by block. A Node owns one;
/// the engine reaches it through detail::NodeParameterAccess. The rules it implements (which of
/// base value and automation wins, how ramps combine) are in docs/automation.md.
///
/// Threads: `build`/`install` on a control thread while the node is not running; `request` on a
/// control thread; everything else on the thread running the node's block (the audio thread
/// between blocks, or the worker running the node), never concurrently.
class ParameterRuntime {
public:
    /// Timed changes waiting per parameter. The engine stops draining a sender's queue while the
    /// parameter its next command targets is full, so nothing is dropped (docs/automation.md).
    static constexpr std::uint32_t kMaxPendingChanges = 32;

    /// The state for a new parameter list, built off to the side so that a failing prepare()
    /// leaves the running state untouched.
    struct Prepared;

    ParameterRuntime() = default;
    ParameterRuntime(const ParameterRuntime&) = delete;
    ParameterRuntime& operator=(const ParameterRuntime&) = delete;

    /// Builds the state for `infos`, starting at `initialValues` (one per parameter), with a
    /// per-sample buffer of `maxBlockSize` frames per parameter.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    [[nodiscard]] static Prepared build(std::span<const ParameterInfo> infos,
                                        std::span<const float> initialValues,
                                        FrameCount maxBlockSize);

    /// Switches to a built state. Thread: control, node not running. Real-time safe: no.
    /// Allocates: no (frees the old state).
    void install(Prepared&& prepared) noexcept;

    [[nodiscard]] std::size_t size() const noexcept { return count_; }

    // ---- control thread -----------------------------------------------------------------------

    /// Node::setParameter's path: the base value steps to `value` at the first frame of the next
    /// block. Thread: control (one at a time). Real-time safe: yes. Allocates: no.
    void request(std::size_t index, float value) noexcept;
    /// The value last passed to request(), or the initial value. Thread: any.
    [[nodiscard]] float requested(std::size_t index) const noexcept;
    /// The value the node saw at the last frame of its last block. Thread: any. May be stale.
    [[nodiscard]] float renderedApprox(std::size_t index) const noexcept;

    // ---- audio thread, between blocks ---------------------------------------------------------

    /// Queues a timed change, sorted by time; equal times keep their arrival order, and a change
    /// that would completely override the one before it at the same frame replaces it. False,
    /// with nothing changed, when kMaxPendingChanges are already waiting.
    /// Thread: audio, between blocks. Real-time safe: yes. Allocates: no.
    [[nodiscard]] bool tryScheduleChange(std::size_t index, const ParameterChange& change) noexcept;

    /// Rebinding automation: beginLaneBinding() marks every parameter unautomated, setNextLane()
    /// gives one its lane (null or empty: none), commitLaneBinding() switches. A parameter whose
    /// lane goes away glides from the last automated value to its base value over
    /// `smoothingFrames` starting at `now`; a new lane takes over at once.
    /// Thread: audio, between blocks. Real-time safe: yes. Allocates: no.
    void beginLaneBinding() noexcept;
    void setNextLane(std::size_t index, const AutomationLane* lane) noexcept;
    void commitLaneBinding(SampleTime now, FrameCount smoothingFrames) noexcept;
    [[nodiscard]] const AutomationLane* lane(std::size_t index) const noexcept {
        return slots_[index].lane;
    }

    // ---- the node's block ---------------------------------------------------------------------

    /// Evaluates every parameter over the engine-clock frames [blockStart, blockStart + frames),
    /// whose timeline position `transport` describes: a constant where the value is flat, a
    /// per-sample buffer where it moves. Thread: the one running the node. Real-time safe: yes.
    /// Allocates: no.
    std::span<const ParameterValues> update(FrameCount frames, SampleTime blockStart,
                                            const TransportInfo& transport) noexcept {
        if (count_ == 0) {
            // Most nodes of a large graph have no parameters: no call for them on every block.
            FLUXFORGE_ASSERT(frames > 0 && frames <= maxBlockSize_,
                             "parameter block larger than prepared for");
            nextStart_ = blockStart + frames;
            return {values_.data(), 0};
        }
        return updateSlots(frames, blockStart, transport);
    }

    /// update() for a node rendered outside an engine: the block follows the previous one on the
    /// node's own clock and the transport is stopped.
    std::span<const ParameterValues> update(FrameCount frames) noexcept {
        return update(frames, nextStart_, TransportInfo{});
    }

private:
    struct Slot {
        // Shared: written by request() (control) or by the block (rendered), read by the other.
        std::atomic<float> requested{0.0f};
        std::atomic<std::uint32_t> requestSerial{0};
        std::atomic<float> rendered{0.0f};
        // The thread running the node only.
        std::uint32_t seenRequestSerial = 0;
        float target = 0.0f; // base value once any ramp completes
        float rampFrom = 0.0f;
        SampleTime rampStart = 0;
        FrameCount rampLength = 0;
        bool ramping = false;
        float lastValue = 0.0f; // what the node saw at the last frame of its last block
        float reported = 0.0f;  // last value stored in `rendered`
        std::uint32_t pendingCount = 0;
        const AutomationLane* lane = nullptr;
        const AutomationLane* nextLane = nullptr;
        AutomationLane::Cursor cursor;
    };

    [[nodiscard]] ParameterChange* pendingOf(std::size_t index) const noexcept {
        return pending_.get() + index * kMaxPendingChanges;
    }
    static void popFront(Slot& slot, ParameterChange* queue) noexcept;
    [[nodiscard]] static float baseValueAt(const Slot& slot, SampleTime time) noexcept;
    static void applyChange(Slot& slot, const ParameterChange& change) noexcept;
    static void applyChangesBefore(Slot& slot, ParameterChange* queue, SampleTime end) noexcept;
    static void fillBase(const Slot& slot, SampleTime first, FrameCount frames,
                         float* out) noexcept;
    std::span<const ParameterValues> updateSlots(FrameCount frames, SampleTime blockStart,
                                                 const TransportInfo& transport) noexcept;
    void takeRequests() noexcept;
    static void renderLane(Slot& slot, ParameterValues& values, float* buffer, FrameCount frames,
                           const TransportInfo& transport) noexcept;
    static void renderBase(Slot& slot, ParameterChange* queue, ParameterValues& values,
                           float* buffer, SampleTime blockStart, FrameCount frames) noexcept;

    // Set by install (control thread, node not running).
    std::size_t count_ = 0;
    FrameCount maxBlockSize_ = 0;
    std::unique_ptr<Slot[]> slots_;
    std::unique_ptr<ParameterChange[]> pending_; // kMaxPendingChanges per parameter, sorted
    std::unique_ptr<float[]> buffers_;           // maxBlockSize_ per parameter
    std::vector<ParameterValues> values_;
    // Shared: bumped by every request(), so a block checks one atomic when nothing was requested.
    std::atomic<std::uint32_t> requestSerial_{0};
    // The thread running the node only.
    std::uint32_t seenRequestSerial_ = 0;
    SampleTime nextStart_ = 0;
};

struct ParameterRuntime::Prepared {
    std::size_t count = 0;
    FrameCount maxBlockSize = 0;
    std::unique_ptr<Slot[]> slots;
    std::unique_ptr<ParameterChange[]> pending;
    std::unique_ptr<float[]> buffers;
    std::vector<ParameterValues> values;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline ParameterRuntime::Prepared ParameterRuntime::build(std::span<const ParameterInfo> infos,
                                                          std::span<const float> initialValues,
                                                          FrameCount maxBlockSize) {
    FLUXFORGE_ASSERT(initialValues.size() == infos.size(), "one initial value per parameter");
    Prepared prepared;
    prepared.count = infos.size();
    prepared.maxBlockSize = maxBlockSize;
    prepared.slots = std::make_unique<Slot[]>(prepared.count);
    prepared.pending = std::make_unique<ParameterChange[]>(prepared.count * kMaxPendingChanges);
    prepared.buffers = std::make_unique<float[]>(prepared.count * std::size_t{maxBlockSize});
    prepared.values.resize(prepared.count);
    for (std::size_t i = 0; i < prepared.count; ++i) {
        Slot& slot = prepared.slots[i];
        const float value = initialValues[i];
        slot.requested.store(value, std::memory_order_relaxed);
        slot.rendered.store(value, std::memory_order_relaxed);
        slot.target = value;
        slot.lastValue = value;
        slot.reported = value;
        prepared.values[i].setConstant(value);
    }
    return prepared;
}

inline void ParameterRuntime::install(Prepared&& prepared) noexcept {
    count_ = prepared.count;
    maxBlockSize_ = prepared.maxBlockSize;
    slots_ = std::move(prepared.slots);
    pending_ = std::move(prepared.pending);
    buffers_ = std::move(prepared.buffers);
    values_ = std::move(prepared.values);
    seenRequestSerial_ = requestSerial_.load(std::memory_order_acquire);
    nextStart_ = 0;
}

inline void ParameterRuntime::request(std::size_t index, float value) noexcept {
    Slot& slot = slots_[index];
    slot.requested.store(value, std::memory_order_relaxed);
    slot.requestSerial.fetch_add(1, std::memory_order_release);
    requestSerial_.fetch_add(1, std::memory_order_release);
}

inline float ParameterRuntime::requested(std::size_t index) const noexcept {
    return slots_[index].requested.load(std::memory_order_relaxed);
}

inline float ParameterRuntime::renderedApprox(std::size_t index) const noexcept {
    return slots_[index].rendered.load(std::memory_order_relaxed);
}

inline bool ParameterRuntime::tryScheduleChange(std::size_t index,
                                                const ParameterChange& change) noexcept {
    Slot& slot = slots_[index];
    ParameterChange* queue = pendingOf(index);
    std::uint32_t position = slot.pendingCount;
    while (position > 0 && queue[position - 1].at > change.at) {
        --position;
    }
    // A change at the same frame as the one before it overrides that one completely (a step
    // replaces anything; a ramp after a ramp starts from the same earlier value), except a ramp
    // after a step, which starts from the step's value. So a flood of live changes in one block
    // takes one entry, not the whole queue.
    if (position > 0 && queue[position - 1].at == change.at &&
        !(queue[position - 1].rampFrames == 0 && change.rampFrames > 0)) {
        queue[position - 1] = change;
        return true;
    }
    if (slot.pendingCount == kMaxPendingChanges) {
        return false;
    }
    std::copy_backward(queue + position, queue + slot.pendingCount, queue + slot.pendingCount + 1);
    queue[position] = change;
    ++slot.pendingCount;
    return true;
}

inline void ParameterRuntime::popFront(Slot& slot, ParameterChange* queue) noexcept {
    std::copy(queue + 1, queue + slot.pendingCount, queue);
    --slot.pendingCount;
}

inline void ParameterRuntime::beginLaneBinding() noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
        slots_[i].nextLane = nullptr;
    }
}

inline void ParameterRuntime::setNextLane(std::size_t index, const AutomationLane* lane) noexcept {
    slots_[index].nextLane = lane != nullptr && !lane->empty() ? lane : nullptr;
}

inline void ParameterRuntime::commitLaneBinding(SampleTime now,
                                                FrameCount smoothingFrames) noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
        Slot& slot = slots_[i];
        if (slot.nextLane == slot.lane) {
            continue;
        }
        if (slot.nextLane == nullptr) {
            // Automation released: glide from what the node last heard to the base value, as a
            // live change would, instead of jumping.
            if (smoothingFrames > 0 && slot.lastValue != slot.target) {
                slot.rampFrom = slot.lastValue;
                slot.rampStart = now;
                slot.rampLength = smoothingFrames;
                slot.ramping = true;
            } else {
                slot.ramping = false;
            }
        }
        slot.lane = slot.nextLane;
        slot.cursor = {};
    }
}

inline float ParameterRuntime::baseValueAt(const Slot& slot, SampleTime time) noexcept {
    if (!slot.ramping) {
        return slot.target;
    }
    const SampleTime step = time - slot.rampStart + 1; // frames of the ramp heard by `time`
    if (step <= 0) {
        return slot.rampFrom;
    }
    if (step >= static_cast<SampleTime>(slot.rampLength)) {
        return slot.target;
    }
    return slot.rampFrom + (slot.target - slot.rampFrom) *
                               (static_cast<float>(step) / static_cast<float>(slot.rampLength));
}

inline void ParameterRuntime::applyChange(Slot& slot, const ParameterChange& change) noexcept {
    if (change.rampFrames == 0) {
        slot.target = change.value;
        slot.ramping = false;
        return;
    }
    slot.rampFrom = baseValueAt(slot, change.at - 1);
    slot.target = change.value;
    slot.rampStart = change.at;
    slot.rampLength = change.rampFrames;
    slot.ramping = true;
}

inline void ParameterRuntime::applyChangesBefore(Slot& slot, ParameterChange* queue,
                                                 SampleTime end) noexcept {
    while (slot.pendingCount > 0 && queue[0].at < end) {
        applyChange(slot, queue[0]);
        popFront(slot, queue);
    }
}

inline void ParameterRuntime::fillBase(const Slot& slot, SampleTime first, FrameCount frames,
                                       float* out) noexcept {
    if (!slot.ramping) {
        std::fill_n(out, frames, slot.target);
        return;
    }
    for (FrameCount i = 0; i < frames; ++i) {
        out[i] = baseValueAt(slot, first + i);
    }
}

inline void ParameterRuntime::takeRequests() noexcept {
    const std::uint32_t serial = requestSerial_.load(std::memory_order_acquire);
    if (serial == seenRequestSerial_) {
        return;
    }
    seenRequestSerial_ = serial;
    for (std::size_t i = 0; i < count_; ++i) {
        Slot& slot = slots_[i];
        const std::uint32_t slotSerial = slot.requestSerial.load(std::memory_order_acquire);
        if (slotSerial != slot.seenRequestSerial) {
            slot.seenRequestSerial = slotSerial;
            slot.target = slot.requested.load(std::memory_order_relaxed);
            slot.ramping = false;
        }
    }
}

inline void ParameterRuntime::renderLane(Slot& slot, ParameterValues& values, float* buffer,
                                         FrameCount frames,
                                         const TransportInfo& transport) noexcept {
    float constant = 0.0f;
    if (!transport.isPlaying()) {
        // Stopped: every frame lies at the playhead, so the value is the lane's value there.
        if (!slot.lane->render(slot.cursor, transport.position, 1, buffer, constant)) {
            constant = buffer[0];
        }
    } else if (!slot.lane->render(slot.cursor, transport.position, frames, buffer, constant)) {
        values.setPerSample(buffer);
        slot.lastValue = buffer[frames - 1];
        return;
    }
    values.setConstant(constant);
    slot.lastValue = constant;
}

inline void ParameterRuntime::renderBase(Slot& slot, ParameterChange* queue,
                                         ParameterValues& values, float* buffer,
                                         SampleTime blockStart, FrameCount frames) noexcept {
    const SampleTime end = blockStart + frames;
    FrameCount done = 0;
    while (done < frames) {
        const SampleTime time = blockStart + done;
        while (slot.pendingCount > 0 && queue[0].at <= time) {
            applyChange(slot, queue[0]);
            popFront(slot, queue);
        }
        const SampleTime next = slot.pendingCount > 0 ? std::min(queue[0].at, end) : end;
        const auto run = static_cast<FrameCount>(next - time);
        fillBase(slot, time, run, buffer + done);
        done += run;
    }
    if (slot.ramping && end - slot.rampStart >= static_cast<SampleTime>(slot.rampLength)) {
        slot.ramping = false;
    }
    values.setPerSample(buffer);
    slot.lastValue = buffer[frames - 1];
}

inline std::span<const ParameterValues>
ParameterRuntime::updateSlots(FrameCount frames, SampleTime blockStart,
                              const TransportInfo& transport) noexcept {
    FLUXFORGE_ASSERT(frames > 0 && frames <= maxBlockSize_,
                     "parameter block larger than prepared for");
    takeRequests();
    const SampleTime end = blockStart + frames;
    for (std::size_t i = 0; i < count_; ++i) {
        Slot& slot = slots_[i];
        ParameterValues& values = values_[i];
        ParameterChange* queue = pendingOf(i);
        // Changes due by the first frame, so that a step exactly at a block start stays constant.
        applyChangesBefore(slot, queue, blockStart + 1);
        if (slot.lane != nullptr) {
            renderLane(slot, values, buffers_.get() + i * maxBlockSize_, frames, transport);
            // The base value keeps time underneath, so it is right when the lane goes away.
            applyChangesBefore(slot, queue, end);
        } else {
            if (slot.ramping &&
                blockStart - slot.rampStart + 1 >= static_cast<SampleTime>(slot.rampLength)) {
                slot.ramping = false; // finished by the first frame
            }
            if (!slot.ramping && (slot.pendingCount == 0 || queue[0].at >= end)) {
                values.setConstant(slot.target);
                slot.lastValue = slot.target;
            } else {
                renderBase(slot, queue, values, buffers_.get() + i * maxBlockSize_, blockStart,
                           frames);
            }
        }
        if (slot.lastValue != slot.reported) {
            slot.reported = slot.lastValue;
            slot.rendered.store(slot.lastValue, std::memory_order_relaxed);
        }
    }
    nextStart_ = end;
    return {values_.data(), count_};
}

} // namespace fluxforge::detail
