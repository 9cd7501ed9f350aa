// Four control threads send parameter changes while the audio thread renders 100,000 blocks. Every
// command must arrive, each sender's in the order it sent them, with no allocation and no lock on
// the audio thread. Runs in every build (the ThreadSanitizer one included).
#include "engine/control_test_support.hpp"
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
#include "support/allocation_counter.hpp"
#endif

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

namespace fluxforge {
namespace {

using test::ParameterProbe;

constexpr int kSenders = 4;
constexpr int kBlocks = 100000;
constexpr FrameCount kFrames = 64;
// Each sender's values are 1, 2, 3, ...: exact in a float far beyond this count.
constexpr std::uint32_t kCommandsPerSender = 100000;

TEST(ControlQueueStressTest, CommandsFromFourThreadsAllArriveInOrderPerSender) {
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    const auto before = test::realtimeViolations();
#endif
    // No smoothing: each change is a step at the start of the block that drains it, so the
    // probe's output shows each sender's latest value block by block.
    Engine engine(test::engineConfig(48000.0, kFrames, 0.0));
    std::vector<ParameterInfo> parameters;
    for (int s = 0; s < kSenders; ++s) {
        parameters.push_back(
            {"sender" + std::to_string(s), "Sender", 0.0f, 1e7f, 0.0f, "", Automatable::yes});
    }
    auto probe = std::make_shared<ParameterProbe>(parameters);
    const NodeId id = test::commitSingle(engine, probe, kSenders);
    std::array<ParameterHandle, kSenders> handles;
    std::array<ControlSender, kSenders> senders;
    for (int s = 0; s < kSenders; ++s) {
        handles[s] = engine.parameter(id, static_cast<std::size_t>(s));
        senders[s] = engine.createSender({256});
    }

    std::atomic<int> blocksDone{0};
    std::atomic<int> sendersRunning{kSenders};
    std::atomic<bool> outOfOrder{false};
    std::atomic<bool> notConstant{false};
    AudioBuffer out(kSenders, kFrames);
    std::thread audio([&] {
        std::array<float, kSenders> last{};
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
        const test::CountedRealtimeScope counted;
#endif
        // At least kBlocks, and on until every sender has finished (so none waits on a full
        // queue that nobody drains), then a few more to apply what is still queued.
        int tail = 0;
        for (int b = 0; b < kBlocks || tail < 4; ++b) {
            if (b >= kBlocks && sendersRunning.load(std::memory_order_acquire) == 0) {
                ++tail;
            }
            engine.process({}, out.view());
            for (int s = 0; s < kSenders; ++s) {
                const float* channel = out.channel(static_cast<ChannelCount>(s));
                // A sender's values only ever grow: anything smaller came out of order.
                if (channel[0] < last[s]) {
                    outOfOrder.store(true, std::memory_order_relaxed);
                }
                if (channel[kFrames - 1] != channel[0]) {
                    notConstant.store(true, std::memory_order_relaxed);
                }
                last[s] = channel[0];
            }
            blocksDone.store(b + 1, std::memory_order_release);
        }
    });

    std::vector<std::thread> threads;
    for (int s = 0; s < kSenders; ++s) {
        threads.emplace_back([&, s] {
            // Paced to about one command per block, so that sending spans the whole render.
            std::uint32_t next = 1;
            while (next <= kCommandsPerSender) {
                const int done = blocksDone.load(std::memory_order_acquire);
                if (next > static_cast<std::uint32_t>(done) + 64) {
                    std::this_thread::yield();
                    continue;
                }
                const CommandStatus status =
                    senders[s].trySetParameter(handles[s], static_cast<float>(next));
                if (status == CommandStatus::ok) {
                    ++next;
                } else if (status == CommandStatus::queueFull) {
                    std::this_thread::yield(); // reported, not dropped: try again
                } else {
                    ADD_FAILURE() << commandStatusMessage(status);
                    break;
                }
            }
            sendersRunning.fetch_sub(1, std::memory_order_release);
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    audio.join();

    EXPECT_FALSE(outOfOrder.load());
    EXPECT_FALSE(notConstant.load());
    const ControlStats stats = engine.controlStatsApprox();
    EXPECT_EQ(stats.sequenceErrors, 0u);
    EXPECT_EQ(stats.commandsUnrouted, 0u);
    EXPECT_EQ(stats.commandsApplied, std::uint64_t{kSenders} * kCommandsPerSender);
    for (int s = 0; s < kSenders; ++s) {
        EXPECT_EQ(senders[s].sentCount(), kCommandsPerSender);
        EXPECT_EQ(senders[s].deliveredApprox(), kCommandsPerSender) << "sender " << s;
        EXPECT_EQ(out.channel(static_cast<ChannelCount>(s))[0],
                  static_cast<float>(kCommandsPerSender))
            << "sender " << s << "'s last value is the one that stays";
        EXPECT_EQ(engine.parameterValueApprox(handles[s]), static_cast<float>(kCommandsPerSender));
    }
#if FLUXFORGE_TEST_COUNT_ALLOCATIONS
    const auto after = test::realtimeViolations();
    EXPECT_EQ(after.allocations - before.allocations, 0u);
    EXPECT_EQ(after.deallocations - before.deallocations, 0u);
    EXPECT_EQ(after.locks - before.locks, 0u);
#endif
}

// Senders come and go while audio runs: each one's commands are applied even if it is destroyed
// right after sending, and the engine forgets closed senders once they are drained.
TEST(ControlQueueStressTest, SendersCreatedAndDestroyedWhileRendering) {
    Engine engine(test::engineConfig(48000.0, kFrames, 0.0));
    auto probe = ParameterProbe::single(0.0f, 1e7f, 0.0f);
    const NodeId id = test::commitSingle(engine, probe, 1);
    const ParameterHandle handle = engine.parameter(id, "value");
    std::atomic<bool> stop{false};
    std::thread audio([&] {
        AudioBuffer out(1, kFrames);
        while (!stop.load(std::memory_order_acquire)) {
            engine.process({}, out.view());
        }
    });
    std::uint64_t sent = 0;
    for (int round = 1; round <= 2000; ++round) {
        ControlSender sender = engine.createSender({8});
        while (sender.trySetParameter(handle, static_cast<float>(round)) != CommandStatus::ok) {
            std::this_thread::yield();
        }
        ++sent;
    }
    // Let the audio thread drain the last one.
    while (engine.controlStatsApprox().commandsApplied < sent) {
        std::this_thread::yield();
    }
    stop.store(true, std::memory_order_release);
    audio.join();
    EXPECT_EQ(engine.controlStatsApprox().sequenceErrors, 0u);
    EXPECT_EQ(engine.parameterValueApprox(handle), 2000.0f);
}

// A control thread replaces the lane 2,000 times and recommits the graph now and then (a plan swap
// rebinds every lane) while the audio thread plays: every block must carry one whole lane's value,
// and no lane may be freed while the audio thread still reads it (the sanitizer builds check).
TEST(ControlQueueStressTest, LanesReplacedAndPlansSwappedWhilePlaying) {
    Engine engine(test::engineConfig(48000.0, kFrames, 0.0));
    auto probe = ParameterProbe::single(0.0f, 1e7f, 0.0f);
    Graph graph(GraphConfig{0, 1});
    const NodeId id = graph.add(probe, "probe");
    graph.connect(id, graph.output());
    engine.commit(graph);
    const ParameterHandle handle = engine.parameter(id, "value");
    ControlSender sender = engine.createSender();
    ASSERT_EQ(sender.tryPlay(), CommandStatus::ok);

    constexpr int kEdits = 2000;
    std::atomic<bool> stop{false};
    std::atomic<bool> badBlock{false};
    std::thread audio([&] {
        AudioBuffer out(1, kFrames);
        while (!stop.load(std::memory_order_acquire)) {
            engine.process({}, out.view());
            // Lane k holds k until timeline 2^40: flat, so the block is one constant.
            const float v = out.channel(0)[0];
            bool ok = v == std::floor(v) && v >= 0.0f && v <= static_cast<float>(kEdits);
            for (FrameCount i = 1; i < kFrames; ++i) {
                ok = ok && out.channel(0)[i] == v;
            }
            if (!ok) {
                badBlock.store(true, std::memory_order_relaxed);
            }
        }
    });
    for (int k = 1; k <= kEdits; ++k) {
        engine.setAutomation(handle, std::make_shared<const AutomationLane>(std::vector<Breakpoint>{
                                         {0, static_cast<float>(k), CurveShape::step},
                                         {SampleTime{1} << 40, 0.0f}}));
        if (k % 50 == 0) {
            engine.commit(graph);
        }
        std::this_thread::yield();
    }
    // The audio thread takes the last lane at its next block.
    while (engine.parameterValueApprox(handle) != static_cast<float>(kEdits)) {
        std::this_thread::yield();
    }
    stop.store(true, std::memory_order_release);
    audio.join();
    engine.collectGarbage();
    EXPECT_FALSE(badBlock.load());
}

} // namespace
} // namespace fluxforge
