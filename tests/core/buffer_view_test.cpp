#include <fluxforge/core/buffer_view.hpp>

#include <gtest/gtest.h>

#include <array>

namespace fluxforge {
namespace {

struct ThreeChannels {
    std::array<float, 8> a{0, 1, 2, 3, 4, 5, 6, 7};
    std::array<float, 8> b{10, 11, 12, 13, 14, 15, 16, 17};
    std::array<float, 8> c{20, 21, 22, 23, 24, 25, 26, 27};
    std::array<float*, 3> pointers{a.data(), b.data(), c.data()};
    BufferView view() { return {pointers.data(), 3, 8}; }
};

TEST(BufferViewTest, DefaultViewIsEmpty) {
    BufferView view;
    EXPECT_EQ(view.numChannels(), 0u);
    EXPECT_EQ(view.numFrames(), 0u);
    EXPECT_TRUE(view.empty());
}

TEST(BufferViewTest, ChannelsAddressTheCallersSamples) {
    ThreeChannels data;
    const BufferView view = data.view();
    EXPECT_EQ(view.numChannels(), 3u);
    EXPECT_EQ(view.numFrames(), 8u);
    EXPECT_EQ(view.channel(1), data.b.data());
    view.channel(2)[3] = -1.0f;
    EXPECT_EQ(data.c[3], -1.0f);
    EXPECT_EQ(view.channelSpan(0).size(), 8u);
}

TEST(BufferViewTest, SubFramesShiftsEveryChannelWithoutCopying) {
    ThreeChannels data;
    const BufferView sub = data.view().subFrames(2, 4);
    EXPECT_EQ(sub.numFrames(), 4u);
    EXPECT_EQ(sub.numChannels(), 3u);
    EXPECT_EQ(sub.channel(0)[0], 2.0f);
    EXPECT_EQ(sub.channel(2)[3], 25.0f);
    const BufferView subSub = sub.subFrames(1, 2);
    EXPECT_EQ(subSub.channel(1)[0], 13.0f);
    EXPECT_EQ(subSub.frameOffset(), 3u);
}

TEST(BufferViewTest, SubChannelsSelectsARangeOfChannels) {
    ThreeChannels data;
    const BufferView sub = data.view().subFrames(4, 4).subChannels(1, 2);
    EXPECT_EQ(sub.numChannels(), 2u);
    EXPECT_EQ(sub.channel(0)[0], 14.0f);
    EXPECT_EQ(sub.channel(1)[0], 24.0f);
    EXPECT_TRUE(data.view().subChannels(3, 0).empty());
}

TEST(BufferViewTest, WritableViewConvertsToReadOnly) {
    ThreeChannels data;
    const ConstBufferView readOnly = data.view().subFrames(1, 3);
    EXPECT_EQ(readOnly.numFrames(), 3u);
    EXPECT_EQ(readOnly.channel(0)[0], 1.0f);
    static_assert(std::is_convertible_v<BufferView, ConstBufferView>);
    static_assert(!std::is_convertible_v<ConstBufferView, BufferView>);
}

TEST(BufferViewTest, ZeroFramesIsEmptyButKeepsChannels) {
    ThreeChannels data;
    const BufferView none = data.view().subFrames(8, 0);
    EXPECT_TRUE(none.empty());
    EXPECT_EQ(none.numChannels(), 3u);
}

} // namespace
} // namespace fluxforge
