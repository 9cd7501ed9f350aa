// LevelBarrierExecutor: the graph layer by layer, every worker on one layer, then a barrier.
#pragma once

#include <fluxforge/core/backoff.hpp>
#include <fluxforge/sched/parallel_executor.hpp>

namespace fluxforge {

/// The classic wavefront: level 0 (the sources), then level 1, and so on; within a level workers
/// claim tasks with an atomic cursor (most urgent first), and no one starts level l+1 before every
/// task of level l has finished. Simple and predictable, but a long task holds its whole level up.
///
/// Thread: audio (run); helpers join through the WorkerPool. Real-time safe: yes. Allocates: no.
class LevelBarrierExecutor final : public ParallelExecutor {
public:
    explicit LevelBarrierExecutor(WorkerPool* pool, ParallelPolicy policy = {})
        : ParallelExecutor(pool, policy) {}

    [[nodiscard]] ExecutorKind kind() const noexcept override { return ExecutorKind::levelBarrier; }

protected:
    void beginBlock(ScheduledPlan& plan) noexcept override {
        for (std::size_t l = 0; l < plan.numLevels(); ++l) {
            plan.levelCursor(l).store(0, std::memory_order_relaxed);
            plan.levelDone(l).store(0, std::memory_order_relaxed);
        }
        currentLevel_.store(0, std::memory_order_relaxed);
    }

    void runTasks(std::uint32_t /*worker*/, WorkerTally& tally) noexcept override {
        ScheduledPlan& plan = *plan_;
        Plan& p = plan.plan();
        const std::size_t levels = plan.numLevels();
        for (;;) {
            const std::size_t level = currentLevel_.load(std::memory_order_acquire);
            if (level >= levels) {
                return;
            }
            const auto tasks = plan.levelTasks(level);
            const std::uint32_t i = plan.levelCursor(level).fetch_add(1, std::memory_order_relaxed);
            if (i < tasks.size()) {
                runTask(p, tasks[i], tally);
                if (plan.levelDone(level).fetch_add(1, std::memory_order_acq_rel) + 1 ==
                    tasks.size()) {
                    currentLevel_.store(level + 1, std::memory_order_release); // the barrier opens
                }
                continue;
            }
            // Nothing left to claim on this level: wait for the barrier.
            waited(tally);
            for (Backoff barrier; currentLevel_.load(std::memory_order_acquire) == level;) {
                barrier.pause();
            }
        }
    }

private:
    std::atomic<std::size_t> currentLevel_{0};
};

} // namespace fluxforge
