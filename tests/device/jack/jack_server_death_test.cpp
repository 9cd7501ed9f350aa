// A JACK server that dies under a stream: the device reports the loss (never crashes or hangs),
// closes, and opens again on a restarted server.
#include "jack_test_support.hpp"

#include <fluxforge/core/error.hpp>
#include <fluxforge/device/rtaudio_device.hpp>

#include <gtest/gtest.h>

#include <csignal>

namespace fluxforge::test {
namespace {

class JackServerDeathTest : public ::testing::TestWithParam<int> {};

TEST_P(JackServerDeathTest, ARunningStreamIsReportedLostAndReopensOnARestartedServer) {
    if (!jackServer().becomeParentOfServer()) {
        GTEST_SKIP() << jackServer().error();
    }
    ReportCollector reports;
    RtAudioDevice device(reports.handlers());
    device.open(jackConfig(2, 2));
    LoopbackRecorder recorder(2, 2, 48000, {440.0, 660.0});
    device.start(recorder);
    ASSERT_TRUE(waitUntil([&] { return device.stats().callbacks >= 8; }));

    // RtAudio's own shutdown handler (which announces itself on stderr) must not run: the device
    // takes the event over, because that handler's closing thread can end the program
    // (docs/devices.md, "A server that dies").
    testing::internal::CaptureStderr();
    const bool killed = jackServer().kill(GetParam());
    const bool lost = killed && waitUntil([&] { return device.state() == DeviceState::lost; },
                                          std::chrono::seconds(3));
    const bool reported =
        lost && waitUntil([&] { return reports.hasError(DeviceErrorKind::streamLost); },
                          std::chrono::seconds(1));
    const bool startRefused = [&] {
        try {
            device.start(recorder); // lost: must be reopened
        } catch (const Error&) {
            return true;
        }
        return false;
    }();
    const auto closing = std::chrono::steady_clock::now();
    device.close();
    const auto closeTime = std::chrono::steady_clock::now() - closing;
    const std::string printed = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(killed) << jackServer().error();
    EXPECT_TRUE(lost);
    EXPECT_TRUE(reported);
    EXPECT_TRUE(startRefused);
    EXPECT_EQ(printed.find("RtApiJack: the Jack server is shutting down"), std::string::npos)
        << printed;
    EXPECT_LT(closeTime, std::chrono::seconds(3));
    EXPECT_EQ(device.state(), DeviceState::closed);
    EXPECT_EQ(recorder.stops(), 1);

    // With no server, opening says so.
    EXPECT_THROW(device.open(jackConfig(2, 2)), Error);

    ASSERT_TRUE(jackServer().restart()) << jackServer().error();
    device.open(jackConfig(2, 2));
    recorder.rewind();
    device.start(recorder);
    EXPECT_TRUE(waitUntil([&] { return recorder.recorded() >= 8 * kJackTestPeriod; }));
    device.stop();
    device.close();
}

TEST_P(JackServerDeathTest, AStoppedStreamIsReportedLostToo) {
    if (!jackServer().becomeParentOfServer()) {
        GTEST_SKIP() << jackServer().error();
    }
    ReportCollector reports;
    RtAudioDevice device(reports.handlers());
    device.open(jackConfig(2, 0));
    ASSERT_TRUE(jackServer().kill(GetParam())) << jackServer().error();
    EXPECT_TRUE(
        waitUntil([&] { return device.state() == DeviceState::lost; }, std::chrono::seconds(3)));
    EXPECT_TRUE(reports.hasError(DeviceErrorKind::streamLost) ||
                waitUntil([&] { return reports.hasError(DeviceErrorKind::streamLost); }));
    device.close();
    ASSERT_TRUE(jackServer().restart()) << jackServer().error();
    device.open(jackConfig(2, 0));
    EXPECT_EQ(device.state(), DeviceState::stopped);
}

TEST(JackServerStallTest, AServerThatStopsCallingIsReportedAsStalledAndTheStreamRecovers) {
    if (!jackServer().becomeParentOfServer()) {
        GTEST_SKIP() << jackServer().error();
    }
    ReportCollector reports;
    RtAudioDevice device(reports.handlers());
    RtAudioConfig config = jackConfig(2, 0);
    config.stallTimeout = std::chrono::milliseconds(150);
    device.open(config);
    LoopbackRecorder recorder(2, 0, 48000, {440.0, 660.0});
    device.start(recorder);
    ASSERT_TRUE(waitUntil([&] { return device.stats().callbacks >= 4; }));

    ASSERT_EQ(::kill(jackServer().childPid(), SIGSTOP), 0); // the server hangs
    const bool stalled = waitUntil([&] { return reports.hasError(DeviceErrorKind::stalled); },
                                   std::chrono::seconds(2));
    ::kill(jackServer().childPid(), SIGCONT);
    EXPECT_TRUE(stalled);
    EXPECT_EQ(device.state(), DeviceState::running); // a stall is not a loss
    const std::uint64_t before = device.stats().callbacks;
    EXPECT_TRUE(waitUntil([&] { return device.stats().callbacks > before + 4; }));
    device.stop();
    device.close();
}

INSTANTIATE_TEST_SUITE_P(Signals, JackServerDeathTest, ::testing::Values(SIGTERM, SIGKILL),
                         [](const ::testing::TestParamInfo<int>& p) {
                             return p.param == SIGKILL ? std::string("Killed")
                                                       : std::string("Terminated");
                         });

} // namespace
} // namespace fluxforge::test
