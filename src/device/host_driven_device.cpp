#include "callback_runner.hpp"

#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/device/host_driven_device.hpp>

#include <algorithm>
#include <mutex>
#include <vector>

namespace fluxforge {

struct HostDrivenDevice::State {
    explicit State(const HostDrivenConfig& c)
        : config(c)
        , inputScratch(c.inputChannels, c.maxBlockFrames)
        , outputScratch(c.outputChannels, c.maxBlockFrames)
        , inputPointers(c.inputChannels, nullptr)
        , outputPointers(c.outputChannels, nullptr) {}

    const HostDrivenConfig config;
    detail::CallbackRunner runner;

    // Control thread.
    std::mutex controlMutex;
    AudioCallback* callback = nullptr;
    // Control writes, any thread reads.
    std::atomic<DeviceState> state{DeviceState::stopped};

    // Host's audio thread only, allocated here.
    AudioBuffer inputScratch;
    AudioBuffer outputScratch;
    std::vector<const float*> inputPointers;
    std::vector<float*> outputPointers;

    void render(ConstBufferView input, BufferView output) noexcept {
        runner.run(input, output, config.maxBlockFrames, config.sampleRate, -1.0, []() noexcept {});
    }
};

HostDrivenDevice::HostDrivenDevice(const HostDrivenConfig& config) {
    if (!(config.sampleRate > 0.0)) {
        throw Error("HostDrivenDevice: sampleRate must be positive");
    }
    if (config.maxBlockFrames == 0) {
        throw Error("HostDrivenDevice: maxBlockFrames must be at least 1");
    }
    if (config.inputChannels == 0 && config.outputChannels == 0) {
        throw Error("HostDrivenDevice: no channels (inputChannels and outputChannels are both 0)");
    }
    impl_ = std::make_unique<State>(config);
}

HostDrivenDevice::~HostDrivenDevice() {
    stop();
}

void HostDrivenDevice::start(AudioCallback& callback) {
    std::lock_guard lock(impl_->controlMutex);
    if (impl_->callback != nullptr) {
        throw Error("HostDrivenDevice::start: already started; stop() first");
    }
    callback.streamStarting(streamInfo());
    impl_->callback = &callback;
    impl_->runner.attach(callback);
    impl_->state.store(DeviceState::running, std::memory_order_release);
}

void HostDrivenDevice::stop() {
    std::lock_guard lock(impl_->controlMutex);
    if (impl_->callback == nullptr) {
        return;
    }
    impl_->runner.detach();
    impl_->runner.synchronizeWithAudioThread();
    impl_->state.store(DeviceState::stopped, std::memory_order_release);
    AudioCallback* callback = impl_->callback;
    impl_->callback = nullptr;
    callback->streamStopped();
}

DeviceState HostDrivenDevice::state() const noexcept {
    return impl_->state.load(std::memory_order_acquire);
}

StreamInfo HostDrivenDevice::streamInfo() const {
    const HostDrivenConfig& config = impl_->config;
    return {config.sampleRate, config.maxBlockFrames, config.maxBlockFrames, config.inputChannels,
            config.outputChannels};
}

StreamLatency HostDrivenDevice::latency() const {
    return impl_->config.latency;
}

DeviceStats HostDrivenDevice::stats() const noexcept {
    return impl_->runner.stats();
}

XrunCounts HostDrivenDevice::takeNewXruns() noexcept {
    return impl_->runner.takeNewXruns();
}

void HostDrivenDevice::reportXruns(XrunFlags flags) noexcept {
    if (any(flags)) {
        impl_->runner.noteXruns(flags);
    }
}

void HostDrivenDevice::process(ConstBufferView input, BufferView output) noexcept {
    RealtimeScope realtime;
    const HostDrivenConfig& config = impl_->config;
    const bool inputFits = input.numChannels() == config.inputChannels &&
                           (config.inputChannels == 0 || input.numFrames() == output.numFrames());
    const bool fits = inputFits && output.numChannels() == config.outputChannels;
    FLUXFORGE_ASSERT(fits, "HostDrivenDevice::process: the views do not have the configured "
                           "channel counts and one frame count");
    if (!fits) {
        for (ChannelCount c = 0; c < output.numChannels(); ++c) {
            std::fill_n(output.channel(c), output.numFrames(), 0.0f);
        }
        return;
    }
    impl_->render(input, output);
}

void HostDrivenDevice::process(const float* const* input, float* const* output,
                               FrameCount frames) noexcept {
    const HostDrivenConfig& config = impl_->config;
    process(
        ConstBufferView(config.inputChannels > 0 ? input : nullptr, config.inputChannels, frames),
        BufferView(config.outputChannels > 0 ? output : nullptr, config.outputChannels, frames));
}

void HostDrivenDevice::processInterleaved(const float* input, float* output,
                                          FrameCount frames) noexcept {
    RealtimeScope realtime; // the conversions too, not only the callback
    State& s = *impl_;
    const ChannelCount ins = s.config.inputChannels;
    const ChannelCount outs = s.config.outputChannels;
    for (FrameCount done = 0; done < frames;) {
        const FrameCount count = std::min(s.config.maxBlockFrames, frames - done);
        for (ChannelCount c = 0; c < ins; ++c) {
            float* planar = s.inputScratch.channel(c);
            if (input != nullptr) {
                const float* source = input + std::size_t{done} * ins + c;
                for (FrameCount i = 0; i < count; ++i) {
                    planar[i] = source[std::size_t{i} * ins];
                }
            } else {
                std::fill_n(planar, count, 0.0f);
            }
            s.inputPointers[c] = planar;
        }
        for (ChannelCount c = 0; c < outs; ++c) {
            s.outputPointers[c] = s.outputScratch.channel(c);
        }
        s.render(ConstBufferView(ins > 0 ? s.inputPointers.data() : nullptr, ins, count),
                 BufferView(outs > 0 ? s.outputPointers.data() : nullptr, outs, count));
        for (ChannelCount c = 0; c < outs; ++c) {
            const float* planar = s.outputScratch.channel(c);
            float* target = output + std::size_t{done} * outs + c;
            for (FrameCount i = 0; i < count; ++i) {
                target[std::size_t{i} * outs] = planar[i];
            }
        }
        done += count;
    }
}

} // namespace fluxforge
