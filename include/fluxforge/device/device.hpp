// Device: the common face of the three backends (RtAudio, host-driven, offline). A device calls
// one AudioCallback per block, counts what happens, and reports what goes wrong.
#pragma once

#include <fluxforge/device/audio_callback.hpp>

#include <cstdint>
#include <string>

namespace fluxforge {

/// Where a device is in its life.
enum class DeviceState {
    closed,  ///< no stream (RtAudioDevice before open() and after close())
    stopped, ///< a stream is open and not calling the callback
    running, ///< the callback is being called
    lost,    ///< the stream ended without being asked (server died, device unplugged): stop()
             ///< or close() it, then open it again
};

/// Xruns counted since the stream was opened (or, from takeNewXruns, since the previous call).
struct XrunCounts {
    std::uint64_t outputUnderflows = 0;
    std::uint64_t inputOverflows = 0;

    [[nodiscard]] std::uint64_t total() const noexcept { return outputUnderflows + inputOverflows; }
    [[nodiscard]] bool any() const noexcept { return total() != 0; }
};

/// Counters of a device, read without disturbing its audio thread.
struct DeviceStats {
    std::uint64_t callbacks = 0; ///< processAudio calls since the stream was opened
    std::uint64_t frames = 0;    ///< frames delivered in them
    XrunCounts xruns;
};

/// What kind of trouble a device reports.
enum class DeviceErrorKind {
    streamLost,   ///< the stream ended on its own: server shut down, device gone
    stalled,      ///< no callback for longer than the stall timeout while running
    backendError, ///< the backend (RtAudio) reported an error
    backendWarning,
};

/// One report from a device.
struct DeviceError {
    DeviceErrorKind kind = DeviceErrorKind::backendError;
    std::string message;
};

/// The interface every backend implements. A device is driven from one control thread at a
/// time; its callback runs on the device's audio thread (or, for host-driven and offline
/// devices, the thread that pumps it).
class Device {
public:
    virtual ~Device() = default;

    /// Calls `callback.streamStarting(streamInfo())`, then starts calling
    /// `callback.processAudio` once per block. Throws fluxforge::Error if the device cannot start
    /// (closed, lost, backend failure) or if streamStarting throws; nothing runs then.
    /// Thread: control. Real-time safe: no. Allocates: may.
    virtual void start(AudioCallback& callback) = 0;

    /// Stops calling the callback; when it returns, no processAudio call is running, and
    /// streamStopped() has been called. Does nothing when not running. Never throws.
    /// Thread: control. Real-time safe: no. Allocates: may.
    virtual void stop() = 0;

    /// Thread: any. Real-time safe: yes. Allocates: no. May be stale by the time it returns.
    [[nodiscard]] virtual DeviceState state() const noexcept = 0;

    /// The shape of the open stream (all zero when closed).
    /// Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] virtual StreamInfo streamInfo() const = 0;

    /// The delays around the callback, exact for the current routing where the backend can tell
    /// (docs/devices.md, "Latency"). Thread: control. Real-time safe: no. Allocates: may.
    [[nodiscard]] virtual StreamLatency latency() const = 0;

    /// Counters since the stream was opened. Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] virtual DeviceStats stats() const noexcept = 0;

    /// The xruns counted since the previous call (the notification a control thread polls).
    /// Thread: one control thread. Real-time safe: yes. Allocates: no.
    [[nodiscard]] virtual XrunCounts takeNewXruns() noexcept = 0;
};

} // namespace fluxforge
