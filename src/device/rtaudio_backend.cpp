#include "rtaudio_backend.hpp"

#include "error_mailbox.hpp"

#include <fluxforge/core/error.hpp>

#include <utility>

namespace fluxforge::detail {
namespace {

#if FLUXFORGE_RTAUDIO_6
// RtAudio 6 reports errors through a callback, possibly on the thread of the failing call. While
// this thread is inside one of our calls, the text is captured here and thrown with the call's
// failure; otherwise (RtAudio's own threads) it goes to the device's mailbox.
thread_local std::string* tlsCapturedError = nullptr;

class CaptureErrors {
public:
    CaptureErrors() noexcept
        : previous_(tlsCapturedError) {
        tlsCapturedError = &text_;
    }
    ~CaptureErrors() { tlsCapturedError = previous_; }
    CaptureErrors(const CaptureErrors&) = delete;
    CaptureErrors& operator=(const CaptureErrors&) = delete;

    [[nodiscard]] const std::string& text() const noexcept { return text_; }

private:
    std::string text_;
    std::string* previous_;
};

DeviceErrorKind errorKind(RtAudioErrorType type) noexcept {
    switch (type) {
    case RTAUDIO_WARNING:
        return DeviceErrorKind::backendWarning;
    case RTAUDIO_DEVICE_DISCONNECT:
        return DeviceErrorKind::streamLost;
    default:
        return DeviceErrorKind::backendError;
    }
}

/// Runs an RtAudio 6 call; throws Error(what: text) if it returns an error code.
template <typename Call>
void checked(RtAudio& rtaudio, const char* what, Call&& call) {
    CaptureErrors capture;
    const RtAudioErrorType result = call();
    if (result != RTAUDIO_NO_ERROR && result != RTAUDIO_WARNING) {
        const std::string text = capture.text().empty() ? rtaudio.getErrorText() : capture.text();
        throw Error(std::string(what) + ": " + text);
    }
}
#else
/// Runs an RtAudio 5 call; turns its RtAudioError into Error(what: text).
template <typename Call>
void checked(RtAudio& /*rtaudio*/, const char* what, Call&& call) {
    try {
        call();
    } catch (const RtAudioError& error) {
        throw Error(std::string(what) + ": " + error.getMessage());
    }
}
#endif

AudioDeviceInfo toDeviceInfo(const RtAudio::DeviceInfo& info) {
    AudioDeviceInfo result;
    result.name = info.name;
    result.outputChannels = info.outputChannels;
    result.inputChannels = info.inputChannels;
    result.duplexChannels = info.duplexChannels;
    result.isDefaultOutput = info.isDefaultOutput;
    result.isDefaultInput = info.isDefaultInput;
    result.sampleRates.assign(info.sampleRates.begin(), info.sampleRates.end());
    result.preferredSampleRate = info.preferredSampleRate;
    return result;
}

} // namespace

std::optional<RtAudio::Api> compiledRtApi(AudioApi api) {
    const std::string name(audioApiName(api));
    std::vector<RtAudio::Api> apis;
    RtAudio::getCompiledApi(apis);
    for (RtAudio::Api candidate : apis) {
        if (RtAudio::getApiName(candidate) == name) {
            return candidate;
        }
    }
    return std::nullopt;
}

std::string compiledApiNames() {
    std::vector<RtAudio::Api> apis;
    RtAudio::getCompiledApi(apis);
    std::string names;
    for (RtAudio::Api api : apis) {
        names += (names.empty() ? "" : ", ") + RtAudio::getApiName(api);
    }
    return names.empty() ? std::string("none") : names;
}

RtAudioBackend::RtAudioBackend(AudioApi api, ErrorMailbox* asyncErrors)
    : api_(api) {
    const std::optional<RtAudio::Api> rtApi = compiledRtApi(api);
    if (!rtApi) {
        throw Error("audio API '" + std::string(audioApiName(api)) +
                    "' is not compiled into the linked RtAudio " + RtAudio::getVersion() +
                    " (compiled: " + compiledApiNames() + ")");
    }
#if FLUXFORGE_RTAUDIO_6
    ErrorMailbox* mailbox = asyncErrors;
    rtaudio_ = std::make_unique<RtAudio>(
        *rtApi, [mailbox](RtAudioErrorType type, const std::string& text) {
            if (tlsCapturedError != nullptr) {
                *tlsCapturedError += (tlsCapturedError->empty() ? "" : "; ") + text;
            } else if (mailbox != nullptr) {
                mailbox->post(errorKind(type), text);
            }
        });
#else
    // RtAudio 5 reports asynchronous trouble only by closing the stream (seen by the device's
    // notification thread) or on stderr; its error callback has no user pointer.
    (void)asyncErrors;
    try {
        rtaudio_ = std::make_unique<RtAudio>(*rtApi);
    } catch (const RtAudioError& error) {
        throw Error("cannot create RtAudio for API '" + std::string(audioApiName(api)) +
                    "': " + error.getMessage());
    }
    // RtAudio 5 prints warnings to stderr, from its audio threads too; we report what matters
    // ourselves. (Errors still throw, and are caught around every call.)
    rtaudio_->showWarnings(false);
#endif
}

RtAudioBackend::~RtAudioBackend() {
    closeStream();
}

std::vector<BackendDevice> RtAudioBackend::devices() {
    std::vector<BackendDevice> result;
#if FLUXFORGE_RTAUDIO_6
    CaptureErrors capture; // probing problems are not errors of the caller's
    for (unsigned int id : rtaudio_->getDeviceIds()) {
        const RtAudio::DeviceInfo info = rtaudio_->getDeviceInfo(id);
        if (info.ID == 0 && info.name.empty()) {
            continue; // vanished between the two calls
        }
        result.push_back({id, toDeviceInfo(info)});
    }
#else
    try {
        const unsigned int count = rtaudio_->getDeviceCount();
        for (unsigned int index = 0; index < count; ++index) {
            try {
                const RtAudio::DeviceInfo info = rtaudio_->getDeviceInfo(index);
                if (info.probed) {
                    result.push_back({index, toDeviceInfo(info)});
                }
            } catch (const RtAudioError&) {
                // A device that cannot be probed (busy, vanished) is not offered.
            }
        }
    } catch (const RtAudioError&) {
        // The API itself cannot be queried (no server): it offers nothing.
    }
#endif
    return result;
}

void RtAudioBackend::openStream(RtAudio::StreamParameters* output, RtAudio::StreamParameters* input,
                                unsigned int sampleRate, unsigned int* bufferFrames,
                                RtAudioCallback callback, void* userData,
                                RtAudio::StreamOptions* options) {
    checked(*rtaudio_, "RtAudio::openStream", [&] {
        return rtaudio_->openStream(output, input, RTAUDIO_FLOAT32, sampleRate, bufferFrames,
                                    callback, userData, options);
    });
    if (!rtaudio_->isStreamOpen()) {
        throw Error("RtAudio::openStream: the stream did not open");
    }
}

void RtAudioBackend::startStream() {
    checked(*rtaudio_, "RtAudio::startStream", [&] { return rtaudio_->startStream(); });
}

void RtAudioBackend::abortStream() {
    if (!rtaudio_->isStreamRunning()) {
        return;
    }
    checked(*rtaudio_, "RtAudio::abortStream", [&] { return rtaudio_->abortStream(); });
}

void RtAudioBackend::closeStream() noexcept {
    if (rtaudio_ == nullptr || !rtaudio_->isStreamOpen()) {
        return;
    }
    try {
#if FLUXFORGE_RTAUDIO_6
        CaptureErrors capture;
#endif
        rtaudio_->closeStream();
    } catch (...) {
        // Closing a stream whose device or server is gone may complain; it is closed either way.
    }
}

bool RtAudioBackend::isStreamOpen() const noexcept {
    return rtaudio_->isStreamOpen();
}

bool RtAudioBackend::isStreamRunning() const noexcept {
    return rtaudio_->isStreamRunning();
}

long RtAudioBackend::streamLatency() noexcept {
    if (!rtaudio_->isStreamOpen()) {
        return 0;
    }
    try {
        return rtaudio_->getStreamLatency();
    } catch (...) {
        return 0;
    }
}

#if defined(FLUXFORGE_DEVICE_HAVE_JACK)
namespace {
// The path to RtAudio's JACK client: RtAudio::rtapi_ and RtApi::stream_ are protected; member
// pointers formed inside derived classes read them (nothing is instantiated). stream_.apiHandle
// points to RtAudio.cpp's JackHandle, whose first member is the jack_client_t*: so in 5.x and
// 6.x alike, checked against both sources. A later major version is not trusted.
struct RtAudioInternals : RtAudio {
    static constexpr auto rtapi = &RtAudioInternals::rtapi_;
};
struct RtApiInternals : RtApi {
    static constexpr auto stream = &RtApiInternals::stream_;
};
} // namespace

jack_client_t* RtAudioBackend::jackClient() const noexcept {
#if defined(RTAUDIO_VERSION_MAJOR) && RTAUDIO_VERSION_MAJOR > 6
    return nullptr;
#else
    if (api_ != AudioApi::jack || !rtaudio_->isStreamOpen() ||
        rtaudio_->getCurrentApi() != RtAudio::UNIX_JACK) {
        return nullptr;
    }
    RtApi* const rtapi = (*rtaudio_).*RtAudioInternals::rtapi;
    void* const handle = rtapi == nullptr ? nullptr : (rtapi->*RtApiInternals::stream).apiHandle;
    return handle == nullptr ? nullptr : *static_cast<jack_client_t**>(handle);
#endif
}
#endif

unsigned int RtAudioBackend::streamSampleRate() noexcept {
    if (!rtaudio_->isStreamOpen()) {
        return 0;
    }
    try {
        return rtaudio_->getStreamSampleRate();
    } catch (...) {
        return 0;
    }
}

} // namespace fluxforge::detail
