// The scheduling simulator: replays per-task costs on p virtual workers under each executor's
// policy and predicts the block time (docs/research.md, "The simulator").
#pragma once

#include <fluxforge/sched/executor.hpp>
#include <fluxforge/sched/scheduled_plan.hpp>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace fluxforge {

/// A task graph as the simulator sees it: tasks in topological order, their edges, and the
/// static schedule the executors use (levels, critical-path priorities), derived from estimated
/// costs exactly as ScheduledPlan derives them.
struct SimGraph {
    std::vector<std::vector<TaskIndex>> successors;
    std::vector<std::vector<TaskIndex>> predecessors;
    std::vector<std::uint32_t> predecessorCount;
    std::vector<TaskIndex> sources;             ///< in task order (Plan::sourceTasks)
    std::vector<std::vector<TaskIndex>> levels; ///< each sorted most urgent first
    std::vector<TaskIndex> byPriority;          ///< most urgent first
    std::vector<std::uint32_t> priorityOf;      ///< position in byPriority
    /// Per task, where a source starts when dealt to workers (placeSources; used for sources only)
    std::vector<float> placement;
    double estimatedWork = 0.0;         ///< W of the estimates (for helper counts)
    double estimatedCriticalPath = 0.0; ///< D of the estimates

    [[nodiscard]] std::size_t numTasks() const noexcept { return successors.size(); }

    /// From edges (from < to: the tasks are numbered in a topological order) and estimated costs.
    /// Thread: any. Real-time safe: no. Allocates: yes.
    [[nodiscard]] static SimGraph fromEdges(std::size_t tasks,
                                            std::span<const std::pair<TaskIndex, TaskIndex>> edges,
                                            std::span<const double> estimatedCosts);
    /// The plan's own tasks, edges, levels and priorities. Thread: control. Real-time safe: no.
    /// Allocates: yes.
    [[nodiscard]] static SimGraph fromPlan(const ScheduledPlan& plan);
};

/// The machine-dependent costs the simulator adds to the tasks' own (docs/research.md).
struct SimOverheads {
    double taskNs = 0.0;  ///< per task: claiming it, its dependency counters, publishing successors
    double levelNs = 0.0; ///< per level (level barrier): the last finisher opening the barrier
    double notifyNs = 0.0; ///< until another worker sees a task made ready (or a barrier opened)
    double wakeNs = 0.0;   ///< until a helper joins the block after it starts
    /// per input whose producer ran on another worker: its output crossing between caches
    double remoteNs = 0.0;
    double blockNs = 0.0; ///< per block: setting up and closing it
};

/// How one block is simulated.
struct SimSettings {
    std::uint32_t workers = 1; ///< p: the audio thread and p-1 helpers
    /// As the executor's: which blocks get helpers, which tasks may move between workers.
    /// Default: helpers for every block and any task may move (as the benchmarks).
    ParallelPolicy policy{0.0, false, 0.0};
    SimOverheads serial{};   ///< used when the block runs on the audio thread alone
    SimOverheads parallel{}; ///< used when helpers join
};

struct SimResult {
    double blockNs = 0.0;
    std::uint32_t helpers = 0;
    std::uint64_t steals = 0;          ///< critical path: tasks taken from another worker's set
    std::vector<double> start;         ///< per task
    std::vector<std::uint32_t> worker; ///< per task
};

/// Simulates one block: `costs` (ns, one per task) under `policy`'s schedule on settings.workers
/// virtual workers. Deterministic. Thread: any. Real-time safe: no. Allocates: yes.
[[nodiscard]] SimResult simulateBlock(ExecutorKind policy, const SimGraph& graph,
                                      std::span<const double> costs, const SimSettings& settings);

/// The helper count an executor picks for a block (ParallelExecutor's rule; the rule that no
/// helper comes in when every task is below ParallelPolicy::minimumStealNanoseconds is
/// simulateBlock's, which has the costs).
/// Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] std::uint32_t simulatedHelpers(const SimGraph& graph, const SimSettings& settings,
                                             ExecutorKind policy) noexcept;

namespace detail {
/// What a task takes on worker `w`: its cost, taskNs, and remoteNs per input made elsewhere.
[[nodiscard]] double simulatedDuration(const SimGraph& graph, std::span<const double> costs,
                                       const SimResult& schedule, TaskIndex task, std::uint32_t w,
                                       const SimOverheads& overheads) noexcept;
// One file per policy (src/research/simulator/), so each can follow its executor.
SimResult simulateSerial(const SimGraph& graph, std::span<const double> costs,
                         const SimOverheads& overheads);
SimResult simulateLevelBarrier(const SimGraph& graph, std::span<const double> costs,
                               std::uint32_t participants, const SimOverheads& overheads);
SimResult simulateDynamicFifo(const SimGraph& graph, std::span<const double> costs,
                              std::uint32_t participants, const SimOverheads& overheads);
/// `minimumMoveNs`: ParallelPolicy::minimumStealNanoseconds (the costs decide what may move).
SimResult simulateCriticalPath(const SimGraph& graph, std::span<const double> costs,
                               std::uint32_t participants, const SimOverheads& overheads,
                               double minimumMoveNs);
} // namespace detail

} // namespace fluxforge
