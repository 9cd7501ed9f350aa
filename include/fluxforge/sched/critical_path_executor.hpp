// CriticalPathExecutor: dynamic wavefront, most urgent task first, with work stealing (the
// default).
#pragma once

#include <fluxforge/core/backoff.hpp>
#include <fluxforge/sched/parallel_executor.hpp>

#include <algorithm>
#include <bit>

namespace fluxforge {

/// A block's sources are dealt to the workers by their placement (placeSources: sources whose work
/// meets downstream start on one worker, in shares of equal cost; the share holding the most
/// urgent source to the audio thread, which starts first). Each worker keeps a
/// PriorityReadySet of tasks whose inputs are done. It takes its most urgent
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
        // Sources go to the participants' sets by their placement (PriorityOrder::
        // sourcePlacements: sources whose work meets downstream share a worker), when any is
        // worth moving to a helper (ParallelPolicy::minimumStealNanoseconds); otherwise all to
        // the audio thread, which starts at once. No helper sees the sets yet, so each word is
        // written with a plain store.
        const std::span<const std::uint32_t> sources = plan.sourcePriorities();
        const std::span<const float> placements = plan.sourcePlacements();
        const bool anyMovable = std::any_of(sources.begin(), sources.end(), [&](std::uint32_t p) {
            return worthMoving(plan, plan.taskAtPriority(p));
        });
        const std::uint32_t dealt = anyMovable ? participants_ : 1;
        for (std::uint32_t w = 0; w < participants_; ++w) {
            // A helper's dealt sources are worth moving; the audio thread's too, for a helper to
            // steal when its own run out.
            if (dealt > 1) {
                plan.readySet(w).advertiseMovable();
            } else {
                plan.readySet(w).withdrawMovable();
            }
        }
        // The most urgent source's share goes to the audio thread, which starts at once: a
        // helper joins the block later.
        const std::uint32_t first = sources.empty() ? 0 : placedWorker(placements[0], dealt);
        for (std::uint32_t w = 0; w < dealt; ++w) {
            PriorityReadySet& set = plan.readySet(w);
            const std::uint32_t placed = (w + first) % dealt; // the placement worker w starts
            std::uint32_t word = PriorityReadySet::kNone;
            std::uint64_t bits = 0;
            for (std::size_t i = 0; i < sources.size(); ++i) {
                if (placedWorker(placements[i], dealt) != placed) {
                    continue;
                }
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
        std::uint64_t idleSince = 0; // 0: not idle
        for (;;) {
            if (task == kNoTask) {
                // Tasks too small to be worth moving are left to their owner, but the audio thread
                // takes them all the same once it has waited as long as moving them costs: the
                // owner may have been preempted, and the block ends when the audio thread is done.
                const bool takeAnything = worker == 0 && idleSince != 0 &&
                                          CycleClock::now() - idleSince >= minimumStealTicks();
                task = take(plan, worker, origin, takeAnything);
                if (task == kNoTask) {
                    if (remainingSinks_.load(std::memory_order_acquire) == 0) {
                        return;
                    }
                    if (idleSince == 0) {
                        idleSince = CycleClock::now();
                        waited(tally);
                    }
                    idle.pause();
                    continue;
                }
                idle.reset();
                idleSince = 0;
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
            bool movable = false; // whether an entry offered is worth another worker's while
            for (TaskIndex s : successors) {
                if (plan.tookLastDependency(s)) {
                    const std::uint32_t priority = plan.priorityOf(s);
                    if (priority < bestPriority) {
                        if (best != kNoTask) {
                            batch.add(bestPriority);
                            movable = movable || worthMoving(plan, best);
                        }
                        best = s;
                        bestPriority = priority;
                    } else {
                        batch.add(priority);
                        movable = movable || worthMoving(plan, s);
                    }
                }
            }
            batch.flush();
            if (movable) {
                plan.readySet(worker).advertiseMovable();
            }
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
    // that a wide fan-out moves between workers in a few atomics instead of one per task. The most
    // urgent entry must be worth moving, unless `takeAnything`.
    TaskIndex take(ScheduledPlan& plan, std::uint32_t worker, TaskOrigin& origin,
                   bool takeAnything) noexcept {
        std::uint32_t priority = plan.readySet(worker).tryTakeMostUrgent();
        origin = TaskOrigin::taken;
        for (std::uint32_t k = 1; priority == PriorityReadySet::kNone && k < participants_; ++k) {
            const std::uint32_t victim = (worker + k) % participants_;
            if (!takeAnything && !worthStealing(plan, victim)) {
                continue;
            }
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

    // Whether a steal from `victim` would take a task worth moving here (a steal takes the most
    // urgent entry and half of the rest of its word). Its entries are looked at only while it
    // advertises one (PriorityReadySet::advertiseMovable); when none turns out to be, the advert
    // comes down until the owner offers another.
    bool worthStealing(ScheduledPlan& plan, std::uint32_t victim) const noexcept {
        PriorityReadySet& set = plan.readySet(victim);
        if (!set.advertisesMovableApprox()) {
            return false;
        }
        std::uint32_t word = 0;
        for (std::uint64_t taken = set.peekStealApprox(word); taken != 0; taken &= taken - 1) {
            const auto priority = word * 64 + static_cast<std::uint32_t>(std::countr_zero(taken));
            if (worthMoving(plan, plan.taskAtPriority(priority))) {
                return true;
            }
        }
        set.withdrawMovable();
        return false;
    }

    // On a line of its own: the workers read the base's block fields for every task.
    alignas(64) std::atomic<std::uint32_t> remainingSinks_{0};
};

} // namespace fluxforge
