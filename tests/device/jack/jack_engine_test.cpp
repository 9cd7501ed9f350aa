// The engine on a JACK server through EngineCallback: an impulse rendered by the graph, sent out
// through a loopback of the stream's own ports and recorded at the graph's input, comes back
// exactly the device's round trip (RtAudioDevice::latency()) plus the engine's plugin delay
// compensation (Engine::outputLatency()) later: the engine adds nothing of its own. And the
// reference session plays through JACK (in the RealtimeSanitizer build: with the engine's audio
// thread checked inside JACK's callback).
#include "jack_test_support.hpp"

#include <fluxforge/device/engine_callback.hpp>
#include <fluxforge/device/rtaudio_device.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/nodes/impulse_source.hpp>
#include <fluxforge/nodes/latency_test_node.hpp>
#include <fluxforge/nodes/meter.hpp>
#include <fluxforge/research/reference_session.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <string>

namespace fluxforge::test {
namespace {

/// A sink that notes the engine time of every impulse (a sample above 0.5) on its input, up to a
/// fixed number, without allocating.
class ImpulseRecorder final : public Node {
public:
    static constexpr std::size_t kCapacity = 16;

    [[nodiscard]] std::size_t count() const noexcept {
        return count_.load(std::memory_order_acquire);
    }
    [[nodiscard]] SampleTime arrival(std::size_t k) const noexcept { return arrivals_[k]; }

protected:
    NodeProperties describe() const override {
        NodeProperties props;
        props.inputs.push_back({"in", 1});
        return props;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        const float* in = context.inputs[0].channel(0);
        for (FrameCount i = 0; i < context.numFrames; ++i) {
            const std::size_t n = count_.load(std::memory_order_relaxed);
            if (in[i] > 0.5f && n < kCapacity) {
                arrivals_[n] = context.blockStart + i;
                count_.store(n + 1, std::memory_order_release);
            }
        }
    }

private:
    std::array<SampleTime, kCapacity> arrivals_{};
    std::atomic<std::size_t> count_{0};
};

class JackEngineRoundTripTest : public ::testing::TestWithParam<FrameCount> {};

TEST_P(JackEngineRoundTripTest, AnImpulseReturnsAfterTheDeviceRoundTripPlusTheEnginesPdc) {
    const FrameCount latent = GetParam();
    constexpr SampleTime kFirst = 4800 + 37; // mid-block, so an off-by-a-block error cannot hide
    constexpr SampleTime kPeriod = 12000;    // longer than any round trip here
    EngineConfig config;
    config.sampleRate = kJackTestSampleRate;
    config.maxBlockSize = 128; // smaller than JACK's period: process() splits every callback
    config.workers = 1;
    Engine engine(config);
    Graph graph(GraphConfig{1, 1});
    const NodeId impulse = graph.add(std::make_shared<ImpulseSource>(
        ImpulseSourceConfig{.time = kFirst, .period = kPeriod, .amplitude = 1.0f, .channels = 1}));
    const NodeId delay = graph.add(
        std::make_shared<LatencyTestNode>(LatencyTestNodeConfig{.latency = latent, .channels = 1}));
    auto recorder = std::make_shared<ImpulseRecorder>();
    graph.connect(impulse, delay);
    graph.connect(delay, graph.output());
    graph.connect(graph.input(), graph.add(recorder));
    engine.commit(graph);
    ASSERT_EQ(engine.outputLatency(), latent);

    EngineCallback callback(engine);
    RtAudioDevice device;
    device.open(jackConfig(1, 1, "ffengine"));
    device.start(callback);
    connectJackPorts(device.jackPortName(StreamDirection::output, 0),
                     device.jackPortName(StreamDirection::input, 0));
    const StreamLatency latency = device.latency();
    ASSERT_TRUE(waitUntil([&] { return recorder->count() >= 3; }, std::chrono::seconds(10)));
    device.stop();
    EXPECT_TRUE(callback.splitsBlocks());

    const auto expected =
        static_cast<SampleTime>(latency.roundTripFrames()) + engine.outputLatency();
    for (std::size_t k = 0; k < recorder->count(); ++k) {
        const SampleTime measured = (recorder->arrival(k) - kFirst) % kPeriod;
        EXPECT_EQ(measured, expected)
            << "impulse " << k << " arrived at engine time " << recorder->arrival(k);
    }
    RecordProperty("device_round_trip_frames", static_cast<int>(latency.roundTripFrames()));
    RecordProperty("engine_output_latency_frames", static_cast<int>(engine.outputLatency()));
    RecordProperty("measured_frames", static_cast<int>((recorder->arrival(0) - kFirst) % kPeriod));
}

std::string latentName(const ::testing::TestParamInfo<FrameCount>& param) {
    return "latent" + std::to_string(param.param);
}

INSTANTIATE_TEST_SUITE_P(Latencies, JackEngineRoundTripTest, ::testing::Values(0u, 2048u),
                         latentName);

TEST(JackEngineTest, TheReferenceSessionPlaysThroughJack) {
    Graph graph(GraphConfig{0, 2});
    ReferenceSessionConfig session;
    session.tracks = 16;
    session.prepare = {static_cast<SampleRate>(kJackTestSampleRate), kJackTestPeriod};
    const ReferenceSession built = buildReferenceSession(graph, session);
    // A meter between the master and the output, read from here while JACK plays.
    auto meter = std::make_shared<Meter>();
    graph.disconnect(built.master, graph.output());
    const NodeId meterId = graph.add(meter, "meter");
    graph.connect(built.master, meterId);
    graph.connect(meterId, graph.output());

    EngineConfig config;
    config.sampleRate = kJackTestSampleRate;
    config.maxBlockSize = kJackTestPeriod;
    config.workers = 2;
    config.pool.realtimePriority = false;
    Engine engine(config);
    engine.commit(graph);
    EngineCallback callback(engine);
    RtAudioDevice device;
    device.open(jackConfig(2, 0, "ffsession"));
    device.start(callback);
    // One second of audio, with a plan swap in the middle.
    ASSERT_TRUE(
        waitUntil([&] { return engine.framesRenderedApprox() >= 24000; }, std::chrono::seconds(5)));
    engine.commit(graph);
    ASSERT_TRUE(
        waitUntil([&] { return engine.framesRenderedApprox() >= 48000; }, std::chrono::seconds(5)));
    device.stop();
    EXPECT_GE(engine.planSwapsApprox(), 2u);
    EXPECT_GT(meter->peakHoldApprox(0), 0.01f);
    EXPECT_LE(meter->peakHoldApprox(0), 1.0f);
    EXPECT_TRUE(std::isfinite(meter->rmsApprox(1)));
    RecordProperty("xrun_blocks", static_cast<int>(callback.xrunBlocksApprox()));
}

} // namespace
} // namespace fluxforge::test
