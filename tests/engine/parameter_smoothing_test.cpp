// Live parameter changes: they glide linearly over the engine's smoothing time, starting at the
// first frame of the next block, and the glide is the same for any partition of the host blocks.
#include "engine/control_test_support.hpp"

#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace fluxforge {
namespace {

using test::EngineSetup;
using test::expectOk;
using test::ParameterProbe;
using test::Partition;
using test::Renderer;

// The smoothing ramp as the documentation defines it: from `from`, frame start + j hears
// from + (to - from) (j + 1) / R, and `to` from frame start + R - 1 on.
double analyticGlide(double from, double to, SampleTime start, FrameCount frames, SampleTime t) {
    if (t < start) {
        return from;
    }
    const auto heard = static_cast<double>(t - start + 1);
    return heard >= frames ? to : from + (to - from) * heard / frames;
}

class ParameterSmoothingTest : public ::testing::TestWithParam<EngineSetup> {
protected:
    EngineSetup setup() const { return GetParam(); }
    FrameCount smoothingFrames() const {
        return static_cast<FrameCount>(std::lround(0.005 * setup().sampleRate));
    }
};

TEST_P(ParameterSmoothingTest, LiveChangeGlidesLinearlyOverTheSmoothingTime) {
    test::forEachPartition([&](const Partition& partition) {
        Engine engine(test::engineConfig(setup().sampleRate, setup().maxBlockSize, 0.005));
        auto probe = ParameterProbe::single(-1.0f, 1.0f, 0.0f);
        const NodeId id = test::commitSingle(engine, probe, 1);
        const ParameterHandle value = engine.parameter(id, "value");
        ControlSender sender = engine.createSender();
        Renderer renderer(engine, 1, partition);
        renderer.render(1000);
        expectOk(sender.trySetParameter(value, 1.0f));
        renderer.render(1000 + smoothingFrames());

        const FrameCount r = smoothingFrames();
        const auto& out = renderer.channel(0);
        for (SampleTime t = 0; t < static_cast<SampleTime>(out.size()); ++t) {
            const double expected = analyticGlide(0.0, 1.0, 1000, r, t);
            ASSERT_NEAR(out[static_cast<std::size_t>(t)], expected, 1e-6) << "frame " << t;
        }
        EXPECT_GT(out[1000], 0.0f) << "the glide moves on its first frame";
        EXPECT_LT(out[1000 + r - 2], 1.0f);
        EXPECT_EQ(out[1000 + r - 1], 1.0f) << "and lands exactly on the target";
        EXPECT_EQ(engine.parameterValueApprox(value), 1.0f);
    });
}

TEST_P(ParameterSmoothingTest, GlideIsBitIdenticalForEveryPartition) {
    test::forEachPartition([&](const Partition& partition) {
        // The reference: the same change rendered one frame at a time.
        auto run = [&](const Partition& cut) {
            Engine engine(test::engineConfig(setup().sampleRate, setup().maxBlockSize, 0.005));
            auto probe = ParameterProbe::single(-1.0f, 1.0f, 0.0f);
            const NodeId id = test::commitSingle(engine, probe, 1);
            const ParameterHandle value = engine.parameter(id, "value");
            ControlSender sender = engine.createSender();
            Renderer renderer(engine, 1, cut);
            renderer.render(777);
            expectOk(sender.trySetParameter(value, -0.3f));
            renderer.render(2 * smoothingFrames());
            return renderer.channel(0);
        };
        EXPECT_EQ(run(partition), run({1, 0}));
    });
}

TEST_P(ParameterSmoothingTest, RetargetingMidGlideStartsFromTheValueHeard) {
    test::forEachPartition([&](const Partition& partition) {
        Engine engine(test::engineConfig(setup().sampleRate, setup().maxBlockSize, 0.005));
        auto probe = ParameterProbe::single(-1.0f, 1.0f, 0.0f);
        const NodeId id = test::commitSingle(engine, probe, 1);
        const ParameterHandle value = engine.parameter(id, "value");
        ControlSender sender = engine.createSender();
        const FrameCount r = smoothingFrames();
        const SampleTime second = 500 + r / 2;
        Renderer renderer(engine, 1, partition);
        renderer.render(500);
        expectOk(sender.trySetParameter(value, 1.0f));
        renderer.render(r / 2);
        expectOk(sender.trySetParameter(value, -1.0f));
        renderer.render(2 * r);

        const auto& out = renderer.channel(0);
        const double heard = analyticGlide(0.0, 1.0, 500, r, second - 1);
        for (SampleTime t = 0; t < static_cast<SampleTime>(out.size()); ++t) {
            const double expected = t < second ? analyticGlide(0.0, 1.0, 500, r, t)
                                               : analyticGlide(heard, -1.0, second, r, t);
            ASSERT_NEAR(out[static_cast<std::size_t>(t)], expected, 1e-6) << "frame " << t;
        }
    });
}

INSTANTIATE_TEST_SUITE_P(HostBlocks, ParameterSmoothingTest,
                         ::testing::ValuesIn(test::engineSetups()), test::engineSetupName);

TEST(ParameterSmoothingConfigTest, ZeroSmoothingMakesLiveChangesSteps) {
    Engine engine(test::engineConfig(48000.0, 128, 0.0));
    auto probe = ParameterProbe::single();
    const NodeId id = test::commitSingle(engine, probe, 1);
    const ParameterHandle value = engine.parameter(id, "value");
    ControlSender sender = engine.createSender();
    Renderer renderer(engine, 1, {100, 0});
    renderer.render(300);
    expectOk(sender.trySetParameter(value, 0.5f));
    renderer.render(300);
    EXPECT_EQ(renderer.channel(0)[299], 0.0f);
    EXPECT_EQ(renderer.channel(0)[300], 0.5f);
    EXPECT_EQ(probe->perSampleBlocks(), 0u) << "a step at a block start is a constant block";
}

TEST(ParameterSmoothingConfigTest, NodeSetParameterStillStepsAtTheNextBlock) {
    // The direct path (tests and offline use) keeps its meaning inside an engine: a step, no glide.
    Engine engine(test::engineConfig(48000.0, 128));
    auto probe = ParameterProbe::single();
    test::commitSingle(engine, probe, 1);
    Renderer renderer(engine, 1, {64, 0});
    renderer.render(128);
    probe->setParameter(0, 0.25f);
    renderer.render(128);
    EXPECT_EQ(renderer.channel(0)[127], 0.0f);
    EXPECT_EQ(renderer.channel(0)[128], 0.25f);
    EXPECT_EQ(probe->parameter(0), 0.25f);
}

} // namespace
} // namespace fluxforge
