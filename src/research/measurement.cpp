#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/core/denormal_guard.hpp>
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/graph/endpoint_nodes.hpp>
#include <fluxforge/research/generators.hpp>
#include <fluxforge/research/measurement.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace fluxforge {

BlockStatistics BlockStatistics::of(std::span<const double> nanoseconds) {
    BlockStatistics s;
    if (nanoseconds.empty()) {
        return s;
    }
    std::vector<double> sorted(nanoseconds.begin(), nanoseconds.end());
    std::sort(sorted.begin(), sorted.end());
    const auto at = [&](double q) {
        return sorted[std::min(sorted.size() - 1,
                               static_cast<std::size_t>(q * static_cast<double>(sorted.size())))];
    };
    s.p50 = at(0.5);
    s.p99 = at(0.99);
    s.max = sorted.back();
    double sum = 0.0;
    for (double v : sorted) {
        sum += v;
    }
    s.mean = sum / static_cast<double>(sorted.size());
    return s;
}

std::vector<double> CostRecording::meanCosts() const {
    std::vector<double> mean(tasks, 0.0);
    for (std::size_t b = 0; b < blocks; ++b) {
        for (std::size_t t = 0; t < tasks; ++t) {
            mean[t] += costs[b * tasks + t];
        }
    }
    for (double& m : mean) {
        m /= static_cast<double>(std::max<std::size_t>(1, blocks));
    }
    return mean;
}

std::vector<double> CostRecording::medianCosts() const {
    std::vector<double> result(tasks, 0.0);
    std::vector<double> column(blocks);
    for (std::size_t t = 0; t < tasks && blocks > 0; ++t) {
        for (std::size_t b = 0; b < blocks; ++b) {
            column[b] = costs[b * tasks + t];
        }
        std::nth_element(column.begin(), column.begin() + blocks / 2, column.end());
        result[t] = column[blocks / 2];
    }
    return result;
}

WorkAndSpan workAndSpan(const SimGraph& graph, std::span<const double> costs) {
    WorkAndSpan result;
    std::vector<double> below(graph.numTasks(), 0.0);
    for (std::size_t t = graph.numTasks(); t-- > 0;) {
        double longest = 0.0;
        for (TaskIndex s : graph.successors[t]) {
            longest = std::max(longest, below[s]);
        }
        below[t] = costs[t] + longest;
        result.work += costs[t];
        result.span = std::max(result.span, below[t]);
    }
    return result;
}

namespace {

WorkerPoolConfig poolConfig(std::uint32_t maxWorkers, bool realtime) {
    WorkerPoolConfig config;
    config.helpers = maxWorkers - 1;
    config.realtimePriority = realtime;
    return config;
}

// Real-time priority for the calling thread while it lives, when asked for.
class RealtimeForRun {
public:
    explicit RealtimeForRun(bool wanted) noexcept
        : changed_(wanted &&
                   trySetCurrentThreadRealtime().status == ThreadPriorityStatus::realtime) {}
    ~RealtimeForRun() {
        if (changed_) {
            static_cast<void>(resetCurrentThreadPriority());
        }
    }
    RealtimeForRun(const RealtimeForRun&) = delete;
    RealtimeForRun& operator=(const RealtimeForRun&) = delete;

private:
    bool changed_;
};

// The clock's own cost between two reads, in ns (the median of many back-to-back pairs).
double clockOverheadNs() {
    std::vector<std::uint64_t> ticks(2001);
    for (auto& t : ticks) {
        const std::uint64_t a = CycleClock::now();
        const std::uint64_t b = CycleClock::now();
        t = b - a;
    }
    std::nth_element(ticks.begin(), ticks.begin() + 1000, ticks.end());
    return CycleClock::toNanoseconds(static_cast<double>(ticks[1000]));
}

} // namespace

MeasurementRig::MeasurementRig(const Graph& graph, FrameCount blockSize, std::uint32_t maxWorkers,
                               bool realtime)
    : blockSize_(blockSize)
    , realtime_(realtime)
    , output_(graph.config().outputChannels, blockSize)
    , pool_(std::make_unique<WorkerPool>(poolConfig(std::max(1u, maxWorkers), realtime))) {
    plan_ = std::make_unique<ScheduledPlan>(compile(graph, {48000.0, blockSize}),
                                            std::max(1u, maxWorkers));
    simGraph_ = SimGraph::fromPlan(*plan_);
    levelBarrier_ = std::make_unique<LevelBarrierExecutor>(pool_.get());
    dynamicFifo_ = std::make_unique<DynamicFifoExecutor>(pool_.get());
    criticalPath_ = std::make_unique<CriticalPathExecutor>(pool_.get());
    Plan& plan = plan_->plan();
    static_cast<GraphInputNode&>(plan.node(plan.inputTask())).setSource(ConstBufferView{});
    static_cast<GraphOutputNode&>(plan.node(plan.outputTask())).setDestination(output_.view());
}

MeasurementRig::~MeasurementRig() = default;

Executor& MeasurementRig::executor(ExecutorKind kind) noexcept {
    switch (kind) {
    case ExecutorKind::serial:
        return serial_;
    case ExecutorKind::levelBarrier:
        return *levelBarrier_;
    case ExecutorKind::dynamicFifo:
        return *dynamicFifo_;
    case ExecutorKind::criticalPath:
        break;
    }
    return *criticalPath_;
}

MeasuredRun MeasurementRig::run(ExecutorKind kind, std::uint32_t workers, ParallelPolicy policy,
                                std::size_t blocks, std::size_t warmup) {
    pool_->setHelperCount(std::max(1u, workers) - 1);
    for (auto* parallel : std::initializer_list<ParallelExecutor*>{
             levelBarrier_.get(), dynamicFifo_.get(), criticalPath_.get()}) {
        parallel->setPolicy(policy);
    }
    Executor& e = executor(kind);
    Plan& plan = plan_->plan();
    const RealtimeForRun priority(realtime_);
    const DenormalGuard denormals; // as the engine's audio thread (helpers set their own)
    MeasuredRun result;
    result.blockNs.reserve(blocks);
    double helpers = 0.0;
    for (std::size_t b = 0; b < warmup + blocks; ++b) {
        // Warm-up blocks take the last positions' numbers, so measured blocks start at 0.
        const std::size_t index = b < warmup ? blocks + b : b - warmup;
        plan.prepareBlock(blockSize_);
        const BlockInfo block{blockSize_, static_cast<SampleTime>(index) * blockSize_};
        const auto start = std::chrono::steady_clock::now();
        e.run(*plan_, block);
        const auto stop = std::chrono::steady_clock::now();
        if (b >= warmup) {
            result.blockNs.push_back(
                std::chrono::duration<double, std::nano>(stop - start).count());
            helpers += e.lastHelpersApprox();
        }
    }
    result.meanHelpers = blocks == 0 ? 0.0 : helpers / static_cast<double>(blocks);
    return result;
}

CostRecording MeasurementRig::record(std::size_t blocks, std::size_t warmup) {
    Plan& plan = plan_->plan();
    CostRecording recording;
    recording.tasks = plan.numTasks();
    recording.blocks = blocks;
    recording.costs.resize(blocks * recording.tasks);
    const RealtimeForRun priority(realtime_);
    const DenormalGuard denormals;
    const double clock = clockOverheadNs();
    const double nsPerTick = 1.0 / CycleClock::ticksPerNanosecond();
    const auto count = static_cast<TaskIndex>(recording.tasks);
    for (std::size_t b = 0; b < warmup + blocks; ++b) {
        const std::size_t index = b < warmup ? blocks + b : b - warmup;
        plan.prepareBlock(blockSize_);
        const BlockInfo block{blockSize_, static_cast<SampleTime>(index) * blockSize_};
        double* row = b < warmup ? nullptr : recording.costs.data() + index * recording.tasks;
        for (TaskIndex t = 0; t < count; ++t) {
            const std::uint64_t start = CycleClock::now();
            plan.runTask(t, block);
            const std::uint64_t stop = CycleClock::now();
            if (row != nullptr) {
                row[t] = std::max(0.0, static_cast<double>(stop - start) * nsPerTick - clock);
            }
        }
    }
    return recording;
}

const ExecutorCalibration& Calibration::of(ExecutorKind kind) const noexcept {
    switch (kind) {
    case ExecutorKind::serial:
        return serial;
    case ExecutorKind::levelBarrier:
        return levelBarrier;
    case ExecutorKind::dynamicFifo:
        return dynamicFifo;
    case ExecutorKind::criticalPath:
        break;
    }
    return criticalPath;
}

namespace {

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0.0;
    }
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    return values[values.size() / 2];
}

// One calibration graph: its measured median block time and its recorded costs.
struct CalibrationCase {
    std::unique_ptr<MeasurementRig> rig;
    CostRecording recording;
    double measured = 0.0;
};

constexpr ParallelPolicy kForced{0.0, false, 0.0};

struct CalibrationRun {
    FrameCount blockSize;
    std::size_t repetitions;
    std::size_t blocks;
    bool realtime;
};

CalibrationCase measureCase(const GeneratorSpec& spec, ExecutorKind kind, std::uint32_t workers,
                            const CalibrationRun& how, std::size_t blocks) {
    CalibrationCase c;
    const FrameCount blockSize = how.blockSize;
    const std::size_t repetitions = how.repetitions;
    const GeneratedGraph generated = generateGraph(spec, blockSize);
    c.rig = std::make_unique<MeasurementRig>(*generated.graph, blockSize, 2, how.realtime);
    std::vector<double> medians;
    for (std::size_t r = 0; r < repetitions; ++r) {
        medians.push_back(
            BlockStatistics::of(c.rig->run(kind, workers, kForced, blocks).blockNs).p50);
    }
    c.measured = median(medians);
    c.recording = c.rig->record(std::min<std::size_t>(blocks, 100));
    if (std::getenv("FLUXFORGE_CALIBRATION_LOG") != nullptr) {
        std::fprintf(stderr, "calibration: %s %s p=%u nodes=%zu: measured %.0f ns\n",
                     std::string(generatorKindName(spec.kind)).c_str(),
                     std::string(executorName(kind)).c_str(), workers, generated.nodes, c.measured);
    }
    return c;
}

double simulatedP50(ExecutorKind kind, const CalibrationCase& c, const SimSettings& settings) {
    std::vector<double> times;
    for (std::size_t b = 0; b < c.recording.blocks; ++b) {
        times.push_back(
            simulateBlock(kind, c.rig->simGraph(), c.recording.block(b), settings).blockNs);
    }
    return BlockStatistics::of(times).p50;
}

double recordedSum(const CalibrationCase& c) {
    std::vector<double> sums;
    for (std::size_t b = 0; b < c.recording.blocks; ++b) {
        double sum = 0.0;
        for (double v : c.recording.block(b)) {
            sum += v;
        }
        sums.push_back(sum);
    }
    return median(sums);
}

// The value of `parameter` in [low, high] at which the simulated time matches the measured one
// (the simulated time does not decrease as the parameter grows).
double fit(ExecutorKind kind, const CalibrationCase& c, const SimSettings& settings,
           double& parameter, double low, double high) {
    for (int i = 0; i < 30; ++i) {
        parameter = 0.5 * (low + high);
        if (simulatedP50(kind, c, settings) < c.measured) {
            low = parameter;
        } else {
            high = parameter;
        }
    }
    parameter = 0.5 * (low + high);
    return parameter;
}

GeneratorSpec trivialChain(std::size_t nodes) {
    GeneratorSpec spec;
    spec.kind = GeneratorKind::chain;
    spec.nodes = nodes;
    spec.cost.kind = CostKind::trivial;
    return spec;
}

GeneratorSpec trivialFan(std::size_t width) {
    GeneratorSpec spec;
    spec.kind = GeneratorKind::fan;
    spec.width = width;
    spec.cost.kind = CostKind::trivial;
    return spec;
}

} // namespace

Calibration calibrate(FrameCount blockSize, std::size_t repetitions, std::size_t blocks,
                      bool realtime) {
    const CalibrationRun how{blockSize, repetitions, blocks, realtime};
    constexpr std::size_t kShort = 16;
    constexpr std::size_t kLong = 256;
    constexpr double kBusyNs = 100000.0;
    Calibration calibration;

    // Blocks on one thread: a per-task and a per-block cost beyond the recorded task times.
    SimOverheads serial;
    {
        const CalibrationCase a =
            measureCase(trivialChain(kShort), ExecutorKind::serial, 1, how, blocks);
        const CalibrationCase b =
            measureCase(trivialChain(kLong), ExecutorKind::serial, 1, how, blocks);
        const double ra = a.measured - recordedSum(a);
        const double rb = b.measured - recordedSum(b);
        const auto tasksA = static_cast<double>(a.recording.tasks);
        const auto tasksB = static_cast<double>(b.recording.tasks);
        serial.taskNs = (rb - ra) / (tasksB - tasksA);
        serial.blockNs = std::max(0.0, ra - tasksA * serial.taskNs);
    }
    calibration.serial.serial = serial;
    calibration.serial.parallel = serial;

    for (ExecutorKind kind :
         {ExecutorKind::levelBarrier, ExecutorKind::dynamicFifo, ExecutorKind::criticalPath}) {
        ExecutorCalibration& e = kind == ExecutorKind::levelBarrier  ? calibration.levelBarrier
                                 : kind == ExecutorKind::dynamicFifo ? calibration.dynamicFifo
                                                                     : calibration.criticalPath;
        e.serial = serial;
        SimSettings settings;
        settings.workers = 2;
        settings.policy = kForced;
        settings.serial = serial;
        SimOverheads& o = settings.parallel;
        // 1. Chains: every task waits for the one before; slope and intercept. For FIFO, fans
        //    instead: in a chain each task is handed over through the queue while the other
        //    worker spins on it, about 650 ns a task on the 2-core VM against 150 where both
        //    workers claim from a full queue; sessions are mostly wide, and the model holds the
        //    head for taskNs on every claim, so a chain's slope made wide graphs 4x too slow.
        const bool fans = kind == ExecutorKind::dynamicFifo;
        const CalibrationCase a =
            measureCase(fans ? trivialFan(kShort) : trivialChain(kShort), kind, 2, how, blocks);
        const CalibrationCase b =
            measureCase(fans ? trivialFan(kLong) : trivialChain(kLong), kind, 2, how, blocks);
        const auto tasksA = static_cast<double>(a.recording.tasks);
        const auto tasksB = static_cast<double>(b.recording.tasks);
        double slope =
            ((b.measured - recordedSum(b)) - (a.measured - recordedSum(a))) / (tasksB - tasksA);
        o.levelNs = 0.0;
        if (fans) {
            // Claims pass the head one at a time: the fans' difference, fitted on the simulator.
            double low = 0.0;
            double high = std::max(1.0, 4.0 * slope);
            for (int i = 0; i < 30; ++i) {
                o.taskNs = 0.5 * (low + high);
                const double simulated =
                    simulatedP50(kind, b, settings) - simulatedP50(kind, a, settings);
                (simulated < b.measured - a.measured ? low : high) = o.taskNs;
            }
            slope = 0.5 * (low + high);
        }
        o.taskNs = slope;
        if (kind == ExecutorKind::levelBarrier) {
            // A chain is one level per task: the slope is a task and a barrier. A wide fan (two
            // levels) tells them apart.
            const CalibrationCase f = measureCase(trivialFan(kLong), kind, 2, how, blocks);
            // levelNs follows as slope - taskNs; fit taskNs in [0, slope].
            double task = 0.0;
            double low = 0.0;
            double high = std::max(0.0, slope);
            for (int i = 0; i < 30; ++i) {
                task = 0.5 * (low + high);
                o.taskNs = task;
                o.levelNs = slope - task;
                if (simulatedP50(kind, f, settings) < f.measured) {
                    low = task;
                } else {
                    high = task;
                }
            }
            o.taskNs = 0.5 * (low + high);
            o.levelNs = slope - o.taskNs;
        }
        // The intercept, with the simulator's own view of the short graph's block.
        o.blockNs = 0.0;
        o.blockNs = std::max(0.0, a.measured - simulatedP50(kind, a, settings));
        // 2. Two independent busy sources: the helper's join latency.
        GeneratorSpec two;
        two.kind = GeneratorKind::chain;
        two.nodes = 1;
        two.beside = 1;
        two.cost.kind = CostKind::fixed;
        two.cost.a = kBusyNs;
        two.besideCost = two.cost;
        const CalibrationCase w = measureCase(two, kind, 2, how, blocks / 4);
        fit(kind, w, settings, o.wakeNs, 0.0, 2.0 * kBusyNs);
        // 3. A busy source forking into two busy nodes: the latency until the other worker sees
        //    a task made ready.
        GeneratorSpec fork;
        fork.kind = GeneratorKind::fan;
        fork.width = 2;
        fork.cost.kind = CostKind::fixed;
        fork.cost.a = kBusyNs;
        const CalibrationCase n = measureCase(fork, kind, 2, how, blocks / 4);
        fit(kind, n, settings, o.notifyNs, 0.0, 2.0 * kBusyNs);
        // 4. Real buffers crossing between workers: a fan of built-in biquads (stereo) joined
        //    again, where about half the inputs were made on the other worker.
        GeneratorSpec wide;
        wide.kind = GeneratorKind::fan;
        wide.width = 32;
        wide.join = true;
        wide.cost.kind = CostKind::builtin;
        wide.cost.builtin = "biquad";
        const CalibrationCase x = measureCase(wide, kind, 2, how, blocks);
        fit(kind, x, settings, o.remoteNs, 0.0, 5000.0);
        e.parallel = o;
    }
    return calibration;
}

} // namespace fluxforge
