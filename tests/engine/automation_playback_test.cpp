// Automation through the engine: lanes follow the transport (loops, locates, stops) sample by
// sample, override live changes while they are set, hand back to the live value with a glide, and
// drive a built-in node sample-accurately on every executor.
#include "engine/control_test_support.hpp"
#include "support/test_nodes.hpp"

#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/nodes/gain_pan.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

namespace fluxforge {
namespace {

using test::EngineSetup;
using test::expectOk;
using test::ParameterProbe;
using test::Partition;
using test::Renderer;

std::shared_ptr<const AutomationLane> makeLane(std::vector<Breakpoint> points) {
    return std::make_shared<const AutomationLane>(std::move(points));
}

class AutomationPlaybackTest : public ::testing::TestWithParam<std::tuple<EngineSetup, Partition>> {
protected:
    void SetUp() override {
        const EngineSetup setup = std::get<0>(GetParam());
        engine_ =
            std::make_unique<Engine>(test::engineConfig(setup.sampleRate, setup.maxBlockSize));
        probe_ = ParameterProbe::single(-1.0f, 1.0f, 0.0f);
        const NodeId id = test::commitSingle(*engine_, probe_, 1);
        value_ = engine_->parameter(id, "value");
        sender_ = engine_->createSender();
        renderer_ = std::make_unique<Renderer>(*engine_, 1, std::get<1>(GetParam()));
    }
    const std::vector<float>& out() const { return renderer_->channel(0); }

    std::unique_ptr<Engine> engine_;
    std::shared_ptr<ParameterProbe> probe_;
    ParameterHandle value_;
    ControlSender sender_;
    std::unique_ptr<Renderer> renderer_;
};

TEST_P(AutomationPlaybackTest, LaneFollowsTheTimelineThroughALoop) {
    const auto lane = makeLane({{0, -1.0f, CurveShape::linear},
                                {400, 1.0f, CurveShape::sCurve},
                                {650, 0.25f, CurveShape::step},
                                {680, 0.5f, CurveShape::linear},
                                {1000, 0.0f}});
    engine_->setAutomation(value_, lane);
    expectOk(sender_.trySetLoop(200, 700));
    expectOk(sender_.tryPlay());
    renderer_->render(5000);
    SampleTime position = 0;
    for (std::size_t t = 0; t < 5000; ++t) {
        ASSERT_EQ(out()[t], lane->valueAt(position)) << "frame " << t << ", timeline " << position;
        if (++position == 700) {
            position = 200;
        }
    }
}

TEST_P(AutomationPlaybackTest, LocateSeeksTheLane) {
    const auto lane = makeLane({{0, 0.0f, CurveShape::linear},
                                {10000, 1.0f, CurveShape::exponential},
                                {20000, 0.001f, CurveShape::linear}});
    engine_->setAutomation(value_, lane);
    expectOk(sender_.tryPlay());
    expectOk(sender_.tryLocate(15000, 2000)); // forwards
    expectOk(sender_.tryLocate(100, 3000));   // and back
    renderer_->render(4000);
    for (std::size_t t = 0; t < 4000; ++t) {
        const SampleTime position = t < 2000   ? static_cast<SampleTime>(t)
                                    : t < 3000 ? 15000 + static_cast<SampleTime>(t - 2000)
                                               : 100 + static_cast<SampleTime>(t - 3000);
        ASSERT_EQ(out()[t], lane->valueAt(position)) << "frame " << t;
    }
}

TEST_P(AutomationPlaybackTest, StoppedTransportHoldsTheLaneValueAtThePlayhead) {
    const auto lane = makeLane({{0, 0.0f, CurveShape::linear}, {3000, 1.0f}});
    engine_->setAutomation(value_, lane);
    expectOk(sender_.tryLocate(1500));
    renderer_->render(3000);
    for (std::size_t t = 0; t < 3000; ++t) {
        ASSERT_EQ(out()[t], lane->valueAt(1500)) << "frame " << t;
    }
    EXPECT_EQ(probe_->perSampleBlocks(), 0u) << "a stopped lane costs no per-frame work";
}

TEST_P(AutomationPlaybackTest, AutomationOverridesLiveChangesUntilCleared) {
    engine_->setAutomation(value_, makeLane({{0, 0.75f}}));
    expectOk(sender_.tryPlay());
    renderer_->render(1000);
    expectOk(sender_.trySetParameter(value_, -0.5f)); // remembered, not heard
    renderer_->render(1000);
    engine_->clearAutomation(value_);
    renderer_->render(1000);
    const FrameCount r =
        engine_->config().parameterSmoothingSeconds > 0
            ? static_cast<FrameCount>(std::lround(0.005 * engine_->config().sampleRate))
            : 0;
    for (std::size_t t = 0; t < 2000; ++t) {
        ASSERT_EQ(out()[t], 0.75f) << "frame " << t;
    }
    // The glide back to the live value starts at the first block after the clear.
    for (std::size_t t = 2000; t < 3000; ++t) {
        const double heard = static_cast<double>(t - 2000 + 1);
        const double expected = heard >= r ? -0.5 : 0.75 + (-0.5 - 0.75) * heard / r;
        ASSERT_NEAR(out()[t], expected, 1e-6) << "frame " << t;
    }
}

TEST_P(AutomationPlaybackTest, ReplacingALaneTakesOverAtTheNextBlock) {
    engine_->setAutomation(value_, makeLane({{0, 0.1f}}));
    expectOk(sender_.tryPlay());
    renderer_->render(700);
    const auto second = makeLane({{0, -1.0f, CurveShape::linear}, {2000, 1.0f}});
    engine_->setAutomation(value_, second);
    renderer_->render(700);
    EXPECT_EQ(out()[699], 0.1f);
    for (std::size_t t = 700; t < 1400; ++t) {
        ASSERT_EQ(out()[t], second->valueAt(static_cast<SampleTime>(t))) << "frame " << t;
    }
}

std::string caseName(const ::testing::TestParamInfo<std::tuple<EngineSetup, Partition>>& info) {
    const EngineSetup& setup = std::get<0>(info.param);
    return "sr" + std::to_string(static_cast<long>(setup.sampleRate)) + "_max" +
           std::to_string(setup.maxBlockSize) + "_" + std::get<1>(info.param).name();
}

INSTANTIATE_TEST_SUITE_P(HostBlocks, AutomationPlaybackTest,
                         ::testing::Combine(::testing::ValuesIn(test::engineSetups()),
                                            ::testing::ValuesIn(test::hostPartitions())),
                         caseName);

// A built-in node, unchanged, follows automation frame by frame: its output equals its own gain
// law applied to the lanes' values at every frame.
class BuiltInNodeAutomationTest : public ::testing::TestWithParam<Partition> {};

TEST_P(BuiltInNodeAutomationTest, GainPanFollowsAutomationSampleAccurately) {
    Engine engine(test::engineConfig(48000.0, 512));
    Graph graph(GraphConfig{0, 2});
    const NodeId source = graph.add(std::make_shared<test::ConstantSource>(1.0f, 1), "one");
    const NodeId gainPan = graph.add(std::make_shared<GainPan>(), "gainpan");
    graph.connect(source, gainPan);
    graph.connect(gainPan, graph.output());
    engine.commit(graph);
    const auto gainLane = makeLane({{0, -40.0f, CurveShape::linear},
                                    {3000, 6.0f, CurveShape::step},
                                    {3001, -3.0f, CurveShape::sCurve},
                                    {6000, 0.0f}});
    const auto panLane = makeLane({{1000, -1.0f, CurveShape::sCurve}, {5000, 1.0f}});
    engine.setAutomation(engine.parameter(gainPan, "gain"), gainLane);
    engine.setAutomation(engine.parameter(gainPan, "pan"), panLane);
    ControlSender sender = engine.createSender();
    expectOk(sender.tryPlay());
    Renderer renderer(engine, 2, GetParam());
    renderer.render(7000);
    for (std::size_t t = 0; t < 7000; ++t) {
        const auto time = static_cast<SampleTime>(t);
        const PanGains expected = GainPan::gainsFor(gainLane->valueAt(time), panLane->valueAt(time),
                                                    PanInput::mono, StereoPanMode::balance);
        ASSERT_EQ(renderer.channel(0)[t], expected.left) << "frame " << t;
        ASSERT_EQ(renderer.channel(1)[t], expected.right) << "frame " << t;
    }
}

std::string partitionName(const ::testing::TestParamInfo<Partition>& info) {
    return info.param.name();
}

INSTANTIATE_TEST_SUITE_P(HostBlocks, BuiltInNodeAutomationTest,
                         ::testing::ValuesIn(test::hostPartitions()), partitionName);

// The parameter machinery lives in each node and runs on whichever worker runs the node, so a
// parallel executor gives the very same bits as the serial one.
TEST(AutomationExecutorTest, EveryExecutorRendersAutomationIdentically) {
    auto run = [](ExecutorKind kind, std::uint32_t workers) {
        EngineConfig config = test::engineConfig(48000.0, 256);
        config.executor = kind;
        config.workers = workers;
        Engine engine(config);
        Graph graph(GraphConfig{0, 2});
        std::vector<NodeId> nodes;
        for (int i = 0; i < 8; ++i) {
            const NodeId source = graph.add(std::make_shared<test::ConstantSource>(0.1f, 1));
            const NodeId node = graph.add(std::make_shared<GainPan>());
            graph.connect(source, node);
            graph.connect(node, graph.output());
            nodes.push_back(node);
        }
        engine.commit(graph);
        for (int i = 0; i < 8; ++i) {
            engine.setAutomation(engine.parameter(nodes[i], "gain"),
                                 makeLane({{i * 100, -30.0f, CurveShape::linear},
                                           {2000 + i * 100, 3.0f, CurveShape::sCurve},
                                           {4000, -10.0f}}));
        }
        ControlSender sender = engine.createSender();
        expectOk(sender.tryPlay());
        Renderer renderer(engine, 2, {0, 5, 600});
        renderer.render(5000);
        return renderer.channel(0);
    };
    const auto serial = run(ExecutorKind::serial, 1);
    EXPECT_EQ(run(ExecutorKind::criticalPath, 2), serial);
    EXPECT_EQ(run(ExecutorKind::dynamicFifo, 2), serial);
}

} // namespace
} // namespace fluxforge
