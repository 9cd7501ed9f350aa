// The audio APIs (backends) this build of the device layer can open.
#pragma once

#include <string>
#include <vector>

namespace fluxforge::device {

/// One audio API compiled into the RtAudio library this program links.
struct AudioApiInfo {
    std::string name;        ///< short name, e.g. "jack", "alsa", "pulse"
    std::string displayName; ///< human-readable name, e.g. "Jack", "ALSA"
};

/// The APIs compiled into the linked RtAudio, in RtAudio's order of preference.
/// Thread: control. Real-time safe: no. Allocates: yes.
[[nodiscard]] std::vector<AudioApiInfo> compiledAudioApis();

/// The version string of the linked RtAudio.
/// Thread: any. Real-time safe: no. Allocates: yes.
[[nodiscard]] std::string rtAudioVersion();

} // namespace fluxforge::device
