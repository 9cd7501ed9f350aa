// WorkerPool: real-time helper threads that join the audio thread on a block's work.
#pragma once

#include <fluxforge/sched/parking_word.hpp>
#include <fluxforge/sched/thread_priority.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace fluxforge {

/// Work the audio thread shares with helpers for one block. `work` is called once by the audio
/// thread (worker 0) and at most once per joining helper (workers 1..), possibly late; it must
/// return when there is nothing left for the caller to do, and must tolerate being called after
/// the work is finished.
class ParallelJob {
public:
    virtual void work(std::uint32_t worker) noexcept = 0;

protected:
    ~ParallelJob() = default;
};

struct WorkerPoolConfig {
    /// Helper threads (the audio thread is worker 0 and comes on top). kAutomaticHelpers: one
    /// fewer than the hardware threads, at most WorkerPool::kMaxHelpers.
    static constexpr std::uint32_t kAutomaticHelpers = ~std::uint32_t{0};
    std::uint32_t helpers = kAutomaticHelpers;
    /// How long an idle helper spins waiting for the next block before it sleeps. Spinning costs a
    /// core but answers within microseconds; a sleeping helper takes tens of microseconds to wake.
    std::chrono::microseconds spinBeforeSleeping{200};
    /// Real-time scheduling for the helpers (thread_priority.hpp); the period sizes the macOS
    /// policy.
    RealtimeThreadRequest priority{};
    /// false: the helpers run at normal (time-sharing) priority, whatever the thread that created
    /// the pool runs at (a new thread inherits its creator's real-time policy otherwise).
    bool realtimePriority = true;
    /// Called on each helper thread when it starts, before it takes any work: for a host that
    /// registers its threads somewhere (profilers, allocation checks in tests). May be empty.
    std::function<void()> onHelperStart;
};

/// A fixed set of helper threads, resizable from a control thread while audio runs.
///
/// The audio thread calls `run(job, helpersWanted)`: it publishes the job, wakes sleeping helpers
/// if any are needed, works on the job itself as worker 0, then waits only for helpers that are
/// still inside the job (they are finishing a task of this block) before returning. A helper that
/// arrives after the job was closed does not enter it.
class WorkerPool {
public:
    static constexpr std::uint32_t kMaxHelpers = 63;

    /// Starts the helpers and returns once each is running and waiting for work (so that no
    /// block pays for a thread's start). Thread: control. Real-time safe: no. Allocates: yes.
    explicit WorkerPool(WorkerPoolConfig config = {});
    /// Stops and joins the helpers. No run() may be in progress.
    ~WorkerPool();

    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Changes the number of helpers (clamped to kMaxHelpers). Blocks can keep running meanwhile:
    /// helpers leave only between jobs; new helpers are running when this returns, and only then
    /// counted as available. Thread: control. Real-time safe: no. Allocates: yes.
    void setHelperCount(std::uint32_t helpers);

    /// Helpers available now. Thread: any. May be stale.
    [[nodiscard]] std::uint32_t helperCountApprox() const noexcept {
        return available_.load(std::memory_order_acquire);
    }

    /// How run() ends.
    enum class HelperExit {
        /// run() returns once no helper is inside the job any more.
        awaited,
        /// run() returns as soon as the caller's own work() has, and helpers leave by themselves
        /// (noticing that a block is over costs a helper a few cache-line transfers, up to a
        /// microsecond on some machines, which would otherwise be added to the block). The caller
        /// must call waitForHelpersToLeave() before it reuses or frees anything the job's work()
        /// may still read; the next run() waits too.
        deferred,
    };

    /// Runs `job` on the calling thread (as worker 0) and up to `helpersWanted` helpers (as workers
    /// 1..helpersWanted, numbered in the order they join); returns when the caller's work() has
    /// returned and, with HelperExit::awaited, no helper is inside the job any more.
    /// Thread: audio. Real-time safe: yes (a futex wake at most). Allocates: no.
    void run(ParallelJob& job, std::uint32_t helpersWanted,
             HelperExit exit = HelperExit::awaited) noexcept;

    /// Returns once no helper is inside a job that run() has returned from (HelperExit::deferred).
    /// Thread: the thread that calls run() (or a control thread while no run() can start).
    /// Real-time safe: yes (spins; a helper leaves within about a microsecond of the job's end).
    /// Allocates: no.
    void waitForHelpersToLeave() noexcept;

    /// Times a helper was woken from sleep and then joined a job as `worker` (1..kMaxHelpers; 0,
    /// the calling thread, never sleeps here). Thread: any. Real-time safe: yes. May be stale.
    [[nodiscard]] std::uint64_t wakeUpsApprox(std::uint32_t worker) const noexcept {
        return worker < wakeUps_.size() ? wakeUps_[worker].load(std::memory_order_relaxed) : 0;
    }

    /// What the last priority request of each helper came to (for diagnostics).
    /// Thread: control. Real-time safe: no. Allocates: yes.
    [[nodiscard]] std::vector<ThreadPriorityResult> helperPriorities() const;

private:
    struct Helper {
        std::thread thread;
        std::atomic<bool> stop{false};
        std::atomic<bool> started{false}; // set (release) once `priority` is written
        ThreadPriorityResult priority;
    };

    void helperLoop(Helper& self) noexcept;

    WorkerPoolConfig config_;
    std::vector<std::unique_ptr<Helper>> helpers_; // control thread
    std::atomic<std::uint32_t> available_{0};

    // The job protocol (see run() and helperLoop()), on lines of its own: a joining helper reads
    // them first and should find them together.
    alignas(64) std::atomic<ParallelJob*> job_{nullptr};
    std::atomic<std::uint32_t> inside_{0}; // helpers inside the current job
    std::atomic<std::uint32_t> sleeping_{0};
    std::atomic<std::uint32_t> wanted_{0};  // helpers the current job may use
    std::atomic<std::uint32_t> tickets_{0}; // helpers admitted to the current job
    ParkingWord epoch_;                     // bumped for every job
    std::array<std::atomic<std::uint64_t>, kMaxHelpers + 1> wakeUps_{}; // per worker index
};

} // namespace fluxforge
