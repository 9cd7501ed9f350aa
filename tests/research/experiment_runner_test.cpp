// The experiment runner: which rows an experiment yields, that their figures agree with each other
// (p50 <= p99 <= max, bound = max(W/p, D), efficiency and error as defined), and the JSON and CSV
// it writes.
#include <fluxforge/core/error.hpp>
#include <fluxforge/research/experiment.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

namespace fluxforge {
namespace {

ExperimentSpec tinyExperiment() {
    ExperimentSpec spec;
    spec.name = "tiny";
    GeneratorSpec fan;
    fan.kind = GeneratorKind::fan;
    fan.width = 6;
    fan.join = true;
    fan.cost.kind = CostKind::fixed;
    fan.cost.a = 2000.0;
    spec.cases.push_back({"fan", fan});
    spec.executors = {ExecutorKind::serial, ExecutorKind::criticalPath};
    spec.workers = {1, 2};
    spec.blocks = 20;
    spec.warmup = 2;
    spec.warmupFrames = 0; // spinning nodes keep no rings: no transient to wait out
    spec.repetitions = 2;
    spec.recordBlocks = 4;
    spec.simulateWorkers = {4};
    spec.calibration = Calibration{}; // no overheads: nothing to calibrate in a unit test
    return spec;
}

TEST(ExperimentRunnerTest, RowsCoverTheMeasuredAndSimulatedCombinations) {
    const ExperimentResult result = runExperiment(tinyExperiment());
    // serial at 1; critical path at 1 and 2 measured, at 4 simulated only.
    ASSERT_EQ(result.rows.size(), 4u);
    std::size_t measured = 0;
    for (const ResultRow& row : result.rows) {
        measured += row.measured ? 1 : 0;
        EXPECT_EQ(row.nodes, 8u);
        EXPECT_LE(row.block.p50, row.block.p99);
        EXPECT_LE(row.block.p99, row.block.max);
        EXPECT_LE(row.p50Low, row.block.p50);
        EXPECT_GE(row.p50High, row.block.p50);
        const std::uint32_t p = row.executor == ExecutorKind::serial ? 1 : row.workers;
        EXPECT_DOUBLE_EQ(row.bound, std::max(row.work / p, row.span));
        EXPECT_DOUBLE_EQ(row.efficiency, row.block.p50 / row.bound);
        // Eight nodes of 2 us: W about 16 us, D about 6 us (source, branch, join).
        EXPECT_GT(row.work, 14000.0);
        EXPECT_GT(row.span, 5000.0);
        ASSERT_TRUE(row.simulatedP50.has_value());
        if (row.measured) {
            ASSERT_TRUE(row.error.has_value());
            EXPECT_DOUBLE_EQ(*row.error, *row.simulatedP50 / row.block.p50 - 1.0);
            EXPECT_EQ(row.blockNs.size(), 40u); // every block of both repetitions
        } else {
            EXPECT_FALSE(row.error.has_value());
            EXPECT_EQ(row.workers, 4u);
        }
    }
    EXPECT_EQ(measured, 3u);
}

TEST(ExperimentRunnerTest, JsonAndCsvCarryEveryField) {
    const ExperimentResult result = runExperiment(tinyExperiment());
    std::ostringstream json;
    writeResultJson(result, json);
    for (const char* key : {"\"experiment\": \"tiny\"",
                            "\"calibration\"",
                            "\"critical-path\"",
                            "\"rows\"",
                            "\"case\"",
                            "\"generator\"",
                            "\"executor\"",
                            "\"workers\"",
                            "\"blockSize\"",
                            "\"measured\"",
                            "\"nodes\"",
                            "\"tasks\"",
                            "\"p50Ns\"",
                            "\"p99Ns\"",
                            "\"maxNs\"",
                            "\"meanNs\"",
                            "\"p50LowNs\"",
                            "\"p50HighNs\"",
                            "\"workNs\"",
                            "\"spanNs\"",
                            "\"boundNs\"",
                            "\"efficiency\"",
                            "\"helpers\"",
                            "\"simulatedSteals\"",
                            "\"steals\"",
                            "\"simulatedP50Ns\"",
                            "\"error\"",
                            "\"warmupFrames\"",
                            "\"remoteNs\""}) {
        EXPECT_NE(json.str().find(key), std::string::npos) << key;
    }
    std::ostringstream csv;
    writeResultCsv(result, csv);
    const std::string text = csv.str();
    EXPECT_EQ(text.rfind("case,generator,executor,workers,block_size,measured,", 0), 0u);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5); // header and four rows
    const std::size_t columns = std::count(text.begin(), text.begin() + text.find('\n'), ',');
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        EXPECT_EQ(static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')), columns)
            << line;
    }
}

TEST(ExperimentRunnerTest, ProgressIsReported) {
    std::size_t lines = 0;
    static_cast<void>(runExperiment(tinyExperiment(), [&](const std::string&) { ++lines; }));
    EXPECT_GE(lines, 6u); // one per run (3 combinations x 2 repetitions), and "done"
}

// Runs after another executor start with the nodes' rings in the other core's cache: the warm-up
// lasts at least `warmup` blocks and at least `warmupFrames` of audio, whichever is longer.
TEST(ExperimentRunnerTest, WarmUpCoversWarmupFramesAtEveryBlockSize) {
    ExperimentSpec spec;
    spec.warmup = 20;
    spec.warmupFrames = 8192;
    EXPECT_EQ(warmupBlocks(spec, 64), 128u);
    EXPECT_EQ(warmupBlocks(spec, 100), 82u); // rounded up: never less audio than asked for
    EXPECT_EQ(warmupBlocks(spec, 1024), 20u);
    spec.warmupFrames = 0;
    EXPECT_EQ(warmupBlocks(spec, 64), 20u);
}

TEST(ExperimentRunnerTest, IncompleteExperimentsAreRefused) {
    ExperimentSpec spec = tinyExperiment();
    spec.cases.clear();
    EXPECT_THROW(static_cast<void>(runExperiment(spec)), Error);
    spec = tinyExperiment();
    spec.cases[0].generator.width = 0;
    try {
        static_cast<void>(runExperiment(spec));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'fan'"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace fluxforge
