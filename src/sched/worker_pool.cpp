#include <fluxforge/core/backoff.hpp>
#include <fluxforge/core/denormal_guard.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/sched/worker_pool.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

namespace fluxforge {

WorkerPool::WorkerPool(WorkerPoolConfig config)
    : config_(config) {
    std::uint32_t helpers = config.helpers;
    if (helpers == WorkerPoolConfig::kAutomaticHelpers) {
        const unsigned hardware = std::thread::hardware_concurrency();
        helpers = hardware > 1 ? hardware - 1 : 0;
    }
    setHelperCount(helpers);
}

WorkerPool::~WorkerPool() {
    setHelperCount(0);
}

void WorkerPool::setHelperCount(std::uint32_t helpers) {
    helpers = std::min(helpers, kMaxHelpers);
    // Shrink first from the top: new jobs stop counting on those helpers, then they leave.
    if (helpers < helpers_.size()) {
        available_.store(helpers, std::memory_order_release);
        for (std::size_t i = helpers; i < helpers_.size(); ++i) {
            helpers_[i]->stop.store(true, std::memory_order_seq_cst);
        }
        epoch_.bump(); // wake everyone so the leavers notice
        epoch_.wake(~std::uint32_t{0} >> 1);
        for (std::size_t i = helpers; i < helpers_.size(); ++i) {
            helpers_[i]->thread.join();
        }
        helpers_.resize(helpers);
        return;
    }
    const std::size_t first = helpers_.size();
    while (helpers_.size() < helpers) {
        auto helper = std::make_unique<Helper>();
        Helper& self = *helper;
        helper->thread = std::thread([this, &self] { helperLoop(self); });
        helpers_.push_back(std::move(helper));
    }
    // Wait until every new helper runs (thread created, priority granted, waiting for work): a
    // thread's first start can take milliseconds, which must be spent here on the control thread,
    // not inside the first block that counts on it.
    for (std::size_t i = first; i < helpers_.size(); ++i) {
        while (!helpers_[i]->started.load(std::memory_order_acquire)) {
            std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
    }
    available_.store(helpers, std::memory_order_release);
}

std::vector<ThreadPriorityResult> WorkerPool::helperPriorities() const {
    std::vector<ThreadPriorityResult> result;
    for (const auto& helper : helpers_) {
        if (helper->started.load(std::memory_order_acquire)) {
            result.push_back(helper->priority);
        }
    }
    return result;
}

void WorkerPool::waitForHelpersToLeave() noexcept {
    for (Backoff wait; inside_.load(std::memory_order_seq_cst) != 0;) {
        wait.pause();
    }
}

void WorkerPool::run(ParallelJob& job, std::uint32_t helpersWanted, HelperExit exit) noexcept {
    helpersWanted = std::min(helpersWanted, available_.load(std::memory_order_acquire));
    if (helpersWanted == 0) {
        job.work(0);
        return;
    }
    // Helpers still leaving the last job (HelperExit::deferred) must be gone before the tickets
    // are counted again.
    waitForHelpersToLeave();
    tickets_.store(0, std::memory_order_relaxed);
    wanted_.store(helpersWanted, std::memory_order_relaxed);
    job_.store(&job, std::memory_order_seq_cst);
    // Bump, then count sleepers: a helper about to sleep counts itself first and then re-checks
    // the epoch, so it either sees this job or is counted here and woken.
    epoch_.bump();
    const std::uint32_t sleepers = sleeping_.load(std::memory_order_seq_cst);
    epoch_.wake(std::min(sleepers, helpersWanted));

    job.work(0);

    // Close the job, then wait for helpers still inside it. A helper enters by incrementing
    // inside_ and then re-reading job_ (both sequentially consistent), so either it sees the job
    // closed and leaves, or we see it inside and wait: no helper can touch this block's state
    // after run() returns (with HelperExit::deferred: after waitForHelpersToLeave returns).
    job_.store(nullptr, std::memory_order_seq_cst);
    if (exit == HelperExit::awaited) {
        waitForHelpersToLeave();
    }
}

void WorkerPool::helperLoop(Helper& self) noexcept {
    if (config_.realtimePriority) {
        self.priority = trySetCurrentThreadRealtime(config_.priority);
    } else {
        self.priority = resetCurrentThreadPriority();
    }
    if (config_.onHelperStart) {
        config_.onHelperStart();
    }
    self.started.store(true, std::memory_order_release);
    const DenormalGuard denormals;
    std::uint32_t seen = epoch_.load();
    bool slept = false; // since the last job this helper joined
    while (!self.stop.load(std::memory_order_seq_cst)) {
        // Join the open job, if any (also right after starting: a job may already be waiting).
        inside_.fetch_add(1, std::memory_order_seq_cst);
        if (ParallelJob* job = job_.load(std::memory_order_seq_cst)) {
            const std::uint32_t ticket = tickets_.fetch_add(1, std::memory_order_relaxed);
            if (ticket < wanted_.load(std::memory_order_relaxed)) {
                if (slept) {
                    // Another helper may hold this index in another job: count atomically.
                    wakeUps_[ticket + 1].fetch_add(1, std::memory_order_relaxed);
                    slept = false;
                }
                const RealtimeScope realtime;
                job->work(ticket + 1);
            }
        }
        inside_.fetch_sub(1, std::memory_order_seq_cst);

        // Wait for the next job: spin for a while (cheap to answer), then sleep.
        const auto spinUntil = std::chrono::steady_clock::now() + config_.spinBeforeSleeping;
        Backoff backoff;
        for (std::uint32_t spins = 0; epoch_.load() == seen; ++spins) {
            if (self.stop.load(std::memory_order_relaxed)) {
                return;
            }
            backoff.pause();
            if ((spins & 63) == 63 && std::chrono::steady_clock::now() >= spinUntil) {
                sleeping_.fetch_add(1, std::memory_order_seq_cst);
                if (epoch_.load() == seen && !self.stop.load(std::memory_order_seq_cst)) {
                    epoch_.waitWhileEquals(seen);
                    slept = true;
                }
                sleeping_.fetch_sub(1, std::memory_order_seq_cst);
            }
        }
        seen = epoch_.load();
    }
}

} // namespace fluxforge
