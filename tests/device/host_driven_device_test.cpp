// HostDrivenDevice: a host's own audio callback pumps the engine through planar or interleaved
// buffers of any length.
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/device/host_driven_device.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <utility>
#include <vector>

namespace fluxforge {
namespace {

/// Output channel c = (c + 1) * input channel (c % inputs) + a ramp of the stream frame, so
/// every sample says where it came from. Records block sizes and stream frames (preallocated).
class ProbeCallback final : public AudioCallback {
public:
    explicit ProbeCallback(std::size_t maxBlocks = 4096) {
        blockFrames_.reserve(maxBlocks);
        blockStarts_.reserve(maxBlocks);
    }

    void streamStarting(const StreamInfo& info) override {
        info_ = info;
        ++starts_;
        if (refuse_) {
            throw Error("refused");
        }
    }
    void streamStopped() override { ++stops_; }

    void processAudio(ConstBufferView input, BufferView output,
                      const CallbackInfo& info) noexcept override {
        inside_.store(true, std::memory_order_relaxed);
        if (blockFrames_.size() < blockFrames_.capacity()) {
            blockFrames_.push_back(output.numFrames());
            blockStarts_.push_back(info.streamFrame);
        }
        if (any(info.xruns)) {
            xrunBlocks_.fetch_add(1, std::memory_order_relaxed);
        }
        for (ChannelCount c = 0; c < output.numChannels(); ++c) {
            for (FrameCount i = 0; i < output.numFrames(); ++i) {
                const float in =
                    input.numChannels() > 0 ? input.channel(c % input.numChannels())[i] : 0.0f;
                output.channel(c)[i] = static_cast<float>(c + 1) * in +
                                       1e-3f * static_cast<float>(info.streamFrame + i);
            }
        }
        calls_.fetch_add(1, std::memory_order_relaxed);
        inside_.store(false, std::memory_order_relaxed);
    }

    [[nodiscard]] float expected(ChannelCount c, float in, SampleTime frame) const {
        return static_cast<float>(c + 1) * in + 1e-3f * static_cast<float>(frame);
    }

    bool refuse_ = false;
    StreamInfo info_;
    int starts_ = 0;
    int stops_ = 0;
    std::vector<FrameCount> blockFrames_;
    std::vector<SampleTime> blockStarts_;
    std::atomic<bool> inside_{false};
    std::atomic<std::uint64_t> calls_{0};
    std::atomic<std::uint64_t> xrunBlocks_{0};
};

struct Shape {
    FrameCount maxBlockFrames;
    SampleRate sampleRate;
};

class HostDrivenDeviceTest : public ::testing::TestWithParam<Shape> {
protected:
    HostDrivenConfig config(ChannelCount inputs, ChannelCount outputs) const {
        HostDrivenConfig c;
        c.sampleRate = GetParam().sampleRate;
        c.maxBlockFrames = GetParam().maxBlockFrames;
        c.inputChannels = inputs;
        c.outputChannels = outputs;
        return c;
    }

    /// Host block sizes: 1, the maximum, more than the maximum, and random ones.
    std::vector<FrameCount> hostBlocks() const {
        const FrameCount max = GetParam().maxBlockFrames;
        std::vector<FrameCount> blocks = {1, max, max + 1, 3 * max + 7, 5};
        std::mt19937 random(1234);
        std::uniform_int_distribution<FrameCount> size(1, 4 * max);
        for (int i = 0; i < 20; ++i) {
            blocks.push_back(size(random));
        }
        return blocks;
    }
};

TEST_P(HostDrivenDeviceTest, PlanarBlocksOfAnyLengthReachTheCallbackInPiecesOfAtMostTheMaximum) {
    HostDrivenDevice device(config(2, 2));
    ProbeCallback callback;
    device.start(callback);
    EXPECT_EQ(callback.info_.maxBlockFrames, GetParam().maxBlockFrames);

    SampleTime frame = 0;
    for (const FrameCount frames : hostBlocks()) {
        AudioBuffer input(2, frames);
        AudioBuffer output(2, frames);
        for (ChannelCount c = 0; c < 2; ++c) {
            for (FrameCount i = 0; i < frames; ++i) {
                input.channel(c)[i] = static_cast<float>(c) - 0.25f * static_cast<float>(i % 5);
            }
        }
        device.process(std::as_const(input).view(), output.view());
        for (ChannelCount c = 0; c < 2; ++c) {
            for (FrameCount i = 0; i < frames; ++i) {
                ASSERT_EQ(output.channel(c)[i],
                          callback.expected(c, input.channel(c)[i], frame + i))
                    << "channel " << c << " frame " << i << " of a " << frames << "-frame block";
            }
        }
        frame += frames;
    }
    device.stop();

    SampleTime expectedStart = 0;
    for (std::size_t b = 0; b < callback.blockFrames_.size(); ++b) {
        EXPECT_LE(callback.blockFrames_[b], GetParam().maxBlockFrames);
        EXPECT_GT(callback.blockFrames_[b], 0u);
        EXPECT_EQ(callback.blockStarts_[b], expectedStart);
        expectedStart += callback.blockFrames_[b];
    }
    EXPECT_EQ(expectedStart, frame);
    EXPECT_EQ(device.stats().frames, static_cast<std::uint64_t>(frame));
}

TEST_P(HostDrivenDeviceTest, InterleavedAudioIsConvertedBothWays) {
    constexpr ChannelCount kIn = 2;
    constexpr ChannelCount kOut = 3;
    HostDrivenDevice device(config(kIn, kOut));
    ProbeCallback callback;
    device.start(callback);
    SampleTime frame = 0;
    for (const FrameCount frames : hostBlocks()) {
        std::vector<float> input(std::size_t{frames} * kIn);
        std::vector<float> output(std::size_t{frames} * kOut, -7.0f);
        for (std::size_t i = 0; i < input.size(); ++i) {
            input[i] = 0.01f * static_cast<float>(i % 97);
        }
        device.processInterleaved(input.data(), output.data(), frames);
        for (FrameCount i = 0; i < frames; ++i) {
            for (ChannelCount c = 0; c < kOut; ++c) {
                const float in = input[std::size_t{i} * kIn + c % kIn];
                ASSERT_EQ(output[std::size_t{i} * kOut + c], callback.expected(c, in, frame + i))
                    << "channel " << c << " frame " << i;
            }
        }
        frame += frames;
    }
    device.stop();
}

TEST_P(HostDrivenDeviceTest, RawChannelPointersWork) {
    HostDrivenDevice device(config(1, 2));
    ProbeCallback callback;
    device.start(callback);
    std::vector<float> in(100, 0.5f);
    std::vector<float> left(100);
    std::vector<float> right(100);
    const float* inputs[] = {in.data()};
    float* outputs[] = {left.data(), right.data()};
    device.process(inputs, outputs, 100);
    EXPECT_EQ(left[10], callback.expected(0, 0.5f, 10));
    EXPECT_EQ(right[99], callback.expected(1, 0.5f, 99));
    device.stop();
}

INSTANTIATE_TEST_SUITE_P(BlockSizesAndRates, HostDrivenDeviceTest,
                         ::testing::Values(Shape{64, 44100.0}, Shape{256, 48000.0},
                                           Shape{1024, 96000.0}),
                         [](const ::testing::TestParamInfo<Shape>& p) {
                             return std::to_string(p.param.maxBlockFrames) + "frames_" +
                                    std::to_string(static_cast<int>(p.param.sampleRate)) + "Hz";
                         });

TEST(HostDrivenDeviceLifecycleTest, WithoutACallbackTheOutputIsSilent) {
    HostDrivenDevice device(HostDrivenConfig{});
    std::vector<float> output(2 * 64, 1.0f);
    device.processInterleaved(nullptr, output.data(), 64);
    for (float sample : output) {
        ASSERT_EQ(sample, 0.0f);
    }
    EXPECT_EQ(device.state(), DeviceState::stopped);
    EXPECT_EQ(device.stats().callbacks, 0u);
}

TEST(HostDrivenDeviceLifecycleTest, HooksRunOnStartAndStopAndACallbackMayRefuse) {
    HostDrivenDevice device(HostDrivenConfig{});
    ProbeCallback refusing;
    refusing.refuse_ = true;
    EXPECT_THROW(device.start(refusing), Error);
    EXPECT_EQ(device.state(), DeviceState::stopped);

    ProbeCallback callback;
    device.start(callback);
    EXPECT_EQ(device.state(), DeviceState::running);
    EXPECT_EQ(callback.starts_, 1);
    EXPECT_THROW(device.start(callback), Error); // already started
    device.stop();
    device.stop(); // a second stop does nothing
    EXPECT_EQ(callback.stops_, 1);
    EXPECT_EQ(device.state(), DeviceState::stopped);
}

TEST(HostDrivenDeviceLifecycleTest, XrunsTheHostReportsAreCountedAndPassedToTheNextBlock) {
    HostDrivenDevice device(HostDrivenConfig{});
    ProbeCallback callback;
    device.start(callback);
    std::vector<float> output(2 * 32);
    device.reportXruns(XrunFlags::outputUnderflow);
    device.processInterleaved(nullptr, output.data(), 32);
    device.processInterleaved(nullptr, output.data(), 32);
    device.reportXruns(XrunFlags::outputUnderflow | XrunFlags::inputOverflow);
    device.processInterleaved(nullptr, output.data(), 32);
    device.stop();
    EXPECT_EQ(callback.xrunBlocks_.load(), 2u);
    const XrunCounts xruns = device.stats().xruns;
    EXPECT_EQ(xruns.outputUnderflows, 2u);
    EXPECT_EQ(xruns.inputOverflows, 1u);
    EXPECT_EQ(device.takeNewXruns().total(), 3u);
    EXPECT_EQ(device.takeNewXruns().total(), 0u);
}

TEST(HostDrivenDeviceLifecycleTest, StopWaitsForABlockInProgressOnTheHostThread) {
    HostDrivenDevice device(HostDrivenConfig{});
    std::atomic<bool> quit{false};
    std::thread host([&] {
        std::vector<float> output(2 * 128);
        while (!quit.load()) {
            device.processInterleaved(nullptr, output.data(), 128);
        }
    });
    for (int round = 0; round < 200; ++round) {
        ProbeCallback callback(16);
        device.start(callback);
        while (callback.calls_.load() == 0) {
            std::this_thread::yield();
        }
        device.stop();
        // Once stop() has returned the callback is neither running nor called again.
        EXPECT_FALSE(callback.inside_.load());
        const std::uint64_t calls = callback.calls_.load();
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        ASSERT_EQ(callback.calls_.load(), calls);
    }
    quit = true;
    host.join();
}

TEST(HostDrivenDeviceLifecycleTest, RejectsAConfigWithoutChannelsOrBlockSize) {
    HostDrivenConfig noChannels;
    noChannels.outputChannels = 0;
    EXPECT_THROW(HostDrivenDevice{noChannels}, Error);
    HostDrivenConfig noBlock;
    noBlock.maxBlockFrames = 0;
    EXPECT_THROW(HostDrivenDevice{noBlock}, Error);
}

} // namespace
} // namespace fluxforge
