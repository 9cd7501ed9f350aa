// device_startup_bench: how long after start() the first audio callback runs, on a JACK server with
// the dummy driver (48 kHz, 256-frame periods), for RtAudioDevice and, as the baseline, RtAudio
// used directly (startStream() to its first callback). Each iteration times one start of each,
// interleaved, then stops both; the counters give medians, the 90th percentiles and the ratio.
//
// BM_EngineStartToFirstCallback does the same with an Engine behind the device (EngineCallback,
// the 64-track reference session), interleaved with a bare callback on the same device as the
// baseline: what the engine adds to start-up, and how long its first block takes.
//
// Needs JACK (jackd2): a running server is used, otherwise the program starts its own the way the
// JACK tests do (tests/device/jack/jack_server.hpp) and stops it at the end.
#include "device/jack/jack_server.hpp"

#include <fluxforge/device/engine_callback.hpp>
#include <fluxforge/device/rtaudio_device.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/research/reference_session.hpp>

#include <RtAudio.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace {

using namespace fluxforge;
using Clock = std::chrono::steady_clock;

/// The server for the whole program: found running, or started here (and stopped at exit).
fluxforge::test::JackTestServer& jackServer() {
    static fluxforge::test::JackTestServer server;
    return server;
}

/// Notes the time of the first callback after each arm().
class FirstCallbackProbe final : public AudioCallback {
public:
    void arm() { first_.store(0, std::memory_order_release); }
    void processAudio(fluxforge::ConstBufferView, fluxforge::BufferView,
                      const fluxforge::CallbackInfo&) noexcept override {
        note();
    }
    void note() noexcept {
        if (first_.load(std::memory_order_relaxed) == 0) {
            first_.store(Clock::now().time_since_epoch().count(), std::memory_order_release);
        }
    }
    /// Waits (up to 2 s) for the first callback; its time, if it came.
    std::optional<Clock::time_point> waitForFirst() const {
        const auto deadline = Clock::now() + std::chrono::seconds(2);
        while (Clock::now() < deadline) {
            if (const auto ticks = first_.load(std::memory_order_acquire); ticks != 0) {
                return Clock::time_point(Clock::duration(ticks));
            }
            std::this_thread::yield();
        }
        return std::nullopt;
    }

private:
    std::atomic<Clock::rep> first_{0};
};

int rawCallback(void* output, void* /*input*/, unsigned int frames, double /*streamTime*/,
                RtAudioStreamStatus /*status*/, void* probe) {
    std::fill_n(static_cast<float*>(output), 2 * frames, 0.0f);
    static_cast<FirstCallbackProbe*>(probe)->note();
    return 0;
}

double percentile(std::vector<double> values, double fraction) {
    if (values.empty()) {
        return 0.0;
    }
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1));
    return values[index];
}

void BM_StartToFirstCallback(benchmark::State& state) {
    if (!jackServer().ensureRunning()) {
        state.SkipWithError(
            ("no JACK server and none could be started: " + jackServer().error()).c_str());
        return;
    }

    // RtAudioDevice, as an application uses it.
    RtAudioConfig config;
    config.api = AudioApi::jack;
    config.outputChannels = 2;
    config.streamName = "ffbench";
    config.jackPorts = JackPortConnection::manual;
    config.sampleRate = fluxforge::test::kJackTestSampleRate;
    RtAudioDevice ours;
    FirstCallbackProbe ourProbe;
    // RtAudio itself: the same stream shape, opened directly.
    std::unique_ptr<RtAudio> raw;
    FirstCallbackProbe rawProbe;
    try {
        ours.open(config);
        raw = std::make_unique<RtAudio>(RtAudio::UNIX_JACK);
        raw->showWarnings(false);
        RtAudio::StreamParameters output;
        output.deviceId = 0;
        output.nChannels = 2;
        RtAudio::StreamOptions options;
        options.flags = RTAUDIO_NONINTERLEAVED | RTAUDIO_JACK_DONT_CONNECT;
        options.streamName = "ffbench-raw";
        unsigned int frames = 256;
        raw->openStream(&output, nullptr, RTAUDIO_FLOAT32, config.sampleRate, &frames, &rawCallback,
                        &rawProbe, &options);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return;
    }
    const double periodMs = 1e3 * ours.streamInfo().blockFrames / config.sampleRate;

    std::vector<double> oursMs;
    std::vector<double> rawMs;
    for (auto _ : state) {
        rawProbe.arm();
        const auto rawStart = Clock::now();
        raw->startStream();
        const auto rawFirst = rawProbe.waitForFirst();
        raw->abortStream();

        ourProbe.arm();
        const auto ourStart = Clock::now();
        ours.start(ourProbe);
        const auto ourFirst = ourProbe.waitForFirst();
        ours.stop();

        if (!rawFirst || !ourFirst) {
            state.SkipWithError("no callback within 2 s of start()");
            break;
        }
        const double ourSeconds = std::chrono::duration<double>(*ourFirst - ourStart).count();
        const double rawSeconds = std::chrono::duration<double>(*rawFirst - rawStart).count();
        oursMs.push_back(1e3 * ourSeconds);
        rawMs.push_back(1e3 * rawSeconds);
        state.SetIterationTime(ourSeconds);
    }
    raw->closeStream();
    ours.close();

    const double oursMedian = percentile(oursMs, 0.5);
    const double rawMedian = percentile(rawMs, 0.5);
    state.counters["median_ms"] = oursMedian;
    state.counters["p90_ms"] = percentile(oursMs, 0.9);
    state.counters["rtaudio_median_ms"] = rawMedian;
    state.counters["rtaudio_p90_ms"] = percentile(rawMs, 0.9);
    state.counters["ratio_to_rtaudio"] = rawMedian > 0.0 ? oursMedian / rawMedian : 0.0;
    state.counters["period_ms"] = periodMs;
    state.counters["median_periods"] = periodMs > 0.0 ? oursMedian / periodMs : 0.0;
}
BENCHMARK(BM_StartToFirstCallback)->UseManualTime()->Iterations(25)->Unit(benchmark::kMillisecond);

/// An EngineCallback that notes when its first block starts and when the engine has rendered it.
class TimedEngineCallback final : public AudioCallback {
public:
    explicit TimedEngineCallback(fluxforge::Engine& engine)
        : inner_(engine) {}
    void arm() {
        entered_.arm();
        rendered_.arm();
    }
    void streamStarting(const StreamInfo& info) override { inner_.streamStarting(info); }
    void processAudio(fluxforge::ConstBufferView input, fluxforge::BufferView output,
                      const fluxforge::CallbackInfo& info) noexcept override {
        entered_.note();
        inner_.processAudio(input, output, info);
        rendered_.note();
    }
    std::optional<Clock::time_point> waitForEntered() const { return entered_.waitForFirst(); }
    std::optional<Clock::time_point> waitForRendered() const { return rendered_.waitForFirst(); }

private:
    EngineCallback inner_;
    FirstCallbackProbe entered_;
    FirstCallbackProbe rendered_;
};

void BM_EngineStartToFirstCallback(benchmark::State& state) {
    if (!jackServer().ensureRunning()) {
        state.SkipWithError(
            ("no JACK server and none could be started: " + jackServer().error()).c_str());
        return;
    }
    constexpr fluxforge::FrameCount kPeriod = fluxforge::test::kJackTestPeriod;
    const auto rate = static_cast<fluxforge::SampleRate>(fluxforge::test::kJackTestSampleRate);
    fluxforge::Graph graph(fluxforge::GraphConfig{0, 2});
    fluxforge::ReferenceSessionConfig session; // the full 64-track session
    session.prepare = {rate, kPeriod};
    static_cast<void>(fluxforge::buildReferenceSession(graph, session));
    fluxforge::EngineConfig engineConfig;
    engineConfig.sampleRate = rate;
    engineConfig.maxBlockSize = kPeriod;
    engineConfig.workers = 2;
    engineConfig.pool.realtimePriority = false;
    fluxforge::Engine engine(engineConfig);
    engine.commit(graph);

    RtAudioConfig config;
    config.api = AudioApi::jack;
    config.outputChannels = 2;
    config.streamName = "ffbench-engine";
    config.jackPorts = JackPortConnection::manual;
    config.sampleRate = fluxforge::test::kJackTestSampleRate;
    RtAudioDevice stream;
    try {
        stream.open(config);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return;
    }
    TimedEngineCallback withEngine(engine);
    FirstCallbackProbe bare;
    std::vector<double> engineMs;
    std::vector<double> renderedMs;
    std::vector<double> bareMs;
    for (auto _ : state) {
        bare.arm();
        const auto bareStart = Clock::now();
        stream.start(bare);
        const auto bareFirst = bare.waitForFirst();
        stream.stop();

        withEngine.arm();
        const auto engineStart = Clock::now();
        stream.start(withEngine);
        const auto entered = withEngine.waitForEntered();
        const auto rendered = withEngine.waitForRendered();
        stream.stop();

        if (!bareFirst || !entered || !rendered) {
            state.SkipWithError("no callback within 2 s of start()");
            break;
        }
        const double seconds = std::chrono::duration<double>(*entered - engineStart).count();
        engineMs.push_back(1e3 * seconds);
        renderedMs.push_back(1e3 * std::chrono::duration<double>(*rendered - engineStart).count());
        bareMs.push_back(1e3 * std::chrono::duration<double>(*bareFirst - bareStart).count());
        state.SetIterationTime(seconds);
    }
    stream.close();

    const double engineMedian = percentile(engineMs, 0.5);
    const double bareMedian = percentile(bareMs, 0.5);
    state.counters["median_ms"] = engineMedian;
    state.counters["p90_ms"] = percentile(engineMs, 0.9);
    state.counters["first_block_rendered_median_ms"] = percentile(renderedMs, 0.5);
    state.counters["bare_callback_median_ms"] = bareMedian;
    state.counters["ratio_to_bare"] = bareMedian > 0.0 ? engineMedian / bareMedian : 0.0;
    state.counters["nodes"] = static_cast<double>(graph.nodeCount());
}
BENCHMARK(BM_EngineStartToFirstCallback)
    ->UseManualTime()
    ->Iterations(25)
    ->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
