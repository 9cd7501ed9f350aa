// The built-in oscillators' cost per frame, each beside a bare loop doing the same arithmetic
// without a node around it (the baseline):
//
//   sine/...  SineOscillator::process() against `sin(2 pi phase)` with a double phase advanced by
//             f / fs per frame (no parameter reads, no clamping, no increment cache).
//   saw/...   SawOscillator::process() (PolyBLEP band-limited) against the naive, aliasing ramp
//             `2 phase - 1`: the difference is what band-limiting and the node cost together.
//
// Each runs with a constant frequency (the usual case) and with a frequency that moves on every
// frame (automation, modulation), for 64- and 1024-frame blocks. Counters: ns_per_frame,
// baseline_ns_per_frame, and ratio (ours over the baseline; 1.0 means the node costs nothing
// beyond its arithmetic).
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/nodes/saw_oscillator.hpp>
#include <fluxforge/nodes/sine_oscillator.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <span>
#include <vector>

namespace fluxforge::bench {
namespace {

constexpr SampleRate kSampleRate = 48000.0;

enum class Frequency { constant, moving };

/// A frequency per frame that sweeps 200..2200 Hz, for the "moving" runs.
std::vector<float> sweep(FrameCount frames) {
    std::vector<float> values(frames);
    for (FrameCount i = 0; i < frames; ++i) {
        values[i] = 200.0f + 2000.0f * static_cast<float>(i) / static_cast<float>(frames);
    }
    return values;
}

/// The baseline: the oscillator's arithmetic as a bare loop over one block.
template <typename Wave>
double bareNanosecondsPerBlock(FrameCount frames, Frequency frequency, std::int64_t iterations,
                               Wave wave) {
    std::vector<float> out(frames);
    const std::vector<float> moving = sweep(frames);
    double phase = 0.0;
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t it = 0; it < iterations; ++it) {
        for (FrameCount i = 0; i < frames; ++i) {
            const float hz = frequency == Frequency::constant ? 440.0f : moving[i];
            out[i] = static_cast<float>(0.5 * wave(phase));
            phase += static_cast<double>(hz) / kSampleRate;
            if (phase >= 1.0) {
                phase -= 1.0;
            }
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    const auto end = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(end - start).count() /
           static_cast<double>(iterations);
}

template <typename Oscillator, typename Wave>
void oscillator(benchmark::State& state, Frequency frequency, Wave wave) {
    const auto frames = static_cast<FrameCount>(state.range(0));
    Oscillator node;
    node.prepare(PrepareContext{kSampleRate, frames});
    AudioBuffer out(1, frames);
    const BufferView outView = out.view();
    const std::vector<float> moving = sweep(frames);
    ParameterValues parameters[2];
    if (frequency == Frequency::constant) {
        parameters[Oscillator::kFrequency].setConstant(440.0f);
    } else {
        parameters[Oscillator::kFrequency].setPerSample(moving.data());
    }
    parameters[Oscillator::kAmplitude].setConstant(0.5f);
    ProcessContext context;
    context.numFrames = frames;
    context.sampleRate = kSampleRate;
    context.outputs = std::span<const BufferView>(&outView, 1);
    context.parameters = parameters;

    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        node.process(context);
        benchmark::DoNotOptimize(out.channel(0));
        benchmark::ClobberMemory();
    }
    const auto end = std::chrono::steady_clock::now();
    const double oursNs = std::chrono::duration<double, std::nano>(end - start).count() /
                          static_cast<double>(state.iterations());
    const double baselineNs = bareNanosecondsPerBlock(
        frames, frequency, std::max<std::int64_t>(state.iterations(), 100), wave);
    state.counters["ns_per_frame"] = oursNs / static_cast<double>(frames);
    state.counters["baseline_ns_per_frame"] = baselineNs / static_cast<double>(frames);
    state.counters["ratio"] = oursNs / baselineNs;
}

double sineWave(double phase) {
    return std::sin(2.0 * std::numbers::pi * phase);
}
double naiveRamp(double phase) {
    return 2.0 * phase - 1.0;
}

void sineConstant(benchmark::State& s) {
    oscillator<SineOscillator>(s, Frequency::constant, sineWave);
}
void sineMoving(benchmark::State& s) {
    oscillator<SineOscillator>(s, Frequency::moving, sineWave);
}
void sawConstant(benchmark::State& s) {
    oscillator<SawOscillator>(s, Frequency::constant, naiveRamp);
}
void sawMoving(benchmark::State& s) {
    oscillator<SawOscillator>(s, Frequency::moving, naiveRamp);
}

BENCHMARK(sineConstant)->Name("sine/constant")->Arg(64)->Arg(1024);
BENCHMARK(sineMoving)->Name("sine/moving")->Arg(64)->Arg(1024);
BENCHMARK(sawConstant)->Name("saw/constant")->Arg(64)->Arg(1024);
BENCHMARK(sawMoving)->Name("saw/moving")->Arg(64)->Arg(1024);

} // namespace
} // namespace fluxforge::bench

BENCHMARK_MAIN();
