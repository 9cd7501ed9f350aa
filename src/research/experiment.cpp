#include <fluxforge/core/error.hpp>
#include <fluxforge/research/experiment.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

namespace fluxforge {

namespace {

double medianOf(std::vector<double> values) {
    if (values.empty()) {
        return 0.0;
    }
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    return values[values.size() / 2];
}

struct Combination {
    ExecutorKind executor;
    std::uint32_t workers;
};

std::vector<Combination> measuredCombinations(const ExperimentSpec& spec) {
    std::vector<Combination> combinations;
    for (ExecutorKind executor : spec.executors) {
        if (executor == ExecutorKind::serial) {
            combinations.push_back({executor, 1});
            continue;
        }
        for (std::uint32_t workers : spec.workers) {
            combinations.push_back({executor, workers});
        }
    }
    return combinations;
}

SimSettings simSettings(const ExperimentSpec& spec, const Calibration& calibration,
                        ExecutorKind executor, std::uint32_t workers) {
    SimSettings settings;
    settings.workers = executor == ExecutorKind::serial ? 1 : workers;
    settings.policy = spec.policy;
    settings.serial = calibration.of(executor).serial;
    settings.parallel = calibration.of(executor).parallel;
    return settings;
}

std::string describe(const ExperimentCase& c, ExecutorKind executor, std::uint32_t workers,
                     FrameCount blockSize) {
    return c.label + " " + std::string(executorName(executor)) + " p=" + std::to_string(workers) +
           " block=" + std::to_string(blockSize);
}

} // namespace

std::size_t warmupBlocks(const ExperimentSpec& spec, FrameCount blockSize) noexcept {
    const std::size_t frames = std::max<std::size_t>(1, blockSize);
    return std::max(spec.warmup, (spec.warmupFrames + frames - 1) / frames);
}

ExperimentResult runExperiment(const ExperimentSpec& spec, const ExperimentProgress& progress) {
    if (spec.cases.empty() || spec.executors.empty() || spec.workers.empty() ||
        spec.blockSizes.empty()) {
        throw Error("experiment '" + spec.name +
                    "': needs at least one case, executor, worker count and block size");
    }
    ExperimentResult result;
    result.spec = spec;
    result.hardwareThreads = std::thread::hardware_concurrency();
    const auto started = std::chrono::steady_clock::now();
    const auto say = [&](const std::string& line) {
        if (progress) {
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            char stamp[32];
            std::snprintf(stamp, sizeof stamp, "[%7.1f s] ", seconds);
            progress(stamp + line);
        }
    };
    if (spec.calibration) {
        result.calibration = *spec.calibration;
    } else if (spec.simulate) {
        say("calibrating the simulator's overheads on this machine");
        result.calibration = calibrate(64, 5, 300, spec.realtime);
    }

    const std::vector<Combination> combinations = measuredCombinations(spec);
    std::uint32_t maxWorkers = 1;
    for (std::uint32_t w : spec.workers) {
        maxWorkers = std::max(maxWorkers, w);
    }
    std::set<std::uint32_t> simulatedCounts(spec.workers.begin(), spec.workers.end());
    simulatedCounts.insert(spec.simulateWorkers.begin(), spec.simulateWorkers.end());
    simulatedCounts.insert(1);

    const std::size_t total =
        spec.cases.size() * spec.blockSizes.size() * spec.repetitions * combinations.size();
    std::size_t doneRuns = 0;
    for (const ExperimentCase& c : spec.cases) {
        for (FrameCount blockSize : spec.blockSizes) {
            GeneratedGraph generated;
            try {
                generated = generateGraph(c.generator, blockSize);
            } catch (const Error& e) {
                throw Error("experiment '" + spec.name + "', case '" + c.label + "': " + e.what());
            }
            MeasurementRig rig(*generated.graph, blockSize, maxWorkers, spec.realtime);
            const std::size_t warmup = warmupBlocks(spec, blockSize);
            const SimGraph& simGraph = rig.simGraph();

            // Measure, the combinations interleaved within each repetition.
            std::vector<std::vector<BlockStatistics>> stats(combinations.size());
            std::vector<std::vector<double>> blocks(combinations.size());
            std::vector<double> helpers(combinations.size(), 0.0);
            // Costs are recorded a slice per repetition, so that they see the machine as the
            // measurements beside them do.
            CostRecording recording;
            recording.tasks = simGraph.numTasks();
            const std::size_t slice = std::max<std::size_t>(
                1, spec.recordBlocks / std::max<std::size_t>(1, spec.repetitions));
            for (std::size_t r = 0; r < spec.repetitions; ++r) {
                for (std::size_t k = 0; k < combinations.size(); ++k) {
                    say("[" + std::to_string(++doneRuns) + "/" + std::to_string(total) + "] " +
                        describe(c, combinations[k].executor, combinations[k].workers, blockSize) +
                        " repetition " + std::to_string(r + 1));
                    MeasuredRun run = rig.run(combinations[k].executor, combinations[k].workers,
                                              spec.policy, spec.blocks, warmup);
                    stats[k].push_back(BlockStatistics::of(run.blockNs));
                    blocks[k].insert(blocks[k].end(), run.blockNs.begin(), run.blockNs.end());
                    helpers[k] += run.meanHelpers / static_cast<double>(spec.repetitions);
                }
                if (spec.simulate) {
                    // Right after a run on two workers: the same warm-up as a measured run, so
                    // that the costs are the serial steady state's, not the cache transient's.
                    const CostRecording part = rig.record(slice, warmup);
                    recording.costs.insert(recording.costs.end(), part.costs.begin(),
                                           part.costs.end());
                    recording.blocks += part.blocks;
                }
            }

            std::vector<double> taskCosts;
            WorkAndSpan ws{simGraph.estimatedWork, simGraph.estimatedCriticalPath};
            if (spec.simulate) {
                taskCosts = recording.medianCosts();
                ws = workAndSpan(simGraph, taskCosts);
            }
            const auto fillBound = [&](ResultRow& row) {
                row.work = ws.work;
                row.span = ws.span;
                row.bound = ws.bound(row.executor == ExecutorKind::serial ? 1 : row.workers);
                row.efficiency = row.bound > 0.0 ? row.block.p50 / row.bound : 0.0;
            };
            const auto simulate = [&](ExecutorKind executor, std::uint32_t workers,
                                      ResultRow& row) {
                const SimSettings settings =
                    simSettings(spec, result.calibration, executor, workers);
                std::vector<double> times;
                double steals = 0.0;
                double simHelpers = 0.0;
                for (std::size_t b = 0; b < recording.blocks; ++b) {
                    const SimResult sim =
                        simulateBlock(executor, simGraph, recording.block(b), settings);
                    times.push_back(sim.blockNs);
                    steals += static_cast<double>(sim.steals);
                    simHelpers = sim.helpers;
                }
                const auto n = static_cast<double>(std::max<std::size_t>(1, recording.blocks));
                row.simulatedSteals = steals / n;
                return std::make_pair(std::move(times), simHelpers);
            };

            for (std::size_t k = 0; k < combinations.size(); ++k) {
                ResultRow row;
                row.caseLabel = c.label;
                row.generator = std::string(generatorKindName(c.generator.kind));
                row.executor = combinations[k].executor;
                row.workers = combinations[k].workers;
                row.blockSize = blockSize;
                row.nodes = generated.nodes;
                row.tasks = simGraph.numTasks();
                std::vector<double> p50, p99, max, mean;
                for (const BlockStatistics& s : stats[k]) {
                    p50.push_back(s.p50);
                    p99.push_back(s.p99);
                    max.push_back(s.max);
                    mean.push_back(s.mean);
                }
                row.block = {medianOf(p50), medianOf(p99), medianOf(max), medianOf(mean)};
                row.p50Low = *std::min_element(p50.begin(), p50.end());
                row.p50High = *std::max_element(p50.begin(), p50.end());
                row.helpers = helpers[k];
                row.blockNs = std::move(blocks[k]);
                fillBound(row);
                if (spec.simulate) {
                    auto [times, simHelpers] = simulate(row.executor, row.workers, row);
                    static_cast<void>(simHelpers);
                    row.simulatedP50 = BlockStatistics::of(times).p50;
                    row.error = row.block.p50 > 0.0 ? *row.simulatedP50 / row.block.p50 - 1.0 : 0.0;
                }
                result.rows.push_back(std::move(row));
            }
            if (!spec.simulate) {
                continue;
            }
            // Simulated only: every executor at the worker counts not measured.
            for (ExecutorKind executor : spec.executors) {
                for (std::uint32_t workers : simulatedCounts) {
                    const bool measured = std::any_of(
                        combinations.begin(), combinations.end(), [&](const Combination& m) {
                            return m.executor == executor &&
                                   (m.workers == workers || executor == ExecutorKind::serial);
                        });
                    if (measured) {
                        continue;
                    }
                    ResultRow row;
                    row.caseLabel = c.label;
                    row.generator = std::string(generatorKindName(c.generator.kind));
                    row.executor = executor;
                    row.workers = workers;
                    row.blockSize = blockSize;
                    row.measured = false;
                    row.nodes = generated.nodes;
                    row.tasks = simGraph.numTasks();
                    auto [times, simHelpers] = simulate(executor, workers, row);
                    row.block = BlockStatistics::of(times);
                    row.p50Low = row.p50High = row.block.p50;
                    row.simulatedP50 = row.block.p50;
                    row.helpers = simHelpers;
                    row.blockNs = std::move(times);
                    fillBound(row);
                    result.rows.push_back(std::move(row));
                }
            }
        }
    }
    say("done");
    return result;
}

// ---- Output -------------------------------------------------------------------------------------

namespace {

std::string jsonString(const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (static_cast<unsigned char>(ch) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", ch);
            out += escaped;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string number(double value) {
    if (!std::isfinite(value)) {
        return "null";
    }
    char text[40];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

void writeOverheads(const SimOverheads& o, std::ostream& out) {
    out << "{\"taskNs\": " << number(o.taskNs) << ", \"levelNs\": " << number(o.levelNs)
        << ", \"notifyNs\": " << number(o.notifyNs) << ", \"wakeNs\": " << number(o.wakeNs)
        << ", \"remoteNs\": " << number(o.remoteNs) << ", \"blockNs\": " << number(o.blockNs)
        << "}";
}

} // namespace

void writeCalibrationJson(const Calibration& calibration, std::ostream& out) {
    out << "{";
    bool first = true;
    for (ExecutorKind kind : {ExecutorKind::serial, ExecutorKind::levelBarrier,
                              ExecutorKind::dynamicFifo, ExecutorKind::criticalPath}) {
        out << (first ? "" : ",") << "\n    " << jsonString(std::string(executorName(kind)))
            << ": {\"serial\": ";
        writeOverheads(calibration.of(kind).serial, out);
        out << ", \"parallel\": ";
        writeOverheads(calibration.of(kind).parallel, out);
        out << "}";
        first = false;
    }
    out << "\n  }";
}

void writeResultJson(const ExperimentResult& result, std::ostream& out) {
    out << "{\n  \"experiment\": " << jsonString(result.spec.name) << ",\n"
        << "  \"hardwareThreads\": " << result.hardwareThreads << ",\n"
        << "  \"blocksPerRepetition\": " << result.spec.blocks << ",\n"
        << "  \"repetitions\": " << result.spec.repetitions << ",\n"
        << "  \"warmup\": " << result.spec.warmup << ",\n"
        << "  \"warmupFrames\": " << result.spec.warmupFrames << ",\n"
        << "  \"realtime\": " << (result.spec.realtime ? "true" : "false") << ",\n"
        << "  \"calibration\": ";
    writeCalibrationJson(result.calibration, out);
    out << ",\n  \"rows\": [";
    for (std::size_t i = 0; i < result.rows.size(); ++i) {
        const ResultRow& r = result.rows[i];
        out << (i == 0 ? "" : ",") << "\n    {\"case\": " << jsonString(r.caseLabel)
            << ", \"generator\": " << jsonString(r.generator)
            << ", \"executor\": " << jsonString(std::string(executorName(r.executor)))
            << ", \"workers\": " << r.workers << ", \"blockSize\": " << r.blockSize
            << ", \"measured\": " << (r.measured ? "true" : "false") << ", \"nodes\": " << r.nodes
            << ", \"tasks\": " << r.tasks << ", \"p50Ns\": " << number(r.block.p50)
            << ", \"p99Ns\": " << number(r.block.p99) << ", \"maxNs\": " << number(r.block.max)
            << ", \"meanNs\": " << number(r.block.mean) << ", \"p50LowNs\": " << number(r.p50Low)
            << ", \"p50HighNs\": " << number(r.p50High) << ", \"workNs\": " << number(r.work)
            << ", \"spanNs\": " << number(r.span) << ", \"boundNs\": " << number(r.bound)
            << ", \"efficiency\": " << number(r.efficiency)
            << ", \"helpers\": " << number(r.helpers)
            << ", \"simulatedSteals\": " << number(r.simulatedSteals)
            << ", \"steals\": null" // measured steals: not counted by the executors yet
            << ", \"simulatedP50Ns\": "
            << (r.simulatedP50 ? number(*r.simulatedP50) : std::string("null"))
            << ", \"error\": " << (r.error ? number(*r.error) : std::string("null")) << "}";
    }
    out << "\n  ]\n}\n";
}

void writeResultCsv(const ExperimentResult& result, std::ostream& out) {
    out << "case,generator,executor,workers,block_size,measured,nodes,tasks,p50_ns,p99_ns,max_ns,"
           "mean_ns,p50_low_ns,p50_high_ns,work_ns,span_ns,bound_ns,efficiency,helpers,"
           "simulated_steals,simulated_p50_ns,error\n";
    for (const ResultRow& r : result.rows) {
        out << '"' << r.caseLabel << "\"," << r.generator << ',' << executorName(r.executor) << ','
            << r.workers << ',' << r.blockSize << ',' << (r.measured ? 1 : 0) << ',' << r.nodes
            << ',' << r.tasks << ',' << number(r.block.p50) << ',' << number(r.block.p99) << ','
            << number(r.block.max) << ',' << number(r.block.mean) << ',' << number(r.p50Low) << ','
            << number(r.p50High) << ',' << number(r.work) << ',' << number(r.span) << ','
            << number(r.bound) << ',' << number(r.efficiency) << ',' << number(r.helpers) << ','
            << number(r.simulatedSteals) << ','
            << (r.simulatedP50 ? number(*r.simulatedP50) : std::string()) << ','
            << (r.error ? number(*r.error) : std::string()) << '\n';
    }
}

} // namespace fluxforge
