// ScheduledPlan: a Plan together with what the executors need to run it on several threads.
#pragma once

#include <fluxforge/core/csr.hpp>
#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/core/realtime_handoff.hpp>
#include <fluxforge/graph/plan.hpp>
#include <fluxforge/sched/priority_order.hpp>
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
    /// Joins of this many predecessors or more count on a cache line of their own (pending).
    static constexpr std::uint32_t kWideJoin = 8;

    ScheduledPlan(std::unique_ptr<Plan> plan, std::uint32_t maxWorkers);

    [[nodiscard]] Plan& plan() noexcept { return *plan_; }
    [[nodiscard]] const Plan& plan() const noexcept { return *plan_; }
    [[nodiscard]] std::uint32_t maxWorkers() const noexcept { return maxWorkers_; }
    [[nodiscard]] std::uint32_t numTasks() const noexcept { return numTasks_; }

    /// A number the owner gives the plan (the engine: its count of commits), so that metrics and
    /// traces can tell plans apart. Set before the plan is handed to the audio thread.
    void setGeneration(std::uint64_t generation) noexcept { generation_ = generation; }
    [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }

    // ---- Static schedule ------------------------------------------------------------------------

    /// Levels: a task's level is the length of the longest path to it from a source, so every
    /// task's predecessors lie on lower levels.
    [[nodiscard]] std::size_t numLevels() const noexcept { return levelOffsets_.size() - 1; }
    [[nodiscard]] std::span<const TaskIndex> levelTasks(std::size_t level) const noexcept {
        return {levelTasks_.data() + levelOffsets_[level],
                levelTasks_.data() + levelOffsets_[level + 1]};
    }

    /// Tasks by decreasing critical-path rank (ties: topological order); priorityOf(t) is the
    /// position of t in that order, 0 for the most urgent. The order in use for the current block
    /// (see beginBlock). Thread: audio and the block's workers.
    [[nodiscard]] TaskIndex taskAtPriority(std::uint32_t priority) const noexcept {
        return byPriority_[priority];
    }
    [[nodiscard]] std::uint32_t priorityOf(TaskIndex task) const noexcept {
        return priorityOf_[task];
    }

    /// The priorities of the source tasks, most urgent first.
    [[nodiscard]] std::span<const std::uint32_t> sourcePriorities() const noexcept {
        return order_->sourcePriorities();
    }

    /// Where each source starts when a block is dealt to several workers
    /// (PriorityOrder::sourcePlacements).
    [[nodiscard]] std::span<const float> sourcePlacements() const noexcept {
        return order_->sourcePlacements();
    }

    /// Tasks with no successors: the block is done when they are.
    [[nodiscard]] std::uint32_t numSinks() const noexcept { return numSinks_; }

    /// Total work W and critical path D of one block in nanoseconds, from the costs of the order
    /// in use: the plan's own at first, measured ones after refreshPriorities. W / D bounds the
    /// speed-up any number of workers can reach. Thread: audio (and the block's workers).
    [[nodiscard]] double totalWork() const noexcept { return order_->totalWork(); }
    [[nodiscard]] double criticalPath() const noexcept { return order_->criticalPath(); }

    // ---- Following measured costs -----------------------------------------------------------

    /// Switches to the newest order refreshPriorities has published, if any. Call at the start of
    /// a block, before it is shared with workers. Thread: audio. Real-time safe: yes. Allocates:
    /// no.
    void beginBlock() noexcept {
        const PriorityOrder* order = orders_.acquire();
        if (order != order_) {
            order_ = order;
            byPriority_ = order->byPriority().data();
            priorityOf_ = order->priorityOf().data();
        }
    }

    /// Recomputes the ranks from measured task times (recordTaskTicks, or seedMeasuredTaskTicks; a
    /// task never timed keeps the plan's estimate, Plan::cost) and, when they would schedule
    /// noticeably differently from the order published last, publishes them for the audio
    /// thread's next beginBlock. Also frees orders the audio thread has stopped using. Returns
    /// whether it published. Thread: control (one at a time). Real-time safe: no. Allocates: yes.
    bool refreshPriorities();

    /// The work the blocks of this plan really take, in CycleClock ticks, from serial blocks'
    /// durations and, on parallel blocks whose nodes are timed, the sum of task times on all
    /// workers. Preemption only ever makes a block look longer, so this follows the lower envelope:
    /// a shorter measurement is taken at once, a longer one raises it by an eighth at most per
    /// block (a preempted block does not bring helpers in; work that really grew does within a
    /// few dozen blocks). The plan's first measurement is dropped: it pays for cold caches and
    /// first-touched pages (a quarter of a millisecond for eight trivial nodes here), and with
    /// task timing off a parallel block cannot correct it. 0 until measured. Thread: audio (the
    /// executors). Real-time safe: yes.
    [[nodiscard]] double measuredWorkTicks() const noexcept { return measuredWorkTicks_; }
    void recordWorkTicks(std::uint64_t ticks) noexcept {
        if (!warm_) {
            warm_ = true;
            return;
        }
        const auto value = static_cast<double>(ticks);
        measuredWorkTicks_ =
            measuredWorkTicks_ == 0.0 ? value : std::min(value, measuredWorkTicks_ * 1.125);
    }

    /// One task's time on a block whose nodes are timed, kept as a lower envelope like
    /// measuredWorkTicks (an average would carry every preemption into the ranks).
    /// Thread: the worker that ran the task. Real-time safe: yes. Allocates: no.
    /// Returns the envelope's new value.
    double recordTaskTicks(TaskIndex task, std::uint64_t ticks) noexcept {
        std::atomic<double>& slot = taskTicks_[task];
        const double previous = slot.load(std::memory_order_relaxed);
        const auto value = static_cast<double>(ticks);
        const double kept = previous == 0.0 ? value : std::min(value, previous * 1.125);
        slot.store(kept, std::memory_order_relaxed);
        return kept;
    }

    /// The largest task's cost in CycleClock ticks: the largest measured time (recordTaskTicks'
    /// envelopes) of the last block whose nodes were timed, else the largest estimate converted
    /// with `ticksPerNanosecond`. No task smaller than ParallelPolicy::minimumStealNanoseconds is
    /// ever moved between workers, so when even the largest is smaller, helpers have nothing to
    /// do. Thread: audio (the executors). Real-time safe: yes. Allocates: no.
    [[nodiscard]] double largestTaskTicks(double ticksPerNanosecond) const noexcept {
        return largestMeasuredTaskTicks_ > 0.0 ? largestMeasuredTaskTicks_
                                               : largestEstimate_ * ticksPerNanosecond;
    }
    void recordLargestTaskTicks(double ticks) noexcept { largestMeasuredTaskTicks_ = ticks; }

    /// What a task costs in CycleClock ticks: its measured time once timed; before, the plan's
    /// estimate (Plan::cost, converted with `ticksPerNanosecond`) or, if more,
    /// untimedTaskFloorTicks (an estimate-less node, 1 ns a frame, may really take milliseconds,
    /// and with task timing off it is never timed). Thread: the block's workers (measuredWorkTicks
    /// changes only between blocks). Real-time safe: yes. Allocates: no.
    [[nodiscard]] double costTicks(TaskIndex task, double ticksPerNanosecond) const noexcept {
        const double measured = taskTicks_[task].load(std::memory_order_relaxed);
        if (measured > 0.0) {
            return measured;
        }
        return std::max(plan_->cost(task) * ticksPerNanosecond, untimedTaskFloorTicks());
    }

    /// What a task that was never timed surely costs, in CycleClock ticks: half the blocks'
    /// measured work per task. A block's duration also holds each task's hand-over and the
    /// block's fixed costs, which on trivial nodes are as large as the nodes themselves; half
    /// keeps eight 60 ns nodes below a 250 ns steal threshold and 5 us nodes far above it.
    /// Thread: the block's workers. Real-time safe: yes. Allocates: no.
    [[nodiscard]] double untimedTaskFloorTicks() const noexcept {
        return measuredWorkTicks_ / (2.0 * static_cast<double>(numTasks_));
    }

    /// A task's measured time in CycleClock ticks (the envelope recordTaskTicks keeps), 0 if it was
    /// never timed. Thread: any (the control thread, to carry it to the next plan). Real-time
    /// safe: yes. Allocates: no. May be stale while the plan plays.
    [[nodiscard]] double measuredTaskTicksApprox(TaskIndex task) const noexcept {
        return taskTicks_[task].load(std::memory_order_relaxed);
    }
    /// Starts a task's measured time at `ticks` (taken from the plan this one replaces), as if the
    /// task had been timed; refreshPriorities then ranks by it. Thread: control, before the plan is
    /// handed to the audio thread (no worker writes it yet). Real-time safe: yes. Allocates: no.
    void seedMeasuredTaskTicks(TaskIndex task, double ticks) noexcept {
        taskTicks_[task].store(ticks, std::memory_order_relaxed);
    }

    // ---- Per-block state (audio thread and workers) ---------------------------------------------

    /// Dependencies still outstanding in the current block of a task with more than one
    /// predecessor (a join; a task with one predecessor has no count: it is ready when that one
    /// finishes). Between blocks every count is the task's number of predecessors:
    /// tookLastDependency puts a count back as it takes it to zero, so no block starts with an
    /// O(tasks) reset. Counts are packed sixteen to a cache line, except that a wide join
    /// (kWideJoin predecessors or more: a bus) has a line of its own: it is decremented that many
    /// times per block by whichever workers ran its inputs, and sharing a line made each worker's
    /// decrement wait for the line another worker had just written (the four buses of a DAW
    /// session). Narrow joins stay packed: a worker decrementing a layer's joins then finds the
    /// next one's count on a line it already holds (docs/scheduler.md).
    [[nodiscard]] std::atomic<std::uint32_t>& pending(TaskIndex task) noexcept {
        const std::uint32_t index = joinCountOf_[task];
        return countLines_[index / kCountsPerLine].counts[index % kCountsPerLine];
    }
    /// Counts one finished predecessor of `task`; true when it was the last, so the task is ready
    /// (the caller's writes to its inputs happen before whoever runs it). A task with one
    /// predecessor is ready without touching a count. The thread that takes a count to zero
    /// restores it for the next block: no other thread touches it again in this block, and the
    /// pool's hand-over orders the store before the next block's decrements.
    /// Thread: the block's workers. Real-time safe: yes. Allocates: no.
    [[nodiscard]] bool tookLastDependency(TaskIndex task) noexcept {
        const std::uint32_t initial = plan_->initialDependencies(task);
        if (initial == 1) {
            return true;
        }
        std::atomic<std::uint32_t>& count = pending(task);
        if (count.fetch_sub(1, std::memory_order_acq_rel) != 1) {
            return false;
        }
        count.store(initial, std::memory_order_relaxed);
        return true;
    }
    /// Sets every join's pending count to its number of predecessors (the constructor does; an
    /// executor needs it only after a block it left unfinished, which none does).
    /// Thread: audio, before the block is shared with workers.
    void resetPending() noexcept {
        for (TaskIndex t = 0; t < numTasks_; ++t) {
            if (plan_->initialDependencies(t) > 1) {
                pending(t).store(plan_->initialDependencies(t), std::memory_order_relaxed);
            }
        }
    }

    /// Worker `w`'s ready set (critical-path executor).
    [[nodiscard]] PriorityReadySet& readySet(std::uint32_t worker) noexcept {
        return readySets_[worker];
    }
    [[nodiscard]] const PriorityReadySet& readySet(std::uint32_t worker) const noexcept {
        return readySets_[worker];
    }

    /// FIFO ring of one block's ready tasks (dynamic FIFO executor): each task enters once. Every
    /// slot is kNoTask between blocks (the executor empties a slot as it claims its task).
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
    std::uint64_t generation_ = 0;
    std::vector<std::uint32_t> levelOffsets_;
    std::vector<TaskIndex> levelTasks_;

    // The priority order: published by the control thread, switched to by the audio thread.
    RealtimeHandoff<PriorityOrder> orders_{8};
    const PriorityOrder* published_ = nullptr; // control thread: the last order published
    const PriorityOrder* order_ = nullptr;     // audio thread: the order in use
    const TaskIndex* byPriority_ = nullptr;
    const std::uint32_t* priorityOf_ = nullptr;
    double measuredWorkTicks_ = 0.0;        // audio thread
    bool warm_ = false;                     // audio thread: the first measurement was dropped
    double largestMeasuredTaskTicks_ = 0.0; // audio thread
    double largestEstimate_ = 0.0;          // nanoseconds, set at construction
    // Workers write; the control thread seeds it before the plan plays, and reads it.
    std::unique_ptr<std::atomic<double>[]> taskTicks_;

    static constexpr std::uint32_t kCountsPerLine = 16;
    struct alignas(64) CountLine {
        std::atomic<std::uint32_t> counts[kCountsPerLine];
    };
    std::vector<std::uint32_t> joinCountOf_; // per join: its count's index in countLines_
    std::unique_ptr<CountLine[]> countLines_;
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

    std::vector<double> costs(n);
    for (TaskIndex t = 0; t < n; ++t) {
        costs[t] = p.cost(t);
        largestEstimate_ = std::max(largestEstimate_, costs[t]);
    }
    auto order = std::make_unique<PriorityOrder>(p, costs);
    published_ = order.get();
    orders_.publish(std::move(order));
    beginBlock(); // nothing shares the plan yet

    taskTicks_.reset(new std::atomic<double>[n == 0 ? 1 : n]);
    for (std::uint32_t i = 0; i < n; ++i) {
        taskTicks_[i].store(0.0, std::memory_order_relaxed);
    }
    // Wide joins first, a line each; then the narrow ones, sixteen to a line.
    joinCountOf_.assign(n, 0);
    std::uint32_t next = 0;
    for (TaskIndex t = 0; t < n; ++t) {
        if (p.initialDependencies(t) >= kWideJoin) {
            joinCountOf_[t] = next;
            next += kCountsPerLine;
        }
    }
    for (TaskIndex t = 0; t < n; ++t) {
        if (p.initialDependencies(t) > 1 && p.initialDependencies(t) < kWideJoin) {
            joinCountOf_[t] = next++;
        }
    }
    countLines_.reset(new CountLine[next == 0 ? 1 : (next + kCountsPerLine - 1) / kCountsPerLine]);
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

inline bool ScheduledPlan::refreshPriorities() {
    orders_.collect();
    const Plan& p = *plan_;
    std::vector<double> costs(numTasks_);
    for (TaskIndex t = 0; t < numTasks_; ++t) {
        const double ticks = taskTicks_[t].load(std::memory_order_relaxed);
        costs[t] = ticks > 0.0 ? CycleClock::toNanoseconds(ticks) : p.cost(t);
    }
    auto order = std::make_unique<PriorityOrder>(p, costs);
    // A tenth: measured times jitter by a few percent from block to block; re-ranking on that
    // would only shuffle tasks of equal urgency.
    if (!order->differsFrom(*published_, 0.1)) {
        return false;
    }
    published_ = order.get();
    orders_.publish(std::move(order));
    return true;
}

} // namespace fluxforge
