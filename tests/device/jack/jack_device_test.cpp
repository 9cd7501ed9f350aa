// RtAudioDevice on a JACK server with the dummy driver: device listing, the errors of impossible
// requests, and the life cycle of a stream (open, start, stop, start again, close, reopen).
#include "jack_test_support.hpp"

#include <fluxforge/core/error.hpp>
#include <fluxforge/device/audio_apis.hpp>
#include <fluxforge/device/rtaudio_device.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace fluxforge::test {
namespace {

/// Expects `open(config)` to throw fluxforge::Error whose message contains every fragment.
void expectOpenFails(const RtAudioConfig& config, const std::vector<std::string>& fragments) {
    RtAudioDevice device;
    try {
        device.open(config);
        ADD_FAILURE() << "open() accepted the config";
    } catch (const Error& error) {
        const std::string message = error.what();
        for (const std::string& fragment : fragments) {
            EXPECT_NE(message.find(fragment), std::string::npos)
                << "'" << fragment << "' missing from: " << message;
        }
    }
    EXPECT_EQ(device.state(), DeviceState::closed);
}

TEST(JackDeviceTest, ListsTheServerAsADeviceWithItsChannelsAndRate) {
    const std::vector<AudioDeviceInfo> devices = listAudioDevices(AudioApi::jack);
    const auto system = std::find_if(devices.begin(), devices.end(),
                                     [](const auto& info) { return info.name == "system"; });
    ASSERT_NE(system, devices.end());
    EXPECT_EQ(system->outputChannels, 2u);
    EXPECT_EQ(system->inputChannels, 2u);
    EXPECT_EQ(system->sampleRates, std::vector<std::uint32_t>{kJackTestSampleRate});
}

TEST(JackDeviceTest, RejectsASampleRateTheServerDoesNotRunAt) {
    RtAudioConfig config = jackConfig(2, 0);
    config.sampleRate = 44100;
    expectOpenFails(config, {"44100", "48000", "system", "jack"});
}

TEST(JackDeviceTest, RejectsAnUnknownDeviceNamingTheAvailableOnes) {
    RtAudioConfig config = jackConfig(2, 0);
    config.outputDevice = "no-such-device";
    expectOpenFails(config, {"no-such-device", "'system' (2 out, 2 in, 48000 Hz)"});
}

TEST(JackDeviceTest, RejectsAStreamWithoutChannels) {
    expectOpenFails(jackConfig(0, 0), {"no channels"});
}

TEST(JackDeviceTest, RejectsMoreChannelsThanTheDeviceHasWhenConnectingAutomatically) {
    RtAudioConfig config = jackConfig(8, 0);
    config.jackPorts = JackPortConnection::automatic;
    expectOpenFails(config, {"has 2 output channels", "asked for 8"});
}

TEST(JackDeviceTest, RejectsAClientNameAlreadyTaken) {
    RtAudioDevice first;
    first.open(jackConfig(2, 0, "fftaken"));
    expectOpenFails(jackConfig(2, 0, "fftaken"), {"'fftaken' already exists"});
}

TEST(JackDeviceTest, OpensOutputOnlyInputOnlyAndDuplexStreams) {
    struct Shape {
        ChannelCount outputs;
        ChannelCount inputs;
    };
    for (const Shape shape : {Shape{2, 0}, Shape{0, 2}, Shape{1, 2}}) {
        SCOPED_TRACE(std::to_string(shape.outputs) + " out, " + std::to_string(shape.inputs) +
                     " in");
        RtAudioDevice device;
        device.open(jackConfig(shape.outputs, shape.inputs));
        const StreamInfo info = device.streamInfo();
        EXPECT_EQ(info.sampleRate, kJackTestSampleRate);
        EXPECT_EQ(info.blockFrames, kJackTestPeriod); // JACK's period, whatever was asked
        EXPECT_EQ(info.outputChannels, shape.outputs);
        EXPECT_EQ(info.inputChannels, shape.inputs);

        LoopbackRecorder recorder(shape.outputs, shape.inputs, 48000, {440.0, 660.0});
        device.start(recorder);
        EXPECT_EQ(device.state(), DeviceState::running);
        EXPECT_TRUE(waitUntil([&] { return device.stats().callbacks >= 8; }));
        device.stop();
        EXPECT_EQ(device.state(), DeviceState::stopped);
        EXPECT_GE(recorder.recorded(), 8u * kJackTestPeriod);
        device.close();
        EXPECT_EQ(device.state(), DeviceState::closed);
    }
}

TEST(JackDeviceTest, StartsAgainAfterStopWithTheSampleClockRestarted) {
    RtAudioDevice device;
    device.open(jackConfig(2, 2));
    LoopbackRecorder recorder(2, 2, 48000, {440.0, 660.0});
    for (int run = 0; run < 3; ++run) {
        SCOPED_TRACE("run " + std::to_string(run));
        recorder.rewind();
        device.start(recorder);
        ASSERT_TRUE(waitUntil([&] { return recorder.recorded() >= 4 * kJackTestPeriod; }));
        device.stop();
        ASSERT_GE(recorder.blockStarts().size(), 4u);
        for (std::size_t block = 0; block < recorder.blockStarts().size(); ++block) {
            EXPECT_EQ(recorder.blockStarts()[block],
                      static_cast<SampleTime>(block * kJackTestPeriod));
        }
    }
    EXPECT_EQ(recorder.starts(), 3);
    EXPECT_EQ(recorder.stops(), 3);
    // The hooks run on the thread that calls start() and stop(), the audio on another.
    EXPECT_EQ(recorder.startingThread(), std::this_thread::get_id());
    EXPECT_EQ(recorder.stoppedThread(), std::this_thread::get_id());
    EXPECT_NE(recorder.audioThreadHash(), std::hash<std::thread::id>{}(std::this_thread::get_id()));
}

TEST(JackDeviceTest, ReopensAfterClose) {
    RtAudioDevice device;
    for (int round = 0; round < 2; ++round) {
        device.open(jackConfig(2, 0));
        LoopbackRecorder recorder(2, 0, 48000, {440.0, 660.0});
        device.start(recorder);
        EXPECT_TRUE(waitUntil([&] { return device.stats().callbacks >= 4; }));
        device.close(); // stops, then closes
        EXPECT_EQ(recorder.stops(), 1);
        EXPECT_EQ(device.state(), DeviceState::closed);
    }
}

TEST(JackDeviceTest, StartingAClosedDeviceThrows) {
    RtAudioDevice device;
    LoopbackRecorder recorder(2, 0, 1024, {440.0, 660.0});
    EXPECT_THROW(device.start(recorder), Error);
    EXPECT_EQ(recorder.starts(), 0);
}

TEST(JackDeviceTest, ReportsWhatHappenedToTheAudioThreadPriority) {
    RtAudioDevice device;
    device.open(jackConfig(2, 0));
    EXPECT_FALSE(device.audioThreadPriority().has_value());
    LoopbackRecorder recorder(2, 0, 48000, {440.0, 660.0});
    device.start(recorder);
    ASSERT_TRUE(waitUntil([&] { return device.audioThreadPriority().has_value(); }));
    device.stop();
    const ThreadPriorityResult priority = *device.audioThreadPriority();
    // With the server in --no-realtime mode, JACK's client thread starts with normal scheduling;
    // the shim then raises it where the process may (root, CAP_SYS_NICE, an rtprio limit).
    EXPECT_TRUE(priority.status == ThreadPriorityStatus::realtime ||
                priority.status == ThreadPriorityStatus::alreadyRealtime ||
                priority.status == ThreadPriorityStatus::notPermitted)
        << priority.message();
    RecordProperty("audio_thread_priority", priority.message());
    std::printf("audio thread priority: %s\n", priority.message().c_str());
}

} // namespace
} // namespace fluxforge::test
