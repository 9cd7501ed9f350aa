// EngineCallback: an engine behind a device renders exactly what the engine renders on its own
// (no added latency, whatever the device's block size), and a stream at another sample rate is
// refused with a message naming both rates.
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/device/engine_callback.hpp>
#include <fluxforge/device/host_driven_device.hpp>
#include <fluxforge/device/offline_device.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/nodes/impulse_source.hpp>
#include <fluxforge/nodes/latency_test_node.hpp>
#include <fluxforge/nodes/noise_source.hpp>

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>

namespace fluxforge {
namespace {

// Noise and an impulse at frame 1000 through a 300-frame latent node: a graph whose output says
// exactly when each sample was rendered.
Graph makeGraph() {
    Graph graph(GraphConfig{0, 2});
    const NodeId noise =
        graph.add(std::make_shared<NoiseSource>(NoiseSourceConfig{.seed = 7, .channels = 2}));
    const NodeId impulse = graph.add(
        std::make_shared<ImpulseSource>(ImpulseSourceConfig{.time = 1000, .channels = 2}));
    const NodeId latent = graph.add(
        std::make_shared<LatencyTestNode>(LatencyTestNodeConfig{.latency = 300, .channels = 2}));
    graph.connect(impulse, latent);
    graph.connect(latent, graph.output());
    graph.connect(noise, graph.output());
    return graph;
}

bool sameBits(const AudioBuffer& a, const AudioBuffer& b) {
    if (a.numChannels() != b.numChannels() || a.numFrames() != b.numFrames()) {
        return false;
    }
    for (ChannelCount c = 0; c < a.numChannels(); ++c) {
        for (FrameCount i = 0; i < a.numFrames(); ++i) {
            if (std::bit_cast<std::uint32_t>(a.channel(c)[i]) !=
                std::bit_cast<std::uint32_t>(b.channel(c)[i])) {
                return false;
            }
        }
    }
    return true;
}

EngineConfig engineConfig(SampleRate rate = 48000.0) {
    EngineConfig config;
    config.sampleRate = rate;
    config.maxBlockSize = 256;
    config.workers = 1;
    return config;
}

TEST(EngineCallbackTest, ADeviceAtAnotherSampleRateIsRefusedNamingBothRates) {
    Engine engine(engineConfig(48000.0));
    EngineCallback callback(engine);
    OfflineDevice device({.sampleRate = 44100.0, .blockFrames = 512, .outputChannels = 2});
    try {
        device.start(callback);
        FAIL() << "start() accepted a 44.1 kHz stream for a 48 kHz engine";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("44100 Hz"), std::string::npos) << message;
        EXPECT_NE(message.find("48000 Hz"), std::string::npos) << message;
        EXPECT_NE(message.find("EngineConfig::sampleRate"), std::string::npos) << message;
    }
    EXPECT_NE(device.state(), DeviceState::running);
    EXPECT_FALSE(callback.stream().has_value());
    EXPECT_EQ(engine.framesRenderedApprox(), 0);
}

TEST(EngineCallbackTest, AnOfflineRenderIsTheEnginesOwnOutputSampleForSample) {
    constexpr FrameCount frames = 6000;
    AudioBuffer direct(2, frames);
    {
        Engine engine(engineConfig());
        engine.commit(makeGraph());
        engine.process({}, direct.view());
    }
    // Device blocks shorter than, equal to and longer than the engine's largest block.
    for (const FrameCount blockFrames : {64u, 256u, 1000u}) {
        Engine engine(engineConfig());
        engine.commit(makeGraph());
        EngineCallback callback(engine);
        OfflineDevice device(
            {.sampleRate = 48000.0, .blockFrames = blockFrames, .outputChannels = 2});
        const AudioBuffer rendered = device.renderToBuffer(callback, frames);
        EXPECT_TRUE(sameBits(rendered, direct)) << "device blocks of " << blockFrames;
        ASSERT_TRUE(callback.stream().has_value());
        EXPECT_EQ(callback.stream()->blockFrames, blockFrames);
        EXPECT_EQ(callback.splitsBlocks(), blockFrames > 256u);
        EXPECT_EQ(callback.blocksApprox(), (frames + blockFrames - 1) / blockFrames);
        EXPECT_EQ(callback.xrunBlocksApprox(), 0u);
        // The impulse comes out exactly the PDC latency after it was made: nothing else added.
        EXPECT_EQ(engine.outputLatency(), 300u);
    }
}

TEST(EngineCallbackTest, TheDeviceInputReachesTheGraphInTheSameBlock) {
    Engine engine(engineConfig());
    Graph graph(GraphConfig{1, 1});
    graph.connect(graph.input(), graph.output());
    engine.commit(graph);
    EngineCallback callback(engine);
    HostDrivenDevice device(
        {.sampleRate = 48000.0, .maxBlockFrames = 512, .inputChannels = 1, .outputChannels = 1});
    device.start(callback);
    AudioBuffer in(1, 480);
    AudioBuffer out(1, 480);
    for (FrameCount i = 0; i < 480; ++i) {
        in.channel(0)[i] = static_cast<float>(i) * 0.001f;
    }
    device.process(in.view(), out.view());
    device.stop();
    EXPECT_TRUE(sameBits(in, out));
    EXPECT_EQ(callback.blocksApprox(), 1u);
}

TEST(EngineCallbackTest, OneCallbackServesOneDeviceAfterAnother) {
    Engine engine(engineConfig());
    engine.commit(makeGraph());
    EngineCallback callback(engine);
    OfflineDevice first({.sampleRate = 48000.0, .blockFrames = 128, .outputChannels = 2});
    static_cast<void>(first.renderToBuffer(callback, 1024));
    OfflineDevice second({.sampleRate = 48000.0, .blockFrames = 512, .outputChannels = 2});
    static_cast<void>(second.renderToBuffer(callback, 1024));
    EXPECT_EQ(callback.stream()->blockFrames, 512u);
    EXPECT_EQ(callback.blocksApprox(), 8u + 2u);
    EXPECT_EQ(engine.framesRenderedApprox(), 2048);
}

TEST(EngineCallbackTest, XrunsTheDeviceReportsReachTheEnginesMetrics) {
    Engine engine(engineConfig());
    engine.commit(makeGraph());
    EngineCallback callback(engine);
    callback.streamStarting({48000.0, 128, 128, 0, 2});
    AudioBuffer out(2, 128);
    CallbackInfo info;
    callback.processAudio({}, out.view(), info);
    info.xruns = XrunFlags::outputUnderflow;
    callback.processAudio({}, out.view(), info);
    info.xruns = XrunFlags::outputUnderflow | XrunFlags::inputOverflow;
    callback.processAudio({}, out.view(), info);
    EXPECT_EQ(callback.xrunBlocksApprox(), 2u);
    EXPECT_EQ(engine.metrics().block.deviceXruns, 2u); // one per block the device flagged
    EXPECT_EQ(engine.metrics().block.blocks, 3u);
}

} // namespace
} // namespace fluxforge
