// The guard on a real JACK server (docs/prefetch.md): a session at a 64-frame period whose
// prefetchable node takes three times the period every 50th block. With the guard off the spikes
// land in the JACK callback and JACK counts xruns; with the guard normal they land in the prefetch
// renderer, which has the horizon to absorb them.
//
// The server is this program's own: `jackd -n ffguard -R -P 70 ... -d dummy -p 64` (TOOLCHAIN.md:
// at 64 frames only a real-time server is free of false xruns on this machine). Where the OS
// refuses real-time scheduling the test is skipped, saying so.
#include "jack_server.hpp"

#include <fluxforge/device/engine_callback.hpp>
#include <fluxforge/device/rtaudio_device.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/research/reference_session.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <sched.h>
#include <signal.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fluxforge::test {
namespace {

constexpr FrameCount kPeriod = 64;
constexpr const char* kServerName = "ffguard";

/// A named real-time JACK server with the dummy driver, for this program alone.
class RealtimeJackServer {
public:
    RealtimeJackServer() {
        setenv("JACK_DEFAULT_SERVER", kServerName, 1);
        preventJackAutostart();
        const std::string log = (std::filesystem::temp_directory_path() /
                                 ("fluxforge-jackd-guard-" + std::to_string(getpid()) + ".log"))
                                    .string();
        pid_ = fork();
        if (pid_ == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) {
                dup2(fd, STDOUT_FILENO);
                dup2(fd, STDERR_FILENO);
            }
            execlp("jackd", "jackd", "-n", kServerName, "-R", "-P", "70", "-p", "128", "-t", "5000",
                   "-d", "dummy", "-r", "48000", "-p", std::to_string(kPeriod).c_str(), "-C", "0",
                   "-P", "2", static_cast<char*>(nullptr));
            _exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!jackServerRunning() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    ~RealtimeJackServer() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
        }
        unsetenv("JACK_DEFAULT_SERVER");
    }
    RealtimeJackServer(const RealtimeJackServer&) = delete;
    RealtimeJackServer& operator=(const RealtimeJackServer&) = delete;

    [[nodiscard]] bool running() const { return pid_ > 0 && jackServerRunning(); }
    /// Whether one of the server's threads runs under SCHED_FIFO (its driver thread does when
    /// -R was granted).
    [[nodiscard]] bool realtime() const {
        std::error_code error;
        const std::filesystem::path tasks = "/proc/" + std::to_string(pid_) + "/task";
        for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
            const pid_t tid = std::stoi(task.path().filename().string());
            if (sched_getscheduler(tid) == SCHED_FIFO) {
                return true;
            }
        }
        return false;
    }

private:
    pid_t pid_ = -1;
};

/// Passes stereo through; busy three periods on each block holding a frame at a multiple of
/// 50 periods (engine time), so the spikes come as often at any block size.
class SpikeNode final : public Node {
protected:
    NodeProperties describe() const override { return NodeProperties::processor(2, 0.2); }
    void onProcess(const ProcessContext& context) noexcept override {
        constexpr SampleTime kEvery = 50 * kPeriod;
        const SampleTime next = (context.blockStart + kEvery - 1) / kEvery * kEvery;
        if (next < context.blockStart + static_cast<SampleTime>(context.numFrames)) {
            const auto until = std::chrono::steady_clock::now() +
                               std::chrono::microseconds(3 * 1000000 * kPeriod / 48000);
            while (std::chrono::steady_clock::now() < until) {
            }
        }
        for (ChannelCount c = 0; c < 2; ++c) {
            std::copy_n(context.inputs[0].channel(c), context.numFrames,
                        context.outputs[0].channel(c));
        }
    }
};

struct GuardRun {
    std::uint64_t xruns = 0;
    std::uint64_t misses = 0;
    std::uint64_t underruns = 0;
    SampleTime frames = 0;
};

GuardRun playSpikingSession(GuardLevel guard, std::chrono::seconds duration) {
    Graph graph(GraphConfig{0, 2});
    ReferenceSessionConfig shape;
    shape.tracks = 8;
    shape.buses = 2;
    shape.prepare = {48000.0, 1024};
    const ReferenceSession session = buildReferenceSession(graph, shape);
    const NodeId spike = graph.add(std::make_shared<SpikeNode>(), "spike");
    graph.disconnect(session.master, graph.output());
    graph.connect(session.master, spike);
    graph.connect(spike, graph.output());

    EngineConfig config;
    config.sampleRate = 48000.0;
    config.maxBlockSize = kPeriod;
    config.workers = 2;
    config.prefetch.guard = guard;
    config.prefetch.blockFrames = 1024;
    Engine engine(config);
    engine.commit(graph);
    ControlSender sender = engine.createSender();
    EXPECT_EQ(sender.tryPlay(), CommandStatus::ok);
    EngineCallback callback(engine);
    RtAudioDevice device;
    RtAudioConfig stream;
    stream.api = AudioApi::jack;
    stream.outputChannels = 2;
    stream.inputChannels = 0;
    stream.sampleRate = 48000;
    stream.blockFrames = kPeriod;
    stream.streamName = std::string("ffguard-") + std::string(guardLevelName(guard));
    stream.jackPorts = JackPortConnection::manual;
    device.open(stream);
    device.start(callback);
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // the renderer fills the rings
    const std::uint64_t xrunsBefore = callback.xrunBlocksApprox();
    engine.resetMetrics();
    const SampleTime framesBefore = engine.framesRenderedApprox();
    std::this_thread::sleep_for(duration);
    GuardRun run;
    run.xruns = callback.xrunBlocksApprox() - xrunsBefore;
    run.misses = engine.metrics().block.deadlineMisses;
    run.underruns = engine.prefetchUnderrunsApprox();
    run.frames = engine.framesRenderedApprox() - framesBefore;
    device.stop();
    return run;
}

TEST(JackGuardTest, SpikingSessionAtSixtyFourFramesHasNoXrunsWithTheGuardNormal) {
    const RealtimeJackServer server;
    ASSERT_TRUE(server.running()) << "jackd -n ffguard -R did not come up";
    if (!server.realtime()) {
        GTEST_SKIP() << "the OS refused real-time scheduling to jackd -R: at a 64-frame period a "
                        "non-real-time JACK server counts false xruns on this machine";
    }
    const GuardRun off = playSpikingSession(GuardLevel::off, std::chrono::seconds(4));
    const GuardRun normal = playSpikingSession(GuardLevel::normal, std::chrono::seconds(4));
    std::printf("[ measured ] 4 s at 64 frames, 15 spikes of 3 periods a second: guard off %llu "
                "JACK xruns (%llu misses), guard normal %llu JACK xruns (%llu misses, %llu "
                "underruns)\n",
                static_cast<unsigned long long>(off.xruns),
                static_cast<unsigned long long>(off.misses),
                static_cast<unsigned long long>(normal.xruns),
                static_cast<unsigned long long>(normal.misses),
                static_cast<unsigned long long>(normal.underruns));
    RecordProperty("xruns_guard_off", static_cast<int>(off.xruns));
    RecordProperty("xruns_guard_normal", static_cast<int>(normal.xruns));
    EXPECT_GT(off.frames, 48000 * 3);
    EXPECT_GT(normal.frames, 48000 * 3);
    // Every spike overruns the period with the guard off; with it on, none reaches the callback
    // (the engine's own deadline misses). JACK's xrun count is printed beside them: the dummy
    // driver also counts xruns of its own when the machine is loaded (seen here: 2 at load 4, 56
    // at load 9 with no miss in the callback), so it is reported, not asserted.
    EXPECT_GE(off.misses, 20u);
    EXPECT_LE(normal.misses * 10, off.misses);
}

} // namespace
} // namespace fluxforge::test
