// EngineCallback: plays an Engine through any Device (RtAudio, host-driven, offline).
#pragma once

#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/device/audio_callback.hpp>

#include <atomic>
#include <cstdint>
#include <optional>

namespace fluxforge {
class Engine;
}

namespace fluxforge {

/// The adapter between a device and an engine: each block the device asks for is rendered by
/// Engine::process, in place, with nothing buffered in between, so the engine adds no latency
/// beyond its plugin delay compensation (Engine::outputLatency()).
///
/// streamStarting refuses a stream whose sample rate differs from the engine's
/// (EngineConfig::sampleRate): the nodes are prepared for that rate, and a device running at
/// another would play everything at the wrong pitch and speed. Blocks longer than the engine's
/// maxBlockSize are fine: Engine::process renders them in pieces, with the same result.
///
/// The engine must outlive the run; the callback may be started on one device after another.
///
/// Thread: streamStarting and stream() on the control thread that starts the device;
/// processAudio on the device's audio thread; the *Approx queries from any thread.
class EngineCallback final : public AudioCallback {
public:
    /// Thread: control. Real-time safe: no. Allocates: no.
    explicit EngineCallback(Engine& engine) noexcept;

    /// Checks the stream against the engine; throws fluxforge::Error naming both sample rates
    /// when they differ. Thread: control. Real-time safe: no. Allocates: may (the message).
    void streamStarting(const StreamInfo& info) override;

    /// Engine::process(input, output). Thread: audio. Real-time safe: yes. Allocates: no.
    void processAudio(ConstBufferView input, BufferView output,
                      const CallbackInfo& info) noexcept override;

    /// The stream of the current (or last) run, once streamStarting accepted it.
    /// Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] const std::optional<StreamInfo>& stream() const noexcept { return stream_; }

    /// Whether the current stream's blocks can be longer than the engine's maxBlockSize, so that
    /// Engine::process renders some of them in more than one piece.
    /// Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] bool splitsBlocks() const noexcept;

    /// Blocks rendered since construction, and of those the ones the device flagged with an xrun.
    /// Thread: any. Real-time safe: yes. Allocates: no. May be stale.
    [[nodiscard]] std::uint64_t blocksApprox() const noexcept {
        return blocks_.load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t xrunBlocksApprox() const noexcept {
        return xrunBlocks_.load(std::memory_order_relaxed);
    }

private:
    Engine& engine_;
    std::optional<StreamInfo> stream_; // control thread
    // Written by the audio thread, read by any.
    std::atomic<std::uint64_t> blocks_{0};
    std::atomic<std::uint64_t> xrunBlocks_{0};
};

} // namespace fluxforge
