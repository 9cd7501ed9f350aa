// Metrics: what the engine measures about its own blocks, read as one consistent snapshot.
#pragma once

#include <fluxforge/graph/node_id.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace fluxforge {

/// What the engine measures, and how much it keeps (EngineConfig::metrics). docs/metrics.md.
struct MetricsConfig {
    /// false: nothing is measured or published and the snapshot stays zero (tracing still
    /// works). For measuring what metrics cost; they are meant to stay on.
    bool enabled = true;
    /// Every n-th block, the executors' task hook times each task, for the per-node and
    /// per-worker figures (the per-block figures are measured every block). 1: every block;
    /// 0: never. While tracing, every block is timed.
    std::uint32_t taskTimingInterval = 8;
    /// Blocks whose load is kept for the window average and peak and the percentiles (the longest
    /// window a snapshot can ask for). 1..65536.
    std::uint32_t historyBlocks = 2048;
    /// The window of averageLoad and peakLoad when a snapshot does not name one. 1..historyBlocks.
    std::uint32_t defaultWindowBlocks = 375; // 1 s of 128-frame blocks at 48 kHz
    /// Tasks of a plan that get per-node figures (tasks beyond it are timed for the workers'
    /// figures only). 0..1 << 20.
    std::uint32_t maxTasks = 4096;
};

/// How much of the schedule the trace recorder keeps (EngineConfig::trace). Memory is taken when
/// tracing is first switched on: 16 bytes per event per worker index, 48 per block.
struct TraceConfig {
    /// Blocks remembered. 1..65536.
    std::uint32_t blocks = 256;
    /// Tasks remembered per worker index (a ring; older events are overwritten), rounded up to a
    /// power of two. 16..1 << 24.
    std::uint32_t eventsPerWorker = 16384;
};

/// Per block: one process() call, the device's callback (docs/metrics.md).
struct BlockMetrics {
    std::uint64_t blocks = 0;      ///< process() calls since the last reset
    std::uint64_t timedBlocks = 0; ///< of those, the ones whose tasks were timed
    /// The last block: how long process() took, the time its frames play for, and the first over
    /// the second (1.0 is 100%: the deadline; above it the block was late).
    double callbackNanoseconds = 0.0;
    double periodNanoseconds = 0.0;
    double load = 0.0;
    /// Over the last `windowBlocks` blocks (fewer right after a reset).
    std::uint32_t windowBlocks = 0;
    double averageLoad = 0.0;
    double peakLoad = 0.0;
    /// Median and 99th percentile of the load over the history (MetricsConfig::historyBlocks).
    double p50Load = 0.0;
    double p99Load = 0.0;
    /// Blocks whose load exceeded 1.0 (the meter then reads above 100%).
    std::uint64_t deadlineMisses = 0;
    /// The longest process() call since the last reset, and its load.
    double longestBlockNanoseconds = 0.0;
    double longestBlockLoad = 0.0;
    /// Xruns the device reported (Engine::reportDeviceXruns; the device layer's EngineCallback
    /// passes them on).
    std::uint64_t deviceXruns = 0;
};

/// Per worker of a block: index 0 is the audio thread, 1.. the helpers in the order they joined
/// each block. Busy, idle, tasks and steals count timed blocks only; wake-ups count every block.
struct WorkerMetrics {
    double busyNanoseconds = 0.0; ///< running tasks
    double idleNanoseconds = 0.0; ///< inside a block it took part in, not running a task
    /// busy / (busy + idle): 1.0 is a worker that never waited.
    double busyShare = 0.0;
    std::uint64_t blocks = 0; ///< timed blocks it took part in
    std::uint64_t tasks = 0;  ///< tasks run
    std::uint64_t steals = 0; ///< of those, taken from another worker's ready set
    /// Times a sleeping helper was woken for a block (0 for the audio thread).
    std::uint64_t wakeUps = 0;
};

/// Per node of the running plan, over the timed blocks since the plan started playing or the
/// last reset. Partial-sum tasks (tree mixing) appear with the name of the node they feed.
struct NodeMetrics {
    NodeId node;      ///< invalid for a partial sum
    std::string name; ///< the node's name in the graph ("sum for ..." for a partial sum)
    std::uint64_t runs = 0;
    double averageNanoseconds = 0.0;
    double worstNanoseconds = 0.0;
    double lastNanoseconds = 0.0;
    /// Its time over the blocks' time (0..1): the part of the callback it accounts for.
    double share = 0.0;
};

/// The prefetch domain's figures (docs/metrics.md). Filled by the prefetch feature; zero until the
/// engine has one.
struct PrefetchMetrics {
    double load = 0.0;           ///< render time over the time rendered ahead
    double ringFill = 0.0;       ///< fill of the fullest-emptied ring, 0..1
    std::uint64_t underruns = 0; ///< blocks the live part found a ring short
};

/// One consistent reading of everything above (Engine::metrics).
struct MetricsSnapshot {
    BlockMetrics block;
    std::vector<WorkerMetrics> workers; ///< EngineConfig::maxWorkers entries
    std::vector<NodeMetrics> nodes;     ///< in the plan's topological order
    PrefetchMetrics prefetch;
};

} // namespace fluxforge
