// AudioCallback: what a device calls, once per block, on its audio thread. The engine plugs in
// through a thin adapter; tests and simple programs implement it directly.
#pragma once

#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/types.hpp>

#include <cstdint>

namespace fluxforge {

/// The shape of the audio a device delivers, fixed while a stream is open.
struct StreamInfo {
    SampleRate sampleRate = 0.0;
    /// Frames per callback the backend normally uses (on JACK: the server's period).
    FrameCount blockFrames = 0;
    /// The most frames one processAudio call can carry.
    FrameCount maxBlockFrames = 0;
    ChannelCount inputChannels = 0;
    ChannelCount outputChannels = 0;
};

/// Delays between the callback and the outside world, in frames at the stream's sample rate.
/// Engine latency (PDC) comes on top of these.
struct StreamLatency {
    /// From the callback's output buffer to the device's output (playback) port.
    FrameCount outputFrames = 0;
    /// From the device's input (capture) port to the callback's input buffer.
    FrameCount inputFrames = 0;

    /// What a loopback from the device's output to its input measures.
    [[nodiscard]] FrameCount roundTripFrames() const noexcept { return outputFrames + inputFrames; }
};

/// What went wrong before a block: the backend dropped input or ran out of output.
enum class XrunFlags : std::uint32_t {
    none = 0,
    outputUnderflow = 1u << 0, ///< output was missing (a gap was heard)
    inputOverflow = 1u << 1,   ///< input was lost
};

[[nodiscard]] constexpr XrunFlags operator|(XrunFlags a, XrunFlags b) noexcept {
    return static_cast<XrunFlags>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
[[nodiscard]] constexpr XrunFlags operator&(XrunFlags a, XrunFlags b) noexcept {
    return static_cast<XrunFlags>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}
[[nodiscard]] constexpr bool any(XrunFlags flags) noexcept {
    return flags != XrunFlags::none;
}

/// What a processAudio call is told besides the audio.
struct CallbackInfo {
    /// Frames delivered since start() before this block: the stream's own sample clock.
    SampleTime streamFrame = 0;
    /// The backend's stream time in seconds (RtAudio's), or streamFrame / sampleRate.
    double streamSeconds = 0.0;
    /// Xruns the backend reported since the previous block.
    XrunFlags xruns = XrunFlags::none;
};

/// The device side of the engine: a device calls `processAudio` once per block on its audio
/// thread, between one `streamStarting` and one `streamStopped` on a control thread.
///
/// An implementation must outlive the run it was started with (until stop() returns).
class AudioCallback {
public:
    virtual ~AudioCallback() = default;

    /// The stream is about to start with this shape: allocate, prepare, or throw
    /// fluxforge::Error to refuse it (start() then fails and nothing runs).
    /// Thread: control (inside Device::start). Real-time safe: no. Allocates: may.
    virtual void streamStarting(const StreamInfo& info) { (void)info; }

    /// Renders one block. `output` has StreamInfo::outputChannels channels and arrives zeroed;
    /// `input` has StreamInfo::inputChannels channels (empty views when there are none). Both
    /// have the same frame count, at most StreamInfo::maxBlockFrames and not always blockFrames.
    /// Thread: audio. Real-time safe: must be. Allocates: must not.
    virtual void processAudio(ConstBufferView input, BufferView output,
                              const CallbackInfo& info) noexcept = 0;

    /// No processAudio call is running or will follow for this run.
    /// Thread: control (inside Device::stop / close). Real-time safe: no. Allocates: may.
    virtual void streamStopped() {}
};

} // namespace fluxforge
