// ParallelExecutor: what the three multi-threaded executors share: deciding how many helpers a
// block is worth, and handing the block to the worker pool.
#pragma once

#include <fluxforge/sched/executor.hpp>
#include <fluxforge/sched/worker_pool.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace fluxforge {

/// Base of the multi-threaded executors. A subclass prepares the block's shared state in
/// `beginBlock` (on the audio thread, before any helper can see it) and does the work in `work`.
///
/// Thread: audio (run). Real-time safe: yes. Allocates: no.
class ParallelExecutor : public Executor, protected ParallelJob {
public:
    ParallelExecutor(WorkerPool* pool, ParallelPolicy policy)
        : pool_(pool)
        , policy_(policy) {}

    void run(ScheduledPlan& plan, const BlockInfo& block) noexcept final {
        const std::uint32_t helpers = helpersFor(plan);
        if (helpers == 0) {
            detail::runSerially(plan, block);
            return;
        }
        plan_ = &plan;
        block_ = block;
        participants_ = helpers + 1;
        beginBlock(plan);
        pool_->run(*this, helpers);
        plan_ = nullptr;
    }

    void setPolicy(ParallelPolicy policy) noexcept { policy_ = policy; }

    [[nodiscard]] std::uint32_t lastHelpersApprox() const noexcept override {
        return lastHelpers_.load(std::memory_order_relaxed);
    }

protected:
    /// Prepares per-block state; helpers have not started yet.
    virtual void beginBlock(ScheduledPlan& plan) noexcept = 0;

    ScheduledPlan* plan_ = nullptr; // the block's plan, valid during run()
    BlockInfo block_{};
    std::uint32_t participants_ = 1; // workers 0..participants_-1 may call work()

private:
    std::uint32_t helpersFor(const ScheduledPlan& plan) noexcept {
        std::uint32_t helpers = 0;
        if (pool_ != nullptr && plan.numTasks() > 1 &&
            plan.totalWork() >= policy_.minimumWorkNanoseconds) {
            helpers = std::min(pool_->helperCountApprox(), plan.maxWorkers() - 1);
            if (policy_.limitToParallelism && plan.criticalPath() > 0.0) {
                const double parallelism = plan.totalWork() / plan.criticalPath();
                const auto useful = static_cast<std::uint32_t>(std::ceil(parallelism - 1.0 - 1e-9));
                helpers = std::min(helpers, useful);
            }
        }
        lastHelpers_.store(helpers, std::memory_order_relaxed);
        return helpers;
    }

    WorkerPool* pool_;
    ParallelPolicy policy_;
    std::atomic<std::uint32_t> lastHelpers_{0};
};

} // namespace fluxforge
