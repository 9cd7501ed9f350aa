// ScheduledPlan: a Plan together with what the executors need to run it on several threads.
#pragma once

#include <fluxforge/core/csr.hpp>
#include <fluxforge/graph/plan.hpp>
#include <fluxforge/sched/priority_ready_set.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <numeric>
#include <span>
#include <vector>

namespace fluxforge {

/// A compiled Plan plus its static schedule (levels for the barrier executor, the critical-path
/// priority order) and the per-block state every executor works in (dependency counters, ready
/// sets for up to `maxWorkers` workers, a FIFO ring). Everything is allocated here, on the control
/// thread, so that running a block allocates nothing, whatever the executor and worker count.
///
/// Construction: Thread: control. Real-time safe: no. Allocates: yes.
/// Queries: Thread: any. Real-time safe: yes. Allocates: no.
class ScheduledPlan {
public:
    ScheduledPlan(std::unique_ptr<Plan> plan, std::uint32_t maxWorkers);

    [[nodiscard]] Plan& plan() noexcept { return *plan_; }
    [[nodiscard]] const Plan& plan() const noexcept { return *plan_; }
    [[nodiscard]] std::uint32_t maxWorkers() const noexcept { return maxWorkers_; }
    [[nodiscard]] std::uint32_t numTasks() const noexcept { return numTasks_; }

    // ---- Static schedule ------------------------------------------------------------------------

    /// Levels: a task's level is the length of the longest path to it from a source, so every
    /// task's predecessors lie on lower levels.
    [[nodiscard]] std::size_t numLevels() const noexcept { return levelOffsets_.size() - 1; }
    [[nodiscard]] std::span<const TaskIndex> levelTasks(std::size_t level) const noexcept {
        return {levelTasks_.data() + levelOffsets_[level],
                levelTasks_.data() + levelOffsets_[level + 1]};
    }

    /// Tasks by decreasing critical-path rank (ties: topological order); priorityOf(t) is the
    /// position of t in that order, 0 for the most urgent.
    [[nodiscard]] TaskIndex taskAtPriority(std::uint32_t priority) const noexcept {
        return byPriority_[priority];
    }
    [[nodiscard]] std::uint32_t priorityOf(TaskIndex task) const noexcept {
        return priorityOf_[task];
    }

    /// Tasks with no successors: the block is done when they are.
    [[nodiscard]] std::uint32_t numSinks() const noexcept { return numSinks_; }

    /// Estimated total work W and critical path D of one block, in nanoseconds (from the plan's
    /// costs); W / D bounds the speed-up any number of workers can reach.
    [[nodiscard]] double totalWork() const noexcept { return totalWork_; }
    [[nodiscard]] double criticalPath() const noexcept { return criticalPath_; }

    // ---- Per-block state (audio thread and workers) ---------------------------------------------

    /// Dependencies of each task still outstanding in the current block.
    [[nodiscard]] std::atomic<std::uint32_t>& pending(TaskIndex task) noexcept {
        return pending_[task];
    }
    /// Sets every pending count to the task's number of predecessors. Thread: audio, before the
    /// block is shared with workers.
    void resetPending() noexcept {
        for (TaskIndex t = 0; t < numTasks_; ++t) {
            pending_[t].store(plan_->initialDependencies(t), std::memory_order_relaxed);
        }
    }

    /// Worker `w`'s ready set (critical-path executor).
    [[nodiscard]] PriorityReadySet& readySet(std::uint32_t worker) noexcept {
        return readySets_[worker];
    }

    /// FIFO ring of one block's ready tasks (dynamic FIFO executor): each task enters once.
    [[nodiscard]] std::atomic<TaskIndex>& fifoSlot(std::uint32_t index) noexcept {
        return fifo_[index];
    }

    /// Per-level cursors and completion counts (level-barrier executor).
    [[nodiscard]] std::atomic<std::uint32_t>& levelCursor(std::size_t level) noexcept {
        return levelCursors_[level];
    }
    [[nodiscard]] std::atomic<std::uint32_t>& levelDone(std::size_t level) noexcept {
        return levelDone_[level];
    }

private:
    std::unique_ptr<Plan> plan_;
    std::uint32_t maxWorkers_;
    std::uint32_t numTasks_;
    std::uint32_t numSinks_ = 0;
    double totalWork_ = 0.0;
    double criticalPath_ = 0.0;
    std::vector<std::uint32_t> levelOffsets_;
    std::vector<TaskIndex> levelTasks_;
    std::vector<TaskIndex> byPriority_;
    std::vector<std::uint32_t> priorityOf_;

    std::unique_ptr<std::atomic<std::uint32_t>[]> pending_;
    std::unique_ptr<PriorityReadySet[]> readySets_;
    std::unique_ptr<std::atomic<TaskIndex>[]> fifo_;
    std::unique_ptr<std::atomic<std::uint32_t>[]> levelCursors_;
    std::unique_ptr<std::atomic<std::uint32_t>[]> levelDone_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline ScheduledPlan::ScheduledPlan(std::unique_ptr<Plan> plan, std::uint32_t maxWorkers)
    : plan_(std::move(plan))
    , maxWorkers_(std::max<std::uint32_t>(1, maxWorkers))
    , numTasks_(static_cast<std::uint32_t>(plan_->numTasks())) {
    const Plan& p = *plan_;
    const std::uint32_t n = numTasks_;

    // Levels, in one pass over the topological order.
    std::vector<std::uint32_t> level(n, 0);
    std::uint32_t deepest = 0;
    for (TaskIndex t = 0; t < n; ++t) {
        for (TaskIndex pred : p.predecessors(t)) {
            level[t] = std::max(level[t], level[pred] + 1);
        }
        deepest = std::max(deepest, level[t]);
        totalWork_ += p.cost(t);
        criticalPath_ = std::max(criticalPath_, p.rank(t));
        numSinks_ += p.successors(t).empty() ? 1u : 0u;
    }
    detail::countingSortIntoRows(
        n == 0 ? 0 : deepest + 1,
        [&](auto&& emit) {
            for (TaskIndex t = 0; t < n; ++t) {
                emit(level[t], t);
            }
        },
        levelOffsets_, levelTasks_);
    // Most urgent first; equal ranks in topological order. (std::sort with an explicit tie-break
    // rather than std::stable_sort, whose libstdc++ 12 implementation clang 19 rejects.)
    const auto moreUrgent = [&](TaskIndex a, TaskIndex b) {
        return p.rank(a) != p.rank(b) ? p.rank(a) > p.rank(b) : a < b;
    };
    for (std::size_t l = 0; l + 1 < levelOffsets_.size(); ++l) {
        std::sort(levelTasks_.begin() + levelOffsets_[l],
                  levelTasks_.begin() + levelOffsets_[l + 1], moreUrgent);
    }

    byPriority_.resize(n);
    std::iota(byPriority_.begin(), byPriority_.end(), TaskIndex{0});
    std::sort(byPriority_.begin(), byPriority_.end(), moreUrgent);
    priorityOf_.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        priorityOf_[byPriority_[i]] = i;
    }

    pending_.reset(new std::atomic<std::uint32_t>[n == 0 ? 1 : n]);
    resetPending();
    readySets_.reset(new PriorityReadySet[maxWorkers_]);
    for (std::uint32_t w = 0; w < maxWorkers_; ++w) {
        readySets_[w] = PriorityReadySet(n);
    }
    fifo_.reset(new std::atomic<TaskIndex>[n == 0 ? 1 : n]);
    for (std::uint32_t i = 0; i < n; ++i) {
        fifo_[i].store(kNoTask, std::memory_order_relaxed);
    }
    const std::size_t levels = numLevels();
    levelCursors_.reset(new std::atomic<std::uint32_t>[levels == 0 ? 1 : levels]);
    levelDone_.reset(new std::atomic<std::uint32_t>[levels == 0 ? 1 : levels]);
    for (std::size_t l = 0; l < levels; ++l) {
        levelCursors_[l].store(0, std::memory_order_relaxed);
        levelDone_[l].store(0, std::memory_order_relaxed);
    }
}

} // namespace fluxforge
