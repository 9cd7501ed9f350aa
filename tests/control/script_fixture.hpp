// Shared set-up for the control layer's tests: an engine, its graph session, a way to render
// blocks (the audio thread, called here or from a thread of its own), and scripts run to a point.
#pragma once

#include <fluxforge/control/graph_session.hpp>
#include <fluxforge/control/script.hpp>
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fluxforge {
// The tests wait in seconds and milliseconds (10s, 1ms).
using namespace std::chrono_literals;
} // namespace fluxforge

namespace fluxforge::test {

/// Sample rates and block sizes the parameterised tests run over.
struct AudioFormat {
    SampleRate rate;
    FrameCount block;
};
inline std::string formatName(const ::testing::TestParamInfo<AudioFormat>& info) {
    return std::to_string(static_cast<int>(info.param.rate)) + "Hz_" +
           std::to_string(info.param.block);
}

class ScriptHarness {
public:
    explicit ScriptHarness(AudioFormat format = {48000.0, 64}, ChannelCount outputs = 1)
        : engine_(makeConfig(format))
        , session_(engine_, GraphConfig{0, outputs})
        , out_(outputs, format.block) {}

    ~ScriptHarness() {
        stopAudio();
        scripts_.clear(); // before the lines they print into
    }

    Engine& engine() { return engine_; }
    GraphSession& session() { return session_; }
    FrameCount block() const { return engine_.config().maxBlockSize; }

    /// Starts a script; `print` lines are collected for lines().
    Script& run(const std::string& source, const std::string& name = "test.lua",
                ScriptLimits limits = {}) {
        ScriptConfig config;
        config.name = name;
        config.source = source;
        config.limits = limits;
        config.print = [this](std::string_view line) {
            const std::lock_guard lock(linesMutex_);
            lines_.emplace_back(line);
        };
        scripts_.push_back(std::make_unique<Script>(session_, std::move(config)));
        return *scripts_.back();
    }

    /// Runs a script to its end (or failure) and returns it.
    Script& runToEnd(const std::string& source, const std::string& name = "test.lua",
                     ScriptLimits limits = {}) {
        Script& script = run(source, name, limits);
        EXPECT_TRUE(script.waitUntilDone(10s)) << name << " did not end";
        return script;
    }

    /// Renders `blocks` blocks on this thread (the audio thread's role), letting every script
    /// catch up with the playhead before each.
    void render(int blocks) {
        for (int b = 0; b < blocks; ++b) {
            for (auto& script : scripts_) {
                script->waitUntilCaughtUp(5s);
            }
            engine_.process({}, out_.view());
        }
    }
    const AudioBuffer& lastBlock() const { return out_; }

    /// An audio thread rendering continuously until stopAudio(), counting non-silent blocks.
    void startAudio() {
        audioRunning_.store(true);
        audio_ = std::thread([this] {
            AudioBuffer out(out_.numChannels(), block());
            while (audioRunning_.load(std::memory_order_acquire)) {
                engine_.process({}, out.view());
                bool sound = false;
                for (FrameCount i = 0; i < out.numFrames(); ++i) {
                    sound = sound || out.channel(0)[i] != 0.0f;
                }
                blocksPlayed_.fetch_add(1, std::memory_order_relaxed);
                if (sound) {
                    soundingBlocks_.fetch_add(1, std::memory_order_relaxed);
                }
                std::this_thread::sleep_for(100us);
            }
        });
    }
    void stopAudio() {
        if (audio_.joinable()) {
            audioRunning_.store(false, std::memory_order_release);
            audio_.join();
        }
    }
    std::uint64_t blocksPlayed() const { return blocksPlayed_.load(); }
    std::uint64_t soundingBlocks() const { return soundingBlocks_.load(); }

    /// Waits until the audio thread has played `blocks` more blocks.
    void waitBlocks(std::uint64_t blocks) {
        const std::uint64_t target = blocksPlayed() + blocks;
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (blocksPlayed() < target && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(1ms);
        }
    }

    std::vector<std::string> lines() const {
        const std::lock_guard lock(linesMutex_);
        return lines_;
    }

private:
    static EngineConfig makeConfig(AudioFormat format) {
        EngineConfig config;
        config.sampleRate = format.rate;
        config.maxBlockSize = format.block;
        config.workers = 1;
        return config;
    }

    Engine engine_;
    GraphSession session_;
    AudioBuffer out_;
    std::vector<std::unique_ptr<Script>> scripts_;
    mutable std::mutex linesMutex_;
    std::vector<std::string> lines_;
    std::thread audio_;
    std::atomic<bool> audioRunning_{false};
    std::atomic<std::uint64_t> blocksPlayed_{0};
    std::atomic<std::uint64_t> soundingBlocks_{0};
};

/// A script source that builds `sine -> out` named "tone" and commits it.
inline const char* kToneGraph = R"lua(
local g = ff.graph()
local tone = g:add("sine", {name = "tone", frequency = 440, amplitude = 0.5})
g:connect(tone, g:output())
g:commit()
)lua";

} // namespace fluxforge::test
