// TaskObserver: the one hook executors call around every task, with the worker that runs it.
#pragma once

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

/// The task about to run or just run.
struct TaskView {
    TaskIndex task = kNoTask;
    TaskOrigin origin = TaskOrigin::taken;
};

/// Called by the executors before and after each task of each block (metrics and the trace
/// recorder are observers). Both calls for one task come from the same thread, the worker that
/// runs it; calls for different workers come concurrently. An executor with no observer calls
/// nothing. Taskflow's ObserverInterface (on_entry / on_exit with a worker and a task view) is the
/// model.
///
/// Thread: audio or worker. Real-time safe: must be. Allocates: must not.
class TaskObserver {
public:
    virtual void onTaskStart(WorkerView worker, TaskView task) noexcept = 0;
    virtual void onTaskEnd(WorkerView worker, TaskView task) noexcept = 0;

protected:
    ~TaskObserver() = default;
};

namespace detail {

/// Runs one task for an executor: the observer's hooks around Plan::runTask, or runTask alone when
/// there is no observer.
inline void runObservedTask(Plan& plan, TaskIndex task, const BlockInfo& block,
                            TaskObserver* observer, std::uint32_t worker,
                            TaskOrigin origin = TaskOrigin::taken) noexcept {
    if (observer == nullptr) {
        plan.runTask(task, block);
        return;
    }
    observer->onTaskStart(WorkerView{worker}, TaskView{task, origin});
    plan.runTask(task, block);
    observer->onTaskEnd(WorkerView{worker}, TaskView{task, origin});
}

} // namespace detail

} // namespace fluxforge
