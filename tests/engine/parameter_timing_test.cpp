// Sample accuracy: a parameter change scheduled for frame k, by a timed command (engine clock) or
// by an automation lane (timeline), changes the output exactly at k, for host blocks of 1..4096
// frames and random partitions, at several sample rates and engine block sizes.
#include "engine/control_test_support.hpp"

#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

namespace fluxforge {
namespace {

using test::EngineSetup;
using test::expectOk;
using test::ParameterProbe;
using test::Partition;
using test::Renderer;

class ParameterTimingTest : public ::testing::TestWithParam<EngineSetup> {
protected:
    EngineConfig config() const {
        return test::engineConfig(GetParam().sampleRate, GetParam().maxBlockSize);
    }
};

constexpr FrameCount kTotal = 12000;

TEST_P(ParameterTimingTest, TimedStepChangesTheOutputExactlyAtItsFrame) {
    test::forEachPartition([&](const Partition& partition) {
        Engine engine(config());
        auto probe = ParameterProbe::single();
        const NodeId id = test::commitSingle(engine, probe, 1);
        const ParameterHandle value = engine.parameter(id, "value");
        ControlSender sender = engine.createSender();
        constexpr SampleTime kFirst = 4321;
        constexpr SampleTime kSecond = 9001;
        expectOk(sender.trySetParameterAt(value, 1.0f, kFirst));
        expectOk(sender.trySetParameterAt(value, 0.25f, kSecond));

        Renderer renderer(engine, 1, partition);
        renderer.render(kTotal);
        const auto& out = renderer.channel(0);
        for (SampleTime t = 0; t < kTotal; ++t) {
            const float expected = t < kFirst ? 0.0f : t < kSecond ? 1.0f : 0.25f;
            ASSERT_EQ(out[static_cast<std::size_t>(t)], expected) << "frame " << t;
        }
        EXPECT_EQ(engine.controlStatsApprox().commandsLate, 0u);
    });
}

TEST_P(ParameterTimingTest, AutomationStepChangesTheOutputExactlyAtItsTimelinePosition) {
    test::forEachPartition([&](const Partition& partition) {
        Engine engine(config());
        auto probe = ParameterProbe::single();
        const NodeId id = test::commitSingle(engine, probe, 1);
        const ParameterHandle value = engine.parameter(id, "value");
        constexpr SampleTime kStep = 5003;
        engine.setAutomation(value, std::make_shared<AutomationLane>(std::vector<Breakpoint>{
                                        {0, 0.0f, CurveShape::step},
                                        {kStep, 1.0f, CurveShape::step},
                                        {kStep + 3, 0.5f, CurveShape::step}}));
        ControlSender sender = engine.createSender();
        expectOk(sender.tryPlay());

        Renderer renderer(engine, 1, partition);
        renderer.render(kTotal);
        const auto& out = renderer.channel(0);
        for (SampleTime t = 0; t < kTotal; ++t) {
            const float expected = t < kStep ? 0.0f : t < kStep + 3 ? 1.0f : 0.5f;
            ASSERT_EQ(out[static_cast<std::size_t>(t)], expected) << "frame " << t;
        }
        // Free when flat: only blocks that contain a breakpoint (at most two here) carry a buffer.
        EXPECT_LE(probe->perSampleBlocks(), 2u);
        EXPECT_GT(probe->constantBlocks(), 0u);
    });
}

TEST_P(ParameterTimingTest, TimedRampStartsAndEndsAtItsFrames) {
    test::forEachPartition([&](const Partition& partition) {
        Engine engine(config());
        auto probe = ParameterProbe::single(-10.0f, 10.0f, 2.0f);
        const NodeId id = test::commitSingle(engine, probe, 1);
        const ParameterHandle value = engine.parameter(id, "value");
        ControlSender sender = engine.createSender();
        constexpr SampleTime kStart = 3000;
        constexpr FrameCount kRamp = 777;
        expectOk(sender.trySetParameterAt(value, -6.0f, kStart, kRamp));

        Renderer renderer(engine, 1, partition);
        renderer.render(kTotal);
        const auto& out = renderer.channel(0);
        for (SampleTime t = 0; t < kTotal; ++t) {
            float expected = 2.0f;
            if (t >= kStart + kRamp - 1) {
                expected = -6.0f;
            } else if (t >= kStart) {
                // Frame kStart + j hears (j + 1) / R of the way, in the runtime's float arithmetic.
                const auto step = static_cast<float>(t - kStart + 1);
                expected = 2.0f + (-6.0f - 2.0f) * (step / static_cast<float>(kRamp));
            }
            ASSERT_EQ(out[static_cast<std::size_t>(t)], expected) << "frame " << t;
        }
    });
}

TEST_P(ParameterTimingTest, ChangesAtOneFrameApplyInTheOrderTheyWereSent) {
    test::forEachPartition([&](const Partition& partition) {
        Engine engine(config());
        auto probe = ParameterProbe::single();
        const NodeId id = test::commitSingle(engine, probe, 1);
        const ParameterHandle value = engine.parameter(id, "value");
        ControlSender sender = engine.createSender();
        expectOk(sender.trySetParameterAt(value, 0.75f, 2000));
        expectOk(sender.trySetParameterAt(value, 0.5f, 1000));
        expectOk(sender.trySetParameterAt(value, 0.125f, 2000)); // same frame, sent later: wins

        Renderer renderer(engine, 1, partition);
        renderer.render(3000);
        const auto& out = renderer.channel(0);
        for (std::size_t t = 0; t < out.size(); ++t) {
            const float expected = t < 1000 ? 0.0f : t < 2000 ? 0.5f : 0.125f;
            ASSERT_EQ(out[t], expected) << "frame " << t;
        }
    });
}

INSTANTIATE_TEST_SUITE_P(HostBlocks, ParameterTimingTest, ::testing::ValuesIn(test::engineSetups()),
                         test::engineSetupName);

// A change whose time was rendered already cannot be heard there: it applies at the first frame
// of the next block and is counted, never dropped.
TEST(ParameterTimingLateTest, ALateChangeAppliesAtTheNextBlockAndIsCounted) {
    Engine engine(test::engineConfig(48000.0, 64));
    auto probe = ParameterProbe::single();
    const NodeId id = test::commitSingle(engine, probe, 1);
    const ParameterHandle value = engine.parameter(id, "value");
    ControlSender sender = engine.createSender();
    Renderer renderer(engine, 1, {64, 0});
    renderer.render(640);
    expectOk(sender.trySetParameterAt(value, 1.0f, 100));
    renderer.render(640);
    const auto& out = renderer.channel(0);
    EXPECT_EQ(out[639], 0.0f);
    EXPECT_EQ(out[640], 1.0f);
    EXPECT_EQ(engine.controlStatsApprox().commandsLate, 1u);
    EXPECT_EQ(engine.controlStatsApprox().commandsApplied, 1u);
}

} // namespace
} // namespace fluxforge
