// The machine under the other benchmarks: what moving a cache line between two cores costs, and
// how much of a core the host takes away. These are not FluxForge's figures; they bound what any
// scheduler can reach on the machine (docs/performance.md, "The machine").
//
// 1. CoreToCore/round_trip: two threads (on CPUs 0 and 1 where the OS lets us pin them) hand a
//    flag back and forth through one cache line; round_trip_ns_p50 is one round trip, two
//    transfers of the line. A task whose inputs were written on another core pays such transfers.
// 2. HostInterruptions: one thread reads the cycle counter back to back for 10 ms per iteration and
//    counts the gaps longer than 1 us (interrupts, the hypervisor running something else on this
//    virtual CPU): lost_pct is the time lost in them, gaps_*_per_s how often they come.
#include <fluxforge/core/cycle_clock.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace {

using fluxforge::CycleClock;

// Best effort: the figure is about two distinct cores, which the OS usually gives two busy threads
// anyway.
void pinToCpu(unsigned cpu) {
#if defined(__linux__)
    if (cpu < std::thread::hardware_concurrency()) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    }
#else
    static_cast<void>(cpu);
#endif
}

void BM_CoreToCoreRoundTrip(benchmark::State& state) {
    if (std::thread::hardware_concurrency() < 2) {
        state.SkipWithError("needs two hardware threads");
        return;
    }
    constexpr int kTripsPerIteration = 1000;
    alignas(64) std::atomic<std::uint64_t> ball{0};
    std::atomic<bool> stop{false};
    std::thread partner([&] {
        pinToCpu(1);
        while (!stop.load(std::memory_order_relaxed)) {
            // Odd: served by the main thread; answered with the next even number.
            const std::uint64_t value = ball.load(std::memory_order_acquire);
            if ((value & 1) == 1) {
                ball.store(value + 1, std::memory_order_release);
            }
        }
    });
    pinToCpu(0);
    const double ticksPerNs = CycleClock::ticksPerNanosecond();
    std::vector<double> trips;
    trips.reserve(static_cast<std::size_t>(kTripsPerIteration) * 64);
    std::uint64_t next = 1;
    for (auto _ : state) {
        for (int i = 0; i < kTripsPerIteration; ++i) {
            const std::uint64_t start = CycleClock::now();
            ball.store(next, std::memory_order_release);
            while (ball.load(std::memory_order_acquire) != next + 1) {
            }
            trips.push_back(static_cast<double>(CycleClock::now() - start) / ticksPerNs);
            next += 2;
        }
    }
    stop.store(true);
    partner.join();
    std::sort(trips.begin(), trips.end());
    const auto at = [&](double q) {
        return trips[std::min(trips.size() - 1,
                              static_cast<std::size_t>(q * static_cast<double>(trips.size())))];
    };
    state.counters["round_trip_ns_p10"] = at(0.10);
    state.counters["round_trip_ns_p50"] = at(0.50);
    state.counters["round_trip_ns_p99"] = at(0.99);
}
BENCHMARK(BM_CoreToCoreRoundTrip)->Name("CoreToCore/round_trip")->UseRealTime();

void BM_HostInterruptions(benchmark::State& state) {
    const double ticksPerNs = CycleClock::ticksPerNanosecond();
    const auto window = static_cast<std::uint64_t>(10e6 * ticksPerNs); // 10 ms per iteration
    const auto gap1us = static_cast<std::uint64_t>(1e3 * ticksPerNs);
    const auto gap16us = static_cast<std::uint64_t>(16e3 * ticksPerNs);
    const auto gap64us = static_cast<std::uint64_t>(64e3 * ticksPerNs);
    std::uint64_t lost = 0;
    std::uint64_t spun = 0;
    std::uint64_t over1 = 0;
    std::uint64_t over16 = 0;
    std::uint64_t over64 = 0;
    for (auto _ : state) {
        const std::uint64_t start = CycleClock::now();
        std::uint64_t previous = start;
        while (previous - start < window) {
            const std::uint64_t now = CycleClock::now();
            const std::uint64_t gap = now - previous;
            if (gap > gap1us) {
                lost += gap;
                ++over1;
                over16 += gap > gap16us ? 1 : 0;
                over64 += gap > gap64us ? 1 : 0;
            }
            previous = now;
        }
        spun += previous - start;
    }
    const double seconds = static_cast<double>(spun) / ticksPerNs / 1e9;
    state.counters["lost_pct"] =
        spun > 0 ? 100.0 * static_cast<double>(lost) / static_cast<double>(spun) : 0.0;
    state.counters["gaps_over_1us_per_s"] = static_cast<double>(over1) / seconds;
    state.counters["gaps_over_16us_per_s"] = static_cast<double>(over16) / seconds;
    state.counters["gaps_over_64us_per_s"] = static_cast<double>(over64) / seconds;
}
BENCHMARK(BM_HostInterruptions)->Name("HostInterruptions")->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
