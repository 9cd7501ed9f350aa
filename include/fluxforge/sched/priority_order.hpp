// PriorityOrder: the critical-path order of a plan's tasks for one set of task costs.
#pragma once

#include <fluxforge/graph/plan.hpp>
#include <fluxforge/sched/source_placement.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

namespace fluxforge {

/// Tasks by decreasing critical-path rank (rank = own cost + the highest rank among successors;
/// ties in topological order), with the total work W and critical path D the costs give. Built on
/// a control thread, then immutable: the engine publishes a new one when measured node times move
/// the ranks (ScheduledPlan::refreshPriorities), without recompiling.
///
/// Construction: Thread: control. Real-time safe: no. Allocates: yes.
/// Queries: Thread: any. Real-time safe: yes. Allocates: no.
class PriorityOrder {
public:
    /// `costs`: nanoseconds per block for each task of `plan` (its size is plan.numTasks()).
    PriorityOrder(const Plan& plan, std::span<const double> costs);

    [[nodiscard]] std::span<const TaskIndex> byPriority() const noexcept { return byPriority_; }
    [[nodiscard]] std::span<const std::uint32_t> priorityOf() const noexcept { return priorityOf_; }
    [[nodiscard]] std::span<const double> ranks() const noexcept { return ranks_; }
    /// The priorities of the tasks with no predecessors, most urgent first: what a block starts
    /// with, without scanning every task.
    [[nodiscard]] std::span<const std::uint32_t> sourcePriorities() const noexcept {
        return sourcePriorities_;
    }
    /// Where each source (in sourcePriorities' order) starts when a block is dealt to p workers:
    /// placedWorker(placement, p), so that sources whose work meets downstream (the tracks of one
    /// bus) start on one worker (placeSources, from this order's costs).
    [[nodiscard]] std::span<const float> sourcePlacements() const noexcept {
        return sourcePlacements_;
    }
    [[nodiscard]] double totalWork() const noexcept { return totalWork_; }
    [[nodiscard]] double criticalPath() const noexcept { return criticalPath_; }

    /// Whether `other` would schedule noticeably differently: W or D differ by more than
    /// `tolerance` (relative), or some task's rank by more than `tolerance` times D.
    [[nodiscard]] bool differsFrom(const PriorityOrder& other, double tolerance) const noexcept;

private:
    std::vector<TaskIndex> byPriority_;
    std::vector<std::uint32_t> priorityOf_;
    std::vector<double> ranks_;
    std::vector<std::uint32_t> sourcePriorities_;
    std::vector<float> sourcePlacements_;
    double totalWork_ = 0.0;
    double criticalPath_ = 0.0;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline PriorityOrder::PriorityOrder(const Plan& plan, std::span<const double> costs) {
    const auto n = static_cast<std::uint32_t>(plan.numTasks());
    ranks_.assign(n, 0.0);
    for (TaskIndex t = n; t-- > 0;) {
        double longest = 0.0;
        for (TaskIndex s : plan.successors(t)) {
            longest = std::max(longest, ranks_[s]);
        }
        ranks_[t] = costs[t] + longest;
        totalWork_ += costs[t];
        criticalPath_ = std::max(criticalPath_, ranks_[t]);
    }
    // Most urgent first; equal ranks in topological order. (std::sort with an explicit tie-break
    // rather than std::stable_sort, whose libstdc++ 12 implementation clang 19 rejects.)
    byPriority_.resize(n);
    std::iota(byPriority_.begin(), byPriority_.end(), TaskIndex{0});
    std::sort(byPriority_.begin(), byPriority_.end(), [&](TaskIndex a, TaskIndex b) {
        return ranks_[a] != ranks_[b] ? ranks_[a] > ranks_[b] : a < b;
    });
    priorityOf_.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        priorityOf_[byPriority_[i]] = i;
        if (plan.initialDependencies(byPriority_[i]) == 0) {
            sourcePriorities_.push_back(i);
        }
    }
    const std::vector<float> placement = placeSources(
        n, [&](TaskIndex t) { return plan.predecessors(t); },
        [&](TaskIndex t) { return plan.successors(t); }, costs);
    sourcePlacements_.reserve(sourcePriorities_.size());
    for (const std::uint32_t priority : sourcePriorities_) {
        sourcePlacements_.push_back(placement[byPriority_[priority]]);
    }
}

inline bool PriorityOrder::differsFrom(const PriorityOrder& other,
                                       double tolerance) const noexcept {
    const auto relative = [](double a, double b) {
        const double larger = std::max(std::abs(a), std::abs(b));
        return larger > 0.0 ? std::abs(a - b) / larger : 0.0;
    };
    if (ranks_.size() != other.ranks_.size() ||
        relative(totalWork_, other.totalWork_) > tolerance ||
        relative(criticalPath_, other.criticalPath_) > tolerance) {
        return true;
    }
    const double slack = tolerance * std::max(criticalPath_, other.criticalPath_);
    for (std::size_t t = 0; t < ranks_.size(); ++t) {
        if (std::abs(ranks_[t] - other.ranks_[t]) > slack) {
            return true;
        }
    }
    return false;
}

} // namespace fluxforge
