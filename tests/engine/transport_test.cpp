// The transport: play, stop, locate and loop land on exactly the frame asked for, and a node that
// outputs its timeline position shows it, for host blocks of 1..4096 frames and random partitions.
#include "engine/control_test_support.hpp"

#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <tuple>

namespace fluxforge {
namespace {

using test::EngineSetup;
using test::expectOk;
using test::Partition;
using test::Renderer;
using test::TimelineProbe;

constexpr float kLocated = static_cast<float>(TimelineJump::located);
constexpr float kLooped = static_cast<float>(TimelineJump::looped);

class TransportTest : public ::testing::TestWithParam<std::tuple<EngineSetup, Partition>> {
protected:
    void SetUp() override {
        const EngineSetup setup = std::get<0>(GetParam());
        engine_ =
            std::make_unique<Engine>(test::engineConfig(setup.sampleRate, setup.maxBlockSize));
        test::commitSingle(*engine_, std::make_shared<TimelineProbe>(), TimelineProbe::kChannels);
        sender_ = engine_->createSender();
        renderer_ =
            std::make_unique<Renderer>(*engine_, TimelineProbe::kChannels, std::get<1>(GetParam()));
    }

    const std::vector<float>& position() const { return renderer_->channel(0); }
    const std::vector<float>& playing() const { return renderer_->channel(1); }
    const std::vector<float>& jump() const { return renderer_->channel(2); }

    std::unique_ptr<Engine> engine_;
    ControlSender sender_;
    std::unique_ptr<Renderer> renderer_;
};

TEST_P(TransportTest, StoppedTransportHoldsThePositionWhileTheEngineClockRuns) {
    expectOk(sender_.tryLocate(777));
    renderer_->render(5000);
    for (std::size_t t = 0; t < 5000; ++t) {
        ASSERT_EQ(position()[t], 777.0f) << "frame " << t;
        ASSERT_EQ(playing()[t], 0.0f);
        ASSERT_EQ(renderer_->channel(3)[t], static_cast<float>(t)) << "the engine clock runs on";
    }
    EXPECT_EQ(jump()[0], kLocated);
}

TEST_P(TransportTest, TimedPlayStartsExactlyAtItsFrame) {
    expectOk(sender_.tryLocate(1000));
    expectOk(sender_.tryPlay(2500));
    renderer_->render(6000);
    for (std::size_t t = 0; t < 6000; ++t) {
        if (t < 2500) {
            ASSERT_EQ(position()[t], 1000.0f) << "frame " << t;
            ASSERT_EQ(playing()[t], 0.0f) << "frame " << t;
        } else {
            ASSERT_EQ(position()[t], static_cast<float>(1000 + t - 2500)) << "frame " << t;
            ASSERT_EQ(playing()[t], 1.0f) << "frame " << t;
        }
    }
}

TEST_P(TransportTest, LoopWrapsExactlyAtTheLoopEnd) {
    expectOk(sender_.trySetLoop(300, 1100));
    expectOk(sender_.tryPlay());
    renderer_->render(10000);
    SampleTime expected = 0;
    bool wrapped = false;
    for (std::size_t t = 0; t < 10000; ++t) {
        ASSERT_EQ(position()[t], static_cast<float>(expected)) << "frame " << t;
        ASSERT_EQ(jump()[t], wrapped ? kLooped : 0.0f) << "frame " << t;
        wrapped = ++expected == 1100;
        if (wrapped) {
            expected = 300;
        }
    }
}

TEST_P(TransportTest, TimedLocateLandsExactlyAndMarksTheJump) {
    expectOk(sender_.tryPlay());
    expectOk(sender_.tryLocate(50000, 3333));
    renderer_->render(6000);
    for (std::size_t t = 0; t < 6000; ++t) {
        const float expected = t < 3333 ? static_cast<float>(t) : 50000.0f + (t - 3333.0f);
        ASSERT_EQ(position()[t], expected) << "frame " << t;
        ASSERT_EQ(jump()[t], t == 3333 ? kLocated : 0.0f) << "frame " << t;
    }
}

TEST_P(TransportTest, TimedStopHoldsThePositionFromItsFrame) {
    expectOk(sender_.tryPlay());
    expectOk(sender_.tryStop(4000));
    renderer_->render(6000);
    for (std::size_t t = 0; t < 6000; ++t) {
        ASSERT_EQ(position()[t], static_cast<float>(std::min<std::size_t>(t, 4000)))
            << "frame " << t;
        ASSERT_EQ(playing()[t], t < 4000 ? 1.0f : 0.0f) << "frame " << t;
    }
}

TEST_P(TransportTest, LocatingIntoAndPastTheLoop) {
    expectOk(sender_.trySetLoop(1000, 2000));
    expectOk(sender_.tryLocate(2500)); // beyond the loop end: plays on
    expectOk(sender_.tryPlay());
    expectOk(sender_.tryLocate(1900, 3000)); // inside the loop: wraps at 2000
    renderer_->render(4000);
    for (std::size_t t = 0; t < 3000; ++t) {
        ASSERT_EQ(position()[t], 2500.0f + t) << "frame " << t;
    }
    for (std::size_t t = 3000; t < 4000; ++t) {
        const std::size_t k = t - 3000;
        const float expected = k < 100 ? 1900.0f + k : 1000.0f + (k - 100);
        ASSERT_EQ(position()[t], expected) << "frame " << t;
    }
    EXPECT_EQ(jump()[3100], kLooped);
}

TEST_P(TransportTest, ClearingTheLoopStopsTheWrapping) {
    expectOk(sender_.trySetLoop(0, 1000));
    expectOk(sender_.tryPlay());
    renderer_->render(1500);
    expectOk(sender_.tryClearLoop());
    renderer_->render(1500);
    EXPECT_EQ(position()[1499], 499.0f);
    for (std::size_t t = 1500; t < 3000; ++t) {
        ASSERT_EQ(position()[t], static_cast<float>(t - 1000)) << "frame " << t;
    }
}

TEST_P(TransportTest, PositionIsReportedBackToTheHost) {
    expectOk(sender_.trySetLoop(100, 600));
    expectOk(sender_.tryPlay());
    renderer_->render(1234);
    const TransportSnapshot snapshot = engine_->transportApprox();
    EXPECT_EQ(snapshot.playState, PlayState::playing);
    EXPECT_EQ(snapshot.engineTime, 1234);
    // 0..599 once, then 100..599 again: frame 1234 lies at 100 + (1234 - 600) % 500.
    EXPECT_EQ(snapshot.position, 100 + (1234 - 600) % 500);
    EXPECT_EQ(snapshot.loopMode, LoopMode::on);
    EXPECT_EQ(snapshot.loopStart, 100);
    EXPECT_EQ(snapshot.loopEnd, 600);
}

std::string caseName(const ::testing::TestParamInfo<std::tuple<EngineSetup, Partition>>& info) {
    const EngineSetup& setup = std::get<0>(info.param);
    return "sr" + std::to_string(static_cast<long>(setup.sampleRate)) + "_max" +
           std::to_string(setup.maxBlockSize) + "_" + std::get<1>(info.param).name();
}

INSTANTIATE_TEST_SUITE_P(HostBlocks, TransportTest,
                         ::testing::Combine(::testing::ValuesIn(test::engineSetups()),
                                            ::testing::ValuesIn(test::hostPartitions())),
                         caseName);

TEST(TransportBeforeCommitTest, CommandsWaitForTheFirstPlan) {
    // Before any commit the engine renders silence and leaves the queues alone: nothing is lost.
    Engine engine(test::engineConfig(48000.0, 256));
    ControlSender sender = engine.createSender();
    expectOk(sender.tryPlay());
    test::Renderer silent(engine, 1, {256, 0});
    silent.render(1024);
    EXPECT_EQ(sender.deliveredApprox(), 0u);
    test::commitSingle(engine, std::make_shared<TimelineProbe>(), TimelineProbe::kChannels);
    Renderer renderer(engine, TimelineProbe::kChannels, {256, 0});
    renderer.render(512);
    EXPECT_EQ(sender.deliveredApprox(), 1u);
    EXPECT_EQ(renderer.channel(1)[0], 1.0f);
    EXPECT_EQ(renderer.channel(0)[511], 511.0f);
}

} // namespace
} // namespace fluxforge
