// OfflineDevice: renders a callback into memory or a WAV file in fixed blocks, faster than real
// time, with progress and cancellation.
#include <fluxforge/core/error.hpp>
#include <fluxforge/device/offline_device.hpp>

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <unistd.h>
#include <vector>

namespace fluxforge {
namespace {

/// A sine on every channel (channel c at 100 * (c + 1) Hz, amplitude `gain`) plus the input;
/// notes the size of each block.
class SineCallback final : public AudioCallback {
public:
    explicit SineCallback(float gain = 0.5f)
        : gain_(gain) {
        blockFrames_.reserve(1 << 16);
    }
    void streamStarting(const StreamInfo& info) override { info_ = info; }
    void processAudio(ConstBufferView input, BufferView output,
                      const CallbackInfo& info) noexcept override {
        if (blockFrames_.size() < blockFrames_.capacity()) {
            blockFrames_.push_back(output.numFrames());
        }
        for (ChannelCount c = 0; c < output.numChannels(); ++c) {
            for (FrameCount i = 0; i < output.numFrames(); ++i) {
                const float in = c < input.numChannels() ? input.channel(c)[i] : 0.0f;
                output.channel(c)[i] = value(c, info.streamFrame + i) + in;
            }
        }
    }
    [[nodiscard]] float value(ChannelCount c, SampleTime frame) const {
        const double phase = 2.0 * std::numbers::pi * 100.0 * (c + 1) * static_cast<double>(frame) /
                             info_.sampleRate;
        return gain_ * static_cast<float>(std::sin(phase));
    }

    float gain_;
    StreamInfo info_;
    std::vector<FrameCount> blockFrames_;
};

struct Shape {
    SampleRate sampleRate;
    FrameCount blockFrames;
};

class OfflineDeviceTest : public ::testing::TestWithParam<Shape> {
protected:
    OfflineConfig config(ChannelCount outputs = 2, ChannelCount inputs = 0) const {
        OfflineConfig c;
        c.sampleRate = GetParam().sampleRate;
        c.blockFrames = GetParam().blockFrames;
        c.outputChannels = outputs;
        c.inputChannels = inputs;
        return c;
    }
};

TEST_P(OfflineDeviceTest, RendersIntoMemoryInFixedBlocks) {
    OfflineDevice device(config());
    SineCallback callback;
    const FrameCount frames = 10 * GetParam().blockFrames + 13;
    const AudioBuffer rendered = device.renderToBuffer(callback, frames);
    ASSERT_EQ(rendered.numFrames(), frames);
    ASSERT_EQ(rendered.numChannels(), 2u);
    for (ChannelCount c = 0; c < 2; ++c) {
        for (FrameCount i = 0; i < frames; ++i) {
            ASSERT_EQ(rendered.channel(c)[i], callback.value(c, i)) << c << " " << i;
        }
    }
    ASSERT_EQ(callback.blockFrames_.size(), 11u);
    for (std::size_t b = 0; b + 1 < callback.blockFrames_.size(); ++b) {
        EXPECT_EQ(callback.blockFrames_[b], GetParam().blockFrames);
    }
    EXPECT_EQ(callback.blockFrames_.back(), 13u);
    EXPECT_EQ(device.stats().frames, frames);
    EXPECT_EQ(device.state(), DeviceState::stopped);
}

TEST_P(OfflineDeviceTest, FeedsTheInputBlockByBlockAndSilencePastItsEnd) {
    OfflineDevice device(config(1, 1));
    AudioBuffer input(1, 1000);
    for (FrameCount i = 0; i < 1000; ++i) {
        input.channel(0)[i] = 0.25f;
    }
    SineCallback callback(0.0f); // output = input
    RenderOptions options;
    options.input = std::as_const(input).view();
    const AudioBuffer rendered = device.renderToBuffer(callback, 1500, options);
    for (FrameCount i = 0; i < 1500; ++i) {
        ASSERT_EQ(rendered.channel(0)[i], i < 1000 ? 0.25f : 0.0f) << i;
    }
}

/// Reads a whole WAV file back as interleaved floats.
std::vector<float> readWav(const std::filesystem::path& path, SF_INFO& info) {
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    EXPECT_NE(file, nullptr) << sf_strerror(nullptr);
    if (file == nullptr) {
        return {};
    }
    std::vector<float> samples(static_cast<std::size_t>(info.frames * info.channels));
    sf_readf_float(file, samples.data(), info.frames);
    sf_close(file);
    return samples;
}

std::filesystem::path temporaryWav(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("fluxforge-" + name + "-" + std::to_string(getpid()) + ".wav");
}

TEST_P(OfflineDeviceTest, RendersAFloatWavFileThatReadsBackExactly) {
    OfflineDevice device(config());
    SineCallback callback;
    const std::filesystem::path path = temporaryWav("float");
    const FrameCount frames = 3 * GetParam().blockFrames + 5;
    const RenderResult result = device.renderToFile(callback, path, frames);
    EXPECT_EQ(result.framesRendered, frames);
    EXPECT_FALSE(result.cancelled);

    SF_INFO info{};
    const std::vector<float> samples = readWav(path, info);
    std::filesystem::remove(path);
    EXPECT_EQ(info.samplerate, static_cast<int>(GetParam().sampleRate));
    EXPECT_EQ(info.channels, 2);
    EXPECT_EQ(info.format, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    ASSERT_EQ(info.frames, frames);
    for (FrameCount i = 0; i < frames; ++i) {
        for (ChannelCount c = 0; c < 2; ++c) {
            ASSERT_EQ(samples[std::size_t{i} * 2 + c], callback.value(c, i));
        }
    }
}

INSTANTIATE_TEST_SUITE_P(RatesAndBlocks, OfflineDeviceTest,
                         ::testing::Values(Shape{44100.0, 64}, Shape{48000.0, 512},
                                           Shape{96000.0, 1000}),
                         [](const ::testing::TestParamInfo<Shape>& p) {
                             return std::to_string(static_cast<int>(p.param.sampleRate)) + "Hz_" +
                                    std::to_string(p.param.blockFrames) + "frames";
                         });

TEST(OfflineRenderTest, IntegerWavFilesClipInsteadOfWrappingAround) {
    OfflineDevice device(OfflineConfig{});
    SineCallback loud(4.0f); // far beyond full scale
    const std::filesystem::path path = temporaryWav("pcm16");
    RenderOptions options;
    options.fileFormat = WavSampleFormat::pcm16;
    device.renderToFile(loud, path, 4800, options);
    SF_INFO info{};
    const std::vector<float> samples = readWav(path, info);
    std::filesystem::remove(path);
    EXPECT_EQ(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    float lowest = 0.0f;
    float highest = 0.0f;
    for (std::size_t i = 0; i < samples.size(); i += 2) { // channel 0
        lowest = std::min(lowest, samples[i]);
        highest = std::max(highest, samples[i]);
        // A wrapped-around sample would flip sign against the sine.
        const float ideal = loud.value(0, static_cast<SampleTime>(i / 2));
        if (std::abs(ideal) > 1.0f) {
            ASSERT_GT(samples[i] * ideal, 0.0f) << i / 2;
        }
    }
    EXPECT_NEAR(highest, 1.0f, 1e-3f);
    EXPECT_NEAR(lowest, -1.0f, 1e-3f);
}

TEST(OfflineRenderTest, ReportsProgressAndCanBeCancelled) {
    OfflineConfig config;
    config.blockFrames = 100;
    OfflineDevice device(config);
    SineCallback callback;
    std::vector<RenderProgress> reports;
    RenderOptions options;
    options.progressIntervalFrames = 1000;
    options.progress = [&](const RenderProgress& progress) {
        reports.push_back(progress);
        return progress.framesDone < 5000; // cancel once 5000 frames are done
    };
    device.start(callback);
    const AudioBuffer rendered = device.renderToBuffer(20000, options);
    device.stop();
    EXPECT_EQ(rendered.numFrames(), 5000u);
    ASSERT_EQ(reports.size(), 5u);
    EXPECT_EQ(reports.front().framesDone, 1000u);
    EXPECT_EQ(reports.back().framesDone, 5000u);
    EXPECT_EQ(reports.back().framesTotal, 20000u);
    EXPECT_DOUBLE_EQ(reports.back().fraction(), 0.25);

    const std::filesystem::path path = temporaryWav("cancelled");
    const RenderResult result = device.renderToFile(callback, path, 20000, options);
    EXPECT_TRUE(result.cancelled);
    EXPECT_EQ(result.framesRendered, 5000u);
    SF_INFO info{};
    (void)readWav(path, info); // a valid, shorter file
    std::filesystem::remove(path);
    EXPECT_EQ(info.frames, 5000);
}

TEST(OfflineRenderTest, RendersMuchFasterThanRealTime) {
    OfflineDevice device(OfflineConfig{});
    SineCallback callback;
    const FrameCount frames = 60 * 48000; // one minute
    double speed = 0.0;
    RenderOptions options;
    options.progress = [&](const RenderProgress& progress) {
        speed = progress.speedFactor(48000.0);
        return true;
    };
    const AudioBuffer rendered = device.renderToBuffer(callback, frames, options);
    EXPECT_EQ(rendered.numFrames(), frames);
    EXPECT_GT(speed, 5.0); // a sine costs nothing: hundreds of times in practice
    RecordProperty("speed_factor", std::to_string(speed));
}

TEST(OfflineRenderTest, AFileThatCannotBeWrittenIsNamedInTheError) {
    OfflineDevice device(OfflineConfig{});
    SineCallback callback;
    const std::filesystem::path path = "/nonexistent-directory/out.wav";
    try {
        device.renderToFile(callback, path, 100);
        ADD_FAILURE() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
    }
    EXPECT_EQ(device.state(), DeviceState::stopped); // the one-call form stopped it again
}

TEST(OfflineRenderTest, RenderingBeforeStartThrows) {
    OfflineDevice device(OfflineConfig{});
    EXPECT_THROW((void)device.renderToBuffer(100), Error);
}

TEST(OfflineRenderTest, RejectsAConfigWithoutOutputOrBlockSize) {
    OfflineConfig noOutput;
    noOutput.outputChannels = 0;
    EXPECT_THROW(OfflineDevice{noOutput}, Error);
    OfflineConfig noBlock;
    noBlock.blockFrames = 0;
    EXPECT_THROW(OfflineDevice{noBlock}, Error);
}

} // namespace
} // namespace fluxforge
