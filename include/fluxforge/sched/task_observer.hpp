// TaskObserver: the one hook executors call for every task, with the worker that ran it and when.
#pragma once

#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/graph/plan.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace fluxforge {

/// The thread a task runs on: its index among the block's workers. 0 is the thread that called
/// Executor::run (the audio thread); 1.. are the helpers, numbered in the order they joined the
/// block, so index w is one thread within a block but may be another thread in the next.
struct WorkerView {
    std::uint32_t worker = 0;
};

/// How a task reached the worker that runs it.
enum class TaskOrigin : std::uint8_t {
    taken,     ///< from the worker's own ready set, or a shared queue or level
    continued, ///< a successor the worker made ready and went on with directly
    stolen,    ///< from another worker's ready set
};

/// The task just run, and when: CycleClock ticks at its start and at its end.
struct TaskView {
    TaskIndex task = kNoTask;
    TaskOrigin origin = TaskOrigin::taken;
    std::uint64_t startTicks = 0;
    std::uint64_t endTicks = 0;
};

/// One worker index's ring of task events, written by the observer hook itself (no call), so that
/// a trace costs a few stores per task. An event is two words: its start in ticks, and one packed
/// word (`pack`): the duration in ticks in bits 0..31, the origin in 32..33, the task in 34..63.
/// The owner allocates the words; a reader copies them while they are written and keeps what `head`
/// says cannot have been overwritten.
struct alignas(64) TaskEventRing {
    static constexpr std::size_t kWords = 2;
    /// Task indices are kept modulo 2^30; durations saturate at 2^32 - 1 ticks (over a second).
    static constexpr std::uint64_t kMaxDurationTicks = 0xffffffffu;

    // ---- set by the owner before the ring is handed to an observer ----
    std::atomic<std::uint64_t>* words = nullptr; // kWords per event, mask + 1 events
    std::uint64_t mask = 0;                      // events - 1: a power of two less one

    // ---- shared: written by the worker of the ring's index, one thread at a time ----
    std::atomic<std::uint64_t> head{0}; // events written since the start

    /// Appends an event (its start and `pack`ed word), overwriting the oldest when full.
    /// Thread: the worker of the ring's index. Real-time safe: yes. Allocates: no.
    void write(std::uint64_t startTicks, std::uint64_t packed) noexcept;

    /// The second word of an event, and the task back from both words.
    /// Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] static std::uint64_t pack(const TaskView& task) noexcept;
    [[nodiscard]] static TaskView unpack(std::uint64_t startTicks, std::uint64_t packed) noexcept;
};

/// Called by the executors after each task of each block (metrics and the trace recorder are
/// observers), by the worker that ran it; calls for different workers come concurrently. The
/// executor reads the clock, not the observer: one read per task boundary where a worker runs
/// tasks back to back (a task's end is the next one's start). The hook is not virtual: it writes
/// the task's event into the worker's ring when the observer has handed it rings, and calls the
/// observer's own `observeTask` only when the observer asks for it, so that tracing alone costs
/// no call. An executor with no observer calls nothing and reads no clock. Taskflow's
/// ObserverInterface (on_entry / on_exit with a worker and a task view) is the model, its two
/// calls folded into one.
class TaskObserver {
public:
    /// Thread: audio or worker. Real-time safe: yes. Allocates: no.
    void onTaskRun(WorkerView worker, const TaskView& task) noexcept;

protected:
    ~TaskObserver() = default;

    /// The observer's own work for a task, while it asks for it (setObservesEachTask).
    /// Thread: audio or worker. Real-time safe: must be. Allocates: must not.
    virtual void observeTask(WorkerView worker, const TaskView& task) noexcept = 0;

    /// From the next executor run on, onTaskRun writes each task's event into rings[worker] for
    /// workers below `count` (0: none), and calls observeTask or not. The rings must outlive the
    /// runs that use them. Thread: audio, between runs. Real-time safe: yes. Allocates: no.
    void setEventRings(TaskEventRing* rings, std::uint32_t count) noexcept;
    void setObservesEachTask(bool on) noexcept { observesEachTask_ = on; }

private:
    // Read by the block's workers while a run is under way; written between runs.
    TaskEventRing* eventRings_ = nullptr;
    std::uint32_t numEventRings_ = 0;
    bool observesEachTask_ = true;
};

namespace detail {

/// Runs every task in topological order on the calling thread. With an observer, or a `record`
/// callback (record(task, ticks), for the executors' own timing), one clock read per task
/// boundary: each task starts when the one before it ended.
template <typename Record>
void runInOrderTimed(Plan& plan, const BlockInfo& block, TaskObserver* observer,
                     Record&& record) noexcept;

/// Runs every task in topological order, timed only when there is an observer.
void runInOrderObserved(Plan& plan, const BlockInfo& block, TaskObserver* observer) noexcept;

} // namespace detail

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline std::uint64_t TaskEventRing::pack(const TaskView& task) noexcept {
    std::uint64_t ticks = task.endTicks - task.startTicks;
    if (ticks > kMaxDurationTicks) {
        // A thread moved between cores mid-task may read an end a few ticks before its start.
        ticks = task.endTicks < task.startTicks ? 0 : kMaxDurationTicks;
    }
    // The shift drops the task's top bits: no mask needed.
    return ticks | (std::uint64_t{static_cast<std::uint8_t>(task.origin)} << 32) |
           (std::uint64_t{task.task} << 34);
}

inline TaskView TaskEventRing::unpack(std::uint64_t startTicks, std::uint64_t packed) noexcept {
    TaskView task;
    task.task = static_cast<TaskIndex>(packed >> 34);
    task.origin = static_cast<TaskOrigin>((packed >> 32) & 3u);
    task.startTicks = startTicks;
    task.endTicks = startTicks + (packed & kMaxDurationTicks);
    return task;
}

inline void TaskEventRing::write(std::uint64_t startTicks, std::uint64_t packed) noexcept {
    // The ring's only writer (the pool's hand-over orders one block's worker before the next's),
    // so its own head needs no read-modify-write.
    const std::uint64_t n = head.load(std::memory_order_relaxed);
    std::atomic<std::uint64_t>* event = words + (n & mask) * kWords;
    event[0].store(startTicks, std::memory_order_relaxed);
    event[1].store(packed, std::memory_order_relaxed);
    head.store(n + 1, std::memory_order_release);
}

inline void TaskObserver::onTaskRun(WorkerView worker, const TaskView& task) noexcept {
    if (worker.worker < numEventRings_) {
        // Both words first: the ring's stores could otherwise make the compiler read `task` again.
        eventRings_[worker.worker].write(task.startTicks, TaskEventRing::pack(task));
    }
    if (observesEachTask_) {
        // A copy: only it escapes into the call, so `task` can stay in registers on the path
        // that only traces.
        const TaskView copy = task;
        observeTask(worker, copy);
    }
}

inline void TaskObserver::setEventRings(TaskEventRing* rings, std::uint32_t count) noexcept {
    eventRings_ = rings;
    numEventRings_ = rings != nullptr ? count : 0;
}

namespace detail {

template <typename Record>
inline void runInOrderTimed(Plan& plan, const BlockInfo& block, TaskObserver* observer,
                            Record&& record) noexcept {
    const auto count = static_cast<TaskIndex>(plan.numTasks());
    std::uint64_t clock = CycleClock::now();
    for (TaskIndex task = 0; task < count; ++task) {
        plan.runTask(task, block);
        const std::uint64_t end = CycleClock::now();
        record(task, end - clock);
        if (observer != nullptr) {
            observer->onTaskRun(WorkerView{0}, TaskView{task, TaskOrigin::taken, clock, end});
        }
        clock = end;
    }
}

inline void runInOrderObserved(Plan& plan, const BlockInfo& block,
                               TaskObserver* observer) noexcept {
    if (observer == nullptr) {
        const auto count = static_cast<TaskIndex>(plan.numTasks());
        for (TaskIndex task = 0; task < count; ++task) {
            plan.runTask(task, block);
        }
        return;
    }
    runInOrderTimed(plan, block, observer, [](TaskIndex, std::uint64_t) noexcept {});
}

} // namespace detail

} // namespace fluxforge
