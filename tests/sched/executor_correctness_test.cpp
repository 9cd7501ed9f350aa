// Every executor, on random DAGs, with 1..8 workers and several block sizes: each node runs exactly
// once per block and only after all of its inputs, and the output is bit-identical to the serial
// executor's.
#include "support/busy_node.hpp"
#include "support/probe_dag.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <tuple>

namespace fluxforge {
namespace {

using namespace std::chrono_literals;
using test::ProbeDagOptions;
using test::ProbeLog;

constexpr ExecutorKind kExecutors[] = {ExecutorKind::serial, ExecutorKind::levelBarrier,
                                       ExecutorKind::dynamicFifo, ExecutorKind::criticalPath};

struct Render {
    std::vector<float> samples;
    std::uint64_t runs = 0;
    std::uint64_t ranTwice = 0;
    std::uint64_t ranBeforeInputs = 0;
};

// One engine with a probe DAG committed; executors and worker counts are switched while it runs,
// as a host may. Helpers are brought in for every block, however small (that is under test).
class Session {
public:
    Session(const ProbeDagOptions& dag, FrameCount maxBlock)
        : engine_(configFor(maxBlock)) {
        Graph graph(GraphConfig{0, dag.channels});
        nodes_ = test::buildProbeDag(graph, log_, dag);
        channels_ = dag.channels;
        engine_.commit(graph);
        out_ = AudioBuffer(dag.channels, 4 * maxBlock + 1024);
    }

    Render render(ExecutorKind executor, std::uint32_t workers,
                  const std::vector<FrameCount>& blockSizes) {
        engine_.setExecutor(executor);
        engine_.setWorkerCount(workers);
        const ProbeCounts before = counts();
        Render result;
        for (FrameCount frames : blockSizes) {
            const BufferView view = out_.view().subFrames(0, frames);
            engine_.process({}, view);
            for (ChannelCount c = 0; c < channels_; ++c) {
                result.samples.insert(result.samples.end(), view.channel(c),
                                      view.channel(c) + frames);
            }
        }
        const ProbeCounts after = counts();
        result.runs = after.runs - before.runs;
        result.ranTwice = after.ranTwice - before.ranTwice;
        result.ranBeforeInputs = after.ranBeforeInputs - before.ranBeforeInputs;
        return result;
    }

    [[nodiscard]] std::size_t numNodes() const { return nodes_.size(); }

private:
    struct ProbeCounts {
        std::uint64_t runs, ranTwice, ranBeforeInputs;
    };
    ProbeCounts counts() const {
        return {log_.runs.load(), log_.ranTwice.load(), log_.ranBeforeInputs.load()};
    }
    static EngineConfig configFor(FrameCount maxBlock) {
        EngineConfig config;
        config.maxBlockSize = maxBlock;
        config.maxWorkers = 8;
        config.workers = 1;
        config.parallel.minimumWorkNanoseconds = 0.0;
        config.parallel.minimumStealNanoseconds = 0.0; // every steal, however small
        config.parallel.limitToParallelism = false;
        config.pool.realtimePriority = false;
        return config;
    }

    ProbeLog log_;
    Engine engine_;
    std::vector<std::shared_ptr<test::ProbeNode>> nodes_;
    ChannelCount channels_ = 2;
    AudioBuffer out_;
};

std::uint64_t expectedRuns(std::size_t nodes, const std::vector<FrameCount>& sizes,
                           FrameCount maxBlock) {
    std::uint64_t blocks = 0;
    for (FrameCount f : sizes)
        blocks += (f + maxBlock - 1) / maxBlock;
    return nodes * blocks;
}

void expectSameBits(const Render& r, const Render& reference) {
    ASSERT_EQ(r.samples.size(), reference.samples.size());
    EXPECT_EQ(
        std::memcmp(r.samples.data(), reference.samples.data(), r.samples.size() * sizeof(float)),
        0)
        << "output differs from the serial executor";
}

struct DagCase {
    std::uint32_t nodes;
    std::uint32_t layers;
    std::uint32_t maxFanIn;
    FrameCount maxBlock;
    std::vector<FrameCount> blocks;
};

class ExecutorCorrectnessTest
    : public ::testing::TestWithParam<std::tuple<DagCase, std::uint32_t>> {};

TEST_P(ExecutorCorrectnessTest, EveryNodeRunsOnceAfterItsInputsAndOutputMatchesSerial) {
    const auto& [dagCase, seed] = GetParam();
    Session session({dagCase.nodes, dagCase.layers, dagCase.maxFanIn, seed, 2}, dagCase.maxBlock);
    const std::uint64_t runs = expectedRuns(session.numNodes(), dagCase.blocks, dagCase.maxBlock);
    const Render reference = session.render(ExecutorKind::serial, 1, dagCase.blocks);
    ASSERT_EQ(reference.runs, runs);
    ASSERT_EQ(reference.ranBeforeInputs, 0u);

    for (ExecutorKind executor : kExecutors) {
        for (std::uint32_t workers = 1; workers <= 8; ++workers) {
            const Render r = session.render(executor, workers, dagCase.blocks);
            SCOPED_TRACE(std::string(executorName(executor)) + ", " + std::to_string(workers) +
                         " workers");
            EXPECT_EQ(r.runs, runs);
            EXPECT_EQ(r.ranTwice, 0u);
            EXPECT_EQ(r.ranBeforeInputs, 0u);
            expectSameBits(r, reference);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    RandomDags, ExecutorCorrectnessTest,
    ::testing::Combine(::testing::Values(DagCase{30, 5, 4, 64, {64, 64, 64}},
                                         DagCase{200, 12, 8, 128, {128, 1, 77, 128, 300}},
                                         DagCase{600, 30, 64, 32, {32, 17, 32}},
                                         DagCase{5000, 40, 64, 16, {16, 16}}),
                       ::testing::Values(1u, 2u)));

// Fan-out of 64 and more: three layers, each node of the later ones fed by up to 64 of the first.
TEST(ExecutorCorrectnessWideTest, FanOutOf64MatchesSerial) {
    Session session({400, 3, 64, 7, 2}, 64);
    const std::vector<FrameCount> blocks{64, 64};
    const Render reference = session.render(ExecutorKind::serial, 1, blocks);
    for (ExecutorKind executor : kExecutors) {
        const Render r = session.render(executor, 4, blocks);
        EXPECT_EQ(r.ranBeforeInputs, 0u) << executorName(executor);
        expectSameBits(r, reference);
    }
}

TEST(ExecutorSelectionTest, SwitchingExecutorsEveryBlockKeepsTheOutputIdentical) {
    Session session({150, 10, 6, 3, 2}, 64);
    const std::vector<FrameCount> one{64};
    const Render reference = session.render(ExecutorKind::serial, 1, one);
    for (int b = 0; b < 40; ++b) {
        const Render r = session.render(kExecutors[b % 4], 1 + b % 3, one);
        EXPECT_EQ(r.ranBeforeInputs, 0u);
        expectSameBits(r, reference);
    }
}

TEST(ParallelPolicyTest, SmallGraphsRunOnTheAudioThreadAlone) {
    EngineConfig config;
    config.maxBlockSize = 64;
    config.workers = 4;
    config.pool.realtimePriority = false;
    Engine engine(config); // default policy: small work stays on the audio thread
    ProbeLog log;
    Graph graph(GraphConfig{0, 2});
    test::buildProbeDag(graph, log, {20, 4, 3, 1, 2});
    engine.commit(graph);
    AudioBuffer out(2, 64);
    engine.process({}, out.view());
    EXPECT_EQ(engine.lastBlockHelpersApprox(), 0u);
    EXPECT_EQ(engine.workerCountApprox(), 4u);
}

// Forced helpers (no work threshold) on a graph whose every task is estimated at 64 ns: none is
// worth moving to another core (ParallelPolicy::minimumStealNanoseconds, 250 ns), so the audio
// thread is dealt every source, the helper steals nothing, and the block is the audio thread's
// alone. Then the same graph with every task movable: the helper takes part.
TEST(ParallelPolicyTest, WorkTooSmallToMoveStaysWithTheAudioThread) {
    // Blocks with a helper taking part, over `blocks` blocks, or up to the first one with
    // `untilOne` (a helper on a loaded machine may be late for many blocks in a row).
    const auto helpersOver = [](double minimumStealNanoseconds, int blocks, bool untilOne) {
        EngineConfig config;
        config.maxBlockSize = 64;
        config.workers = 2;
        config.pool.realtimePriority = false;
        config.timingInterval = 0; // the estimates decide, not measured times
        config.parallel.minimumWorkNanoseconds = 0.0;
        config.parallel.limitToParallelism = false;
        config.parallel.minimumStealNanoseconds = minimumStealNanoseconds;
        Engine engine(config);
        Graph graph(GraphConfig{0, 1});
        for (int i = 0; i < 8; ++i) {
            const NodeId id = graph.add(std::make_shared<test::BusyNode>(0us, 0));
            graph.connect(id, graph.output());
        }
        engine.commit(graph);
        AudioBuffer out(1, 64);
        std::uint32_t helpers = 0;
        for (int b = 0; b < blocks && !(untilOne && helpers > 0); ++b) {
            engine.process({}, out.view());
            helpers += engine.lastBlockHelpersApprox();
        }
        return helpers;
    };
    // Nodes of about 60 ns (a few hundred under ThreadSanitizer) against a 2 us threshold.
    EXPECT_EQ(helpersOver(2000.0, 500, false), 0u);
    // Every steal allowed and every source dealt round-robin: the helper's share is its own.
    EXPECT_GT(helpersOver(0.0, 100000, true), 0u);
}

} // namespace
} // namespace fluxforge
