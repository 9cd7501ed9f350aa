// OfflineDevice: renders an AudioCallback into memory or a WAV file as fast as it can, in fixed
// blocks, on the calling thread.
#pragma once

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/device/device.hpp>

#include <filesystem>
#include <functional>
#include <memory>

namespace fluxforge {

/// The stream an offline render runs.
struct OfflineConfig {
    SampleRate sampleRate = 48000.0;
    /// Every processAudio call gets exactly this many frames, except a shorter last block.
    FrameCount blockFrames = 512;
    ChannelCount inputChannels = 0;
    ChannelCount outputChannels = 2;
};

/// Sample format of a rendered WAV file.
enum class WavSampleFormat {
    float32, ///< 32-bit IEEE float (WAVE_FORMAT_IEEE_FLOAT), lossless
    pcm24,   ///< 24-bit integer, clipped to [-1, 1]
    pcm16,   ///< 16-bit integer, clipped to [-1, 1]
};

/// How far a render has come.
struct RenderProgress {
    FrameCount framesDone = 0;
    FrameCount framesTotal = 0;
    /// Wall-clock time since the render began.
    double elapsedSeconds = 0.0;

    /// framesDone / framesTotal, 1 for an empty render.
    [[nodiscard]] double fraction() const noexcept;
    /// Audio seconds rendered per wall-clock second (0 before any time has passed).
    [[nodiscard]] double speedFactor(SampleRate sampleRate) const noexcept;
};

/// Called between blocks; return false to cancel the render.
using ProgressCallback = std::function<bool(const RenderProgress&)>;

/// Options of one render.
struct RenderOptions {
    /// Fed to the callback's input, block by block; silence past its end or when empty. Must
    /// have the configured input channel count when not empty.
    ConstBufferView input;
    /// Called after every `progressIntervalFrames` frames and once at the end.
    ProgressCallback progress;
    /// 0: about every hundredth of the render.
    FrameCount progressIntervalFrames = 0;
    /// WAV files only.
    WavSampleFormat fileFormat = WavSampleFormat::float32;
};

/// How a render ended.
struct RenderResult {
    FrameCount framesRendered = 0;
    bool cancelled = false;
    double elapsedSeconds = 0.0;
};

/// A device that renders as fast as the callback allows. start() attaches a callback and
/// render*() pumps it block by block on the calling thread (the callback's audio thread for the
/// duration, inside a RealtimeScope and a DenormalGuard); stop() detaches it. The one-call
/// overloads taking a callback do all three.
///
/// Thread: one control thread for everything but state(), stats() and takeNewXruns().
class OfflineDevice final : public Device {
public:
    /// Throws fluxforge::Error for a zero sample rate or block size, or no output channels.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    explicit OfflineDevice(const OfflineConfig& config);
    ~OfflineDevice() override;

    OfflineDevice(const OfflineDevice&) = delete;
    OfflineDevice& operator=(const OfflineDevice&) = delete;

    void start(AudioCallback& callback) override;
    void stop() override;
    [[nodiscard]] DeviceState state() const noexcept override;
    [[nodiscard]] StreamInfo streamInfo() const override;
    /// Always zero: nothing stands between the callback and the buffer or file.
    [[nodiscard]] StreamLatency latency() const override;
    [[nodiscard]] DeviceStats stats() const noexcept override;
    [[nodiscard]] XrunCounts takeNewXruns() noexcept override;

    /// Renders `frames` frames through the started callback into a new buffer (shorter when
    /// cancelled). Throws fluxforge::Error when not started.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    [[nodiscard]] AudioBuffer renderToBuffer(FrameCount frames, const RenderOptions& options = {});

    /// Renders `frames` frames through the started callback into a WAV file. Throws
    /// fluxforge::Error when not started or when the file cannot be written (the message names
    /// the file and libsndfile's reason); a cancelled render leaves a valid, shorter file.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    RenderResult renderToFile(const std::filesystem::path& path, FrameCount frames,
                              const RenderOptions& options = {});

    /// start(callback), renderToBuffer, stop().
    [[nodiscard]] AudioBuffer renderToBuffer(AudioCallback& callback, FrameCount frames,
                                             const RenderOptions& options = {});
    /// start(callback), renderToFile, stop().
    RenderResult renderToFile(AudioCallback& callback, const std::filesystem::path& path,
                              FrameCount frames, const RenderOptions& options = {});

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace fluxforge
