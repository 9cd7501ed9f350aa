#include "rtaudio_backend.hpp"

#include <fluxforge/device/audio_apis.hpp>

#include <array>
#include <utility>

namespace fluxforge {
namespace {

constexpr std::array<std::pair<AudioApi, std::string_view>, 9> kApiNames{{
    {AudioApi::alsa, "alsa"},
    {AudioApi::pulse, "pulse"},
    {AudioApi::oss, "oss"},
    {AudioApi::jack, "jack"},
    {AudioApi::coreAudio, "core"},
    {AudioApi::wasapi, "wasapi"},
    {AudioApi::asio, "asio"},
    {AudioApi::directSound, "ds"},
    {AudioApi::dummy, "dummy"},
}};

} // namespace

std::string_view audioApiName(AudioApi api) noexcept {
    for (const auto& [value, name] : kApiNames) {
        if (value == api) {
            return name;
        }
    }
    return "unknown";
}

std::optional<AudioApi> audioApiFromName(std::string_view name) noexcept {
    for (const auto& [value, apiName] : kApiNames) {
        if (apiName == name) {
            return value;
        }
    }
    return std::nullopt;
}

std::vector<AudioApiInfo> compiledAudioApis() {
    std::vector<RtAudio::Api> apis;
    RtAudio::getCompiledApi(apis);
    std::vector<AudioApiInfo> result;
    result.reserve(apis.size());
    for (RtAudio::Api api : apis) {
        const std::string name = RtAudio::getApiName(api);
        result.push_back({name, RtAudio::getApiDisplayName(api),
                          audioApiFromName(name).value_or(AudioApi::dummy)});
    }
    return result;
}

bool isAudioApiCompiled(AudioApi api) {
    return detail::compiledRtApi(api).has_value();
}

std::string rtAudioVersion() {
    return RtAudio::getVersion();
}

std::vector<AudioDeviceInfo> listAudioDevices(AudioApi api) {
    detail::RtAudioBackend backend(api, nullptr);
    std::vector<AudioDeviceInfo> result;
    for (detail::BackendDevice& device : backend.devices()) {
        result.push_back(std::move(device.info));
    }
    return result;
}

} // namespace fluxforge
