#include <fluxforge/device/audio_apis.hpp>

#include <RtAudio.h>

namespace fluxforge::device {

std::vector<AudioApiInfo> compiledAudioApis() {
    std::vector<RtAudio::Api> apis;
    RtAudio::getCompiledApi(apis);
    std::vector<AudioApiInfo> result;
    result.reserve(apis.size());
    for (RtAudio::Api api : apis) {
        result.push_back({RtAudio::getApiName(api), RtAudio::getApiDisplayName(api)});
    }
    return result;
}

std::string rtAudioVersion() {
    return RtAudio::getVersion();
}

} // namespace fluxforge::device
