// What the JACK tests share: the server of the test program (a GoogleTest environment starts or
// finds it), port connections, waiting, and callbacks that generate and record audio without
// allocating on the audio thread.
#pragma once

#include "jack_server.hpp"

#include <fluxforge/device/rtaudio_device.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <mutex>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

namespace fluxforge::test {

/// The server this test program runs against (see jack_server.hpp).
JackTestServer& jackServer();

/// Connects two JACK ports with jack_connect; fails the test if that fails.
inline void connectJackPorts(const std::string& from, const std::string& to) {
    const CommandResult result = runCommand({"jack_connect", from, to});
    ASSERT_EQ(result.exitCode, 0) << "jack_connect '" << from << "' '" << to
                                  << "': " << result.output;
}

/// Waits until `condition` holds or `timeout` passes; returns the condition's last value.
inline bool waitUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return condition();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

/// A stream config on the test server: manual port connections, so tests wire what they test.
inline RtAudioConfig jackConfig(ChannelCount outputs, ChannelCount inputs,
                                const std::string& name = "fftest") {
    RtAudioConfig config;
    config.api = AudioApi::jack;
    config.outputChannels = outputs;
    config.inputChannels = inputs;
    config.sampleRate = kJackTestSampleRate;
    config.blockFrames = kJackTestPeriod;
    config.streamName = name;
    config.jackPorts = JackPortConnection::manual;
    return config;
}

/// Collects what a device reports from its notification thread.
class ReportCollector {
public:
    DeviceHandlers handlers() {
        return {[this](const DeviceError& error) {
                    std::lock_guard lock(mutex_);
                    errors_.push_back(error);
                    errorThreads_.push_back(std::this_thread::get_id());
                },
                [this](const XrunCounts& xruns) {
                    std::lock_guard lock(mutex_);
                    xruns_.outputUnderflows += xruns.outputUnderflows;
                    xruns_.inputOverflows += xruns.inputOverflows;
                    xrunThreads_.push_back(std::this_thread::get_id());
                }};
    }

    std::vector<DeviceError> errors() const {
        std::lock_guard lock(mutex_);
        return errors_;
    }
    bool hasError(DeviceErrorKind kind) const {
        std::lock_guard lock(mutex_);
        for (const auto& error : errors_) {
            if (error.kind == kind) {
                return true;
            }
        }
        return false;
    }
    XrunCounts xruns() const {
        std::lock_guard lock(mutex_);
        return xruns_;
    }
    std::vector<std::thread::id> reportingThreads() const {
        std::lock_guard lock(mutex_);
        std::vector<std::thread::id> threads = errorThreads_;
        threads.insert(threads.end(), xrunThreads_.begin(), xrunThreads_.end());
        return threads;
    }

private:
    mutable std::mutex mutex_;
    std::vector<DeviceError> errors_;
    std::vector<std::thread::id> errorThreads_;
    XrunCounts xruns_;
    std::vector<std::thread::id> xrunThreads_;
};

/// Writes a sine per output channel (channel c at frequencies[c]) and records, up to a capacity
/// allocated beforehand, every output sample it wrote and every input sample it received, plus
/// the xrun flags of each block.
class LoopbackRecorder final : public AudioCallback {
public:
    LoopbackRecorder(ChannelCount outputs, ChannelCount inputs, std::size_t capacity,
                     std::vector<double> frequencies)
        : frequencies_(std::move(frequencies))
        , written_(outputs, std::vector<float>(capacity, 0.0f))
        , received_(inputs, std::vector<float>(capacity, 0.0f))
        , blockXruns_(capacity / 16 + 1, XrunFlags::none) {
        blockStart_.reserve(blockXruns_.size()); // the audio thread never grows it
    }

    void streamStarting(const StreamInfo& info) override {
        startingThread_ = std::this_thread::get_id();
        sampleRate_ = info.sampleRate;
        ++starts_;
    }
    void streamStopped() override {
        stoppedThread_ = std::this_thread::get_id();
        ++stops_;
    }

    void processAudio(ConstBufferView input, BufferView output,
                      const CallbackInfo& info) noexcept override {
        audioThread_.store(std::hash<std::thread::id>{}(std::this_thread::get_id()),
                           std::memory_order_relaxed);
        const std::size_t at = recorded_.load(std::memory_order_relaxed);
        if (blocks_ < blockXruns_.size()) {
            blockXruns_[blocks_] = info.xruns;
            blockStart_.push_back(info.streamFrame);
        }
        ++blocks_;
        if (any(info.xruns)) {
            flaggedBlocks_.fetch_add(1, std::memory_order_relaxed);
        }
        const std::size_t capacity =
            written_.empty() ? received_.front().size() : written_.front().size();
        const std::size_t count =
            std::min<std::size_t>(output.numFrames() > 0 ? output.numFrames() : input.numFrames(),
                                  capacity - std::min(capacity, at));
        for (ChannelCount c = 0; c < output.numChannels(); ++c) {
            const double step = 2.0 * std::numbers::pi * frequencies_[c] / sampleRate_;
            for (FrameCount i = 0; i < output.numFrames(); ++i) {
                const double t = static_cast<double>(info.streamFrame + i);
                output.channel(c)[i] = static_cast<float>(0.5 * std::sin(step * t));
            }
            std::copy_n(output.channel(c), count, written_[c].data() + at);
        }
        for (ChannelCount c = 0; c < input.numChannels(); ++c) {
            std::copy_n(input.channel(c), count, received_[c].data() + at);
        }
        lastStreamFrame_.store(info.streamFrame, std::memory_order_relaxed);
        recorded_.store(at + count, std::memory_order_release);
    }

    [[nodiscard]] std::size_t recorded() const noexcept {
        return recorded_.load(std::memory_order_acquire);
    }
    [[nodiscard]] const std::vector<std::vector<float>>& written() const { return written_; }
    [[nodiscard]] const std::vector<std::vector<float>>& received() const { return received_; }
    [[nodiscard]] std::size_t blocks() const { return blocks_; }
    [[nodiscard]] XrunFlags blockXruns(std::size_t block) const { return blockXruns_[block]; }
    [[nodiscard]] const std::vector<SampleTime>& blockStarts() const { return blockStart_; }
    [[nodiscard]] std::size_t flaggedBlocks() const {
        return flaggedBlocks_.load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::size_t audioThreadHash() const {
        return audioThread_.load(std::memory_order_relaxed);
    }
    [[nodiscard]] int starts() const { return starts_; }
    [[nodiscard]] int stops() const { return stops_; }
    [[nodiscard]] std::thread::id startingThread() const { return startingThread_; }
    [[nodiscard]] std::thread::id stoppedThread() const { return stoppedThread_; }

    /// Forgets what was recorded (between runs, while stopped).
    void rewind() {
        recorded_.store(0, std::memory_order_relaxed);
        blocks_ = 0;
        blockStart_.clear();
        blockStart_.reserve(blockXruns_.size());
    }

private:
    std::vector<double> frequencies_;
    SampleRate sampleRate_ = kJackTestSampleRate;
    std::vector<std::vector<float>> written_;
    std::vector<std::vector<float>> received_;
    std::vector<XrunFlags> blockXruns_;
    std::vector<SampleTime> blockStart_;
    std::size_t blocks_ = 0;
    std::atomic<std::size_t> recorded_{0};
    std::atomic<std::size_t> flaggedBlocks_{0};
    std::atomic<SampleTime> lastStreamFrame_{0};
    std::atomic<std::size_t> audioThread_{0};
    int starts_ = 0;
    int stops_ = 0;
    std::thread::id startingThread_;
    std::thread::id stoppedThread_;
};

} // namespace fluxforge::test
