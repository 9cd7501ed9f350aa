// Latency accounting on JACK: an impulse sent through a loopback comes back exactly
// latency().roundTripFrames() later, and a stream connected to the server's own ports reports
// the latency the server declares for them plus RtAudio's one period of input delay.
#include "jack_test_support.hpp"

#include <fluxforge/device/rtaudio_device.hpp>

#include <gtest/gtest.h>

#include <regex>

namespace fluxforge::test {
namespace {

/// Emits one impulse on output channel 0 at a chosen frame and notes when it comes back on input
/// channel 0.
class ImpulseProbe final : public AudioCallback {
public:
    void processAudio(ConstBufferView input, BufferView output,
                      const CallbackInfo& info) noexcept override {
        const SampleTime emitAt = emitAt_.load(std::memory_order_acquire);
        for (FrameCount i = 0; i < output.numFrames(); ++i) {
            if (emitAt >= 0 && info.streamFrame + i == emitAt) {
                output.channel(0)[i] = 1.0f;
            }
        }
        for (FrameCount i = 0; i < input.numFrames(); ++i) {
            if (emitAt >= 0 && arrivedAt_.load(std::memory_order_relaxed) < 0 &&
                input.channel(0)[i] > 0.5f) {
                arrivedAt_.store(info.streamFrame + i, std::memory_order_release);
            }
        }
        streamFrame_.store(info.streamFrame + output.numFrames(), std::memory_order_release);
    }

    /// Emits the impulse at a frame a little ahead of the stream, `offset` frames into a block.
    void emitSoon(FrameCount block, FrameCount offset) {
        const SampleTime now = streamFrame_.load(std::memory_order_acquire);
        const SampleTime at = (now / block + 4) * block + offset;
        emitAt_.store(at, std::memory_order_release);
    }

    [[nodiscard]] SampleTime emitAt() const { return emitAt_.load(std::memory_order_acquire); }
    [[nodiscard]] SampleTime arrivedAt() const {
        return arrivedAt_.load(std::memory_order_acquire);
    }

private:
    std::atomic<SampleTime> emitAt_{-1};
    std::atomic<SampleTime> arrivedAt_{-1};
    std::atomic<SampleTime> streamFrame_{0};
};

TEST(JackLatencyTest, AnImpulseReturnsThroughALoopbackAfterExactlyTheReportedRoundTrip) {
    RtAudioDevice device;
    device.open(jackConfig(1, 1));
    ImpulseProbe probe;
    device.start(probe);
    connectJackPorts(device.jackPortName(StreamDirection::output, 0),
                     device.jackPortName(StreamDirection::input, 0));
    const StreamLatency latency = device.latency();
    const FrameCount block = device.streamInfo().blockFrames;
    // Our ports connect only to each other: JACK adds nothing (a client reads its own output of
    // the same cycle), RtAudio delivers the input one period late.
    EXPECT_EQ(latency.outputFrames, 0u);
    EXPECT_EQ(latency.inputFrames, block);

    probe.emitSoon(block, 37); // mid-block, so an off-by-a-block error cannot hide
    ASSERT_TRUE(waitUntil([&] { return probe.arrivedAt() >= 0; }, std::chrono::seconds(5)));
    device.stop();
    const SampleTime measured = probe.arrivedAt() - probe.emitAt();
    EXPECT_EQ(measured, static_cast<SampleTime>(latency.roundTripFrames()));
    RecordProperty("measured_round_trip_frames", static_cast<int>(measured));
}

/// JACK's latency range maximum of a port as jack_lsp -l prints it.
FrameCount serverPortLatency(const std::string& port, const std::string& kind) {
    const CommandResult result = runCommand({"jack_lsp", "-l", port});
    const std::regex pattern("port " + kind + " latency = \\[ ([0-9]+) ([0-9]+) \\]");
    std::smatch match;
    EXPECT_TRUE(std::regex_search(result.output, match, pattern)) << result.output;
    return match.empty() ? 0 : static_cast<FrameCount>(std::stoul(match[2].str()));
}

TEST(JackLatencyTest, ConnectedToTheServerPortsItReportsTheirLatencyPlusOnePeriodOfInput) {
    RtAudioConfig config = jackConfig(2, 2);
    config.jackPorts = JackPortConnection::automatic;
    RtAudioDevice device;
    device.open(config);
    ImpulseProbe probe;
    device.start(probe);
    // The dummy driver declares capture latency = one period and, in the server's default
    // asynchronous mode, playback latency = two periods.
    const FrameCount playback = serverPortLatency("system:playback_1", "playback");
    const FrameCount capture = serverPortLatency("system:capture_1", "capture");
    ASSERT_TRUE(waitUntil([&] { return device.latency().outputFrames == playback; },
                          std::chrono::seconds(2)));
    const StreamLatency latency = device.latency();
    device.stop();
    const FrameCount block = device.streamInfo().blockFrames;
    EXPECT_EQ(playback, 2 * block);
    EXPECT_EQ(capture, block);
    EXPECT_EQ(latency.outputFrames, playback);
    EXPECT_EQ(latency.inputFrames, capture + block);
    RecordProperty("round_trip_frames", static_cast<int>(latency.roundTripFrames()));
}

} // namespace
} // namespace fluxforge::test
