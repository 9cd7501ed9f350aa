// Hybrid live/prefetch rendering (docs/prefetch.md): the output with the guard on equals the
// output with it off, bit for bit, at every guard level, device block and executor; transport
// changes restart the prefetched part at the new position; an underrun is counted and still
// plays right; a live parameter change on a prefetched node is heard within the horizon.
#include "control_test_support.hpp"
#include "support/prefetch_session.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/research/reference_session.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace fluxforge {
namespace {

using test::ParameterProbe;
using test::TimelineProbe;

EngineConfig engineConfig(SampleRate rate, FrameCount block, GuardLevel guard,
                          ExecutorKind executor) {
    return test::prefetchEngineConfig(rate, block, guard, executor);
}

using Session = test::PrefetchSession;
using test::firstDifference;

std::unique_ptr<Session> buildSession(const EngineConfig& config, std::uint64_t seed) {
    return test::buildPrefetchSession(config, seed);
}

/// How the test's audio thread runs: as fast as it can (the audio thread outruns the renderer
/// and renders much of the prefetched part itself), or at a pace that lets the renderer keep
/// ahead.
enum class Pace { flat, paced };

/// Which tracks are monitored: none (the live part is the output alone), or one, which makes its
/// bus and the master live and puts a ring on every other track's and bus's way in.
enum class Monitor { none, oneTrack };

std::vector<float> renderSession(const EngineConfig& config, std::uint64_t seed, FrameCount total,
                                 bool loop, Pace pace, std::uint64_t* underruns = nullptr,
                                 Monitor monitor = Monitor::none) {
    Engine engine(config);
    const std::unique_ptr<Session> session = buildSession(config, seed);
    if (monitor == Monitor::oneTrack) {
        session->graph.setLiveMonitoring(session->ids.tracks[3].source, LiveMonitoring::on);
    }
    engine.commit(session->graph);
    test::automatePrefetchSession(engine, session->ids);
    ControlSender sender = engine.createSender();
    EXPECT_EQ(sender.tryPlay(), CommandStatus::ok);
    if (loop) {
        EXPECT_EQ(sender.trySetLoop(3000, 11000), CommandStatus::ok);
    }
    AudioBuffer out(2, config.maxBlockSize);
    std::vector<float> rendered;
    rendered.reserve(2 * static_cast<std::size_t>(total));
    for (FrameCount done = 0; done < total; done += config.maxBlockSize) {
        engine.process({}, out.view());
        for (FrameCount f = 0; f < config.maxBlockSize; ++f) {
            rendered.push_back(out.view().channel(0)[f]);
            rendered.push_back(out.view().channel(1)[f]);
        }
        if (pace == Pace::paced) {
            std::this_thread::sleep_for(std::chrono::microseconds(
                static_cast<std::int64_t>(2.5e5 * config.maxBlockSize / config.sampleRate)));
        }
    }
    if (underruns != nullptr) {
        *underruns = engine.prefetchUnderrunsApprox();
    }
    return rendered;
}

using BitIdentityCase = std::tuple<GuardLevel, FrameCount, ExecutorKind, SampleRate>;

class PrefetchBitIdentity : public ::testing::TestWithParam<BitIdentityCase> {};

TEST_P(PrefetchBitIdentity, OutputEqualsGuardOffByteForByteWithAutomationAndLoop) {
    const auto [guard, block, executor, rate] = GetParam();
    constexpr FrameCount kTotal = 24000;
    const std::vector<float> reference = renderSession(
        engineConfig(rate, block, GuardLevel::off, executor), 7, kTotal, true, Pace::flat);
    const std::vector<float> guarded =
        renderSession(engineConfig(rate, block, guard, executor), 7, kTotal, true, Pace::flat);
    EXPECT_EQ(firstDifference(reference, guarded), -1);
    const std::vector<float> monitoredReference =
        renderSession(engineConfig(rate, block, GuardLevel::off, executor), 7, kTotal, true,
                      Pace::flat, nullptr, Monitor::oneTrack);
    const std::vector<float> monitored =
        renderSession(engineConfig(rate, block, guard, executor), 7, kTotal, true, Pace::flat,
                      nullptr, Monitor::oneTrack);
    EXPECT_EQ(firstDifference(monitoredReference, monitored), -1);
    // The session is not silent: equal silence would prove nothing.
    float peak = 0.0f;
    for (float sample : reference) {
        peak = std::max(peak, std::abs(sample));
    }
    EXPECT_GT(peak, 0.01f);
}

INSTANTIATE_TEST_SUITE_P(
    GuardsBlocksExecutors, PrefetchBitIdentity,
    ::testing::Combine(::testing::Values(GuardLevel::low, GuardLevel::normal, GuardLevel::high),
                       ::testing::Values(FrameCount{64}, FrameCount{160}),
                       ::testing::Values(ExecutorKind::serial, ExecutorKind::criticalPath,
                                         ExecutorKind::levelBarrier, ExecutorKind::dynamicFifo),
                       ::testing::Values(48000.0)),
    [](const auto& testCase) {
        std::string executor(executorName(std::get<2>(testCase.param)));
        std::erase(executor, '-');
        return std::string(guardLevelName(std::get<0>(testCase.param))) + "_" +
               std::to_string(std::get<1>(testCase.param)) + "_" + executor;
    });

TEST(PrefetchTest, RendererKeepsAheadWhenPacedAndOutputStaysIdentical) {
    for (const SampleRate rate : {44100.0, 48000.0}) {
        const EngineConfig off = engineConfig(rate, 128, GuardLevel::off, ExecutorKind::serial);
        const EngineConfig on = engineConfig(rate, 128, GuardLevel::normal, ExecutorKind::serial);
        std::uint64_t underruns = 0;
        const std::vector<float> reference = renderSession(off, 3, 20000, false, Pace::flat);
        const std::vector<float> guarded =
            renderSession(on, 3, 20000, false, Pace::paced, &underruns);
        EXPECT_EQ(firstDifference(reference, guarded), -1) << rate;
        // 157 device blocks paced at four times real time: the renderer fills the rings for
        // most of them (in a release build all but the first few; the sanitizer builds run the
        // renderer several times slower, so this asks only that it rendered some).
        EXPECT_LT(underruns, 157u) << rate;
    }
}

TEST(PrefetchTest, SeededSessionsStayIdenticalAtOddBlockSizes) {
    for (const std::uint64_t seed : {11u, 12u, 13u}) {
        for (const FrameCount block : {FrameCount{1}, FrameCount{37}, FrameCount{512}}) {
            const FrameCount total = block == 1 ? 3000 : 15000;
            const std::vector<float> reference = renderSession(
                engineConfig(48000.0, block, GuardLevel::off, ExecutorKind::criticalPath), seed,
                total, seed == 12, Pace::flat);
            const std::vector<float> guarded = renderSession(
                engineConfig(48000.0, block, GuardLevel::high, ExecutorKind::criticalPath), seed,
                total, seed == 12, Pace::flat);
            EXPECT_EQ(firstDifference(reference, guarded), -1) << seed << " " << block;
        }
    }
}

// A prefetched probe of the timeline feeding the output: what plays is what it rendered.
struct TimelineGraph {
    Graph graph{GraphConfig{0, TimelineProbe::kChannels}};
    NodeId probe;
    TimelineGraph() {
        probe = graph.add(std::make_shared<TimelineProbe>(), "timeline");
        graph.connect(probe, graph.output());
    }
};

TEST(PrefetchTest, FirstBlockAfterLocatePlaysTheNewPosition) {
    for (const GuardLevel guard : {GuardLevel::low, GuardLevel::high}) {
        for (const FrameCount block : {FrameCount{64}, FrameCount{256}}) {
            Engine engine(engineConfig(48000.0, block, guard, ExecutorKind::serial));
            TimelineGraph timeline;
            engine.commit(timeline.graph);
            ControlSender sender = engine.createSender();
            ASSERT_EQ(sender.tryPlay(), CommandStatus::ok);
            AudioBuffer out(TimelineProbe::kChannels, block);
            for (int b = 0; b < 40; ++b) {
                engine.process({}, out.view());
                std::this_thread::sleep_for(std::chrono::microseconds(300));
            }
            const SampleTime target = 1'000'000 + block / 3;
            ASSERT_EQ(sender.tryLocate(target), CommandStatus::ok);
            engine.process({}, out.view());
            for (FrameCount f = 0; f < block; ++f) {
                ASSERT_EQ(out.view().channel(0)[f], static_cast<float>(target + f))
                    << guardLevelName(guard) << " block " << block << " frame " << f;
            }
            ASSERT_EQ(out.view().channel(2)[0], static_cast<float>(TimelineJump::located));
            // And it goes on from there.
            engine.process({}, out.view());
            EXPECT_EQ(out.view().channel(0)[0], static_cast<float>(target + block));
            ASSERT_EQ(sender.tryStop(), CommandStatus::ok);
            engine.process({}, out.view());
            EXPECT_EQ(out.view().channel(1)[0], 0.0f);
        }
    }
}

TEST(PrefetchTest, LoopPlaysSeamlesslyAcrossTheLoopPoint) {
    Engine engine(engineConfig(48000.0, 100, GuardLevel::normal, ExecutorKind::serial));
    TimelineGraph timeline;
    engine.commit(timeline.graph);
    ControlSender sender = engine.createSender();
    ASSERT_EQ(sender.trySetLoop(1000, 1750), CommandStatus::ok);
    ASSERT_EQ(sender.tryPlay(), CommandStatus::ok);
    AudioBuffer out(TimelineProbe::kChannels, 100);
    SampleTime expected = 0;
    for (int b = 0; b < 200; ++b) {
        engine.process({}, out.view());
        for (FrameCount f = 0; f < 100; ++f) {
            ASSERT_EQ(out.view().channel(0)[f], static_cast<float>(expected)) << b << " " << f;
            expected = expected + 1 == 1750 ? 1000 : expected + 1;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
}

/// A prefetched node slower than real time: busy `perFrame` for every frame it renders.
/// Halves its input, spending `perFrame` per frame on blocks longer than a device block: slow in
/// the renderer's prefetch blocks, cheap in the audio thread's own. The renderer then falls
/// behind real time whatever else the machine runs, while the audio thread keeps its pace.
class SlowGain final : public Node {
public:
    explicit SlowGain(std::chrono::nanoseconds perFrame)
        : perFrame_(perFrame) {}
    static constexpr FrameCount kCheapUpTo = 64;

protected:
    NodeProperties describe() const override { return NodeProperties::processor(2, 1.0); }
    void onProcess(const ProcessContext& context) noexcept override {
        if (context.numFrames > kCheapUpTo) {
            const auto until = std::chrono::steady_clock::now() + perFrame_ * context.numFrames;
            while (std::chrono::steady_clock::now() < until) {
            }
        }
        for (ChannelCount c = 0; c < 2; ++c) {
            for (FrameCount f = 0; f < context.numFrames; ++f) {
                context.outputs[0].channel(c)[f] = 0.5f * context.inputs[0].channel(c)[f];
            }
        }
    }

private:
    std::chrono::nanoseconds perFrame_;
};

TEST(PrefetchTest, UnderrunIsCountedAndTheBlockStillPlaysRight) {
    const auto render = [](GuardLevel guard, std::uint64_t* underruns) {
        EngineConfig config = engineConfig(48000.0, 64, guard, ExecutorKind::serial);
        Engine engine(config);
        const std::unique_ptr<Session> session = buildSession(config, 5);
        // Between the master and the output, 100 us a frame in prefetch blocks: nearly five
        // times slower than real time at 48 kHz, so the renderer falls behind and the rings run
        // dry again soon after each time the audio thread has waited for its block.
        Graph& graph = session->graph;
        const auto slow = graph.add(std::make_shared<SlowGain>(std::chrono::microseconds(100)));
        graph.disconnect(session->ids.master, graph.output());
        graph.connect(session->ids.master, slow);
        graph.connect(slow, graph.output());
        engine.commit(graph);
        ControlSender sender = engine.createSender();
        EXPECT_EQ(sender.tryPlay(), CommandStatus::ok);
        AudioBuffer out(2, 64);
        std::vector<float> rendered;
        for (int b = 0; b < 200; ++b) {
            engine.process({}, out.view());
            for (FrameCount f = 0; f < 64; ++f) {
                rendered.push_back(out.view().channel(0)[f]);
                rendered.push_back(out.view().channel(1)[f]);
            }
            std::this_thread::sleep_for(std::chrono::microseconds(1333));
        }
        *underruns = engine.prefetchUnderrunsApprox();
        return rendered;
    };
    std::uint64_t offUnderruns = 0;
    std::uint64_t onUnderruns = 0;
    const std::vector<float> reference = render(GuardLevel::off, &offUnderruns);
    const std::vector<float> guarded = render(GuardLevel::normal, &onUnderruns);
    EXPECT_EQ(firstDifference(reference, guarded), -1);
    EXPECT_EQ(offUnderruns, 0u);
    EXPECT_GT(onUnderruns, 0u);
}

TEST(PrefetchTest, LiveParameterChangeOnAPrefetchedNodeIsHeardWithinTheHorizon) {
    for (const GuardLevel guard :
         {GuardLevel::off, GuardLevel::low, GuardLevel::normal, GuardLevel::high}) {
        const FrameCount block = 64;
        EngineConfig config = engineConfig(48000.0, block, guard, ExecutorKind::serial);
        config.prefetch.guard = GuardLevel::high; // the level is then set while running
        config.parameterSmoothingSeconds = 0.0;
        Engine engine(config);
        ASSERT_TRUE(engine.setGuardLevel(guard));
        Graph graph(GraphConfig{0, 1});
        const NodeId probe = graph.add(ParameterProbe::single(0.0f, 1.0f, 0.0f), "probe");
        graph.connect(probe, graph.output());
        engine.commit(graph);
        ControlSender sender = engine.createSender();
        const ParameterHandle value = engine.parameter(probe, "value");
        AudioBuffer out(1, block);
        for (int b = 0; b < 200; ++b) { // let the renderer fill the rings
            engine.process({}, out.view());
            std::this_thread::sleep_for(std::chrono::microseconds(300));
        }
        ASSERT_EQ(sender.trySetParameter(value, 1.0f), CommandStatus::ok);
        FrameCount delay = 0;
        bool heard = false;
        for (int b = 0; b < 400 && !heard; ++b) {
            engine.process({}, out.view());
            for (FrameCount f = 0; f < block && !heard; ++f) {
                heard = out.view().channel(0)[f] == 1.0f;
                delay += heard ? 0 : 1;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(300));
        }
        ASSERT_TRUE(heard) << guardLevelName(guard);
        const FrameCount horizon = config.prefetch.horizonFrames(guard);
        EXPECT_LE(delay, horizon) << guardLevelName(guard);
        std::printf("[ measured ] live change on a prefetched node, guard %s: heard after %u "
                    "frames (horizon %u)\n",
                    std::string(guardLevelName(guard)).c_str(), delay, horizon);
    }
}

TEST(PrefetchTest, GuardLevelRefusedOnAnEngineBuiltWithoutIt) {
    Engine engine(engineConfig(48000.0, 64, GuardLevel::off, ExecutorKind::serial));
    EXPECT_FALSE(engine.setGuardLevel(GuardLevel::normal));
    EXPECT_FALSE(engine.setGuardLevel(static_cast<GuardLevel>(9)));
    EXPECT_TRUE(engine.setGuardLevel(GuardLevel::off));
    EXPECT_EQ(engine.guardLevel(), GuardLevel::off);
}

TEST(PrefetchTest, BadPrefetchSettingsAreRefusedByName) {
    EngineConfig config = engineConfig(48000.0, 64, GuardLevel::normal, ExecutorKind::serial);
    config.prefetch.blockFrames = 20000;
    EXPECT_THROW(
        {
            try {
                Engine engine(config);
            } catch (const Error& error) {
                EXPECT_NE(std::string(error.what()).find("prefetch.blockFrames 20000"),
                          std::string::npos);
                throw;
            }
        },
        Error);
    config.prefetch.blockFrames = 512;
    config.prefetch.workers = 0;
    EXPECT_THROW(Engine{config}, Error);
}

} // namespace
} // namespace fluxforge
