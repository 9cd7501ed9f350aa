// RtAudioDevice streaming through a JACK server with the dummy driver: audio sent out comes back
// in through a loopback connection, unchanged, and xruns are counted and reported.
#include "jack_test_support.hpp"

#include <fluxforge/device/rtaudio_device.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace fluxforge::test {
namespace {

/// Loops each output channel back to the same input channel of the stream.
void connectLoopback(const RtAudioDevice& device, ChannelCount channels) {
    for (ChannelCount c = 0; c < channels; ++c) {
        connectJackPorts(device.jackPortName(StreamDirection::output, c),
                         device.jackPortName(StreamDirection::input, c));
    }
}

TEST(JackStreamTest, SinesSentOutComeBackInUnchangedThroughALoopback) {
    constexpr std::size_t kSeconds = 3;
    constexpr std::size_t kCapacity = kSeconds * kJackTestSampleRate;
    ReportCollector reports;
    RtAudioDevice device(reports.handlers());
    device.open(jackConfig(2, 2));
    LoopbackRecorder recorder(2, 2, kCapacity, {440.0, 997.0});
    device.start(recorder);
    connectLoopback(device, 2);
    const FrameCount roundTrip = device.latency().roundTripFrames();
    ASSERT_TRUE(waitUntil([&] { return recorder.recorded() >= kCapacity; },
                          std::chrono::seconds(kSeconds + 5)));
    device.stop();
    const DeviceStats stats = device.stats();

    // Where the loop was connected, every input sample is the output sample of roundTrip frames
    // before (float copies all the way), except around xruns the server reported.
    const std::size_t block = device.streamInfo().blockFrames;
    const auto nearXrun = [&](std::size_t frame) {
        const std::size_t b = frame / block;
        for (std::size_t k = b > 2 ? b - 2 : 0; k <= b + 2 && k < recorder.blocks(); ++k) {
            if (k < recorder.blockStarts().size() && any(recorder.blockXruns(k))) {
                return true;
            }
        }
        return false;
    };
    for (ChannelCount c = 0; c < 2; ++c) {
        SCOPED_TRACE("channel " + std::to_string(c));
        const std::vector<float>& in = recorder.received()[c];
        const std::vector<float>& out = recorder.written()[c];
        const auto first = static_cast<std::size_t>(
            std::find_if(in.begin(), in.end(), [](float x) { return x != 0.0f; }) - in.begin());
        ASSERT_LT(first, kCapacity / 4) << "nothing came back";
        ASSERT_GE(first, roundTrip);
        std::size_t compared = 0;
        std::size_t mismatches = 0;
        for (std::size_t i = first; i < kCapacity; ++i) {
            if (nearXrun(i)) {
                continue;
            }
            ++compared;
            if (in[i] != out[i - roundTrip]) {
                ++mismatches;
            }
        }
        EXPECT_EQ(mismatches, 0u);
        EXPECT_GT(compared, kCapacity / 2);
    }
    // Counters agree with what the blocks were told, and the notifications with the counters.
    EXPECT_EQ(stats.frames, stats.callbacks * block);
    EXPECT_GE(stats.xruns.total(), recorder.flaggedBlocks() > 0 ? 1u : 0u);
    EXPECT_TRUE(waitUntil([&] { return reports.xruns().total() == stats.xruns.total(); },
                          std::chrono::seconds(1)));
    const XrunCounts taken = device.takeNewXruns();
    EXPECT_EQ(taken.total(), stats.xruns.total());
    EXPECT_EQ(device.takeNewXruns().total(), 0u);
    RecordProperty("xruns", static_cast<int>(stats.xruns.total()));
}

/// Spins through several periods in one chosen block: the server misses its deadline.
class OverrunningCallback final : public AudioCallback {
public:
    explicit OverrunningCallback(std::uint64_t overrunBlock)
        : overrunBlock_(overrunBlock) {}

    void processAudio(ConstBufferView, BufferView, const CallbackInfo& info) noexcept override {
        const std::uint64_t block = blocks_.fetch_add(1, std::memory_order_relaxed);
        // Only blocks after the overrun count: on a loaded machine the server may also report a
        // real xrun of its own while the stream starts (seen at block 16 in a CI run).
        if (block > overrunBlock_ && any(info.xruns) &&
            flaggedAt_.load(std::memory_order_relaxed) == 0) {
            flaggedAt_.store(block, std::memory_order_relaxed);
        }
        if (block == overrunBlock_) {
            // Busy-wait (no system call, so it is real-time "safe" for the sanitizer) for four
            // periods of 256 frames at 48 kHz.
            const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(22);
            while (std::chrono::steady_clock::now() < until) {
            }
        }
    }

    [[nodiscard]] std::uint64_t blocks() const { return blocks_.load(std::memory_order_relaxed); }
    /// The first block after the overrun told of an xrun, 0 if none.
    [[nodiscard]] std::uint64_t flaggedAt() const {
        return flaggedAt_.load(std::memory_order_relaxed);
    }

private:
    std::uint64_t overrunBlock_;
    std::atomic<std::uint64_t> blocks_{0};
    std::atomic<std::uint64_t> flaggedAt_{0};
};

TEST(JackStreamTest, ACallbackThatOverrunsItsPeriodIsCountedAndReportedAsAnXrun) {
    ReportCollector reports;
    RtAudioDevice device(reports.handlers());
    device.open(jackConfig(2, 2));
    (void)device.takeNewXruns();
    OverrunningCallback callback(40);
    device.start(callback);
    ASSERT_TRUE(waitUntil([&] { return device.stats().xruns.any(); }, std::chrono::seconds(5)))
        << "no xrun after " << callback.blocks() << " blocks";
    ASSERT_TRUE(waitUntil([&] { return reports.xruns().any(); }, std::chrono::seconds(1)));
    ASSERT_TRUE(waitUntil([&] { return callback.flaggedAt() != 0; }, std::chrono::seconds(1)));
    device.stop();

    const DeviceStats stats = device.stats();
    EXPECT_GT(stats.xruns.outputUnderflows, 0u); // RtAudio flags both directions of a duplex
    EXPECT_GT(stats.xruns.inputOverflows, 0u);
    // The block after the overrun is told (41 in every run here); a few blocks of slack for a
    // loaded machine.
    EXPECT_LE(callback.flaggedAt(), 48u);
    const XrunCounts taken = device.takeNewXruns();
    EXPECT_EQ(taken.total(), stats.xruns.total());
    EXPECT_EQ(device.takeNewXruns().total(), 0u);
    // Reported from the device's notification thread, not the audio thread or this one.
    for (const std::thread::id thread : reports.reportingThreads()) {
        EXPECT_NE(thread, std::this_thread::get_id());
    }
    EXPECT_EQ(device.state(), DeviceState::stopped);
}

} // namespace
} // namespace fluxforge::test
