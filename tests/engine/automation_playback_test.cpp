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
#include <memory>
#include <vector>

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

// One engine with a ParameterProbe ("value", -1..1), cut into host blocks by one partition.
struct ProbeSession {
    ProbeSession(const EngineSetup& setup, const Partition& partition)
        : engine(test::engineConfig(setup.sampleRate, setup.maxBlockSize))
        , probe(ParameterProbe::single(-1.0f, 1.0f, 0.0f)) {
        const NodeId id = test::commitSingle(engine, probe, 1);
        value = engine.parameter(id, "value");
        sender = engine.createSender();
        renderer = std::make_unique<Renderer>(engine, 1, partition);
    }
    const std::vector<float>& out() const { return renderer->channel(0); }

    Engine engine;
    std::shared_ptr<ParameterProbe> probe;
    ParameterHandle value;
    ControlSender sender;
    std::unique_ptr<Renderer> renderer;
};

class AutomationPlaybackTest : public ::testing::TestWithParam<EngineSetup> {
protected:
    // Runs `body` on a fresh session for every host partition.
    template <typename Body>
    void forEachSession(Body body) {
        test::forEachPartition([&](const Partition& partition) {
            ProbeSession session(GetParam(), partition);
            body(session);
        });
    }
};

TEST_P(AutomationPlaybackTest, LaneFollowsTheTimelineThroughALoop) {
    forEachSession([&](ProbeSession& s) {
        const auto lane = makeLane({{0, -1.0f, CurveShape::linear},
                                    {400, 1.0f, CurveShape::sCurve},
                                    {650, 0.25f, CurveShape::step},
                                    {680, 0.5f, CurveShape::linear},
                                    {1000, 0.0f}});
        s.engine.setAutomation(s.value, lane);
        expectOk(s.sender.trySetLoop(200, 700));
        expectOk(s.sender.tryPlay());
        s.renderer->render(5000);
        SampleTime position = 0;
        for (std::size_t t = 0; t < 5000; ++t) {
            ASSERT_EQ(s.out()[t], lane->valueAt(position))
                << "frame " << t << ", timeline " << position;
            if (++position == 700) {
                position = 200;
            }
        }
    });
}

TEST_P(AutomationPlaybackTest, LocateSeeksTheLane) {
    forEachSession([&](ProbeSession& s) {
        const auto lane = makeLane({{0, 0.0f, CurveShape::linear},
                                    {10000, 1.0f, CurveShape::exponential},
                                    {20000, 0.001f, CurveShape::linear}});
        s.engine.setAutomation(s.value, lane);
        expectOk(s.sender.tryPlay());
        expectOk(s.sender.tryLocate(15000, 2000)); // forwards
        expectOk(s.sender.tryLocate(100, 3000));   // and back
        s.renderer->render(4000);
        for (std::size_t t = 0; t < 4000; ++t) {
            const SampleTime position = t < 2000   ? static_cast<SampleTime>(t)
                                        : t < 3000 ? 15000 + static_cast<SampleTime>(t - 2000)
                                                   : 100 + static_cast<SampleTime>(t - 3000);
            ASSERT_EQ(s.out()[t], lane->valueAt(position)) << "frame " << t;
        }
    });
}

TEST_P(AutomationPlaybackTest, StoppedTransportHoldsTheLaneValueAtThePlayhead) {
    forEachSession([&](ProbeSession& s) {
        const auto lane = makeLane({{0, 0.0f, CurveShape::linear}, {3000, 1.0f}});
        s.engine.setAutomation(s.value, lane);
        expectOk(s.sender.tryLocate(1500));
        s.renderer->render(3000);
        for (std::size_t t = 0; t < 3000; ++t) {
            ASSERT_EQ(s.out()[t], lane->valueAt(1500)) << "frame " << t;
        }
        EXPECT_EQ(s.probe->perSampleBlocks(), 0u) << "a stopped lane costs no per-frame work";
    });
}

TEST_P(AutomationPlaybackTest, AutomationOverridesLiveChangesUntilCleared) {
    forEachSession([&](ProbeSession& s) {
        s.engine.setAutomation(s.value, makeLane({{0, 0.75f}}));
        expectOk(s.sender.tryPlay());
        s.renderer->render(1000);
        expectOk(s.sender.trySetParameter(s.value, -0.5f)); // remembered, not heard
        s.renderer->render(1000);
        s.engine.clearAutomation(s.value);
        s.renderer->render(1000);
        const FrameCount r =
            s.engine.config().parameterSmoothingSeconds > 0
                ? static_cast<FrameCount>(std::lround(0.005 * s.engine.config().sampleRate))
                : 0;
        for (std::size_t t = 0; t < 2000; ++t) {
            ASSERT_EQ(s.out()[t], 0.75f) << "frame " << t;
        }
        // The glide back to the live value starts at the first block after the clear.
        for (std::size_t t = 2000; t < 3000; ++t) {
            const double heard = static_cast<double>(t - 2000 + 1);
            const double expected = heard >= r ? -0.5 : 0.75 + (-0.5 - 0.75) * heard / r;
            ASSERT_NEAR(s.out()[t], expected, 1e-6) << "frame " << t;
        }
    });
}

TEST_P(AutomationPlaybackTest, ReplacingALaneTakesOverAtTheNextBlock) {
    forEachSession([&](ProbeSession& s) {
        s.engine.setAutomation(s.value, makeLane({{0, 0.1f}}));
        expectOk(s.sender.tryPlay());
        s.renderer->render(700);
        const auto second = makeLane({{0, -1.0f, CurveShape::linear}, {2000, 1.0f}});
        s.engine.setAutomation(s.value, second);
        s.renderer->render(700);
        EXPECT_EQ(s.out()[699], 0.1f);
        for (std::size_t t = 700; t < 1400; ++t) {
            ASSERT_EQ(s.out()[t], second->valueAt(static_cast<SampleTime>(t))) << "frame " << t;
        }
    });
}

INSTANTIATE_TEST_SUITE_P(HostBlocks, AutomationPlaybackTest,
                         ::testing::ValuesIn(test::engineSetups()), test::engineSetupName);

// A built-in node, unchanged, follows automation frame by frame: its output equals its own gain
// law applied to the lanes' values at every frame.
TEST(BuiltInNodeAutomationTest, GainPanFollowsAutomationSampleAccurately) {
    test::forEachPartition([](const Partition& partition) {
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
        Renderer renderer(engine, 2, partition);
        renderer.render(7000);
        for (std::size_t t = 0; t < 7000; ++t) {
            const auto time = static_cast<SampleTime>(t);
            const PanGains expected =
                GainPan::gainsFor(gainLane->valueAt(time), panLane->valueAt(time), PanInput::mono,
                                  StereoPanMode::balance);
            ASSERT_EQ(renderer.channel(0)[t], expected.left) << "frame " << t;
            ASSERT_EQ(renderer.channel(1)[t], expected.right) << "frame " << t;
        }
    });
}

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
