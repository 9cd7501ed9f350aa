// The Engine: rendering through a committed plan, splitting host blocks, rejected edits, and
// node state across plan swaps. Run over sample rates and block sizes.
#include "support/test_nodes.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/graph/compile.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

namespace fluxforge {
namespace {

using test::ClockSource;
using test::ConstantSource;
using test::CountingPass;
using test::MixNode;
using test::RampSource;

struct Setup {
    SampleRate sampleRate;
    FrameCount maxBlockSize;
};

class EngineTest : public ::testing::TestWithParam<Setup> {
protected:
    EngineConfig config() const { return {GetParam().sampleRate, GetParam().maxBlockSize}; }
};

// Renders `total` frames in host blocks produced by `nextBlock`, returning channel 0.
template <typename NextBlock>
std::vector<float> render(Engine& engine, FrameCount total, NextBlock nextBlock,
                          ChannelCount channels = 1) {
    std::vector<float> result;
    AudioBuffer block(channels, total);
    for (FrameCount done = 0; done < total;) {
        const FrameCount frames = std::min(nextBlock(), total - done);
        const BufferView view = block.view().subFrames(0, frames);
        engine.process({}, view);
        result.insert(result.end(), view.channel(0), view.channel(0) + frames);
        done += frames;
    }
    return result;
}

TEST_P(EngineTest, SilentBeforeTheFirstCommit) {
    Engine engine(config());
    AudioBuffer out(2, 100);
    out.channel(1)[50] = 1.0f;
    engine.process({}, out.view());
    EXPECT_EQ(peak(out.view()), 0.0f);
    EXPECT_EQ(engine.framesRenderedApprox(), 100);
}

TEST_P(EngineTest, RendersTheCommittedGraph) {
    Engine engine(config());
    Graph graph(GraphConfig{0, 1});
    graph.connect(graph.add(std::make_shared<RampSource>()), graph.output());
    engine.commit(graph);
    const auto out = render(engine, 5000, [&] { return GetParam().maxBlockSize; });
    for (FrameCount i = 0; i < out.size(); ++i)
        ASSERT_EQ(out[i], static_cast<float>(i));
}

TEST_P(EngineTest, HostBlocksOfAnySizeGiveTheSameOutput) {
    // Host blocks larger than maxBlockSize are split; random sizes from 1 to 3x the maximum.
    Engine engine(config());
    Graph graph(GraphConfig{0, 1});
    const NodeId clock = graph.add(std::make_shared<ClockSource>());
    const NodeId ramp = graph.add(std::make_shared<RampSource>(0.5f));
    const NodeId mix = graph.add(std::make_shared<MixNode>(2, 1));
    graph.connect(OutputPort{clock, 0}, InputPort{mix, 0});
    graph.connect(OutputPort{ramp, 0}, InputPort{mix, 1});
    graph.connect(mix, graph.output());
    engine.commit(graph);
    std::mt19937 rng(9);
    const FrameCount max = GetParam().maxBlockSize;
    const auto out = render(engine, 20000, [&] { return 1 + FrameCount(rng() % (3 * max)); });
    for (FrameCount i = 0; i < out.size(); ++i) {
        ASSERT_EQ(out[i], static_cast<float>(i) + (0.5f + static_cast<float>(i))) << "frame " << i;
    }
}

TEST_P(EngineTest, GraphInputReachesTheOutput) {
    Engine engine(config());
    Graph graph(GraphConfig{2, 2});
    const NodeId pass = graph.add(std::make_shared<CountingPass>(2));
    graph.connect(graph.input(), pass);
    graph.connect(pass, graph.output());
    engine.commit(graph);
    const FrameCount frames = 3 * GetParam().maxBlockSize + 7;
    AudioBuffer in(2, frames);
    AudioBuffer out(2, frames);
    for (FrameCount i = 0; i < frames; ++i) {
        in.channel(0)[i] = static_cast<float>(i);
        in.channel(1)[i] = -static_cast<float>(i);
    }
    engine.process(in.view(), out.view());
    for (FrameCount i = 0; i < frames; ++i) {
        ASSERT_EQ(out.channel(0)[i], static_cast<float>(i));
        ASSERT_EQ(out.channel(1)[i], -static_cast<float>(i));
    }
}

TEST_P(EngineTest, AnInputShorterThanTheOutputIsReadAsFarAsItGoesThenSilent) {
    Engine engine(config());
    Graph graph(GraphConfig{1, 1});
    graph.connect(graph.input(), graph.output());
    engine.commit(graph);
    const FrameCount frames = 2 * GetParam().maxBlockSize + 5;
    const FrameCount given = GetParam().maxBlockSize + 3; // ends inside a block
    AudioBuffer in(1, given);
    for (FrameCount i = 0; i < given; ++i) {
        in.channel(0)[i] = 1.0f + static_cast<float>(i);
    }
    AudioBuffer out(1, frames);
    engine.process(in.view(), out.view());
    for (FrameCount i = 0; i < frames; ++i) {
        ASSERT_EQ(out.channel(0)[i], i < given ? 1.0f + static_cast<float>(i) : 0.0f) << i;
    }
}

TEST_P(EngineTest, ChannelsTheGraphDoesNotProduceAreSilent) {
    Engine engine(config());
    Graph graph(GraphConfig{0, 1});
    graph.connect(graph.add(std::make_shared<ConstantSource>(0.25f)), graph.output());
    engine.commit(graph);
    AudioBuffer out(3, 64);
    out.channel(2)[3] = 9.0f;
    engine.process({}, out.view());
    EXPECT_EQ(out.channel(0)[3], 0.25f);
    EXPECT_EQ(out.channel(1)[3], 0.0f);
    EXPECT_EQ(out.channel(2)[3], 0.0f);
}

TEST_P(EngineTest, RejectedCommitLeavesTheRunningGraphPlaying) {
    Engine engine(config());
    Graph graph(GraphConfig{0, 1});
    const NodeId ramp = graph.add(std::make_shared<RampSource>());
    graph.connect(ramp, graph.output());
    engine.commit(graph);
    const FrameCount block = GetParam().maxBlockSize;
    auto first = render(engine, 1000, [&] { return block; });

    // Make the graph invalid: a cycle through two new nodes.
    const NodeId a = graph.add(std::make_shared<MixNode>(1, 1), "a");
    const NodeId b = graph.add(std::make_shared<MixNode>(1, 1), "b");
    graph.connect(a, b);
    graph.connect(b, a);
    EXPECT_THROW(engine.commit(graph), Error);

    auto second = render(engine, 1000, [&] { return block; });
    for (FrameCount i = 0; i < 1000; ++i)
        ASSERT_EQ(second[i], static_cast<float>(1000 + i));
}

TEST_P(EngineTest, NodesKeepTheirStateAcrossAPlanSwap) {
    Engine engine(config());
    Graph graph(GraphConfig{0, 1});
    const NodeId ramp = graph.add(std::make_shared<RampSource>());
    graph.connect(ramp, graph.output());
    engine.commit(graph);
    const FrameCount block = GetParam().maxBlockSize;
    (void)render(engine, 777, [&] { return block; });

    // A new plan: the ramp now goes through a pass node. It must continue at 777, not restart.
    const NodeId pass = graph.add(std::make_shared<CountingPass>());
    graph.disconnect(ramp, graph.output());
    graph.connect(ramp, pass);
    graph.connect(pass, graph.output());
    engine.commit(graph);
    auto after = render(engine, 500, [&] { return block; });
    for (FrameCount i = 0; i < 500; ++i)
        ASSERT_EQ(after[i], static_cast<float>(777 + i));
    EXPECT_GT(graph.nodeAs<CountingPass>(pass)->calls(), 0u);
}

TEST_P(EngineTest, RemovedNodeLivesUntilTheAudioThreadLetsGoOfItsPlan) {
    Engine engine(config());
    Graph graph(GraphConfig{0, 1});
    auto node = std::make_shared<CountingPass>();
    const NodeId id = graph.add(node);
    graph.connect(id, graph.output());
    engine.commit(graph);
    (void)render(engine, 10, [] { return 10u; });
    std::weak_ptr<CountingPass> watch = node;
    node.reset();
    graph.remove(id);
    engine.commit(graph);
    EXPECT_FALSE(watch.expired());                // the audio thread still runs the old plan
    (void)render(engine, 10, [] { return 10u; }); // switches plans, retires the old one
    engine.collectGarbage();
    EXPECT_TRUE(watch.expired());
}

TEST_P(EngineTest, ManyCommitsBetweenBlocksPlayOnlyTheLast) {
    Engine engine(config());
    for (int i = 1; i <= 5; ++i) {
        Graph graph(GraphConfig{0, 1});
        graph.connect(graph.add(std::make_shared<ConstantSource>(static_cast<float>(i))),
                      graph.output());
        engine.commit(graph);
    }
    AudioBuffer out(1, 8);
    engine.process({}, out.view());
    EXPECT_EQ(out.channel(0)[0], 5.0f);
    EXPECT_EQ(engine.planSwapsApprox(), 1u);
}

INSTANTIATE_TEST_SUITE_P(SampleRatesAndBlockSizes, EngineTest,
                         ::testing::Values(Setup{44100.0, 64}, Setup{48000.0, 128},
                                           Setup{48000.0, 1}, Setup{96000.0, 512},
                                           Setup{192000.0, 4096}),
                         [](const auto& paramInfo) {
                             return std::to_string(static_cast<int>(paramInfo.param.sampleRate)) +
                                    "Hz_" + std::to_string(paramInfo.param.maxBlockSize);
                         });

TEST(EngineConfigTest, BadConfigIsRejected) {
    EXPECT_THROW(Engine({48000.0, 0}), Error);
    EXPECT_THROW(Engine({1000.0, 64}), Error);
}

template <typename Fn>
std::string errorOf(Fn&& statement) {
    try {
        statement();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(EngineConfigTest, WorkerCountsOutsideTheirRangeAreErrorsNamingTheField) {
    EngineConfig config;
    config.maxWorkers = 0;
    EXPECT_NE(errorOf([&] { Engine engine(config); }).find("EngineConfig::maxWorkers 0"),
              std::string::npos);
    config.maxWorkers = EngineConfig::kMaxWorkers + 1;
    EXPECT_NE(errorOf([&] { Engine engine(config); }).find("must lie in 1..64"), std::string::npos);
    config.maxWorkers = 4;
    config.workers = 5;
    EXPECT_NE(errorOf([&] {
                  Engine engine(config);
              }).find("EngineConfig::workers 5 is above EngineConfig::maxWorkers (4)"),
              std::string::npos);
    config.workers = 1;
    Engine engine(config);
    EXPECT_NE(errorOf([&] { engine.setWorkerCount(9); }).find("setWorkerCount: 9 is above"),
              std::string::npos);
    EXPECT_EQ(engine.workerCountApprox(), 1u); // unchanged
    engine.setWorkerCount(4);
    EXPECT_EQ(engine.workerCountApprox(), 4u);
    engine.setWorkerCount(0); // automatic: the hardware's threads, at most maxWorkers
    EXPECT_LE(engine.workerCountApprox(), 4u);
    EXPECT_GE(engine.workerCountApprox(), 1u);
}

TEST(EngineConfigTest, AnExecutorOutsideTheEnumIsRefusedAndIgnored) {
    const auto bogus = static_cast<ExecutorKind>(17);
    EngineConfig config;
    config.executor = bogus;
    EXPECT_NE(errorOf([&] { Engine engine(config); }).find("EngineConfig::executor 17"),
              std::string::npos);
    Engine engine;
    EXPECT_TRUE(engine.setExecutor(ExecutorKind::levelBarrier));
    EXPECT_FALSE(engine.setExecutor(bogus));
    EXPECT_EQ(engine.executor(), ExecutorKind::levelBarrier);
}

TEST(EngineConfigTest, NegativeOrNanPoliciesAreRefused) {
    EngineConfig config;
    config.parallel.minimumWorkNanoseconds = -1.0;
    EXPECT_NE(errorOf([&] { Engine engine(config); }).find("minimumWorkNanoseconds"),
              std::string::npos);
    config.parallel = {};
    config.pool.spinBeforeSleeping = std::chrono::microseconds(-5);
    EXPECT_NE(errorOf([&] { Engine engine(config); }).find("spinBeforeSleeping -5"),
              std::string::npos);
}

} // namespace
} // namespace fluxforge
