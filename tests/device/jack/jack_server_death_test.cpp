// A JACK server that dies under a stream: the device reports the loss (never crashes or hangs),
// closes, and opens again on a restarted server.
#include "jack_test_support.hpp"

#include <fluxforge/core/error.hpp>
#include <fluxforge/device/rtaudio_device.hpp>

#include <gtest/gtest.h>

#include <csignal>

namespace fluxforge::test {
namespace {

using device::DeviceErrorKind;
using device::DeviceState;
using device::RtAudioDevice;

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FLUXFORGE_TEST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define FLUXFORGE_TEST_TSAN 1
#endif

class JackServerDeathTest : public ::testing::TestWithParam<int> {};

TEST_P(JackServerDeathTest, ARunningStreamIsReportedLostAndReopensOnARestartedServer) {
#if defined(FLUXFORGE_TEST_TSAN)
    // When the server dies under a running stream, RtAudio 5 closes the JACK client from a thread
    // of its own, started by libjack's. ThreadSanitizer sees none of the synchronisation inside
    // libjack (not instrumented; futexes in shared memory), so that close of the client's socket
    // is reported against the reads start() made on it long before. The other builds run this.
    GTEST_SKIP() << "RtAudio's JACK shutdown thread is opaque to ThreadSanitizer";
#endif
    if (!jackServer().becomeParentOfServer()) {
        GTEST_SKIP() << jackServer().error();
    }
    ReportCollector reports;
    RtAudioDevice device(reports.handlers());
    device.open(jackConfig(2, 2));
    LoopbackRecorder recorder(2, 2, 48000, {440.0, 660.0});
    device.start(recorder);
    ASSERT_TRUE(waitUntil([&] { return device.stats().callbacks >= 8; }));

    ASSERT_TRUE(jackServer().kill(GetParam())) << jackServer().error();
    EXPECT_TRUE(
        waitUntil([&] { return device.state() == DeviceState::lost; }, std::chrono::seconds(3)));
    EXPECT_TRUE(waitUntil([&] { return reports.hasError(DeviceErrorKind::streamLost); },
                          std::chrono::seconds(1)));
    EXPECT_THROW(device.start(recorder), Error); // lost: must be reopened

    const auto closing = std::chrono::steady_clock::now();
    device.close();
    EXPECT_LT(std::chrono::steady_clock::now() - closing, std::chrono::seconds(3));
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
    device::RtAudioConfig config = jackConfig(2, 0);
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
