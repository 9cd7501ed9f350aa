// Each SIMD kernel beside its scalar twin, 64 to 4096 frames, data resident in L1.
//
// Benchmarks are named <Kernel>/<variant>/<frames>. Every SIMD benchmark also times the scalar twin
// on the same data for the same number of calls, interleaved with its own timing, and reports
// `speedup` = scalar time / SIMD time as a counter: the ratio comes from one paired measurement,
// not from two runs that the machine's state may have treated differently.
#include <fluxforge/core/kernels.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using fluxforge::FrameCount;
using fluxforge::kernels::InstructionSet;
using fluxforge::kernels::KernelTable;

struct Data {
    std::vector<float> dst;
    std::vector<float> src;
    explicit Data(FrameCount n)
        : dst(n)
        , src(n) {
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
        for (FrameCount i = 0; i < n; ++i) {
            dst[i] = dist(rng);
            src[i] = dist(rng);
        }
    }
};

// One call of a kernel through a table; the result is kept alive so nothing is optimised away.
using Call = void (*)(const KernelTable&, Data&, FrameCount);

void callClear(const KernelTable& t, Data& d, FrameCount n) {
    t.clear(d.dst.data(), n);
}
void callCopy(const KernelTable& t, Data& d, FrameCount n) {
    t.copy(d.dst.data(), d.src.data(), n);
}
void callGain(const KernelTable& t, Data& d, FrameCount n) {
    t.gain(d.dst.data(), d.src.data(), 0.999f, n);
}
void callGainRamp(const KernelTable& t, Data& d, FrameCount n) {
    t.gainRamp(d.dst.data(), d.src.data(), 0.5f, 0.75f, n);
}
void callMixAdd(const KernelTable& t, Data& d, FrameCount n) {
    t.mixAdd(d.dst.data(), d.src.data(), n);
}
void callMixAddWithGain(const KernelTable& t, Data& d, FrameCount n) {
    t.mixAddWithGain(d.dst.data(), d.src.data(), 0.001f, n);
}
void callPeak(const KernelTable& t, Data& d, FrameCount n) {
    float result = t.peak(d.src.data(), n);
    benchmark::DoNotOptimize(result);
}
void callRms(const KernelTable& t, Data& d, FrameCount n) {
    float result = t.rms(d.src.data(), n);
    benchmark::DoNotOptimize(result);
}

double nanosecondsPerCall(const KernelTable& table, Call call, Data& data, FrameCount n,
                          std::int64_t calls) {
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < calls; ++i) {
        call(table, data, n);
        benchmark::ClobberMemory();
    }
    const auto end = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(end - start).count() /
           static_cast<double>(calls);
}

void runKernel(benchmark::State& state, const KernelTable* table, Call call) {
    const auto n = static_cast<FrameCount>(state.range(0));
    Data data(n);
    for (auto _ : state) {
        call(*table, data, n);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * n);
    state.SetBytesProcessed(state.iterations() * n * static_cast<std::int64_t>(sizeof(float)));

    if (table->instructionSet != InstructionSet::scalar) {
        const KernelTable& scalar = *fluxforge::kernels::kernelTable(InstructionSet::scalar);
        const std::int64_t calls = std::max<std::int64_t>(state.iterations(), 1000);
        double simdNs = 0.0;
        double scalarNs = 0.0;
        for (int round = 0; round < 3; ++round) { // interleaved, best of three each
            const double s = nanosecondsPerCall(scalar, call, data, n, calls);
            const double v = nanosecondsPerCall(*table, call, data, n, calls);
            scalarNs = round == 0 ? s : std::min(scalarNs, s);
            simdNs = round == 0 ? v : std::min(simdNs, v);
        }
        state.counters["scalar_ns"] = scalarNs;
        state.counters["simd_ns"] = simdNs;
        state.counters["speedup"] = scalarNs / simdNs;
    }
}

void registerAll() {
    const std::pair<const char*, Call> kernels[] = {
        {"Clear", callClear},       {"Copy", callCopy},     {"Gain", callGain},
        {"GainRamp", callGainRamp}, {"MixAdd", callMixAdd}, {"MixAddWithGain", callMixAddWithGain},
        {"Peak", callPeak},         {"Rms", callRms},
    };
    for (const auto& [kernelName, call] : kernels) {
        for (InstructionSet set : {InstructionSet::scalar, InstructionSet::baseline,
                                   InstructionSet::avx2, InstructionSet::avx512}) {
            const KernelTable* table = fluxforge::kernels::kernelTable(set);
            if (table == nullptr) {
                continue;
            }
            const std::string name = std::string(kernelName) + "/" + std::string(table->name);
            benchmark::RegisterBenchmark(name.c_str(), runKernel, table, call)
                ->RangeMultiplier(2)
                ->Range(64, 4096);
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    registerAll();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
