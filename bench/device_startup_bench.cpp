// device_startup_bench: how long after start() the first audio callback runs, on a JACK server with
// the dummy driver (48 kHz, 256-frame periods), for RtAudioDevice and, as the baseline, RtAudio
// used directly (startStream() to its first callback). Each iteration times one start of each,
// interleaved, then stops both; the counters give medians, the 90th percentiles and the ratio.
//
// Needs JACK (jackd2): a running server is used, otherwise the program starts its own the way the
// JACK tests do (tests/device/jack/jack_server.hpp) and stops it at the end.
#include "device/jack/jack_server.hpp"

#include <fluxforge/device/rtaudio_device.hpp>

#include <RtAudio.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
namespace device = fluxforge::device;

/// The server for the whole program: found running, or started here (and stopped at exit).
fluxforge::test::JackTestServer& jackServer() {
    static fluxforge::test::JackTestServer server;
    return server;
}

/// Notes the time of the first callback after each arm().
class FirstCallbackProbe final : public device::AudioCallback {
public:
    void arm() { first_.store(0, std::memory_order_release); }
    void processAudio(fluxforge::ConstBufferView, fluxforge::BufferView,
                      const device::CallbackInfo&) noexcept override {
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
    device::RtAudioConfig config;
    config.api = device::AudioApi::jack;
    config.outputChannels = 2;
    config.streamName = "ffbench";
    config.jackPorts = device::JackPortConnection::manual;
    config.sampleRate = fluxforge::test::kJackTestSampleRate;
    device::RtAudioDevice ours;
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

} // namespace

BENCHMARK_MAIN();
