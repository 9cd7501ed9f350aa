// The CTest smoke runs (label "bench") check that every benchmark still runs, not its figures.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>

namespace fluxforge::bench {

/// `full` iterations, or a fiftieth of them (at least 4) when FLUXFORGE_BENCH_SMOKE is set, as the
/// smoke runs set it: a benchmark with a fixed count of blocks ignores --benchmark_min_time, and
/// at full length the smoke runs of two programs took two minutes of a CI run.
inline benchmark::IterationCount iterationsOrSmoke(benchmark::IterationCount full) {
    if (std::getenv("FLUXFORGE_BENCH_SMOKE") == nullptr) {
        return full;
    }
    return std::max<benchmark::IterationCount>(4, full / 50);
}

} // namespace fluxforge::bench
