// Measuring executors on a generated graph, and recording its per-task costs for the simulator.
#pragma once

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/research/schedule_simulator.hpp>
#include <fluxforge/sched/critical_path_executor.hpp>
#include <fluxforge/sched/dynamic_fifo_executor.hpp>
#include <fluxforge/sched/level_barrier_executor.hpp>
#include <fluxforge/sched/serial_executor.hpp>
#include <fluxforge/sched/worker_pool.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace fluxforge {

/// p50, p99, max and mean of a set of block times (ns); empty input gives zeros.
struct BlockStatistics {
    double p50 = 0.0;
    double p99 = 0.0;
    double max = 0.0;
    double mean = 0.0;
    /// Thread: any. Real-time safe: no. Allocates: yes (a sorted copy).
    [[nodiscard]] static BlockStatistics of(std::span<const double> nanoseconds);
};

/// Per-task costs of a recorded run: `blocks` rows of `tasks` costs (ns), each task timed alone
/// around Plan::runTask (so gathering inputs, partial sums and compensation count), on the
/// calling thread, the clock's own overhead taken off.
struct CostRecording {
    std::size_t tasks = 0;
    std::size_t blocks = 0;
    std::vector<double> costs; ///< block-major
    [[nodiscard]] std::span<const double> block(std::size_t b) const noexcept {
        return {costs.data() + b * tasks, tasks};
    }
    /// Each task's mean, or median, over the blocks (the median is what W and D are taken from:
    /// a preempted block does not move it). Thread: any. Real-time safe: no. Allocates: yes.
    [[nodiscard]] std::vector<double> meanCosts() const;
    [[nodiscard]] std::vector<double> medianCosts() const;
};

/// W (total work) and D (critical path) of one set of task costs over a graph's edges.
struct WorkAndSpan {
    double work = 0.0;
    double span = 0.0;
    [[nodiscard]] double bound(std::uint32_t workers) const noexcept {
        const double perWorker = work / static_cast<double>(workers == 0 ? 1 : workers);
        return perWorker > span ? perWorker : span;
    }
};
[[nodiscard]] WorkAndSpan workAndSpan(const SimGraph& graph, std::span<const double> costs);

/// One measured run: each block's time (ns) and the helpers the executor brought in.
struct MeasuredRun {
    std::vector<double> blockNs;
    double meanHelpers = 0.0;
};

/// A graph compiled for one block size, with a worker pool and every executor, ready to be
/// measured. Blocks are numbered from 0 in every run, so cost models that redraw per block draw
/// the same costs in each run. With `realtime`, the helpers run with real-time priority and the
/// calling thread takes it for the length of each run (then returns to normal): on a machine
/// shared with builds, that is what keeps a second worker's core available.
///
/// Construction: Thread: control. Real-time safe: no. Allocates: yes. The runs: Thread: the one
/// that constructed it (as the audio thread).
class MeasurementRig {
public:
    MeasurementRig(const Graph& graph, FrameCount blockSize, std::uint32_t maxWorkers,
                   bool realtime = false);
    ~MeasurementRig();
    MeasurementRig(const MeasurementRig&) = delete;
    MeasurementRig& operator=(const MeasurementRig&) = delete;

    /// Runs `warmup` then `blocks` blocks with `executor` on `workers` workers (the calling
    /// thread and workers-1 helpers), timing each executor.run().
    [[nodiscard]] MeasuredRun run(ExecutorKind executor, std::uint32_t workers,
                                  ParallelPolicy policy, std::size_t blocks,
                                  std::size_t warmup = 10);
    /// Times every task of `blocks` blocks, one after another on the calling thread.
    [[nodiscard]] CostRecording record(std::size_t blocks, std::size_t warmup = 5);

    [[nodiscard]] const ScheduledPlan& plan() const noexcept { return *plan_; }
    [[nodiscard]] const SimGraph& simGraph() const noexcept { return simGraph_; }

private:
    void prepare(std::size_t block);
    Executor& executor(ExecutorKind kind) noexcept;

    FrameCount blockSize_;
    bool realtime_;
    std::unique_ptr<ScheduledPlan> plan_;
    SimGraph simGraph_;
    AudioBuffer output_;
    std::unique_ptr<WorkerPool> pool_;
    SerialExecutor serial_;
    std::unique_ptr<LevelBarrierExecutor> levelBarrier_;
    std::unique_ptr<DynamicFifoExecutor> dynamicFifo_;
    std::unique_ptr<CriticalPathExecutor> criticalPath_;
};

/// The overheads of one executor on this machine: for blocks it runs alone (serial) and for
/// blocks with helpers (parallel), fitted so that the simulator reproduces small calibration
/// graphs measured here (docs/research.md, "Calibration").
struct ExecutorCalibration {
    SimOverheads serial;
    SimOverheads parallel;
};
struct Calibration {
    ExecutorCalibration serial;
    ExecutorCalibration levelBarrier;
    ExecutorCalibration dynamicFifo;
    ExecutorCalibration criticalPath;
    [[nodiscard]] const ExecutorCalibration& of(ExecutorKind kind) const noexcept;
};

/// Measures the calibration graphs (chains of trivial nodes, two busy sources, a busy fork) with
/// every executor on 1 and 2 workers (2 needs a second core to mean anything), the median of
/// `repetitions` runs of `blocks` blocks each, and fits the overheads. Takes a few seconds.
/// Thread: control (it runs blocks itself). Real-time safe: no. Allocates: yes.
[[nodiscard]] Calibration calibrate(FrameCount blockSize = 64, std::size_t repetitions = 5,
                                    std::size_t blocks = 300, bool realtime = false);

} // namespace fluxforge
