// Whole-buffer operations: every channel, every frame, and only the viewed frames.
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/buffer_ops.hpp>

#include <gtest/gtest.h>

namespace fluxforge {
namespace {

AudioBuffer filled(ChannelCount channels, FrameCount frames, float value) {
    AudioBuffer buffer(channels, frames);
    for (ChannelCount c = 0; c < channels; ++c) {
        for (FrameCount i = 0; i < frames; ++i)
            buffer.channel(c)[i] = value * static_cast<float>(c + 1);
    }
    return buffer;
}

class BufferOpsTest : public ::testing::TestWithParam<FrameCount> {};

TEST_P(BufferOpsTest, MixAddWithGainSumsEveryChannel) {
    const FrameCount frames = GetParam();
    AudioBuffer dst = filled(2, frames, 1.0f);
    const AudioBuffer src = filled(2, frames, 0.5f);
    mixAdd(dst.view(), src.view(), 2.0f);
    for (ChannelCount c = 0; c < 2; ++c) {
        for (FrameCount i = 0; i < frames; ++i) {
            ASSERT_EQ(dst.channel(c)[i], 2.0f * static_cast<float>(c + 1));
        }
    }
}

TEST_P(BufferOpsTest, CopyThenGainThenPeak) {
    const FrameCount frames = GetParam();
    AudioBuffer dst(3, frames);
    const AudioBuffer src = filled(3, frames, -0.25f);
    copy(dst.view(), src.view());
    applyGain(dst.view(), 2.0f);
    EXPECT_EQ(peak(dst.view()), frames == 0 ? 0.0f : 1.5f);
    mixAdd(dst.view(), src.view());
    EXPECT_EQ(peak(dst.view()), frames == 0 ? 0.0f : 2.25f);
}

TEST_P(BufferOpsTest, OperationsStayInsideASubView) {
    const FrameCount frames = GetParam();
    if (frames < 4)
        GTEST_SKIP();
    AudioBuffer buffer = filled(2, frames, 1.0f);
    clear(buffer.view().subFrames(1, frames - 2));
    EXPECT_EQ(buffer.channel(0)[0], 1.0f);
    EXPECT_EQ(buffer.channel(1)[frames - 1], 2.0f);
    EXPECT_EQ(buffer.channel(1)[1], 0.0f);
    EXPECT_EQ(peak(buffer.view().subFrames(1, frames - 2)), 0.0f);
}

TEST_P(BufferOpsTest, GainRampFadesOutEveryChannel) {
    const FrameCount frames = GetParam();
    AudioBuffer buffer = filled(2, frames, 1.0f);
    applyGainRamp(buffer.view(), 1.0f, 0.0f);
    if (frames > 0) {
        EXPECT_EQ(buffer.channel(1)[0], 2.0f);
        EXPECT_LT(buffer.channel(1)[frames - 1], 2.0f / static_cast<float>(frames) + 1e-6f);
    }
}

INSTANTIATE_TEST_SUITE_P(BlockSizes, BufferOpsTest,
                         ::testing::Values(0u, 1u, 17u, 64u, 128u, 1000u, 4096u));

} // namespace
} // namespace fluxforge
