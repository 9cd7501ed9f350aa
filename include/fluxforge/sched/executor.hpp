// Executor: runs every task of a plan once for one block, each after its predecessors.
#pragma once

#include <fluxforge/graph/plan.hpp>
#include <fluxforge/sched/scheduled_plan.hpp>
#include <fluxforge/sched/task_observer.hpp>

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace fluxforge {

/// The executors, selectable at run time. They share one plan format and produce bit-identical
/// output; they differ only in the order and the threads tasks run on (docs/scheduler.md).
enum class ExecutorKind {
    serial,       ///< the audio thread alone, in topological order
    levelBarrier, ///< all workers on one level of the graph, then a barrier
    dynamicFifo,  ///< dependency counters; ready tasks run first-come first-served
    criticalPath, ///< dependency counters; most urgent (highest rank) first, work stealing
};

/// A short name: "serial", "level-barrier", "dynamic-fifo", "critical-path".
[[nodiscard]] constexpr std::string_view executorName(ExecutorKind kind) noexcept {
    switch (kind) {
    case ExecutorKind::serial:
        return "serial";
    case ExecutorKind::levelBarrier:
        return "level-barrier";
    case ExecutorKind::dynamicFifo:
        return "dynamic-fifo";
    case ExecutorKind::criticalPath:
        return "critical-path";
    }
    return "unknown";
}

/// Whether `kind` is one of the enumerators (not a cast from another integer).
[[nodiscard]] constexpr bool isExecutorKind(ExecutorKind kind) noexcept {
    return kind == ExecutorKind::serial || kind == ExecutorKind::levelBarrier ||
           kind == ExecutorKind::dynamicFifo || kind == ExecutorKind::criticalPath;
}

/// When the parallel executors bring in helper threads.
struct ParallelPolicy {
    /// Blocks whose work is below this run on the audio thread alone: waking and synchronising
    /// helpers costs microseconds, more than small graphs take. The work is what the plan's
    /// blocks measurably took (ScheduledPlan::measuredWorkTicks); the plan's estimate (its summed
    /// node costs) is used only until its first block has run. Helpers, once in, stay until the
    /// work falls a quarter below the threshold. 0 always brings helpers in (benchmarks of
    /// scheduling overhead do this).
    double minimumWorkNanoseconds = 30000.0;
    /// Helpers are added only while the graph's average parallelism W/D leaves work for them.
    bool limitToParallelism = true;
    /// A task is handed to another worker than the one that made it ready (dealt out as a source,
    /// or stolen by a worker with nothing to do; critical-path executor) only when it costs at
    /// least this much: its measured time once the engine has timed it, its estimate before.
    /// Moving a task to another core moves its inputs and outputs between caches (a cache line
    /// takes 100-200 ns between the cores of some machines), more than tasks of a few tens of
    /// nanoseconds take: stealing those makes a block slower than one worker alone. Smaller tasks
    /// stay with their owner, except that the audio thread takes them all the same once it has
    /// waited that long with nothing to do (their owner may have been preempted). 0 moves any
    /// task.
    double minimumStealNanoseconds = 250.0;
};

class Executor {
public:
    virtual ~Executor() = default;

    /// Runs every task of `plan` once, each after all of its predecessors, for `block`. The caller
    /// has called plan.plan().prepareBlock(block.numFrames).
    /// Thread: audio. Real-time safe: yes. Allocates: no.
    virtual void run(ScheduledPlan& plan, const BlockInfo& block) noexcept = 0;

    [[nodiscard]] virtual ExecutorKind kind() const noexcept = 0;

    /// Helper threads the last block used (0: the audio thread alone). Thread: any. May be stale.
    [[nodiscard]] virtual std::uint32_t lastHelpersApprox() const noexcept { return 0; }
    [[nodiscard]] std::string_view name() const noexcept { return executorName(kind()); }

    /// The observer the next run() calls around each task, or null for none (the default, which
    /// costs one predictable branch per task). Thread: audio, between blocks. Real-time safe: yes.
    /// Allocates: no.
    void setObserver(TaskObserver* observer) noexcept { observer_ = observer; }
    [[nodiscard]] TaskObserver* observer() const noexcept { return observer_; }

protected:
    TaskObserver* observer_ = nullptr; // read by the block's workers while run() is under way
};

namespace detail {

/// Runs the tasks in topological order on the calling thread. On a block whose nodes are timed,
/// each task's time goes to the plan (ScheduledPlan::recordTaskTicks), for the measured ranks.
inline void runSerially(ScheduledPlan& plan, const BlockInfo& block,
                        TaskObserver* observer) noexcept {
    if (block.timeNodes) {
        double largest = 0.0;
        runInOrderTimed(plan.plan(), block, observer,
                        [&plan, &largest](TaskIndex task, std::uint64_t ticks) noexcept {
                            largest = std::max(largest, plan.recordTaskTicks(task, ticks));
                        });
        plan.recordLargestTaskTicks(largest);
        return;
    }
    runInOrderObserved(plan.plan(), block, observer);
}

} // namespace detail

} // namespace fluxforge
