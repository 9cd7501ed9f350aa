#include "callback_runner.hpp"

#include <fluxforge/core/error.hpp>
#include <fluxforge/device/offline_device.hpp>

#include <sndfile.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace fluxforge {
namespace {

/// A libsndfile handle that closes itself.
class SoundFile {
public:
    SoundFile(const std::filesystem::path& path, const OfflineConfig& config,
              WavSampleFormat format) {
        SF_INFO info{};
        info.samplerate = static_cast<int>(config.sampleRate);
        info.channels = static_cast<int>(config.outputChannels);
        int subtype = SF_FORMAT_FLOAT;
        if (format == WavSampleFormat::pcm24) {
            subtype = SF_FORMAT_PCM_24;
        } else if (format == WavSampleFormat::pcm16) {
            subtype = SF_FORMAT_PCM_16;
        }
        info.format = SF_FORMAT_WAV | subtype;
        file_ = sf_open(path.string().c_str(), SFM_WRITE, &info);
        if (file_ == nullptr) {
            throw Error("OfflineDevice: cannot write '" + path.string() +
                        "': " + sf_strerror(nullptr));
        }
        // Integer formats: clip instead of wrapping around.
        sf_command(file_, SFC_SET_CLIPPING, nullptr, SF_TRUE);
    }
    ~SoundFile() {
        if (file_ != nullptr) {
            sf_close(file_);
        }
    }
    SoundFile(const SoundFile&) = delete;
    SoundFile& operator=(const SoundFile&) = delete;

    void write(const float* interleaved, FrameCount frames, const std::filesystem::path& path) {
        const sf_count_t written = sf_writef_float(file_, interleaved, frames);
        if (written != static_cast<sf_count_t>(frames)) {
            throw Error("OfflineDevice: writing '" + path.string() +
                        "' failed: " + sf_strerror(file_));
        }
    }

    void close(const std::filesystem::path& path) {
        SNDFILE* file = file_;
        file_ = nullptr;
        if (sf_close(file) != 0) {
            throw Error("OfflineDevice: closing '" + path.string() + "' failed");
        }
    }

private:
    SNDFILE* file_ = nullptr;
};

} // namespace

double RenderProgress::fraction() const noexcept {
    return framesTotal == 0 ? 1.0
                            : static_cast<double>(framesDone) / static_cast<double>(framesTotal);
}

double RenderProgress::speedFactor(SampleRate sampleRate) const noexcept {
    if (elapsedSeconds <= 0.0 || sampleRate <= 0.0) {
        return 0.0;
    }
    return static_cast<double>(framesDone) / sampleRate / elapsedSeconds;
}

struct OfflineDevice::Impl {
    explicit Impl(const OfflineConfig& c)
        : config(c)
        , input(c.inputChannels, c.blockFrames)
        , output(c.outputChannels, c.blockFrames)
        , inputPointers(c.inputChannels, nullptr) {}

    const OfflineConfig config;
    detail::CallbackRunner runner;
    AudioCallback* callback = nullptr;
    std::atomic<DeviceState> state{DeviceState::stopped};
    AudioBuffer input;
    AudioBuffer output;
    std::vector<const float*> inputPointers;

    /// Renders `frames` frames block by block; `sink(view)` receives each rendered block.
    template <typename Sink>
    RenderResult render(FrameCount frames, const RenderOptions& options, Sink&& sink) {
        if (callback == nullptr) {
            throw Error("OfflineDevice: render called before start()");
        }
        if (!options.input.empty() && options.input.numChannels() != config.inputChannels) {
            throw Error("OfflineDevice: the input has " +
                        std::to_string(options.input.numChannels()) + " channels; the device " +
                        std::to_string(config.inputChannels));
        }
        const FrameCount interval = options.progressIntervalFrames > 0
                                        ? options.progressIntervalFrames
                                        : std::max<FrameCount>(config.blockFrames, frames / 100);
        const auto begin = std::chrono::steady_clock::now();
        const auto elapsed = [&] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        };
        RenderResult result;
        FrameCount nextReport = interval;
        while (result.framesRendered < frames) {
            const FrameCount count = std::min(config.blockFrames, frames - result.framesRendered);
            for (ChannelCount c = 0; c < config.inputChannels; ++c) {
                float* block = input.channel(c);
                const FrameCount available =
                    options.input.numFrames() > result.framesRendered
                        ? std::min(count, options.input.numFrames() - result.framesRendered)
                        : 0;
                if (available > 0) {
                    std::copy_n(options.input.channel(c) + result.framesRendered, available, block);
                }
                std::fill(block + available, block + count, 0.0f);
                inputPointers[c] = block;
            }
            const ConstBufferView in(config.inputChannels > 0 ? inputPointers.data() : nullptr,
                                     config.inputChannels, count);
            const BufferView out = output.view().subFrames(0, count);
            runner.run(in, out, config.blockFrames, config.sampleRate, -1.0, []() noexcept {});
            sink(ConstBufferView(out), result.framesRendered);
            result.framesRendered += count;

            if (options.progress &&
                (result.framesRendered >= nextReport || result.framesRendered == frames)) {
                nextReport = result.framesRendered + interval;
                if (!options.progress({result.framesRendered, frames, elapsed()})) {
                    result.cancelled = result.framesRendered < frames;
                    break;
                }
            }
        }
        if (options.progress && frames == 0) {
            (void)options.progress({0, 0, elapsed()});
        }
        result.elapsedSeconds = elapsed();
        return result;
    }
};

OfflineDevice::OfflineDevice(const OfflineConfig& config) {
    if (!(config.sampleRate > 0.0)) {
        throw Error("OfflineDevice: sampleRate must be positive");
    }
    if (config.blockFrames == 0) {
        throw Error("OfflineDevice: blockFrames must be at least 1");
    }
    if (config.outputChannels == 0) {
        throw Error("OfflineDevice: outputChannels must be at least 1 (there is nothing to "
                    "render otherwise)");
    }
    impl_ = std::make_unique<Impl>(config);
}

OfflineDevice::~OfflineDevice() {
    stop();
}

void OfflineDevice::start(AudioCallback& callback) {
    if (impl_->callback != nullptr) {
        throw Error("OfflineDevice::start: already started; stop() first");
    }
    callback.streamStarting(streamInfo());
    impl_->callback = &callback;
    impl_->runner.attach(callback);
    impl_->state.store(DeviceState::running, std::memory_order_release);
}

void OfflineDevice::stop() {
    if (impl_->callback == nullptr) {
        return;
    }
    impl_->runner.detach();
    impl_->state.store(DeviceState::stopped, std::memory_order_release);
    AudioCallback* callback = impl_->callback;
    impl_->callback = nullptr;
    callback->streamStopped();
}

DeviceState OfflineDevice::state() const noexcept {
    return impl_->state.load(std::memory_order_acquire);
}

StreamInfo OfflineDevice::streamInfo() const {
    const OfflineConfig& config = impl_->config;
    return {config.sampleRate, config.blockFrames, config.blockFrames, config.inputChannels,
            config.outputChannels};
}

StreamLatency OfflineDevice::latency() const {
    return {};
}

DeviceStats OfflineDevice::stats() const noexcept {
    return impl_->runner.stats();
}

XrunCounts OfflineDevice::takeNewXruns() noexcept {
    return impl_->runner.takeNewXruns();
}

AudioBuffer OfflineDevice::renderToBuffer(FrameCount frames, const RenderOptions& options) {
    AudioBuffer rendered(impl_->config.outputChannels, frames);
    const RenderResult result =
        impl_->render(frames, options, [&](ConstBufferView block, FrameCount at) {
            for (ChannelCount c = 0; c < block.numChannels(); ++c) {
                std::copy_n(block.channel(c), block.numFrames(), rendered.channel(c) + at);
            }
        });
    if (result.framesRendered < frames) {
        AudioBuffer shorter(rendered.numChannels(), result.framesRendered);
        for (ChannelCount c = 0; c < rendered.numChannels(); ++c) {
            std::copy_n(rendered.channel(c), result.framesRendered, shorter.channel(c));
        }
        return shorter;
    }
    return rendered;
}

RenderResult OfflineDevice::renderToFile(const std::filesystem::path& path, FrameCount frames,
                                         const RenderOptions& options) {
    if (impl_->callback == nullptr) {
        throw Error("OfflineDevice: render called before start()");
    }
    SoundFile file(path, impl_->config, options.fileFormat);
    const ChannelCount channels = impl_->config.outputChannels;
    std::vector<float> interleaved(std::size_t{impl_->config.blockFrames} * channels);
    const RenderResult result =
        impl_->render(frames, options, [&](ConstBufferView block, FrameCount /*at*/) {
            for (ChannelCount c = 0; c < channels; ++c) {
                const float* planar = block.channel(c);
                for (FrameCount i = 0; i < block.numFrames(); ++i) {
                    interleaved[std::size_t{i} * channels + c] = planar[i];
                }
            }
            file.write(interleaved.data(), block.numFrames(), path);
        });
    file.close(path);
    return result;
}

AudioBuffer OfflineDevice::renderToBuffer(AudioCallback& callback, FrameCount frames,
                                          const RenderOptions& options) {
    start(callback);
    try {
        AudioBuffer rendered = renderToBuffer(frames, options);
        stop();
        return rendered;
    } catch (...) {
        stop();
        throw;
    }
}

RenderResult OfflineDevice::renderToFile(AudioCallback& callback, const std::filesystem::path& path,
                                         FrameCount frames, const RenderOptions& options) {
    start(callback);
    try {
        const RenderResult result = renderToFile(path, frames, options);
        stop();
        return result;
    } catch (...) {
        stop();
        throw;
    }
}

} // namespace fluxforge
