// The experiment runner: generated graphs x executors x worker counts x block sizes, measured and
// simulated, written as JSON and CSV (docs/research.md).
#pragma once

#include <fluxforge/research/generators.hpp>
#include <fluxforge/research/measurement.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace fluxforge {

/// One graph of an experiment.
struct ExperimentCase {
    std::string label; ///< e.g. "tracks=64"; names the case in the output
    GeneratorSpec generator;
};

/// What to run. Serial runs on one worker only; the parallel executors on every worker count
/// (on one worker they run the block on the audio thread, like serial).
struct ExperimentSpec {
    std::string name = "experiment";
    std::vector<ExperimentCase> cases;
    std::vector<ExecutorKind> executors{ExecutorKind::serial, ExecutorKind::levelBarrier,
                                        ExecutorKind::dynamicFifo, ExecutorKind::criticalPath};
    std::vector<std::uint32_t> workers{1, 2};
    std::vector<FrameCount> blockSizes{64};
    std::size_t blocks = 200; ///< measured blocks per repetition
    std::size_t warmup = 20;  ///< blocks run before each repetition's measured ones
    /// ... and at least this much audio, in frames: a run that follows another executor or worker
    /// count (or the recording) starts with data in the other core's cache, and the nodes' rings
    /// (compensation histories, reverb lines: 4096 frames at 48 kHz for the built-in nodes) take
    /// one full turn to come back (docs/research.md, "Measuring"). Also the recording's warm-up.
    std::size_t warmupFrames = 8192;
    std::size_t repetitions = 5; ///< each (executor, workers) run this often, interleaved
    /// Default: helpers for every block, any task may move (as the benchmarks).
    ParallelPolicy policy{0.0, false, 0.0};
    /// Measure with real-time priority (MeasurementRig); on a shared machine the only way a
    /// second worker gets its core. Needs the right to it (root, or RLIMIT_RTPRIO).
    bool realtime = false;
    /// Record per-task costs and simulate every executor at the measured worker counts and at
    /// these (e.g. 1..64). Off: measure only.
    bool simulate = true;
    std::vector<std::uint32_t> simulateWorkers;
    std::size_t recordBlocks = 100; ///< blocks recorded (and simulated) per case
    /// Reused instead of calibrating at the start (calibration takes a few seconds).
    std::optional<Calibration> calibration;
};

/// One line of the results: an executor on a case at a worker count and block size.
struct ResultRow {
    std::string caseLabel;
    std::string generator;
    ExecutorKind executor = ExecutorKind::serial;
    std::uint32_t workers = 1;
    FrameCount blockSize = 64;
    bool measured = true; ///< false: simulated only (a worker count not measured)
    std::size_t nodes = 0;
    std::size_t tasks = 0;
    BlockStatistics block; ///< measured: medians over repetitions; else simulated
    double p50Low = 0.0;   ///< lowest and highest p50 among repetitions
    double p50High = 0.0;
    double work = 0.0;            ///< W, ns (per-task medians of the recorded costs; else the
                                  ///< plan's estimates)
    double span = 0.0;            ///< D, ns
    double bound = 0.0;           ///< max(W/p, D)
    double efficiency = 0.0;      ///< p50 / bound (1 is the best possible)
    double helpers = 0.0;         ///< mean helpers per block (measured, else simulated)
    double simulatedSteals = 0.0; ///< critical path: mean steals per block in the simulation
    std::optional<double> simulatedP50;
    std::optional<double> error; ///< simulated / measured p50 - 1
    std::vector<double> blockNs; ///< every measured block (all repetitions), or simulated ones
};

struct ExperimentResult {
    ExperimentSpec spec;
    Calibration calibration;
    unsigned hardwareThreads = 0;
    std::vector<ResultRow> rows;
};

/// The blocks run before each measured run and each recorded slice at `blockSize`: `warmup`, or
/// enough blocks to play `warmupFrames`, whichever is more.
/// Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] std::size_t warmupBlocks(const ExperimentSpec& spec, FrameCount blockSize) noexcept;

/// Called with a line of progress (what runs now, how far, elapsed seconds).
using ExperimentProgress = std::function<void(const std::string&)>;

/// Runs an experiment. Throws fluxforge::Error for a spec without cases, executors, worker counts
/// or block sizes, or a generator error (naming the case).
/// Thread: control (it runs the blocks itself, as the audio thread). Real-time safe: no.
/// Allocates: yes.
[[nodiscard]] ExperimentResult runExperiment(const ExperimentSpec& spec,
                                             const ExperimentProgress& progress = {});

/// The results as JSON (schema in docs/research.md) and CSV (one line per row, no block lists).
/// Thread: any. Real-time safe: no. Allocates: yes.
void writeResultJson(const ExperimentResult& result, std::ostream& out);
void writeResultCsv(const ExperimentResult& result, std::ostream& out);
/// The calibration alone, as JSON (what writeResultJson puts under "calibration").
void writeCalibrationJson(const Calibration& calibration, std::ostream& out);

} // namespace fluxforge
