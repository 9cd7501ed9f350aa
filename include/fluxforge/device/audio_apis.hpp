// The audio APIs (backends) this build of the device layer can open, and their devices.
#pragma once

#include <fluxforge/core/types.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fluxforge {

/// An audio API RtAudio can drive. Which ones exist depends on how RtAudio was built
/// (compiledAudioApis()); Debian's RtAudio 5.2 has jack, pulse and alsa.
enum class AudioApi {
    alsa,
    pulse,
    oss,
    jack,
    coreAudio,
    wasapi,
    asio,
    directSound,
    dummy,
};

/// RtAudio's short name of an API: "alsa", "pulse", "oss", "jack", "core", "wasapi", "asio",
/// "ds", "dummy". Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] std::string_view audioApiName(AudioApi api) noexcept;

/// The API with that short name (as audioApiName spells it), if any.
/// Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] std::optional<AudioApi> audioApiFromName(std::string_view name) noexcept;

/// One audio API compiled into the RtAudio library this program links.
struct AudioApiInfo {
    std::string name;        ///< short name, e.g. "jack", "alsa", "pulse"
    std::string displayName; ///< human-readable name, e.g. "Jack", "ALSA"
    AudioApi api = AudioApi::dummy;
};

/// The APIs compiled into the linked RtAudio, in RtAudio's order of preference.
/// Thread: control. Real-time safe: no. Allocates: yes.
[[nodiscard]] std::vector<AudioApiInfo> compiledAudioApis();

/// Whether `api` is compiled into the linked RtAudio.
/// Thread: control. Real-time safe: no. Allocates: yes.
[[nodiscard]] bool isAudioApiCompiled(AudioApi api);

/// The version string of the linked RtAudio.
/// Thread: any. Real-time safe: no. Allocates: yes.
[[nodiscard]] std::string rtAudioVersion();

/// One device of an API, as the API reports it now.
struct AudioDeviceInfo {
    /// The device's name: what RtAudioConfig::outputDevice / inputDevice select. On JACK it is
    /// the client whose ports the stream connects to ("system").
    std::string name;
    ChannelCount outputChannels = 0;
    ChannelCount inputChannels = 0;
    ChannelCount duplexChannels = 0;
    bool isDefaultOutput = false;
    bool isDefaultInput = false;
    /// The sample rates the device can run at (on JACK: the server's rate only).
    std::vector<std::uint32_t> sampleRates;
    /// The rate the API prefers (the server's or the system mixer's), 0 when it has no preference.
    std::uint32_t preferredSampleRate = 0;
};

/// The devices `api` offers right now. An API with no devices (no sound card, no JACK server)
/// gives an empty list. Throws fluxforge::Error if `api` is not compiled in.
/// Thread: control. Real-time safe: no (asks the audio system). Allocates: yes.
[[nodiscard]] std::vector<AudioDeviceInfo> listAudioDevices(AudioApi api);

} // namespace fluxforge
