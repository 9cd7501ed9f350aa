// The real-time safety harness (issue 7): the reference session runs through a device for
// 30,000 blocks while one control thread keeps re-committing edited graphs (plan swaps, a
// latency change that moves plugin delay compensation) and another keeps sending parameter
// changes, timed ramps and new automation lanes. Neither the audio thread nor the engine's worker
// threads may allocate, free or lock a mutex, counted by tests/support/allocation_counter.cpp:
// the audio thread counts inside its loop, each worker for its whole life (its scope is opened by
// WorkerPoolConfig::onHelperStart). In sanitizer builds the counter is not linked (the sanitizers
// replace malloc themselves) and a shorter run checks the same path: under RealtimeSanitizer any
// allocation or lock inside the engine's RealtimeScope stops the program.
//
// Size (docs/devices.md, "Real-time safety harness"): the full 64-track session in 64-frame
// blocks, 30,000 blocks (40 s of audio at 48 kHz) in the Release build. Environment overrides
// for experiments: FLUXFORGE_HARNESS_BLOCKS, FLUXFORGE_HARNESS_TRACKS.
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/device/engine_callback.hpp>
#include <fluxforge/device/host_driven_device.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/nodes/biquad.hpp>
#include <fluxforge/nodes/latency_test_node.hpp>
#include <fluxforge/research/reference_session.hpp>
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
#include "support/allocation_counter.hpp"
#endif

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#ifndef FLUXFORGE_HARNESS_BLOCKS
#define FLUXFORGE_HARNESS_BLOCKS 30000
#endif
#ifndef FLUXFORGE_HARNESS_TRACKS
#define FLUXFORGE_HARNESS_TRACKS 64
#endif

namespace fluxforge {
namespace {

using Clock = std::chrono::steady_clock;

constexpr FrameCount kBlockFrames = 64;
constexpr SampleRate kSampleRate = 48000.0;

std::size_t fromEnvironment(const char* name, std::size_t fallback) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        return fallback;
    }
    return static_cast<std::size_t>(std::strtoull(value, nullptr, 10));
}

std::atomic<std::uint32_t> gHelpersStarted{0};

// Runs on each worker thread as it starts: from here to the thread's end every allocation, free
// and lock on it is counted. The scope lives in a thread_local (created, with whatever the C++
// runtime allocates to register its destructor, before the scope opens) and closes at thread exit.
void countThisWorker() {
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    thread_local std::optional<test::CountedRealtimeScope> scope;
    scope.emplace();
#endif
    gHelpersStarted.fetch_add(1, std::memory_order_relaxed);
}

// The control thread's edits, one per commit, in rotation; every one is undone by a later one, so
// the session's own nodes (and the parameter handles naming them) stay.
class SessionEditor {
public:
    SessionEditor(Graph& graph, const ReferenceSession& session)
        : graph_(graph)
        , session_(session) {}

    // Applies the next edit; returns true when it changed a latency (the engine's update()
    // recompiles then, instead of commit()).
    bool next() {
        const std::size_t step = steps_++;
        const ReferenceTrack& track = session_.tracks[(step / 4) % session_.tracks.size()];
        switch (step % 4) {
        case 0: // an insert after a track's compressor, in or out
            if (insert_.isValid()) {
                graph_.remove(insert_);
                graph_.connect(insertTrack_->compressor, insertTrack_->fader);
                insert_ = {};
            } else {
                auto eq = std::make_shared<Biquad>(BiquadConfig{.type = BiquadType::highPass});
                insert_ = graph_.add(eq, "harness.insert");
                insertTrack_ = &track;
                graph_.disconnect(track.compressor, track.fader);
                graph_.connect(track.compressor, insert_);
                graph_.connect(insert_, track.fader);
            }
            return false;
        case 1: // a send taken out of its return, or put back
            if (unsentTrack_ != nullptr) {
                graph_.connect(unsentTrack_->sends.front(), session_.returns.front());
                unsentTrack_ = nullptr;
            } else if (!session_.returns.empty()) {
                graph_.disconnect(track.sends.front(), session_.returns.front());
                unsentTrack_ = &track;
            }
            return false;
        case 2: { // the latent plugin changes its latency: compensation moves everywhere
            auto latent = graph_.nodeAs<LatencyTestNode>(session_.latent);
            latent->setLatency(latent->latency() == 2048 ? 1024 : 2048);
            return true;
        }
        default: // an extra source into a bus, in or out
            if (extra_.isValid()) {
                graph_.remove(extra_);
                extra_ = {};
            } else {
                auto eq = std::make_shared<Biquad>(BiquadConfig{.type = BiquadType::lowPass});
                extra_ = graph_.add(eq, "harness.extra");
                graph_.connect(track.source, extra_);
                graph_.connect(extra_, session_.buses.back().eq.front());
            }
            return false;
        }
    }

private:
    Graph& graph_;
    const ReferenceSession& session_;
    std::size_t steps_ = 0;
    NodeId insert_;
    const ReferenceTrack* insertTrack_ = nullptr;
    const ReferenceTrack* unsentTrack_ = nullptr;
    NodeId extra_;
};

TEST(RealtimeHarnessTest, ReferenceSessionThroughADeviceNeverAllocatesOrLocksOnAudioOrWorkers) {
    const std::size_t blocks =
        fromEnvironment("FLUXFORGE_HARNESS_BLOCKS", FLUXFORGE_HARNESS_BLOCKS);
    const std::size_t tracks =
        fromEnvironment("FLUXFORGE_HARNESS_TRACKS", FLUXFORGE_HARNESS_TRACKS);

    // The session: every kind of node and edge of DESIGN.md's reference session.
    Graph graph(GraphConfig{0, 2});
    ReferenceSessionConfig sessionConfig;
    sessionConfig.tracks = tracks;
    sessionConfig.latentFrames = 2048;
    sessionConfig.prepare = {kSampleRate, kBlockFrames};
    const ReferenceSession session = buildReferenceSession(graph, sessionConfig);
    ASSERT_TRUE(std::dynamic_pointer_cast<LatencyTestNode>(graph.node(session.latent)));

    EngineConfig engineConfig;
    engineConfig.sampleRate = kSampleRate;
    engineConfig.maxBlockSize = kBlockFrames;
    engineConfig.workers = 2;
    engineConfig.maxWorkers = 4;
    engineConfig.pool.realtimePriority = false; // a shared 2-core CI machine: no SCHED_FIFO spin
    engineConfig.pool.onHelperStart = countThisWorker;
    gHelpersStarted = 0;
    auto engine = std::make_unique<Engine>(engineConfig);
    engine->commit(graph);
    ASSERT_EQ(engine->outputLatency(), session.outputLatency);

    EngineCallback callback(*engine);
    HostDrivenDevice device({.sampleRate = kSampleRate,
                             .maxBlockFrames = kBlockFrames,
                             .inputChannels = 0,
                             .outputChannels = 2});
    device.start(callback);

#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    ASSERT_TRUE(test::allocationCounterInstalled());
    const test::RealtimeViolations before = test::realtimeViolations();
#endif

    // ---- audio thread ----------------------------------------------------------------------
    std::atomic<bool> audioDone{false};
    std::atomic<std::size_t> blocksDone{0};
    std::size_t blocksWithHelpers = 0;
    std::size_t nonFiniteBlocks = 0;
    float loudest = 0.0f;
    double worstBlockSeconds = 0.0;
    double totalSeconds = 0.0;
    std::thread audio([&] {
        AudioBuffer out(2, kBlockFrames);
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
        const test::CountedRealtimeScope counted;
#endif
        const auto start = Clock::now();
        for (std::size_t b = 0; b < blocks; ++b) {
            const auto t0 = Clock::now();
            device.process(ConstBufferView{}, out.view());
            const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            worstBlockSeconds = std::max(worstBlockSeconds, seconds);
            blocksWithHelpers += engine->lastBlockHelpersApprox() > 0 ? 1 : 0;
            bool finite = true;
            for (ChannelCount c = 0; c < 2; ++c) {
                for (FrameCount i = 0; i < kBlockFrames; ++i) {
                    const float s = out.channel(c)[i];
                    finite = finite && std::isfinite(s);
                    loudest = std::max(loudest, std::abs(s));
                }
            }
            nonFiniteBlocks += finite ? 0 : 1;
            blocksDone.store(b + 1, std::memory_order_relaxed);
        }
        totalSeconds = std::chrono::duration<double>(Clock::now() - start).count();
        audioDone.store(true, std::memory_order_release);
    });

    // ---- control thread 2: parameters, timed ramps, automation lanes, transport ---------------
    std::size_t parameterCommands = 0;
    std::size_t laneSwaps = 0;
    std::thread parameters([&] {
        ControlSender sender = engine->createSender();
        std::vector<ParameterHandle> handles;
        for (const ReferenceTrack& track : session.tracks) {
            handles.push_back(engine->parameter(track.fader, "gain"));
            handles.push_back(engine->parameter(track.fader, "pan"));
            handles.push_back(engine->parameter(track.eq[1], "frequency"));
            handles.push_back(engine->parameter(track.compressor, "threshold"));
            handles.push_back(engine->parameter(track.sends.back(), "gain"));
        }
        for (const ReferenceBus& bus : session.buses) {
            handles.push_back(engine->parameter(bus.compressor, "ratio"));
        }
        for (NodeId reverb : session.returns) {
            handles.push_back(engine->parameter(reverb, "decay"));
            handles.push_back(engine->parameter(reverb, "damping"));
        }
        handles.push_back(engine->parameter(session.master, "ceiling"));
        const ParameterHandle automated = engine->parameter(session.tracks[1].fader, "pan");
        static_cast<void>(sender.trySetLoop(0, 2 * static_cast<SampleTime>(kSampleRate)));
        static_cast<void>(sender.tryPlay());

        std::uint64_t step = 0;
        while (!audioDone.load(std::memory_order_acquire)) {
            for (int k = 0; k < 8; ++k, ++step) {
                const ParameterHandle& handle = handles[(step * 7919) % handles.size()];
                const float u = static_cast<float>((step * 2654435761u) % 1000) / 1000.0f;
                const float value = handle.minValue() + u * (handle.maxValue() - handle.minValue());
                CommandStatus status = CommandStatus::ok;
                if (step % 3 == 0) {
                    // A ramp a little ahead of the audio: per-sample values inside blocks.
                    const SampleTime at = engine->framesRenderedApprox() + 200;
                    status = sender.trySetParameterAt(handle, value, at, 300);
                } else {
                    status = sender.trySetParameter(handle, value); // a smoothed live change
                }
                parameterCommands += status == CommandStatus::ok ? 1 : 0;
            }
            if (step % 64 == 0) {
                // A new lane for the automated pan: a new automation set for the audio thread.
                const float depth = 0.2f + 0.7f * static_cast<float>((step / 64) % 4) / 4.0f;
                engine->setAutomation(
                    automated, std::make_shared<const AutomationLane>(
                                   std::vector<Breakpoint>{{0, -depth, CurveShape::linear},
                                                           {48000, depth, CurveShape::sCurve},
                                                           {96000, -depth, CurveShape::linear}}));
                ++laneSwaps;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
    });

    // ---- control thread 1 (this one): edited graphs committed while audio plays --------------
    SessionEditor editor(graph, session);
    std::size_t commits = 0;
    std::size_t latencyChanges = 0;
    while (!audioDone.load(std::memory_order_acquire)) {
        if (editor.next()) {
            latencyChanges += engine->update() ? 1 : 0;
        } else {
            engine->commit(graph);
        }
        ++commits;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    audio.join();
    parameters.join();

#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    // Read before the engine goes: a worker that exits frees its std::thread state on its own
    // thread, inside the scope that outlives its loop.
    const test::RealtimeViolations after = test::realtimeViolations();
#endif
    const std::size_t planSwaps = engine->planSwapsApprox();
    const ControlStats stats = engine->controlStatsApprox();
    device.stop();
    engine->collectGarbage();

    const double meanBlockUs = 1e6 * totalSeconds / static_cast<double>(blocks);
    std::printf("harness: %zu tracks, %zu blocks of %u frames in %.1f s: %.1f us per block "
                "(period %.0f us), worst %.0f us; %zu blocks used helpers; %zu commits (%zu "
                "latency changes), %zu plan swaps; %zu parameter commands, %zu lane swaps\n",
                tracks, blocks, kBlockFrames, totalSeconds, meanBlockUs,
                1e6 * kBlockFrames / kSampleRate, 1e6 * worstBlockSeconds, blocksWithHelpers,
                commits, latencyChanges, planSwaps, parameterCommands, laneSwaps);
    RecordProperty("mean_block_us", std::to_string(meanBlockUs));
    RecordProperty("plan_swaps", std::to_string(planSwaps));

    EXPECT_EQ(blocksDone.load(), blocks);
    EXPECT_EQ(nonFiniteBlocks, 0u);
    EXPECT_GT(loudest, 0.01f);
    EXPECT_LE(loudest, 1.0f); // the master limiter's ceiling is -1 dB
    EXPECT_GT(commits, 2u);
    EXPECT_GT(planSwaps, 2u);
    EXPECT_GT(parameterCommands, 10u);
    EXPECT_EQ(stats.sequenceErrors, 0u);
    EXPECT_GE(gHelpersStarted.load(), 1u);
    EXPECT_GT(blocksWithHelpers, 0u) << "the workers never took part: nothing checked on them";
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    EXPECT_EQ(after.allocations - before.allocations, 0u);
    EXPECT_EQ(after.deallocations - before.deallocations, 0u);
    EXPECT_EQ(after.locks - before.locks, 0u);
#endif
}

} // namespace
} // namespace fluxforge
