#include "prefetch_renderer.hpp"

#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/core/denormal_guard.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/sched/critical_path_executor.hpp>
#include <fluxforge/sched/serial_executor.hpp>
#include <fluxforge/sched/thread_priority.hpp>

#include <algorithm>
#include <chrono>

namespace fluxforge::detail {

PrefetchRenderer::PrefetchRenderer(const PrefetchConfig& config, SampleRate sampleRate,
                                   std::uint32_t maxWorkers)
    : blockFrames_(config.blockFrames)
    , sampleRate_(sampleRate) {
    const std::uint32_t workers = std::clamp<std::uint32_t>(config.workers, 1, maxWorkers);
    if (workers > 1) {
        WorkerPoolConfig pool;
        pool.helpers = workers - 1;
        pool.realtimePriority = false; // below the real-time workers
        pool_ = std::make_unique<WorkerPool>(pool);
        // A prefetch block is long: helpers pay off far below the live part's threshold.
        ParallelPolicy policy;
        policy.minimumWorkNanoseconds = 0.0;
        executor_ = std::make_unique<CriticalPathExecutor>(pool_.get(), policy);
    } else {
        executor_ = std::make_unique<SerialExecutor>();
    }
    thread_ = std::thread([this] {
        // Below the audio thread and its workers, even when the engine was created on a
        // real-time thread (a new thread inherits its creator's policy): at the same real-time
        // priority, a renderer that falls behind would compete with the audio thread for its core.
        static_cast<void>(resetCurrentThreadPriority());
        loop();
    });
}

PrefetchRenderer::~PrefetchRenderer() {
    stop_.store(true, std::memory_order_relaxed);
    thread_.join();
}

bool PrefetchRenderer::renderAhead(PrefetchDomain& domain) noexcept {
    if (!domain.tryHold(PrefetchDomain::Holder::renderer)) {
        return false;
    }
    PrefetchRings& rings = domain.rings();
    const SampleTime ahead = rings.written.load(std::memory_order_relaxed) -
                             rings.consumed.load(std::memory_order_acquire);
    const auto horizon = static_cast<SampleTime>(horizon_.load(std::memory_order_relaxed));
    // Never beyond the horizon: it bounds how late a live change to a prefetched node is heard
    // and how much a switch of plans plays out first.
    if (!rings.timeline.started || ahead + static_cast<SampleTime>(blockFrames_) > horizon ||
        target_.load(std::memory_order_relaxed) != &domain) {
        domain.release();
        return false;
    }
    const std::uint64_t start = CycleClock::now();
    FrameCount frames = 0;
    {
        const RealtimeScope realtime;
        const DenormalGuard denormals;
        frames = domain.render(blockFrames_, *executor_);
    }
    domain.release();
    const double seconds =
        CycleClock::toNanoseconds(static_cast<double>(CycleClock::now() - start)) * 1e-9;
    const double load = seconds * sampleRate_ / static_cast<double>(frames);
    const double previous = load_.load(std::memory_order_relaxed);
    load_.store(previous == 0.0 ? load : previous + 0.125 * (load - previous),
                std::memory_order_relaxed);
    return true;
}

void PrefetchRenderer::loop() noexcept {
    // Asleep, it wakes a few times per prefetch block: often enough to keep the rings near the
    // horizon, rarely enough to cost nothing when they are full.
    const auto nap = std::chrono::microseconds(std::clamp<std::int64_t>(
        static_cast<std::int64_t>(2.5e5 * blockFrames_ / sampleRate_), 200, 5000));
    while (!stop_.load(std::memory_order_relaxed)) {
        PrefetchDomain* domain = target_.load(std::memory_order_seq_cst);
        bool worked = false;
        if (domain != nullptr) {
            holding_.store(domain, std::memory_order_seq_cst);
            if (target_.load(std::memory_order_seq_cst) == domain) {
                while (!stop_.load(std::memory_order_relaxed) && renderAhead(*domain)) {
                    worked = true;
                }
            }
            holding_.store(nullptr, std::memory_order_seq_cst);
        }
        if (!worked) {
            std::this_thread::sleep_for(nap);
        }
    }
}

} // namespace fluxforge::detail
