// Metrics: the snapshot's figures against nodes of known cost (BusyNode spins a fixed time), and
// one consistent snapshot while the audio thread keeps publishing.
#include "support/busy_node.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>
#include <vector>

namespace fluxforge {
namespace {

using namespace std::chrono_literals;
using test::BusyNode;

constexpr double kMicro = 1000.0; // nanoseconds

EngineConfig serialConfig(FrameCount block, std::uint32_t timingInterval = 1) {
    EngineConfig config;
    config.sampleRate = 48000.0;
    config.maxBlockSize = block;
    config.workers = 1;
    config.executor = ExecutorKind::serial;
    config.metrics.taskTimingInterval = timingInterval;
    return config;
}

// source -> busy 1 -> ... -> busy n -> output, each busy node spinning `busy`.
std::vector<NodeId> buildChain(Graph& graph, std::size_t n, std::chrono::microseconds busy) {
    std::vector<NodeId> ids;
    NodeId previous = graph.input();
    for (std::size_t i = 0; i < n; ++i) {
        const NodeId id = graph.add(std::make_shared<BusyNode>(busy), "busy " + std::to_string(i));
        graph.connect(previous, id);
        ids.push_back(id);
        previous = id;
    }
    graph.connect(previous, graph.output());
    return ids;
}

void render(Engine& engine, std::size_t blocks, FrameCount frames) {
    AudioBuffer out(1, frames);
    for (std::size_t b = 0; b < blocks; ++b) {
        engine.process({}, out.view());
    }
}

const NodeMetrics& nodeNamed(const MetricsSnapshot& s, const std::string& name) {
    const auto found = std::find_if(s.nodes.begin(), s.nodes.end(),
                                    [&](const NodeMetrics& n) { return n.name == name; });
    EXPECT_NE(found, s.nodes.end()) << name;
    return *found;
}

class MetricsTest : public ::testing::TestWithParam<FrameCount> {};

TEST_P(MetricsTest, NodeFiguresMatchKnownCosts) {
    const FrameCount frames = GetParam();
    Engine engine(serialConfig(frames));
    Graph graph(GraphConfig{1, 1});
    buildChain(graph, 3, 200us);
    engine.commit(graph);
    constexpr std::size_t kBlocks = 20;
    render(engine, kBlocks, frames);

    const MetricsSnapshot s = engine.metrics();
    EXPECT_EQ(s.block.blocks, kBlocks);
    EXPECT_EQ(s.block.timedBlocks, kBlocks);
    double shares = 0.0;
    for (int i = 0; i < 3; ++i) {
        const NodeMetrics& node = nodeNamed(s, "busy " + std::to_string(i));
        EXPECT_TRUE(node.node.isValid());
        EXPECT_EQ(node.runs, kBlocks);
        EXPECT_GE(node.averageNanoseconds, 200 * kMicro);
        EXPECT_GE(node.worstNanoseconds, node.averageNanoseconds);
        EXPECT_GE(node.lastNanoseconds, 200 * kMicro);
        // A loaded machine or a sanitizer can stretch a spin, not shorten it.
        EXPECT_LT(node.averageNanoseconds, 200 * kMicro * 20);
        EXPECT_GT(node.share, 0.0);
        shares += node.share;
    }
    // The three busy nodes are nearly all of each block; all nodes together at most all of it.
    double allShares = 0.0;
    for (const NodeMetrics& node : s.nodes) {
        allShares += node.share;
    }
    EXPECT_GT(shares, 0.5);
    EXPECT_LE(allShares, 1.0 + 1e-9);

    // The callback took at least the three spins; the load is that over the period.
    EXPECT_GE(s.block.callbackNanoseconds, 600 * kMicro);
    EXPECT_DOUBLE_EQ(s.block.periodNanoseconds, 1e9 * frames / 48000.0);
    EXPECT_NEAR(s.block.load, s.block.callbackNanoseconds / s.block.periodNanoseconds, 1e-9);
    EXPECT_GE(s.block.longestBlockNanoseconds, s.block.callbackNanoseconds);

    // One worker did everything: busy is the sum of the tasks' times.
    const WorkerMetrics& audio = s.workers.at(0);
    EXPECT_EQ(audio.tasks, kBlocks * s.nodes.size());
    EXPECT_EQ(audio.blocks, kBlocks);
    EXPECT_EQ(audio.steals, 0u);
    EXPECT_GE(audio.busyNanoseconds, kBlocks * 600 * kMicro);
    EXPECT_GT(audio.busyShare, 0.5);
    EXPECT_LE(audio.busyShare, 1.0);
    EXPECT_EQ(s.workers.at(1).tasks, 0u);

    // Nothing prefetches yet.
    EXPECT_EQ(s.prefetch.load, 0.0);
    EXPECT_EQ(s.prefetch.underruns, 0u);
}

TEST_P(MetricsTest, LoadAboveTheDeadlineCountsAMissAndReadsAbove100Percent) {
    const FrameCount frames = GetParam();
    Engine engine(serialConfig(frames));
    Graph graph(GraphConfig{1, 1});
    const auto period = std::chrono::microseconds(frames * 1000000 / 48000);
    buildChain(graph, 1, period * 2);
    engine.commit(graph);
    render(engine, 3, frames);
    const MetricsSnapshot s = engine.metrics();
    EXPECT_EQ(s.block.deadlineMisses, 3u);
    EXPECT_GT(s.block.load, 1.9);
    EXPECT_GT(s.block.peakLoad, 1.9);
    EXPECT_GT(s.block.longestBlockLoad, 1.9);
    EXPECT_GE(s.block.longestBlockNanoseconds, 2.0 * period.count() * kMicro);
}

INSTANTIATE_TEST_SUITE_P(BlockSizes, MetricsTest, ::testing::Values(64, 256));

TEST(MetricsWindowTest, AverageAndPeakFollowTheWindowAndPercentilesTheHistory) {
    EngineConfig config = serialConfig(64);
    config.metrics.historyBlocks = 64;
    config.metrics.defaultWindowBlocks = 8;
    Engine engine(config);
    Graph graph(GraphConfig{1, 1});
    buildChain(graph, 1, 100us);
    engine.commit(graph);
    render(engine, 100, 64);
    const MetricsSnapshot s = engine.metrics();
    EXPECT_EQ(s.block.windowBlocks, 8u);
    EXPECT_GT(s.block.averageLoad, 0.0);
    EXPECT_GE(s.block.peakLoad, s.block.averageLoad);
    EXPECT_GE(s.block.peakLoad, s.block.load);
    EXPECT_GT(s.block.p50Load, 0.0);
    EXPECT_GE(s.block.p99Load, s.block.p50Load);
    EXPECT_EQ(engine.metrics(1000).block.windowBlocks, 64u); // clamped to the history
    EXPECT_EQ(engine.metrics(1).block.averageLoad, s.block.load);
}

TEST(MetricsResetTest, ResetStartsEveryFigureAgain) {
    Engine engine(serialConfig(64));
    Graph graph(GraphConfig{1, 1});
    buildChain(graph, 2, 50us);
    engine.commit(graph);
    render(engine, 10, 64);
    ASSERT_EQ(engine.metrics().block.blocks, 10u);
    engine.resetMetrics();
    render(engine, 2, 64);
    const MetricsSnapshot s = engine.metrics();
    EXPECT_EQ(s.block.blocks, 2u);
    EXPECT_EQ(s.workers.at(0).tasks, 2 * s.nodes.size());
    EXPECT_EQ(nodeNamed(s, "busy 0").runs, 2u);
}

TEST(MetricsSamplingTest, TasksAreTimedEveryNthBlockAndBlocksEveryBlock) {
    Engine engine(serialConfig(64, 4));
    Graph graph(GraphConfig{1, 1});
    buildChain(graph, 1, 20us);
    engine.commit(graph);
    render(engine, 16, 64);
    const MetricsSnapshot s = engine.metrics();
    EXPECT_EQ(s.block.blocks, 16u);
    EXPECT_EQ(s.block.timedBlocks, 4u);
    EXPECT_EQ(nodeNamed(s, "busy 0").runs, 4u);
}

TEST(MetricsDeviceTest, ReportedXrunsAreCounted) {
    Engine engine(serialConfig(64));
    Graph graph(GraphConfig{1, 1});
    buildChain(graph, 1, 1us);
    engine.commit(graph);
    engine.reportDeviceXruns(2);
    render(engine, 1, 64);
    engine.reportDeviceXruns(1);
    render(engine, 1, 64);
    EXPECT_EQ(engine.metrics().block.deviceXruns, 3u);
}

TEST(MetricsPlanTest, NodeFiguresFollowTheRunningPlan) {
    Engine engine(serialConfig(64));
    Graph graph(GraphConfig{1, 1});
    buildChain(graph, 1, 10us);
    engine.commit(graph);
    render(engine, 4, 64);
    const NodeId added = graph.add(std::make_shared<BusyNode>(10us), "added");
    graph.connect(graph.input(), added);
    graph.connect(added, graph.output());
    engine.commit(graph);
    render(engine, 3, 64);
    const MetricsSnapshot s = engine.metrics();
    EXPECT_EQ(nodeNamed(s, "added").runs, 3u);
    EXPECT_EQ(nodeNamed(s, "busy 0").runs, 3u); // started again with the new plan
    EXPECT_EQ(s.block.blocks, 7u);
}

// Several workers: the figures add up, and one snapshot is consistent while the audio thread
// publishes (tasks counted per worker equal the runs counted per node, updated together).
TEST(MetricsConcurrencyTest, SnapshotsStayConsistentWhileBlocksRun) {
    EngineConfig config;
    config.sampleRate = 48000.0;
    config.maxBlockSize = 64;
    config.workers = 2;
    config.maxWorkers = 4;
    config.parallel.minimumWorkNanoseconds = 0.0;
    config.parallel.minimumStealNanoseconds = 0.0;
    config.parallel.limitToParallelism = false;
    config.metrics.taskTimingInterval = 1;
    Engine engine(config);
    Graph graph(GraphConfig{1, 1});
    for (int i = 0; i < 8; ++i) {
        const NodeId id = graph.add(std::make_shared<BusyNode>(5us), "wide " + std::to_string(i));
        graph.connect(graph.input(), id);
        graph.connect(id, graph.output());
    }
    engine.commit(graph);
    engine.setTracing(true);

    std::atomic<bool> done{false};
    std::atomic<int> inconsistent{0};
    std::atomic<int> snapshots{0};
    std::thread reader([&] {
        while (!done.load()) {
            const MetricsSnapshot s = engine.metrics();
            std::uint64_t tasks = 0;
            for (const WorkerMetrics& w : s.workers) {
                tasks += w.tasks;
            }
            std::uint64_t runs = 0;
            for (const NodeMetrics& n : s.nodes) {
                runs += n.runs;
            }
            if (tasks != runs || s.block.timedBlocks > s.block.blocks) {
                inconsistent.fetch_add(1);
            }
            snapshots.fetch_add(1);
            if (snapshots.load() % 8 == 0) {
                static_cast<void>(engine.captureTrace());
            }
        }
    });
    AudioBuffer out(1, 64);
    for (int b = 0; b < 400 || snapshots.load() < 20; ++b) {
        engine.process({}, out.view());
    }
    done.store(true);
    reader.join();
    EXPECT_EQ(inconsistent.load(), 0);
    const MetricsSnapshot s = engine.metrics();
    double busy = 0.0;
    double nodes = 0.0;
    std::uint64_t tasks = 0;
    for (const WorkerMetrics& w : s.workers) {
        busy += w.busyNanoseconds;
        tasks += w.tasks;
    }
    for (const NodeMetrics& n : s.nodes) {
        nodes += n.averageNanoseconds * static_cast<double>(n.runs);
    }
    EXPECT_EQ(tasks, s.block.timedBlocks * s.nodes.size());
    EXPECT_NEAR(busy, nodes, 0.01 * busy + 1e3 * static_cast<double>(tasks));
}

} // namespace
} // namespace fluxforge
