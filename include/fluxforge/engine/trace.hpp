// Trace: the recorded schedule of the last blocks (which worker ran which task, when), as data a
// control thread exports (trace_export.hpp).
#pragma once

#include <fluxforge/graph/node_id.hpp>
#include <fluxforge/graph/plan.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace fluxforge {

/// The structure of a plan the trace names its tasks by: kept by the engine for recent commits.
struct TracePlan {
    std::uint64_t generation = 0;   ///< the engine's count of commits when it was compiled
    std::vector<std::string> names; ///< per task
    std::vector<NodeId> nodes;      ///< per task; invalid for partial sums
    std::vector<std::uint32_t> predecessorOffsets; ///< per task, into predecessors (size + 1)
    std::vector<TaskIndex> predecessors;

    /// Thread: control. Real-time safe: no. Allocates: yes.
    [[nodiscard]] static TracePlan of(const Plan& plan, std::uint64_t generation);
    [[nodiscard]] std::size_t numTasks() const noexcept { return names.size(); }
};

/// One task as it ran. Times are nanoseconds from the start of the capture's first block.
struct TraceTask {
    std::uint32_t worker = 0; ///< 0: the audio thread; 1..: helpers, in the order they joined
    TaskIndex task = kNoTask;
    std::uint64_t block = 0; ///< TraceBlock::index
    std::int64_t startNanoseconds = 0;
    std::int64_t endNanoseconds = 0;
    bool stolen = false;
    /// On the block's critical path: the longest chain of measured task times through the plan's
    /// dependencies (its length is TraceBlock::criticalPathNanoseconds).
    bool critical = false;
};

/// One block (process() call) of the trace.
struct TraceBlock {
    std::uint64_t index = 0; ///< blocks since the engine started
    std::int64_t startNanoseconds = 0;
    std::int64_t endNanoseconds = 0;
    double periodNanoseconds = 0.0;
    FrameCount frames = 0;
    std::uint32_t workers = 1;        ///< threads that took part (the audio thread included)
    std::uint64_t planGeneration = 0; ///< TracePlan::generation of the plan it ran
    /// Measured total work W (sum of task times) and the longest chain of measured task times
    /// through the plan's dependencies D: no schedule on `workers` threads ends before
    /// max(W / workers, D).
    double workNanoseconds = 0.0;
    double criticalPathNanoseconds = 0.0;
    [[nodiscard]] double boundNanoseconds() const noexcept {
        const double spread = workNanoseconds / (workers == 0 ? 1 : workers);
        return spread > criticalPathNanoseconds ? spread : criticalPathNanoseconds;
    }
    [[nodiscard]] double load() const noexcept {
        return periodNanoseconds > 0.0
                   ? static_cast<double>(endNanoseconds - startNanoseconds) / periodNanoseconds
                   : 0.0;
    }
};

/// What Engine::captureTrace returns: complete blocks only, oldest first; tasks sorted by worker,
/// then start.
struct TraceCapture {
    std::vector<TraceBlock> blocks;
    std::vector<TraceTask> tasks;
    std::vector<TracePlan> plans; ///< those the blocks ran
    std::uint32_t maxWorkers = 1;

    /// The plan a block ran, or null if it is no longer known. Thread: any. Allocates: no.
    [[nodiscard]] const TracePlan* planOf(const TraceBlock& block) const noexcept;
    /// A task's name in the plan of its block ("task N" if the plan is no longer known).
    /// Thread: any. Real-time safe: no. Allocates: yes.
    [[nodiscard]] std::string taskName(const TraceTask& task) const;
    /// Marks each block's critical path and fills its W and D. Engine::captureTrace calls it.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    void analyse();
};

} // namespace fluxforge
