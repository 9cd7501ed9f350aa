// RtAudioDevice: a stream on a real audio API (JACK, ALSA, PulseAudio, CoreAudio, WASAPI, ASIO)
// through RtAudio 5.x or 6.x, which stays private to the device library.
#pragma once

#include <fluxforge/core/types.hpp>
#include <fluxforge/device/audio_apis.hpp>
#include <fluxforge/device/device.hpp>
#include <fluxforge/sched/thread_priority.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace fluxforge {

/// Whether a JACK stream connects its ports to the device's ports by itself.
enum class JackPortConnection {
    automatic, ///< outport N -> <device>:playback_N+first, <device>:capture_N+first -> inport N
    manual,    ///< nothing is connected; the application (or a patchbay) does it after start()
};

/// One side of a stream.
enum class StreamDirection { output, input };

/// What the device does to the priority of its audio thread when a run starts.
enum class AudioThreadPriority {
    realtime,  ///< trySetCurrentThreadRealtime; a thread that already is real time is left alone
    unchanged, ///< leave the backend's thread as it is
};

/// Everything RtAudioDevice::open needs. Defaults: stereo output at 48 kHz in 256-frame blocks.
struct RtAudioConfig {
    /// Name it: RtAudio's own choice of API probes every API and is noisy on machines with no
    /// sound card. See compiledAudioApis().
    AudioApi api = AudioApi::jack;
    /// Device names as listAudioDevices() gives them; empty selects the API's default device.
    std::string outputDevice;
    std::string inputDevice;
    /// 0 channels in one direction opens an input-only or output-only stream; 0 in both is
    /// rejected.
    ChannelCount outputChannels = 2;
    ChannelCount inputChannels = 0;
    /// The device channel the stream's channel 0 maps to.
    ChannelCount firstOutputChannel = 0;
    ChannelCount firstInputChannel = 0;
    /// Must be one the device lists (on JACK: the server's rate).
    std::uint32_t sampleRate = 48000;
    /// Asked for; the backend may choose another (JACK always uses its period). 0: the
    /// backend's smallest. StreamInfo::blockFrames says what was granted.
    FrameCount blockFrames = 256;
    /// JACK: the client name (ports are "<streamName>:outport N" / "inport N"); PulseAudio: the
    /// application name. Must not be taken by another JACK client.
    std::string streamName = "fluxforge";
    JackPortConnection jackPorts = JackPortConnection::automatic;
    AudioThreadPriority threadPriority = AudioThreadPriority::realtime;
    /// Linux SCHED_FIFO priority for the audio thread; 0: kDefaultFifoPriority.
    int realtimePriority = 0;
    /// A running stream with no callback for this long is reported as stalled (once, until
    /// callbacks resume). Zero turns the check off.
    std::chrono::milliseconds stallTimeout{2000};
};

/// Where RtAudioDevice reports, from its own notification thread: never the audio thread, never
/// inside a call the application made. A handler may call stop(), close() and open() on the
/// device; it must not destroy the device.
struct DeviceHandlers {
    std::function<void(const DeviceError&)> onError;
    /// The xruns since the previous report (at most one report per notification interval).
    std::function<void(const XrunCounts&)> onXruns;
};

/// A stream on an RtAudio API. open() validates the request against what the API offers and
/// throws fluxforge::Error naming what was asked and what is available; start() runs the
/// callback on RtAudio's audio thread inside a RealtimeScope and a DenormalGuard.
///
/// A stream that ends on its own (the JACK server dies, a device disappears) turns the state to
/// lost and is reported through DeviceHandlers::onError; close() and open() then start afresh.
///
/// Thread: all members but state(), stats() and takeNewXruns() on one control thread at a time.
class RtAudioDevice final : public Device {
public:
    /// Thread: control. Real-time safe: no. Allocates: yes.
    explicit RtAudioDevice(DeviceHandlers handlers = {});
    /// Closes the stream. Must not run on the device's notification thread (inside a handler).
    ~RtAudioDevice() override;

    RtAudioDevice(const RtAudioDevice&) = delete;
    RtAudioDevice& operator=(const RtAudioDevice&) = delete;

    /// Opens a stream (closing the current one first). Throws fluxforge::Error when the API is
    /// not compiled in, has no such device, the device lacks the channels or the sample rate, no
    /// channels are asked for, or the backend refuses; the device is closed then.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    void open(const RtAudioConfig& config);

    /// Stops and closes the stream; the device is closed afterwards. Never throws.
    /// Thread: control. Real-time safe: no. Allocates: may.
    void close() noexcept;

    void start(AudioCallback& callback) override;
    void stop() override;
    [[nodiscard]] DeviceState state() const noexcept override;
    [[nodiscard]] StreamInfo streamInfo() const override;

    /// Output latency plus input latency around the callback. With JACK (when built with
    /// libjack) it follows the ports' current connections; elsewhere it is RtAudio's figure.
    /// Either way it includes RtAudio's JACK backend delivering input one period late.
    [[nodiscard]] StreamLatency latency() const override;

    [[nodiscard]] DeviceStats stats() const noexcept override;
    [[nodiscard]] XrunCounts takeNewXruns() noexcept override;

    /// The configuration of the open stream (as asked), if one is open.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    [[nodiscard]] std::optional<RtAudioConfig> config() const;

    /// What happened to the audio thread's priority at the start of the current (or last) run,
    /// once its first block has run.
    /// Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] std::optional<ThreadPriorityResult> audioThreadPriority() const;

    /// JACK: the full name of a stream port ("fluxforge:outport 0"), to connect it elsewhere.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    [[nodiscard]] std::string jackPortName(StreamDirection direction, ChannelCount channel) const;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace fluxforge
