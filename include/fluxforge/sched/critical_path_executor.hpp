// CriticalPathExecutor: dynamic wavefront, most urgent task first, with work stealing (the
// default).
#pragma once

#include <fluxforge/core/backoff.hpp>
#include <fluxforge/sched/parallel_executor.hpp>

namespace fluxforge {

/// Each worker keeps a PriorityReadySet of tasks whose inputs are done. It takes its most urgent
/// task (highest critical-path rank: the task with the longest chain of work still behind it); when
/// finishing a task makes successors ready it continues straight away with the most urgent of them,
/// without touching shared structures, and deals the rest out over the workers' sets, its own
/// first; when its set is empty it steals the most urgent task of another worker's. The block ends
/// when every sink has run.
///
/// Thread: audio (run); helpers join through the WorkerPool. Real-time safe: yes. Allocates: no.
class CriticalPathExecutor final : public ParallelExecutor {
public:
    explicit CriticalPathExecutor(WorkerPool* pool, ParallelPolicy policy = {})
        : ParallelExecutor(pool, policy) {}

    [[nodiscard]] ExecutorKind kind() const noexcept override { return ExecutorKind::criticalPath; }

protected:
    void beginBlock(ScheduledPlan& plan) noexcept override {
        plan.resetPending();
        remainingSinks_.store(plan.numSinks(), std::memory_order_relaxed);
        // Sources go round-robin to the participants' sets, the most urgent to the audio thread.
        std::uint32_t next = 0;
        for (std::uint32_t priority = 0; priority < plan.numTasks(); ++priority) {
            if (plan.plan().initialDependencies(plan.taskAtPriority(priority)) == 0) {
                plan.readySet(next).insert(priority);
                next = next + 1 == participants_ ? 0 : next + 1;
            }
        }
    }

    void work(std::uint32_t worker) noexcept override {
        ScheduledPlan& plan = *plan_;
        Plan& p = plan.plan();
        TaskIndex task = kNoTask;
        Backoff idle;
        for (;;) {
            if (task == kNoTask) {
                task = take(plan, worker);
                if (task == kNoTask) {
                    if (remainingSinks_.load(std::memory_order_acquire) == 0) {
                        return;
                    }
                    idle.pause();
                    continue;
                }
                idle.reset();
            }
            p.runTask(task, block_);
            const auto successors = p.successors(task);
            if (successors.empty()) {
                remainingSinks_.fetch_sub(1, std::memory_order_acq_rel);
            }
            // Continue with the most urgent successor this made ready; deal the others out over
            // the participants' sets, starting with our own, so that a wide fan-out is shared
            // at once instead of being stolen one task at a time from a single set.
            TaskIndex best = kNoTask;
            std::uint32_t bestPriority = PriorityReadySet::kNone;
            std::uint32_t target = worker;
            const auto offer = [&](std::uint32_t priority) {
                plan.readySet(target).insert(priority);
                target = target + 1 == participants_ ? 0 : target + 1;
            };
            for (TaskIndex s : successors) {
                if (plan.pending(s).fetch_sub(1, std::memory_order_acq_rel) == 1) {
                    const std::uint32_t priority = plan.priorityOf(s);
                    if (priority < bestPriority) {
                        if (best != kNoTask) {
                            offer(bestPriority);
                        }
                        best = s;
                        bestPriority = priority;
                    } else {
                        offer(priority);
                    }
                }
            }
            task = best;
        }
    }

private:
    TaskIndex take(ScheduledPlan& plan, std::uint32_t worker) noexcept {
        std::uint32_t priority = plan.readySet(worker).tryTakeMostUrgent();
        for (std::uint32_t k = 1; priority == PriorityReadySet::kNone && k < participants_; ++k) {
            const std::uint32_t victim = (worker + k) % participants_;
            priority = plan.readySet(victim).tryTakeMostUrgent();
        }
        return priority == PriorityReadySet::kNone ? kNoTask : plan.taskAtPriority(priority);
    }

    std::atomic<std::uint32_t> remainingSinks_{0};
};

} // namespace fluxforge
