#include <fluxforge/core/error.hpp>
#include <fluxforge/device/engine_callback.hpp>
#include <fluxforge/engine/engine.hpp>

#include <cmath>
#include <cstdio>
#include <string>

namespace fluxforge {

namespace {

// "48000 Hz", or "44100.5 Hz" for a rate that is not a whole number.
std::string hertz(SampleRate rate) {
    char text[64];
    std::snprintf(text, sizeof text, "%.10g Hz", rate);
    return text;
}

} // namespace

EngineCallback::EngineCallback(Engine& engine) noexcept
    : engine_(engine) {}

void EngineCallback::streamStarting(const StreamInfo& info) {
    const SampleRate engineRate = engine_.config().sampleRate;
    if (info.sampleRate != engineRate) {
        throw Error("EngineCallback: the stream runs at " + hertz(info.sampleRate) +
                    " but the engine was built for " + hertz(engineRate) +
                    " (EngineConfig::sampleRate); open the device at " + hertz(engineRate) +
                    " or build the engine for " + hertz(info.sampleRate));
    }
    stream_ = info;
}

void EngineCallback::processAudio(ConstBufferView input, BufferView output,
                                  const CallbackInfo& info) noexcept {
    if (any(info.xruns)) {
        engine_.reportDeviceXruns(1);
    }
    engine_.process(input, output);
    blocks_.store(blocks_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (any(info.xruns)) {
        xrunBlocks_.store(xrunBlocks_.load(std::memory_order_relaxed) + 1,
                          std::memory_order_relaxed);
    }
}

bool EngineCallback::splitsBlocks() const noexcept {
    return stream_.has_value() && stream_->maxBlockFrames > engine_.config().maxBlockSize;
}

} // namespace fluxforge
