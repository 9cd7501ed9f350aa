// TaskObserver: the one hook executors call for every task, with the worker that ran it and when.
#pragma once

#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/graph/plan.hpp>

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

/// Called by the executors after each task of each block (metrics and the trace recorder are
/// observers), by the worker that ran it; calls for different workers come concurrently. The
/// executor reads the clock, not the observer: one read per task boundary where a worker runs
/// tasks back to back (a task's end is the next one's start), and one virtual call per task.
/// An executor with no observer calls nothing and reads no clock. Taskflow's ObserverInterface
/// (on_entry / on_exit with a worker and a task view) is the model, its two calls folded into one.
///
/// Thread: audio or worker. Real-time safe: must be. Allocates: must not.
class TaskObserver {
public:
    virtual void onTaskRun(WorkerView worker, const TaskView& task) noexcept = 0;

protected:
    ~TaskObserver() = default;
};

namespace detail {

/// Runs every task in topological order on the calling thread. With an observer, or a `record`
/// callback (record(task, ticks), for the executors' own timing), one clock read per task
/// boundary: each task starts when the one before it ended.
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
