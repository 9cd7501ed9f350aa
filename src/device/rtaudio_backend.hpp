// RtAudioBackend: one RtAudio instance behind an interface that is the same for RtAudio 5.x
// (errors thrown as RtAudioError, devices by index) and 6.x (errors returned as RtAudioErrorType
// codes and passed to a callback, devices by opaque ID). Failures of calls become
// fluxforge::Error carrying RtAudio's text. Private to the device library: the only place besides
// the .cpp files of the device library that includes <RtAudio.h>.
#pragma once

#include <fluxforge/device/audio_apis.hpp>

#include <RtAudio.h>

#if defined(FLUXFORGE_DEVICE_HAVE_JACK)
#include <jack/types.h>
#endif

#include <memory>
#include <optional>
#include <string>
#include <vector>

#if defined(RTAUDIO_VERSION_MAJOR) && RTAUDIO_VERSION_MAJOR >= 6
#define FLUXFORGE_RTAUDIO_6 1
#else
#define FLUXFORGE_RTAUDIO_6 0
#endif

namespace fluxforge::detail {

class ErrorMailbox;

/// A device as RtAudio knows it: the handle to open it by (5.x: an index, valid until the device
/// list changes; 6.x: an opaque ID), and what it offers.
struct BackendDevice {
    unsigned int handle = 0;
    AudioDeviceInfo info;
};

/// RtAudio's enumerator for `api`, if this RtAudio has it compiled in.
[[nodiscard]] std::optional<RtAudio::Api> compiledRtApi(AudioApi api);

/// "jack, pulse, alsa": the compiled APIs, for messages.
[[nodiscard]] std::string compiledApiNames();

class RtAudioBackend {
public:
    /// Creates the RtAudio instance for `api` (named explicitly, never RtAudio's own choice).
    /// `asyncErrors` receives what RtAudio reports from its own threads (6.x); may be null.
    /// Throws fluxforge::Error if `api` is not compiled in.
    RtAudioBackend(AudioApi api, ErrorMailbox* asyncErrors);
    ~RtAudioBackend();

    RtAudioBackend(const RtAudioBackend&) = delete;
    RtAudioBackend& operator=(const RtAudioBackend&) = delete;

    [[nodiscard]] AudioApi api() const noexcept { return api_; }

    /// The devices the API offers now; devices that cannot be probed are left out.
    [[nodiscard]] std::vector<BackendDevice> devices();

    /// Each throws fluxforge::Error("<what>: <RtAudio's text>") when RtAudio reports an error.
    void openStream(RtAudio::StreamParameters* output, RtAudio::StreamParameters* input,
                    unsigned int sampleRate, unsigned int* bufferFrames, RtAudioCallback callback,
                    void* userData, RtAudio::StreamOptions* options);
    void startStream();
    void abortStream();
    /// Closes an open stream; never throws (errors are dropped: nothing can be done about them).
    void closeStream() noexcept;

    [[nodiscard]] bool isStreamOpen() const noexcept;
    [[nodiscard]] bool isStreamRunning() const noexcept;
    /// RtAudio's stream latency (output + input for duplex), 0 when unknown.
    [[nodiscard]] long streamLatency() noexcept;
    [[nodiscard]] unsigned int streamSampleRate() noexcept;

#if defined(FLUXFORGE_DEVICE_HAVE_JACK)
    /// RtAudio's own JACK client of the open stream, which RtAudio keeps private; null when the
    /// API is not JACK, no stream is open, or this RtAudio's layout is not one we know.
    [[nodiscard]] jack_client_t* jackClient() const noexcept;
#endif

private:
    AudioApi api_;
    std::unique_ptr<RtAudio> rtaudio_;
};

} // namespace fluxforge::detail
