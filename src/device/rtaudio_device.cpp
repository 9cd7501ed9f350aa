#include "callback_runner.hpp"
#include "error_mailbox.hpp"
#include "rtaudio_backend.hpp"

#include <fluxforge/device/rtaudio_device.hpp>

#if defined(FLUXFORGE_DEVICE_HAVE_JACK)
#include "jack_session.hpp"
#endif

#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/core/realtime_scope.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace fluxforge {
namespace {

/// How often the notification thread looks at the stream.
constexpr auto kNotifyInterval = std::chrono::milliseconds(20);
/// How long close() waits for RtAudio to finish closing a stream it closes by itself (JACK
/// server shutdown).
constexpr auto kBackendCloseWait = std::chrono::seconds(2);

/// RtAudio's JACK, ALSA, PulseAudio and OSS backends call the callback before they read the
/// period's input, so input reaches the callback one period after it arrived (measured on JACK:
/// docs/devices.md, "Latency").
bool deliversInputOnePeriodLate(AudioApi api) noexcept {
    return api == AudioApi::jack || api == AudioApi::alsa || api == AudioApi::pulse ||
           api == AudioApi::oss;
}

std::string apiLabel(AudioApi api) {
    return "API '" + std::string(audioApiName(api)) + "'";
}

std::string rateList(const std::vector<std::uint32_t>& rates) {
    std::string text;
    for (std::uint32_t rate : rates) {
        text += (text.empty() ? "" : ", ") + std::to_string(rate);
    }
    return text.empty() ? std::string("none listed") : text + " Hz";
}

std::string deviceList(const std::vector<detail::BackendDevice>& devices) {
    std::string text;
    for (const detail::BackendDevice& device : devices) {
        text += (text.empty() ? "" : "; ") +
                ("'" + device.info.name + "' (" + std::to_string(device.info.outputChannels) +
                 " out, " + std::to_string(device.info.inputChannels) + " in, " +
                 rateList(device.info.sampleRates) + ")");
    }
    return text;
}

const char* directionName(StreamDirection direction) noexcept {
    return direction == StreamDirection::output ? "output" : "input";
}

} // namespace

class RtAudioDevice::Impl {
public:
    explicit Impl(DeviceHandlers handlers)
        : handlers_(std::move(handlers)) {
        monitor_ = std::thread([this] { monitorLoop(); });
    }

    ~Impl() {
        FLUXFORGE_ASSERT(std::this_thread::get_id() != monitor_.get_id(),
                         "an RtAudioDevice must not be destroyed from its own handler");
        close();
        {
            std::lock_guard lock(monitorMutex_);
            monitorQuit_ = true;
        }
        monitorWake_.notify_all();
        monitor_.join();
        close(); // in case a handler reopened the device meanwhile
    }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    void open(const RtAudioConfig& config);
    void close() noexcept;
    void start(AudioCallback& callback);
    void stop() noexcept;

    [[nodiscard]] DeviceState state() const noexcept {
        return state_.load(std::memory_order_acquire);
    }

    [[nodiscard]] StreamInfo streamInfo() const {
        std::lock_guard lock(mutex_);
        return info_;
    }

    [[nodiscard]] StreamLatency latency() const;

    [[nodiscard]] DeviceStats stats() const noexcept { return runner_.stats(); }
    [[nodiscard]] XrunCounts takeNewXruns() noexcept { return runner_.takeNewXruns(); }

    [[nodiscard]] std::optional<RtAudioConfig> config() const {
        std::lock_guard lock(mutex_);
        return config_;
    }

    [[nodiscard]] std::optional<ThreadPriorityResult> audioThreadPriority() const;
    [[nodiscard]] std::string jackPortName(StreamDirection direction, ChannelCount channel) const;

private:
    static int audioCallback(void* output, void* input, unsigned int frames, double streamTime,
                             RtAudioStreamStatus status, void* self) noexcept;
    void onAudio(float* output, const float* input, unsigned int frames, double streamTime,
                 RtAudioStreamStatus status) noexcept;
    void applyThreadPriority() noexcept;

    static void validate(const RtAudioConfig& config);
    const detail::BackendDevice& findDevice(const RtAudioConfig& config,
                                            const std::vector<detail::BackendDevice>& devices,
                                            StreamDirection direction) const;
    void stopLocked() noexcept;
    bool backendGoneLocked(std::string& reason) const;
    void monitorLoop();

    const DeviceHandlers handlers_;

    // ---- control state, guarded by mutex_ (recursive: AudioCallback hooks run under it and may
    // query the device) ----
    mutable std::recursive_mutex mutex_;
    std::unique_ptr<detail::RtAudioBackend> backend_;
#if defined(FLUXFORGE_DEVICE_HAVE_JACK)
    std::unique_ptr<detail::JackSession> jack_;
#endif
    std::optional<RtAudioConfig> config_;
    StreamInfo info_;
    AudioCallback* callback_ = nullptr; // the callback of the current run
    bool runningWhenLost_ = false;
    // Whether RtAudio closes the stream by itself when a JACK server shuts it down: only when
    // the device could not take that event over (JackSession::watchStreamClient).
    bool rtaudioClosesOnShutdown_ = false;
    std::string lostReason_;
    // Stall detection (notification thread, under mutex_; reset by start()).
    std::uint64_t stallCallbacks_ = 0;
    std::chrono::steady_clock::time_point stallSince_{};
    bool stallReported_ = false;

    // ---- shared ----
    std::atomic<DeviceState> state_{DeviceState::closed};
    detail::CallbackRunner runner_;
    detail::ErrorMailbox mailbox_;

    // ---- set at open, read by the audio thread (published by the runner's attach) ----
    std::vector<float*> outputPointers_;
    std::vector<const float*> inputPointers_;
    ChannelCount outputChannels_ = 0;
    ChannelCount inputChannels_ = 0;
    FrameCount maxBlockFrames_ = 0;
    SampleRate sampleRate_ = 0.0;
    AudioThreadPriority priorityMode_ = AudioThreadPriority::realtime;
    RealtimeThreadRequest priorityRequest_;

    // ---- audio writes at the start of a run, control reads ----
    std::atomic<int> priorityStatus_{-1}; // -1: no run has started yet
    std::atomic<int> priorityValue_{0};
    std::atomic<int> prioritySystemError_{0};
    std::atomic<const char*> priorityMechanism_{""};
    std::atomic<const char*> priorityReason_{""};

    // ---- notification thread ----
    std::thread monitor_;
    std::mutex monitorMutex_;
    std::condition_variable monitorWake_;
    bool monitorQuit_ = false;   // guarded by monitorMutex_
    XrunCounts reportedXruns_{}; // notification thread only
};

// ---- audio thread ------------------------------------------------------------------------------

int RtAudioDevice::Impl::audioCallback(void* output, void* input, unsigned int frames,
                                       double streamTime, RtAudioStreamStatus status,
                                       void* self) noexcept {
    static_cast<Impl*>(self)->onAudio(static_cast<float*>(output), static_cast<const float*>(input),
                                      frames, streamTime, status);
    return 0; // keep running; stopping is the control thread's decision
}

void RtAudioDevice::Impl::onAudio(float* output, const float* input, unsigned int frames,
                                  double streamTime, RtAudioStreamStatus status) noexcept {
    RealtimeScope realtime;
    XrunFlags xruns = XrunFlags::none;
    if ((status & RTAUDIO_OUTPUT_UNDERFLOW) != 0) {
        xruns = xruns | XrunFlags::outputUnderflow;
    }
    if ((status & RTAUDIO_INPUT_OVERFLOW) != 0) {
        xruns = xruns | XrunFlags::inputOverflow;
    }
    if (any(xruns)) {
        runner_.noteXruns(xruns);
    }

    // RTAUDIO_NONINTERLEAVED: channel c starts c * frames samples into the buffer, so planar
    // views cost nothing but these pointers (arrays sized at open).
    const ChannelCount outputs = output != nullptr ? outputChannels_ : 0;
    const ChannelCount inputs = input != nullptr ? inputChannels_ : 0;
    for (ChannelCount c = 0; c < outputs; ++c) {
        outputPointers_[c] = output + std::size_t{c} * frames;
    }
    for (ChannelCount c = 0; c < inputs; ++c) {
        inputPointers_[c] = input + std::size_t{c} * frames;
    }
    const BufferView out(outputs > 0 ? outputPointers_.data() : nullptr, outputs, frames);
    const ConstBufferView in(inputs > 0 ? inputPointers_.data() : nullptr, inputs, frames);
    runner_.run(in, out, maxBlockFrames_, sampleRate_, streamTime,
                [this]() noexcept { applyThreadPriority(); });
}

void RtAudioDevice::Impl::applyThreadPriority() noexcept {
    const ThreadPriorityResult result = priorityMode_ == AudioThreadPriority::realtime
                                            ? trySetCurrentThreadRealtime(priorityRequest_)
                                            : currentThreadPriority();
    priorityValue_.store(result.priority, std::memory_order_relaxed);
    prioritySystemError_.store(result.systemError, std::memory_order_relaxed);
    priorityMechanism_.store(result.mechanism, std::memory_order_relaxed);
    priorityReason_.store(result.reason, std::memory_order_relaxed);
    priorityStatus_.store(static_cast<int>(result.status), std::memory_order_release);
}

// ---- control thread ----------------------------------------------------------------------------

const detail::BackendDevice&
RtAudioDevice::Impl::findDevice(const RtAudioConfig& config,
                                const std::vector<detail::BackendDevice>& devices,
                                StreamDirection direction) const {
    const bool output = direction == StreamDirection::output;
    const std::string& wanted = output ? config.outputDevice : config.inputDevice;
    const char* side = directionName(direction);
    if (devices.empty()) {
        std::string hint;
        if (config.api == AudioApi::jack) {
            hint = " (is a JACK server running?)";
        }
        throw Error("RtAudioDevice::open: " + apiLabel(config.api) + " has no devices" + hint);
    }
    const detail::BackendDevice* found = nullptr;
    if (wanted.empty()) {
        for (const detail::BackendDevice& device : devices) {
            const bool isDefault =
                output ? device.info.isDefaultOutput : device.info.isDefaultInput;
            const ChannelCount channels =
                output ? device.info.outputChannels : device.info.inputChannels;
            if (isDefault && channels > 0) {
                found = &device;
                break;
            }
        }
        if (found == nullptr) {
            for (const detail::BackendDevice& device : devices) {
                if ((output ? device.info.outputChannels : device.info.inputChannels) > 0) {
                    found = &device;
                    break;
                }
            }
        }
        if (found == nullptr) {
            throw Error("RtAudioDevice::open: no device of " + apiLabel(config.api) + " has " +
                        side + " channels; devices: " + deviceList(devices));
        }
    } else {
        for (const detail::BackendDevice& device : devices) {
            if (device.info.name == wanted) {
                found = &device;
                break;
            }
        }
        if (found == nullptr) {
            throw Error("RtAudioDevice::open: no " + std::string(side) + " device named '" +
                        wanted + "' on " + apiLabel(config.api) +
                        "; devices: " + deviceList(devices));
        }
    }

    const ChannelCount available = output ? found->info.outputChannels : found->info.inputChannels;
    const ChannelCount first = output ? config.firstOutputChannel : config.firstInputChannel;
    const ChannelCount asked = output ? config.outputChannels : config.inputChannels;
    // A JACK stream that is not connected automatically may have any number of ports.
    const bool anyCount =
        config.api == AudioApi::jack && config.jackPorts == JackPortConnection::manual;
    if (!anyCount && std::uint64_t{first} + asked > available) {
        throw Error("RtAudioDevice::open: device '" + found->info.name + "' on " +
                    apiLabel(config.api) + " has " + std::to_string(available) + " " + side +
                    " channels; asked for " + std::to_string(asked) + " starting at channel " +
                    std::to_string(first));
    }
    const std::vector<std::uint32_t>& rates = found->info.sampleRates;
    if (!rates.empty() && std::find(rates.begin(), rates.end(), config.sampleRate) == rates.end()) {
        throw Error("RtAudioDevice::open: " + std::string(side) + " device '" + found->info.name +
                    "' on " + apiLabel(config.api) + " cannot run at " +
                    std::to_string(config.sampleRate) + " Hz; it offers " + rateList(rates));
    }
    return *found;
}

void RtAudioDevice::Impl::validate(const RtAudioConfig& config) {
    if (config.outputChannels == 0 && config.inputChannels == 0) {
        throw Error("RtAudioDevice::open: no channels asked for (outputChannels and "
                    "inputChannels are both 0); ask for at least one");
    }
    if (config.sampleRate == 0) {
        throw Error("RtAudioDevice::open: sampleRate is 0");
    }
    if (config.api == AudioApi::jack && config.streamName.empty()) {
        throw Error("RtAudioDevice::open: a JACK stream needs a streamName (its client name)");
    }
}

void RtAudioDevice::Impl::open(const RtAudioConfig& config) {
    close();
    std::lock_guard lock(mutex_);

    validate(config);
    auto backend = std::make_unique<detail::RtAudioBackend>(config.api, &mailbox_);
    const std::vector<detail::BackendDevice> devices = backend->devices();

    RtAudio::StreamParameters outputParameters;
    RtAudio::StreamParameters inputParameters;
    if (config.outputChannels > 0) {
        outputParameters.deviceId = findDevice(config, devices, StreamDirection::output).handle;
        outputParameters.nChannels = config.outputChannels;
        outputParameters.firstChannel = config.firstOutputChannel;
    }
    if (config.inputChannels > 0) {
        inputParameters.deviceId = findDevice(config, devices, StreamDirection::input).handle;
        inputParameters.nChannels = config.inputChannels;
        inputParameters.firstChannel = config.firstInputChannel;
    }

#if defined(FLUXFORGE_DEVICE_HAVE_JACK)
    std::unique_ptr<detail::JackSession> jack;
    if (config.api == AudioApi::jack) {
        jack = detail::JackSession::connect(config.streamName + "-session");
        if (jack != nullptr && jack->clientExists(config.streamName)) {
            throw Error("RtAudioDevice::open: a JACK client named '" + config.streamName +
                        "' already exists; choose another RtAudioConfig::streamName");
        }
    }
#endif

    RtAudio::StreamOptions options;
    options.flags = RTAUDIO_NONINTERLEAVED;
    if (config.api == AudioApi::jack && config.jackPorts == JackPortConnection::manual) {
        options.flags |= RTAUDIO_JACK_DONT_CONNECT;
    }
    options.streamName = config.streamName;
    unsigned int frames = config.blockFrames;
    try {
        backend->openStream(config.outputChannels > 0 ? &outputParameters : nullptr,
                            config.inputChannels > 0 ? &inputParameters : nullptr,
                            config.sampleRate, &frames, &Impl::audioCallback, this, &options);
    } catch (const Error& error) {
        throw Error("RtAudioDevice::open: " + apiLabel(config.api) + " refused " +
                    std::to_string(config.outputChannels) + " output and " +
                    std::to_string(config.inputChannels) + " input channels at " +
                    std::to_string(config.sampleRate) + " Hz in blocks of " +
                    std::to_string(config.blockFrames) + " (" + error.what() + ")");
    }

    const unsigned int rate = backend->streamSampleRate();
    info_.sampleRate = rate != 0 ? rate : config.sampleRate;
    info_.blockFrames = frames;
    info_.maxBlockFrames = frames;
    info_.outputChannels = config.outputChannels;
    info_.inputChannels = config.inputChannels;

    outputPointers_.assign(config.outputChannels, nullptr);
    inputPointers_.assign(config.inputChannels, nullptr);
    outputChannels_ = config.outputChannels;
    inputChannels_ = config.inputChannels;
    maxBlockFrames_ = frames;
    sampleRate_ = info_.sampleRate;
    priorityMode_ = config.threadPriority;
    priorityRequest_ = {};
    priorityRequest_.priority = config.realtimePriority;
    if (frames > 0) {
        priorityRequest_.period = std::chrono::nanoseconds(
            static_cast<std::int64_t>(1e9 * static_cast<double>(frames) / info_.sampleRate));
    }
    priorityStatus_.store(-1, std::memory_order_relaxed);

    runner_.resetCounters();
    backend_ = std::move(backend);
    rtaudioClosesOnShutdown_ = config.api == AudioApi::jack;
#if defined(FLUXFORGE_DEVICE_HAVE_JACK)
    jack_ = std::move(jack);
    if (jack_ != nullptr && jack_->watchStreamClient(backend_->jackClient(), config.streamName)) {
        rtaudioClosesOnShutdown_ = false;
    }
#endif
    config_ = config;
    lostReason_.clear();
    runningWhenLost_ = false;
    state_.store(DeviceState::stopped, std::memory_order_release);
}

void RtAudioDevice::Impl::start(AudioCallback& callback) {
    std::lock_guard lock(mutex_);
    switch (state_.load(std::memory_order_acquire)) {
    case DeviceState::closed:
        throw Error("RtAudioDevice::start: no stream is open; call open() first");
    case DeviceState::lost:
        throw Error("RtAudioDevice::start: the stream was lost (" + lostReason_ +
                    "); close() and open() it again");
    case DeviceState::running:
        throw Error("RtAudioDevice::start: the stream is already running; stop() it first");
    case DeviceState::stopped:
        break;
    }

    callback.streamStarting(info_);
    runner_.attach(callback);
    callback_ = &callback;
    stallCallbacks_ = runner_.callbacksApprox();
    stallSince_ = std::chrono::steady_clock::now();
    stallReported_ = false;
    try {
        backend_->startStream();
    } catch (const Error& error) {
        runner_.detach();
        callback_ = nullptr;
        callback.streamStopped();
        throw Error("RtAudioDevice::start: " + apiLabel(config_->api) + " did not start (" +
                    error.what() + ")");
    }
    state_.store(DeviceState::running, std::memory_order_release);
}

void RtAudioDevice::Impl::stopLocked() noexcept {
    const DeviceState current = state_.load(std::memory_order_acquire);
    if (current != DeviceState::running && current != DeviceState::lost) {
        return;
    }
    // Detach first: blocks still delivered until the backend stops are silent, and when detach
    // returns no processAudio is running.
    runner_.detach();
    if (current == DeviceState::running) {
        std::string reason;
        if (backendGoneLocked(reason)) {
            // Gone before the notification thread noticed: the same as being lost, and RtAudio
            // may be closing the stream by itself right now (close() waits for that).
            runningWhenLost_ = true;
            lostReason_ = reason;
            state_.store(DeviceState::lost, std::memory_order_release);
            mailbox_.post(DeviceErrorKind::streamLost, reason);
        } else {
            // abortStream, not stopStream: RtAudio's JACK stopStream waits for the next process
            // cycles to drain the output, forever if the server has just died.
            try {
                backend_->abortStream();
            } catch (const Error& error) {
                mailbox_.post(DeviceErrorKind::backendWarning, error.what());
            }
            state_.store(DeviceState::stopped, std::memory_order_release);
        }
    }
    runner_.synchronizeWithAudioThread();
    if (callback_ != nullptr) {
        AudioCallback* callback = callback_;
        callback_ = nullptr;
        callback->streamStopped();
    }
}

void RtAudioDevice::Impl::stop() noexcept {
    std::lock_guard lock(mutex_);
    stopLocked();
}

void RtAudioDevice::Impl::close() noexcept {
    std::lock_guard lock(mutex_);
    if (state_.load(std::memory_order_acquire) == DeviceState::closed) {
        return;
    }
    stopLocked();
    if (backend_ != nullptr) {
        if (state_.load(std::memory_order_acquire) == DeviceState::lost && runningWhenLost_ &&
            rtaudioClosesOnShutdown_) {
            // RtAudio closes a JACK stream itself when the server shuts it down, from a thread of
            // its own (unless open() took that event over); wait for that rather than race it.
            const auto deadline = std::chrono::steady_clock::now() + kBackendCloseWait;
            while (backend_->isStreamOpen() && std::chrono::steady_clock::now() < deadline) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        }
        backend_->closeStream();
        backend_.reset();
    }
#if defined(FLUXFORGE_DEVICE_HAVE_JACK)
    jack_.reset();
#endif
    config_.reset();
    info_ = {};
    state_.store(DeviceState::closed, std::memory_order_release);
}

bool RtAudioDevice::Impl::backendGoneLocked(std::string& reason) const {
    if (backend_ == nullptr) {
        reason = "no stream";
        return true;
    }
#if defined(FLUXFORGE_DEVICE_HAVE_JACK)
    if (jack_ != nullptr && jack_->serverGone()) {
        reason = "the JACK server shut down: " + jack_->shutdownReason();
        return true;
    }
#endif
    if (!backend_->isStreamOpen()) {
        reason = "RtAudio closed the stream by itself (" + apiLabel(backend_->api()) +
                 " device or server gone)";
        return true;
    }
    return false;
}

StreamLatency RtAudioDevice::Impl::latency() const {
    std::lock_guard lock(mutex_);
    if (!config_ || backend_ == nullptr) {
        return {};
    }
    const FrameCount lateness =
        deliversInputOnePeriodLate(config_->api) && config_->inputChannels > 0 ? info_.blockFrames
                                                                               : 0;
#if defined(FLUXFORGE_DEVICE_HAVE_JACK)
    if (jack_ != nullptr) {
        if (const auto ports = jack_->portLatency(config_->streamName, config_->outputChannels,
                                                  config_->inputChannels)) {
            return {ports->playbackMax, ports->captureMax + lateness};
        }
    }
#endif
    // RtAudio's figure: the device's port or buffer latency; for a duplex stream only the sum
    // of both directions is known, and it is reported as output latency.
    const auto reported = static_cast<FrameCount>(std::max(0L, backend_->streamLatency()));
    if (config_->outputChannels == 0) {
        return {0, reported + lateness};
    }
    return {reported, lateness};
}

std::optional<ThreadPriorityResult> RtAudioDevice::Impl::audioThreadPriority() const {
    const int status = priorityStatus_.load(std::memory_order_acquire);
    if (status < 0) {
        return std::nullopt;
    }
    ThreadPriorityResult result;
    result.status = static_cast<ThreadPriorityStatus>(status);
    result.priority = priorityValue_.load(std::memory_order_relaxed);
    result.systemError = prioritySystemError_.load(std::memory_order_relaxed);
    result.mechanism = priorityMechanism_.load(std::memory_order_relaxed);
    result.reason = priorityReason_.load(std::memory_order_relaxed);
    return result;
}

std::string RtAudioDevice::Impl::jackPortName(StreamDirection direction,
                                              ChannelCount channel) const {
    std::lock_guard lock(mutex_);
    if (!config_ || config_->api != AudioApi::jack) {
        throw Error("RtAudioDevice::jackPortName: no JACK stream is open");
    }
    const bool output = direction == StreamDirection::output;
    const ChannelCount channels = output ? config_->outputChannels : config_->inputChannels;
    if (channel >= channels) {
        throw Error("RtAudioDevice::jackPortName: the stream has " + std::to_string(channels) +
                    " " + directionName(direction) + " channels; asked for channel " +
                    std::to_string(channel));
    }
    return config_->streamName + (output ? ":outport " : ":inport ") + std::to_string(channel);
}

// ---- notification thread -----------------------------------------------------------------------

void RtAudioDevice::Impl::monitorLoop() {
    std::unique_lock wakeLock(monitorMutex_);
    while (!monitorQuit_) {
        monitorWake_.wait_for(wakeLock, kNotifyInterval);
        if (monitorQuit_) {
            break;
        }
        wakeLock.unlock();

        std::vector<DeviceError> errors;
        {
            std::lock_guard lock(mutex_);
            const DeviceState current = state_.load(std::memory_order_acquire);
            std::string reason;
            if ((current == DeviceState::running || current == DeviceState::stopped) &&
                backendGoneLocked(reason)) {
                runningWhenLost_ = current == DeviceState::running;
                lostReason_ = reason;
                state_.store(DeviceState::lost, std::memory_order_release);
                errors.push_back({DeviceErrorKind::streamLost, reason});
            }
            if (current == DeviceState::running && config_ && config_->stallTimeout.count() > 0) {
                const std::uint64_t callbacks = runner_.callbacksApprox();
                const auto now = std::chrono::steady_clock::now();
                if (callbacks != stallCallbacks_) {
                    stallCallbacks_ = callbacks;
                    stallSince_ = now;
                    stallReported_ = false;
                } else if (!stallReported_ && now - stallSince_ > config_->stallTimeout) {
                    stallReported_ = true;
                    errors.push_back(
                        {DeviceErrorKind::stalled,
                         "no audio callback for " + std::to_string(config_->stallTimeout.count()) +
                             " ms on the running " + apiLabel(config_->api) + " stream"});
                }
            }
        }

        std::vector<DeviceError> posted = mailbox_.takeAll();
        errors.insert(errors.end(), std::make_move_iterator(posted.begin()),
                      std::make_move_iterator(posted.end()));
        const XrunCounts total = runner_.stats().xruns;
        XrunCounts fresh{total.outputUnderflows - reportedXruns_.outputUnderflows,
                         total.inputOverflows - reportedXruns_.inputOverflows};
        if (total.total() < reportedXruns_.total()) {
            fresh = total; // counters were reset by a new open()
        }
        reportedXruns_ = total;

        // Handlers run with no lock held: they may call stop(), close() and open().
        if (handlers_.onError) {
            for (const DeviceError& error : errors) {
                handlers_.onError(error);
            }
        }
        if (handlers_.onXruns && fresh.any()) {
            handlers_.onXruns(fresh);
        }
        wakeLock.lock();
    }
}

// ---- RtAudioDevice -----------------------------------------------------------------------------

RtAudioDevice::RtAudioDevice(DeviceHandlers handlers)
    : impl_(std::make_unique<Impl>(std::move(handlers))) {}

RtAudioDevice::~RtAudioDevice() = default;

void RtAudioDevice::open(const RtAudioConfig& config) {
    impl_->open(config);
}

void RtAudioDevice::close() noexcept {
    impl_->close();
}

void RtAudioDevice::start(AudioCallback& callback) {
    impl_->start(callback);
}

void RtAudioDevice::stop() {
    impl_->stop();
}

DeviceState RtAudioDevice::state() const noexcept {
    return impl_->state();
}

StreamInfo RtAudioDevice::streamInfo() const {
    return impl_->streamInfo();
}

StreamLatency RtAudioDevice::latency() const {
    return impl_->latency();
}

DeviceStats RtAudioDevice::stats() const noexcept {
    return impl_->stats();
}

XrunCounts RtAudioDevice::takeNewXruns() noexcept {
    return impl_->takeNewXruns();
}

std::optional<RtAudioConfig> RtAudioDevice::config() const {
    return impl_->config();
}

std::optional<ThreadPriorityResult> RtAudioDevice::audioThreadPriority() const {
    return impl_->audioThreadPriority();
}

std::string RtAudioDevice::jackPortName(StreamDirection direction, ChannelCount channel) const {
    return impl_->jackPortName(direction, channel);
}

} // namespace fluxforge
