// PrefetchRenderer: the thread that renders the prefetched part of the playing plan ahead of the
// playhead, below the real-time workers' priority. Private to src/engine/.
#pragma once

#include "prefetch_domain.hpp"

#include <fluxforge/engine/prefetch_config.hpp>
#include <fluxforge/sched/executor.hpp>
#include <fluxforge/sched/worker_pool.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

namespace fluxforge::detail {

/// Renders the target domain (set by the audio thread) a prefetch block at a time while another
/// block fits below the horizon, and sleeps when it does not (the rings are then "full": between
/// the horizon less one block and the horizon). The audio thread changes the
/// target only once the renderer has let go of the old one (holding):
///
///   audio: setTarget(null); if (!isHolding(old)) { switch plans; setTarget(new); }
///   renderer: holding = target; if (target != holding) let go; else render while it is held.
///
/// Both sides use sequentially consistent operations, so at least one sees the other's write.
/// Thread: constructor and destructor control; the rest audio. Real-time safe: yes (audio side).
class PrefetchRenderer {
public:
    /// Starts the thread (and `config.workers - 1` helpers of its own). Thread: control.
    PrefetchRenderer(const PrefetchConfig& config, SampleRate sampleRate, std::uint32_t maxWorkers);
    ~PrefetchRenderer();
    PrefetchRenderer(const PrefetchRenderer&) = delete;
    PrefetchRenderer& operator=(const PrefetchRenderer&) = delete;

    void setTarget(PrefetchDomain* domain) noexcept {
        target_.store(domain, std::memory_order_seq_cst);
    }
    [[nodiscard]] bool isHolding(const PrefetchDomain* domain) const noexcept {
        return domain != nullptr && holding_.load(std::memory_order_seq_cst) == domain;
    }

    /// Frames to keep rendered ahead of the playhead; 0 stops rendering ahead. Thread: any.
    void setHorizon(FrameCount frames) noexcept {
        horizon_.store(frames, std::memory_order_relaxed);
    }
    [[nodiscard]] FrameCount horizonApprox() const noexcept {
        return horizon_.load(std::memory_order_relaxed);
    }

    /// Render time over the time rendered, averaged over the last few prefetch blocks.
    [[nodiscard]] double loadApprox() const noexcept {
        return load_.load(std::memory_order_relaxed);
    }

private:
    void loop() noexcept;
    bool renderAhead(PrefetchDomain& domain) noexcept;

    FrameCount blockFrames_;
    SampleRate sampleRate_;
    std::unique_ptr<WorkerPool> pool_;
    std::unique_ptr<Executor> executor_;
    std::atomic<FrameCount> horizon_{0};
    std::atomic<double> load_{0.0};
    std::atomic<PrefetchDomain*> target_{nullptr};
    std::atomic<PrefetchDomain*> holding_{nullptr};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

} // namespace fluxforge::detail
