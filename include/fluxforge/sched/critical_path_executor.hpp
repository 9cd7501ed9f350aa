// CriticalPathExecutor: dynamic wavefront, most urgent task first, with work stealing (the
// default).
#pragma once

#include <fluxforge/core/backoff.hpp>
#include <fluxforge/sched/parallel_executor.hpp>

namespace fluxforge {

/// Each worker keeps a PriorityReadySet of tasks whose inputs are done. It takes its most urgent
/// task (highest critical-path rank: the task with the longest chain of work still behind it); when
/// finishing a task makes successors ready it continues straight away with the most urgent of them,
/// without touching shared structures, and offers the rest in its own set; when its set is empty
/// it steals the most urgent task of another worker's set, together with half of the ready tasks
/// next to it. The block ends when every sink has run.
///
/// Thread: audio (run); helpers join through the WorkerPool. Real-time safe: yes. Allocates: no.
class CriticalPathExecutor final : public ParallelExecutor {
public:
    explicit CriticalPathExecutor(WorkerPool* pool, ParallelPolicy policy = {})
        : ParallelExecutor(pool, policy) {}

    [[nodiscard]] ExecutorKind kind() const noexcept override { return ExecutorKind::criticalPath; }

protected:
    void beginBlock(ScheduledPlan& plan) noexcept override {
        // The dependency counters are already at their initial values: the last block's workers
        // put each back as they took it to zero (ScheduledPlan::pending).
        remainingSinks_.store(plan.numSinks(), std::memory_order_relaxed);
        // Sources go round-robin to the participants' sets, the most urgent to the audio thread.
        // No helper sees the sets yet, so each word is written with a plain store.
        const std::span<const std::uint32_t> sources = plan.sourcePriorities();
        for (std::uint32_t w = 0; w < participants_; ++w) {
            PriorityReadySet& set = plan.readySet(w);
            std::uint32_t word = PriorityReadySet::kNone;
            std::uint64_t bits = 0;
            for (std::size_t i = w; i < sources.size(); i += participants_) {
                if (sources[i] / 64 != word) {
                    if (bits != 0) {
                        set.insertWordUnshared(word, bits);
                    }
                    word = sources[i] / 64;
                    bits = 0;
                }
                bits |= std::uint64_t{1} << (sources[i] % 64);
            }
            if (bits != 0) {
                set.insertWordUnshared(word, bits);
            }
        }
    }

    void runTasks(std::uint32_t worker, WorkerTally& tally) noexcept override {
        ScheduledPlan& plan = *plan_;
        Plan& p = plan.plan();
        TaskIndex task = kNoTask;
        TaskOrigin origin = TaskOrigin::taken;
        Backoff idle;
        for (;;) {
            if (task == kNoTask) {
                task = take(plan, worker, origin);
                if (task == kNoTask) {
                    if (remainingSinks_.load(std::memory_order_acquire) == 0) {
                        return;
                    }
                    idle.pause();
                    continue;
                }
                idle.reset();
            }
            runTask(p, task, tally, origin);
            const auto successors = p.successors(task);
            if (successors.empty()) {
                remainingSinks_.fetch_sub(1, std::memory_order_acq_rel);
            }
            // Continue with the most urgent successor this made ready; offer the others in our
            // own set, gathering those of one 64-entry word into a single atomic or. A successor
            // with one predecessor (this task) is ready without touching its counter.
            TaskIndex best = kNoTask;
            std::uint32_t bestPriority = PriorityReadySet::kNone;
            WordBatch batch{plan.readySet(worker)};
            for (TaskIndex s : successors) {
                if (plan.tookLastDependency(s)) {
                    const std::uint32_t priority = plan.priorityOf(s);
                    if (priority < bestPriority) {
                        if (best != kNoTask) {
                            batch.add(bestPriority);
                        }
                        best = s;
                        bestPriority = priority;
                    } else {
                        batch.add(priority);
                    }
                }
            }
            batch.flush();
            task = best;
            origin = TaskOrigin::continued;
        }
    }

private:
    // Collects entries for one set and publishes those of a word together.
    struct WordBatch {
        PriorityReadySet& set;
        std::uint32_t word = PriorityReadySet::kNone;
        std::uint64_t bits = 0;

        void add(std::uint32_t priority) noexcept {
            if (priority / 64 != word) {
                flush();
                word = priority / 64;
            }
            bits |= std::uint64_t{1} << (priority % 64);
        }
        void flush() noexcept {
            if (bits != 0) {
                set.insertWord(word, bits);
                bits = 0;
            }
        }
    };

    // Own set first (most urgent first); else steal from the others, half a word at a time so
    // that a wide fan-out moves between workers in a few atomics instead of one per task.
    TaskIndex take(ScheduledPlan& plan, std::uint32_t worker, TaskOrigin& origin) noexcept {
        std::uint32_t priority = plan.readySet(worker).tryTakeMostUrgent();
        origin = TaskOrigin::taken;
        for (std::uint32_t k = 1; priority == PriorityReadySet::kNone && k < participants_; ++k) {
            const std::uint32_t victim = (worker + k) % participants_;
            std::uint64_t extra = 0;
            std::uint32_t word = 0;
            priority = plan.readySet(victim).tryStealHalf(extra, word);
            origin = TaskOrigin::stolen;
            if (extra != 0) {
                plan.readySet(worker).insertWord(word, extra);
            }
        }
        return priority == PriorityReadySet::kNone ? kNoTask : plan.taskAtPriority(priority);
    }

    // On a line of its own: the workers read the base's block fields for every task.
    alignas(64) std::atomic<std::uint32_t> remainingSinks_{0};
};

} // namespace fluxforge
