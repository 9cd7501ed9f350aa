// ParallelExecutor: what the three multi-threaded executors share: deciding how many helpers a
// block is worth, and handing the block to the worker pool.
#pragma once

#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/sched/executor.hpp>
#include <fluxforge/sched/worker_pool.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace fluxforge {

/// Base of the multi-threaded executors. A subclass prepares the block's shared state in
/// `beginBlock` (on the audio thread, before any helper can see it) and does the work in
/// `runTasks`, running each task through `runTask`.
///
/// Whether a block brings helpers in is decided from what the plan's blocks really cost: the
/// plan's estimate only until the first block has been measured (ScheduledPlan::measuredWorkTicks).
///
/// Thread: audio (run). Real-time safe: yes. Allocates: no.
class ParallelExecutor : public Executor, protected ParallelJob {
public:
    /// Thread: control. Real-time safe: no (measures the cycle clock once). Allocates: no.
    ParallelExecutor(WorkerPool* pool, ParallelPolicy policy)
        : pool_(pool)
        , ticksPerNanosecond_(CycleClock::ticksPerNanosecond()) {
        setPolicy(policy);
    }

    void run(ScheduledPlan& plan, const BlockInfo& block) noexcept final {
        if (pool_ != nullptr) {
            // Helpers of the last block may still be on their way out of it (below): none may
            // see this block's state before they are gone.
            pool_->waitForHelpersToLeave();
        }
        const std::uint64_t start = CycleClock::now();
        plan.beginBlock();
        const std::uint32_t helpers = helpersFor(plan);
        if (helpers == 0) {
            detail::runSerially(plan, block, observer_);
            plan.recordWorkTicks(CycleClock::now() - start);
            lastHelpers_.store(0, std::memory_order_relaxed);
            return;
        }
        plan_ = &plan;
        block_ = block;
        participants_ = helpers + 1;
        helpersThatRan_.store(0, std::memory_order_relaxed);
        busyTicks_.store(0, std::memory_order_relaxed);
        largestTaskTicks_.store(0.0, std::memory_order_relaxed);
        beginBlock(plan);
        // A helper adds its busy time as it leaves: a timed block waits for that. Otherwise the
        // block may end without waiting for helpers to notice that it has (plan_ and the block's
        // fields stay as they are for a helper that comes in late and finds nothing to do).
        const bool waitForHelpers = block.timeNodes || !block.helpersMayLeaveLate;
        pool_->run(*this, helpers,
                   waitForHelpers ? WorkerPool::HelperExit::awaited
                                  : WorkerPool::HelperExit::deferred);
        if (block.timeNodes) {
            plan.recordWorkTicks(busyTicks_.load(std::memory_order_relaxed));
            plan.recordLargestTaskTicks(largestTaskTicks_.load(std::memory_order_relaxed));
        }
        // Complete without waiting: a helper counts itself at its first task, which happens
        // before the block's last task, and the block has ended.
        lastHelpers_.store(helpersThatRan_.load(std::memory_order_relaxed),
                           std::memory_order_relaxed);
    }

    /// Thread: audio, between blocks (or control before the first). Real-time safe: yes.
    void setPolicy(ParallelPolicy policy) noexcept {
        policy_ = policy;
        minimumWorkTicks_ = policy.minimumWorkNanoseconds * ticksPerNanosecond_;
        minimumStealTicks_ =
            static_cast<std::uint64_t>(policy.minimumStealNanoseconds * ticksPerNanosecond_);
    }

    /// Helpers that ran at least one task of the last block (0: the audio thread did it all).
    [[nodiscard]] std::uint32_t lastHelpersApprox() const noexcept override {
        return lastHelpers_.load(std::memory_order_relaxed);
    }

protected:
    /// Prepares per-block state; helpers have not started yet.
    virtual void beginBlock(ScheduledPlan& plan) noexcept = 0;

    /// What one worker did in a block; the base hands it over once, when the worker leaves.
    struct WorkerTally {
        std::uint32_t worker = 0; // the worker's index in the block (for the task observer)
        std::uint32_t tasks = 0;
        std::uint64_t busyTicks = 0;   // on blocks whose nodes are timed
        double largestTaskTicks = 0.0; // the same, the largest task's (its envelope)
        // When the worker's last task ended, while it has gone on without waiting since (0 after
        // a wait): the next task starts there, so back-to-back tasks cost one clock read each.
        std::uint64_t lastEndTicks = 0;
    };

    /// Worker `worker`'s share of the block (ParallelJob::work), each task run through runTask.
    virtual void runTasks(std::uint32_t worker, WorkerTally& tally) noexcept = 0;

    /// Runs one task for runTasks and counts it in the worker's tally; on blocks whose nodes are
    /// timed, its time too (every timingInterval-th block only). The task observer, if any, gets
    /// the same clock reads (`origin`: how the task reached the worker). A task starts where the
    /// worker's last one ended unless the worker has waited since (`waited`): one clock read per
    /// task boundary, as on the serial path; a task's time then includes what the worker did to
    /// get it (a few tens of nanoseconds).
    void runTask(Plan& plan, TaskIndex task, WorkerTally& tally,
                 TaskOrigin origin = TaskOrigin::taken) noexcept {
        if (++tally.tasks == 1 && tally.worker != 0) {
            // Counted at its first task, not as it leaves: the leaving is on the block's end.
            helpersThatRan_.fetch_add(1, std::memory_order_relaxed);
        }
        if (!block_.timeNodes && observer_ == nullptr) {
            plan.runTask(task, block_);
            return;
        }
        TaskView view{task, origin,
                      tally.lastEndTicks != 0 ? tally.lastEndTicks : CycleClock::now(), 0};
        plan.runTask(task, block_);
        view.endTicks = CycleClock::now();
        tally.lastEndTicks = view.endTicks;
        if (block_.timeNodes) {
            const std::uint64_t ticks = view.endTicks - view.startTicks;
            tally.busyTicks += ticks;
            tally.largestTaskTicks =
                std::max(tally.largestTaskTicks, plan_->recordTaskTicks(task, ticks));
        }
        if (observer_ != nullptr) {
            observer_->onTaskRun(WorkerView{tally.worker}, view);
        }
    }

    /// For runTasks: the worker has waited (for work, at a barrier); its next task's start is
    /// read from the clock.
    static void waited(WorkerTally& tally) noexcept { tally.lastEndTicks = 0; }

    /// ParallelPolicy::minimumStealNanoseconds in CycleClock ticks.
    [[nodiscard]] std::uint64_t minimumStealTicks() const noexcept { return minimumStealTicks_; }
    /// Whether `task` costs enough to be moved to another worker (ParallelPolicy::
    /// minimumStealNanoseconds).
    [[nodiscard]] bool worthMoving(const ScheduledPlan& plan, TaskIndex task) const noexcept {
        return plan.costTicks(task, ticksPerNanosecond_) >= static_cast<double>(minimumStealTicks_);
    }

    ScheduledPlan* plan_ = nullptr; // the block's plan: set by run(), kept for helpers leaving late
    BlockInfo block_{};
    std::uint32_t participants_ = 1; // workers 0..participants_-1 may call work()

private:
    void work(std::uint32_t worker) noexcept final {
        WorkerTally tally;
        tally.worker = worker;
        runTasks(worker, tally);
        if (tally.busyTicks != 0) {
            busyTicks_.fetch_add(tally.busyTicks, std::memory_order_relaxed);
            double largest = largestTaskTicks_.load(std::memory_order_relaxed);
            while (tally.largestTaskTicks > largest &&
                   !largestTaskTicks_.compare_exchange_weak(largest, tally.largestTaskTicks,
                                                            std::memory_order_relaxed)) {
            }
        }
    }

    std::uint32_t helpersFor(const ScheduledPlan& plan) noexcept {
        if (pool_ == nullptr || plan.numTasks() <= 1) {
            return 0;
        }
        // Measured work once known, else the plan's estimate (a hint for the first block). Once
        // helpers are in, they stay until the work falls a quarter below the threshold, so that
        // work near it does not flip every block.
        const double measured = plan.measuredWorkTicks();
        const double work = measured > 0.0 ? measured : plan.totalWork() * ticksPerNanosecond_;
        parallel_ = work >= minimumWorkTicks_ * (parallel_ ? 0.75 : 1.0);
        if (!parallel_) {
            return 0;
        }
        // No task is ever moved between workers below minimumStealNanoseconds: when even the
        // largest is smaller, a helper could only watch (and cost the block its hand-over). The
        // largest is at least what the blocks' own durations show per task (no task timing
        // needed): heavy nodes with neither estimates nor timed runs still get their helper.
        const double largest =
            std::max(plan.largestTaskTicks(ticksPerNanosecond_), plan.untimedTaskFloorTicks());
        if (largest < static_cast<double>(minimumStealTicks_)) {
            return 0;
        }
        std::uint32_t helpers = std::min(pool_->helperCountApprox(), plan.maxWorkers() - 1);
        if (policy_.limitToParallelism && plan.criticalPath() > 0.0) {
            const double parallelism = plan.totalWork() / plan.criticalPath();
            const auto useful = static_cast<std::uint32_t>(std::ceil(parallelism - 1.0 - 1e-9));
            helpers = std::min(helpers, useful);
        }
        return helpers;
    }

    WorkerPool* pool_;
    ParallelPolicy policy_;
    double ticksPerNanosecond_;
    double minimumWorkTicks_ = 0.0;
    std::uint64_t minimumStealTicks_ = 0;
    bool parallel_ = false; // the last decision (audio thread)
    std::atomic<std::uint32_t> lastHelpers_{0};
    // Per block, summed by the workers as they leave (one atomic each per block); on a line of
    // their own, away from the fields every worker reads for every task.
    alignas(64) std::atomic<std::uint32_t> helpersThatRan_{0};
    std::atomic<std::uint64_t> busyTicks_{0};
    std::atomic<double> largestTaskTicks_{0.0};
};

} // namespace fluxforge
