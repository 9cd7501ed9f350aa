#include <fluxforge/core/audio_buffer.hpp>

#include <gtest/gtest.h>

#include <cstdint>

namespace fluxforge {
namespace {

bool isAligned(const float* p) {
    return reinterpret_cast<std::uintptr_t>(p) % kBufferAlignment == 0;
}

class AudioBufferShapeTest : public ::testing::TestWithParam<std::tuple<ChannelCount, FrameCount>> {
};

TEST_P(AudioBufferShapeTest, StartsZeroedWithEveryChannelAligned) {
    const auto [channels, frames] = GetParam();
    AudioBuffer buffer(channels, frames);
    EXPECT_EQ(buffer.numChannels(), channels);
    EXPECT_EQ(buffer.numFrames(), frames);
    EXPECT_GE(buffer.channelStride(), frames);
    EXPECT_EQ(buffer.channelStride() % (kBufferAlignment / sizeof(float)), 0u);
    for (ChannelCount c = 0; c < channels && frames > 0; ++c) {
        EXPECT_TRUE(isAligned(buffer.channel(c))) << "channel " << c;
        for (FrameCount i = 0; i < frames; ++i) {
            ASSERT_EQ(buffer.channel(c)[i], 0.0f);
        }
    }
}

TEST_P(AudioBufferShapeTest, ChannelsDoNotOverlap) {
    const auto [channels, frames] = GetParam();
    AudioBuffer buffer(channels, frames);
    for (ChannelCount c = 0; c < channels; ++c) {
        for (FrameCount i = 0; i < frames; ++i)
            buffer.channel(c)[i] = static_cast<float>(c + 1);
    }
    for (ChannelCount c = 0; c < channels; ++c) {
        for (FrameCount i = 0; i < frames; ++i) {
            ASSERT_EQ(buffer.channel(c)[i], static_cast<float>(c + 1));
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Shapes, AudioBufferShapeTest,
                         ::testing::Combine(::testing::Values(1u, 2u, 7u),
                                            ::testing::Values(0u, 1u, 15u, 16u, 17u, 64u, 1000u)));

TEST(AudioBufferTest, ViewSeesTheSamePlanarData) {
    AudioBuffer buffer(2, 32);
    buffer.channel(1)[5] = 0.5f;
    const BufferView view = buffer.view();
    EXPECT_EQ(view.numChannels(), 2u);
    EXPECT_EQ(view.numFrames(), 32u);
    EXPECT_EQ(view.channel(1)[5], 0.5f);
    const AudioBuffer& constBuffer = buffer;
    EXPECT_EQ(constBuffer.view().channel(1)[5], 0.5f);
}

TEST(AudioBufferTest, CopyIsDeepAndMoveTransfers) {
    AudioBuffer original(2, 10);
    original.channel(0)[3] = 1.0f;
    AudioBuffer copy = original;
    copy.channel(0)[3] = 2.0f;
    EXPECT_EQ(original.channel(0)[3], 1.0f);
    EXPECT_EQ(copy.channel(0)[3], 2.0f);

    const float* storage = original.channel(0);
    AudioBuffer moved = std::move(original);
    EXPECT_EQ(moved.channel(0), storage);
    EXPECT_EQ(moved.channel(0)[3], 1.0f);
}

TEST(AudioBufferTest, ResizeReshapesAndZeroes) {
    AudioBuffer buffer(1, 8);
    buffer.channel(0)[0] = 3.0f;
    buffer.resize(4, 100);
    EXPECT_EQ(buffer.numChannels(), 4u);
    EXPECT_EQ(buffer.numFrames(), 100u);
    EXPECT_EQ(buffer.channel(0)[0], 0.0f);
}

TEST(AudioBufferTest, ClearZeroesEverySample) {
    AudioBuffer buffer(3, 50);
    for (ChannelCount c = 0; c < 3; ++c)
        buffer.channel(c)[49] = 1.0f;
    buffer.clear();
    for (ChannelCount c = 0; c < 3; ++c)
        EXPECT_EQ(buffer.channel(c)[49], 0.0f);
}

} // namespace
} // namespace fluxforge
