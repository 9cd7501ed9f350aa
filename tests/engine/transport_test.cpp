// The transport: play, stop, locate and loop land on exactly the frame asked for, and a node that
// outputs its timeline position shows it, for host blocks of 1..4096 frames and random partitions.
#include "engine/control_test_support.hpp"

#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace fluxforge {
namespace {

using test::EngineSetup;
using test::expectOk;
using test::Partition;
using test::Renderer;
using test::TimelineProbe;

constexpr float kLocated = static_cast<float>(TimelineJump::located);
constexpr float kLooped = static_cast<float>(TimelineJump::looped);

// One engine playing a TimelineProbe, cut into host blocks by one partition.
struct TimelineSession {
    TimelineSession(const EngineSetup& setup, const Partition& partition)
        : engine(test::engineConfig(setup.sampleRate, setup.maxBlockSize)) {
        test::commitSingle(engine, std::make_shared<TimelineProbe>(), TimelineProbe::kChannels);
        sender = engine.createSender();
        renderer = std::make_unique<Renderer>(engine, TimelineProbe::kChannels, partition);
    }

    const std::vector<float>& position() const { return renderer->channel(0); }
    const std::vector<float>& playing() const { return renderer->channel(1); }
    const std::vector<float>& jump() const { return renderer->channel(2); }

    Engine engine;
    ControlSender sender;
    std::unique_ptr<Renderer> renderer;
};

class TransportTest : public ::testing::TestWithParam<EngineSetup> {
protected:
    // Runs `body` on a fresh session for every host partition.
    template <typename Body>
    void forEachSession(Body body) {
        test::forEachPartition([&](const Partition& partition) {
            TimelineSession session(GetParam(), partition);
            body(session);
        });
    }
};

TEST_P(TransportTest, StoppedTransportHoldsThePositionWhileTheEngineClockRuns) {
    forEachSession([&](TimelineSession& s) {
        expectOk(s.sender.tryLocate(777));
        s.renderer->render(5000);
        for (std::size_t t = 0; t < 5000; ++t) {
            ASSERT_EQ(s.position()[t], 777.0f) << "frame " << t;
            ASSERT_EQ(s.playing()[t], 0.0f);
            ASSERT_EQ(s.renderer->channel(3)[t], static_cast<float>(t))
                << "the engine clock runs on";
        }
        EXPECT_EQ(s.jump()[0], kLocated);
    });
}

TEST_P(TransportTest, TimedPlayStartsExactlyAtItsFrame) {
    forEachSession([&](TimelineSession& s) {
        expectOk(s.sender.tryLocate(1000));
        expectOk(s.sender.tryPlay(2500));
        s.renderer->render(6000);
        for (std::size_t t = 0; t < 6000; ++t) {
            if (t < 2500) {
                ASSERT_EQ(s.position()[t], 1000.0f) << "frame " << t;
                ASSERT_EQ(s.playing()[t], 0.0f) << "frame " << t;
            } else {
                ASSERT_EQ(s.position()[t], static_cast<float>(1000 + t - 2500)) << "frame " << t;
                ASSERT_EQ(s.playing()[t], 1.0f) << "frame " << t;
            }
        }
    });
}

TEST_P(TransportTest, LoopWrapsExactlyAtTheLoopEnd) {
    forEachSession([&](TimelineSession& s) {
        expectOk(s.sender.trySetLoop(300, 1100));
        expectOk(s.sender.tryPlay());
        s.renderer->render(10000);
        SampleTime expected = 0;
        bool wrapped = false;
        for (std::size_t t = 0; t < 10000; ++t) {
            ASSERT_EQ(s.position()[t], static_cast<float>(expected)) << "frame " << t;
            ASSERT_EQ(s.jump()[t], wrapped ? kLooped : 0.0f) << "frame " << t;
            wrapped = ++expected == 1100;
            if (wrapped) {
                expected = 300;
            }
        }
    });
}

TEST_P(TransportTest, TimedLocateLandsExactlyAndMarksTheJump) {
    forEachSession([&](TimelineSession& s) {
        expectOk(s.sender.tryPlay());
        expectOk(s.sender.tryLocate(50000, 3333));
        s.renderer->render(6000);
        for (std::size_t t = 0; t < 6000; ++t) {
            const float expected = t < 3333 ? static_cast<float>(t) : 50000.0f + (t - 3333.0f);
            ASSERT_EQ(s.position()[t], expected) << "frame " << t;
            ASSERT_EQ(s.jump()[t], t == 3333 ? kLocated : 0.0f) << "frame " << t;
        }
    });
}

TEST_P(TransportTest, TimedStopHoldsThePositionFromItsFrame) {
    forEachSession([&](TimelineSession& s) {
        expectOk(s.sender.tryPlay());
        expectOk(s.sender.tryStop(4000));
        s.renderer->render(6000);
        for (std::size_t t = 0; t < 6000; ++t) {
            ASSERT_EQ(s.position()[t], static_cast<float>(std::min<std::size_t>(t, 4000)))
                << "frame " << t;
            ASSERT_EQ(s.playing()[t], t < 4000 ? 1.0f : 0.0f) << "frame " << t;
        }
    });
}

TEST_P(TransportTest, LocatingIntoAndPastTheLoop) {
    forEachSession([&](TimelineSession& s) {
        expectOk(s.sender.trySetLoop(1000, 2000));
        expectOk(s.sender.tryLocate(2500)); // beyond the loop end: plays on
        expectOk(s.sender.tryPlay());
        expectOk(s.sender.tryLocate(1900, 3000)); // inside the loop: wraps at 2000
        s.renderer->render(4000);
        for (std::size_t t = 0; t < 3000; ++t) {
            ASSERT_EQ(s.position()[t], 2500.0f + t) << "frame " << t;
        }
        for (std::size_t t = 3000; t < 4000; ++t) {
            const std::size_t k = t - 3000;
            const float expected = k < 100 ? 1900.0f + k : 1000.0f + (k - 100);
            ASSERT_EQ(s.position()[t], expected) << "frame " << t;
        }
        EXPECT_EQ(s.jump()[3100], kLooped);
    });
}

TEST_P(TransportTest, ClearingTheLoopStopsTheWrapping) {
    forEachSession([&](TimelineSession& s) {
        expectOk(s.sender.trySetLoop(0, 1000));
        expectOk(s.sender.tryPlay());
        s.renderer->render(1500);
        expectOk(s.sender.tryClearLoop());
        s.renderer->render(1500);
        EXPECT_EQ(s.position()[1499], 499.0f);
        for (std::size_t t = 1500; t < 3000; ++t) {
            ASSERT_EQ(s.position()[t], static_cast<float>(t - 1000)) << "frame " << t;
        }
    });
}

TEST_P(TransportTest, PositionIsReportedBackToTheHost) {
    forEachSession([&](TimelineSession& s) {
        expectOk(s.sender.trySetLoop(100, 600));
        expectOk(s.sender.tryPlay());
        s.renderer->render(1234);
        const TransportSnapshot snapshot = s.engine.transportApprox();
        EXPECT_EQ(snapshot.playState, PlayState::playing);
        EXPECT_EQ(snapshot.engineTime, 1234);
        // 0..599 once, then 100..599 again: frame 1234 lies at 100 + (1234 - 600) % 500.
        EXPECT_EQ(snapshot.position, 100 + (1234 - 600) % 500);
        EXPECT_EQ(snapshot.loopMode, LoopMode::on);
        EXPECT_EQ(snapshot.loopStart, 100);
        EXPECT_EQ(snapshot.loopEnd, 600);
    });
}

INSTANTIATE_TEST_SUITE_P(HostBlocks, TransportTest, ::testing::ValuesIn(test::engineSetups()),
                         test::engineSetupName);

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
