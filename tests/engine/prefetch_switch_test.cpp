// Arming and disarming a track while playing with the guard on (docs/prefetch.md, "Arming and
// disarming while playing"): the plans switch once the rings are played out, and from then on
// every node carries on from the frame its state is at. The output equals the guard-off output
// with the same switches at the same frames, byte for byte: no click, no gap, no audio twice.
#include "support/prefetch_session.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace fluxforge {
namespace {

constexpr std::size_t kBlocks = 260;

/// One render with the monitoring of one track toggled while playing.
struct SwitchRender {
    std::vector<float> samples;          ///< interleaved stereo
    std::vector<std::size_t> toggledAt;  ///< the block before which each toggle was committed
    std::vector<std::size_t> switchedAt; ///< the block at which the engine switched plans
};

/// Renders kBlocks device blocks, toggling the monitoring of track 3 (a commit that moves it and
/// its bus between the parts) before block toggleAt[k]. With `untilRingsFull`, each toggle waits
/// for the next block that starts with the rings full, the blocks before it paced so that the
/// renderer gets ahead: the switch then has a horizon's worth of audio to play out first.
SwitchRender renderWithToggles(const EngineConfig& config, const std::vector<std::size_t>& toggleAt,
                               bool untilRingsFull) {
    Engine engine(config);
    const std::unique_ptr<test::PrefetchSession> session = test::buildPrefetchSession(config, 7);
    Graph& graph = session->graph;
    const NodeId armed = session->ids.tracks[3].source;
    engine.commit(graph);
    test::automatePrefetchSession(engine, session->ids);
    ControlSender sender = engine.createSender();
    EXPECT_EQ(sender.tryPlay(), CommandStatus::ok);

    SwitchRender render;
    render.samples.reserve(2 * kBlocks * config.maxBlockSize);
    AudioBuffer out(2, config.maxBlockSize);
    std::size_t next = 0;
    std::size_t swapsBefore = 0;
    bool waiting = false;
    for (std::size_t b = 0; b < kBlocks; ++b) {
        if (next < toggleAt.size() && toggleAt[next] <= b) {
            if (untilRingsFull && engine.metrics().prefetch.ringFill < 0.75) {
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            } else {
                graph.setLiveMonitoring(armed, graph.liveMonitoring(armed) == LiveMonitoring::on
                                                   ? LiveMonitoring::off
                                                   : LiveMonitoring::on);
                swapsBefore = engine.planSwapsApprox();
                engine.commit(graph);
                render.toggledAt.push_back(b);
                waiting = true;
                ++next;
            }
        }
        engine.process({}, out.view());
        if (waiting && engine.planSwapsApprox() > swapsBefore) {
            render.switchedAt.push_back(b);
            waiting = false;
        }
        for (FrameCount f = 0; f < config.maxBlockSize; ++f) {
            render.samples.push_back(out.view().channel(0)[f]);
            render.samples.push_back(out.view().channel(1)[f]);
        }
    }
    return render;
}

/// The largest step between two consecutive samples of one channel in frames [from, to).
float largestStep(const std::vector<float>& samples, std::size_t from, std::size_t to) {
    float step = 0.0f;
    for (std::size_t f = std::max<std::size_t>(from, 1); f < to && 2 * f + 1 < samples.size();
         ++f) {
        for (std::size_t c = 0; c < 2; ++c) {
            step = std::max(step, std::abs(samples[2 * f + c] - samples[2 * (f - 1) + c]));
        }
    }
    return step;
}

using SwitchCase = std::tuple<GuardLevel, FrameCount, ExecutorKind>;

class PrefetchSwitch : public ::testing::TestWithParam<SwitchCase> {};

TEST_P(PrefetchSwitch, ArmAndDisarmWhilePlayingEqualGuardOffSwitchingAtTheSameFrames) {
    const auto [guard, block, executor] = GetParam();
    const SwitchRender guarded = renderWithToggles(
        test::prefetchEngineConfig(48000.0, block, guard, executor), {40, 140}, true);
    ASSERT_EQ(guarded.toggledAt.size(), 2u);
    ASSERT_EQ(guarded.switchedAt.size(), 2u);
    for (std::size_t k = 0; k < 2; ++k) {
        // The rings were full, so the old plan played them out first: the switch came later.
        EXPECT_GT(guarded.switchedAt[k], guarded.toggledAt[k]) << k;
    }
    const SwitchRender reference =
        renderWithToggles(test::prefetchEngineConfig(48000.0, block, GuardLevel::off, executor),
                          guarded.switchedAt, false);
    EXPECT_EQ(reference.switchedAt, guarded.switchedAt);
    EXPECT_EQ(test::firstDifference(reference.samples, guarded.samples), -1)
        << "toggled at blocks " << guarded.toggledAt[0] << ", " << guarded.toggledAt[1]
        << "; switched at " << guarded.switchedAt[0] << ", " << guarded.switchedAt[1];

    // Not silent around the switches, and no step there larger than the music's own elsewhere.
    std::vector<std::size_t> switchFrames;
    for (std::size_t at : guarded.switchedAt) {
        switchFrames.push_back(at * block);
    }
    const std::size_t window = 256;
    float around = 0.0f;
    float elsewhere = 0.0f;
    float peakAround = 0.0f;
    const std::size_t frames = guarded.samples.size() / 2;
    for (std::size_t f = 1; f < frames; ++f) {
        bool near = false;
        for (std::size_t at : switchFrames) {
            near = near || (f + window >= at && f < at + window);
        }
        const float step = largestStep(guarded.samples, f, f + 1);
        if (near) {
            around = std::max(around, step);
            peakAround = std::max({peakAround, std::abs(guarded.samples[2 * f]),
                                   std::abs(guarded.samples[2 * f + 1])});
        } else {
            elsewhere = std::max(elsewhere, step);
        }
    }
    EXPECT_GT(peakAround, 0.01f);
    EXPECT_LE(around, elsewhere);
}

INSTANTIATE_TEST_SUITE_P(
    GuardsBlocksExecutors, PrefetchSwitch,
    ::testing::Combine(::testing::Values(GuardLevel::low, GuardLevel::normal, GuardLevel::high),
                       ::testing::Values(FrameCount{64}, FrameCount{160}),
                       ::testing::Values(ExecutorKind::serial, ExecutorKind::criticalPath,
                                         ExecutorKind::levelBarrier, ExecutorKind::dynamicFifo)),
    [](const auto& testCase) {
        std::string executor(executorName(std::get<2>(testCase.param)));
        std::erase(executor, '-');
        return std::string(guardLevelName(std::get<0>(testCase.param))) + "_" +
               std::to_string(std::get<1>(testCase.param)) + "_" + executor;
    });

} // namespace
} // namespace fluxforge
