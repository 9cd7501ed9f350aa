// HostDrivenDevice: for hosts that own the audio callback (a game engine, SDL, FMOD, miniaudio).
// The host's callback calls process(); the device hands the audio to an AudioCallback.
#pragma once

#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/device/device.hpp>

#include <memory>

namespace fluxforge {

/// The stream the host promises. Buffers for interleaved hosts are allocated from it once.
struct HostDrivenConfig {
    SampleRate sampleRate = 48000.0;
    /// The largest block the callback sees; longer host blocks are cut into pieces of this size.
    FrameCount maxBlockFrames = 1024;
    ChannelCount inputChannels = 0;
    ChannelCount outputChannels = 2;
    /// The host's own device latency, passed on by latency() (the device cannot know it).
    StreamLatency latency{};
};

/// A device pumped by the host. start() attaches a callback, stop() detaches it; process() (from
/// the host's audio callback) renders through the attached callback, or writes silence when none
/// is attached. Any frame count: longer blocks are cut into maxBlockFrames pieces. The host's
/// thread runs the callback inside a RealtimeScope and a DenormalGuard.
///
/// Thread: start, stop, streamInfo, latency on a control thread; process*, reportXruns on the
/// host's audio thread (one at a time); state, stats, takeNewXruns from any thread.
class HostDrivenDevice final : public Device {
public:
    /// Throws fluxforge::Error if the config has a zero sample rate, block size, or no channels.
    /// Thread: control. Real-time safe: no. Allocates: yes (the interleaving buffers).
    explicit HostDrivenDevice(const HostDrivenConfig& config);
    ~HostDrivenDevice() override;

    HostDrivenDevice(const HostDrivenDevice&) = delete;
    HostDrivenDevice& operator=(const HostDrivenDevice&) = delete;

    void start(AudioCallback& callback) override;
    void stop() override;
    [[nodiscard]] DeviceState state() const noexcept override;
    [[nodiscard]] StreamInfo streamInfo() const override;
    [[nodiscard]] StreamLatency latency() const override;
    [[nodiscard]] DeviceStats stats() const noexcept override;
    [[nodiscard]] XrunCounts takeNewXruns() noexcept override;

    /// Planar audio: `input` and `output` must have the configured channel counts and the same
    /// frame count (an empty input when there are no input channels). A shape that does not fit
    /// is a contract violation (FLUXFORGE_ASSERT); without assertions the output is silenced.
    /// Thread: audio (the host's). Real-time safe: yes. Allocates: no.
    void process(ConstBufferView input, BufferView output) noexcept;

    /// Planar audio as raw channel-pointer arrays (inputChannels and outputChannels entries).
    /// Thread: audio (the host's). Real-time safe: yes. Allocates: no.
    void process(const float* const* input, float* const* output, FrameCount frames) noexcept;

    /// Interleaved audio, `frames` frames of inputChannels and outputChannels samples each
    /// (`input` may be null when there are no input channels). Converted through the buffers
    /// allocated at construction.
    /// Thread: audio (the host's). Real-time safe: yes. Allocates: no.
    void processInterleaved(const float* input, float* output, FrameCount frames) noexcept;

    /// The host tells the device its own device dropped or missed audio; counted, and passed to
    /// the callback with the next block.
    /// Thread: audio (the host's). Real-time safe: yes. Allocates: no.
    void reportXruns(XrunFlags flags) noexcept;

private:
    struct State;
    std::unique_ptr<State> impl_;
};

} // namespace fluxforge
