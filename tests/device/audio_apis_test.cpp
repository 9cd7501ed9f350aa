// The audio APIs of the linked RtAudio and how they are named; the checks RtAudioDevice makes
// before it touches any audio system.
#include <fluxforge/core/error.hpp>
#include <fluxforge/device/audio_apis.hpp>
#include <fluxforge/device/rtaudio_device.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace fluxforge {
namespace {

constexpr AudioApi kAllApis[] = {AudioApi::alsa, AudioApi::pulse,       AudioApi::oss,
                                 AudioApi::jack, AudioApi::coreAudio,   AudioApi::wasapi,
                                 AudioApi::asio, AudioApi::directSound, AudioApi::dummy};

TEST(AudioApisTest, EveryApiNameMapsBackToItsApi) {
    for (AudioApi api : kAllApis) {
        const std::string_view name = audioApiName(api);
        ASSERT_FALSE(name.empty());
        EXPECT_EQ(audioApiFromName(name), api) << name;
    }
    EXPECT_FALSE(audioApiFromName("no-such-api").has_value());
}

TEST(AudioApisTest, CompiledApisAreNamedAndRecognised) {
    const std::vector<AudioApiInfo> apis = compiledAudioApis();
    ASSERT_FALSE(apis.empty());
    for (const AudioApiInfo& info : apis) {
        EXPECT_FALSE(info.displayName.empty());
        ASSERT_TRUE(audioApiFromName(info.name).has_value()) << info.name;
        EXPECT_EQ(info.api, *audioApiFromName(info.name));
        EXPECT_TRUE(isAudioApiCompiled(info.api));
    }
    EXPECT_FALSE(rtAudioVersion().empty());
}

/// An API this RtAudio lacks (on Linux, the Windows ones), if any.
std::optional<AudioApi> missingApi() {
    for (AudioApi api : kAllApis) {
        if (!isAudioApiCompiled(api)) {
            return api;
        }
    }
    return std::nullopt;
}

TEST(AudioApisTest, ListingAnApiThatIsNotCompiledInNamesTheOnesThatAre) {
    const std::optional<AudioApi> api = missingApi();
    if (!api) {
        GTEST_SKIP() << "every API is compiled in";
    }
    try {
        (void)listAudioDevices(*api);
        ADD_FAILURE() << "no error";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(std::string(audioApiName(*api))), std::string::npos) << message;
        EXPECT_NE(message.find(compiledAudioApis().front().name), std::string::npos) << message;
    }
}

TEST(RtAudioDeviceTest, RejectsAStreamWithoutChannelsBeforeAskingTheAudioSystem) {
    RtAudioDevice device;
    RtAudioConfig config;
    config.outputChannels = 0;
    config.inputChannels = 0;
    try {
        device.open(config);
        ADD_FAILURE() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("no channels"), std::string::npos);
    }
    EXPECT_EQ(device.state(), DeviceState::closed);
}

TEST(RtAudioDeviceTest, RejectsAnApiThatIsNotCompiledIn) {
    const std::optional<AudioApi> api = missingApi();
    if (!api) {
        GTEST_SKIP() << "every API is compiled in";
    }
    RtAudioDevice device;
    RtAudioConfig config;
    config.api = *api;
    EXPECT_THROW(device.open(config), Error);
    EXPECT_EQ(device.state(), DeviceState::closed);
}

TEST(RtAudioDeviceTest, AClosedDeviceReportsNothingAndRefusesToStart) {
    RtAudioDevice device;
    EXPECT_EQ(device.state(), DeviceState::closed);
    EXPECT_EQ(device.streamInfo().sampleRate, 0.0);
    EXPECT_EQ(device.latency().roundTripFrames(), 0u);
    EXPECT_EQ(device.stats().callbacks, 0u);
    EXPECT_FALSE(device.config().has_value());
    struct Silent final : AudioCallback {
        void processAudio(ConstBufferView, BufferView, const CallbackInfo&) noexcept override {}
    } callback;
    EXPECT_THROW(device.start(callback), Error);
    device.stop();  // nothing to stop: no effect
    device.close(); // nothing to close: no effect
    EXPECT_EQ(device.state(), DeviceState::closed);
}

} // namespace
} // namespace fluxforge
