// MetricsRecorder: the engine's task observer. It times blocks and tasks on the audio thread and
// the workers, publishes the figures behind one seqlock, and records the trace into per-worker
// rings. Private to src/engine/.
#pragma once

#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/core/seqlock.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/engine/metrics.hpp>
#include <fluxforge/engine/trace.hpp>
#include <fluxforge/sched/task_observer.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace fluxforge::detail {

/// The trace's storage: a ring of block records written by the audio thread, and one ring of
/// task events per worker index (TaskEventRing, written by the observer hook of whichever thread
/// is that worker in a block). Every word is an atomic, so a control thread copies the rings while
/// they are written and discards what was overwritten meanwhile (the heads say which). Allocated
/// once, when tracing is first switched on; freed with the engine.
struct TraceRings {
    static constexpr std::size_t kBlockWords = 6;

    TraceRings(std::uint32_t blocks, std::uint32_t eventsPerWorker, std::uint32_t workers);

    std::uint32_t blockCapacity;
    std::unique_ptr<std::atomic<std::uint64_t>[]> blockWords;
    std::atomic<std::uint64_t> blockHead{0};
    std::uint64_t eventCapacity; // per worker: eventsPerWorker rounded up to a power of two
    std::unique_ptr<std::atomic<std::uint64_t>[]> eventWords; // the worker rings, one after another
    std::unique_ptr<TaskEventRing[]> rings;
    std::uint32_t numRings;
};

/// Thread: see each member. The observer hooks run on the audio thread and the workers.
class MetricsRecorder final : public TaskObserver {
public:
    /// Throws fluxforge::Error for settings out of range.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    MetricsRecorder(const MetricsConfig& metrics, const TraceConfig& trace,
                    std::uint32_t maxWorkers, SampleRate sampleRate);
    ~MetricsRecorder();

    // ---- audio thread ------------------------------------------------------------------------

    /// Start of a process() call of `frames` frames running the plan `generation` (0: no plan)
    /// with `numTasks` tasks. Real-time safe: yes. Allocates: no.
    void beginBlock(std::uint64_t generation, std::size_t numTasks, FrameCount frames) noexcept;
    /// The observer for this block's executor runs: this one on timed or traced blocks, else null.
    [[nodiscard]] TaskObserver* observer() noexcept {
        return timed_ || tracing_ != nullptr ? this : nullptr;
    }
    /// Around each Executor::run of the block (a block runs in several pieces when it is longer
    /// than the plan's maxBlockSize or crosses a transport boundary).
    void beginRun() noexcept;
    void endRun(std::uint32_t participants) noexcept;
    /// End of the process() call; `wakeUps(w)` gives the helpers' wake-up counters.
    template <typename WakeUps>
    void endBlock(const WakeUps& wakeUps) noexcept;
    /// Device xruns reported before this block. Real-time safe: yes.
    void addDeviceXruns(std::uint32_t count) noexcept { pendingXruns_ += count; }
    /// The prefetch feature's figures, published with the next block.
    void setPrefetch(const PrefetchMetrics& prefetch) noexcept { pendingPrefetch_ = prefetch; }

    // ---- workers (TaskObserver) --------------------------------------------------------------

    /// On timed blocks only: the task's time to its worker's and its own figures (the trace's
    /// events are written by TaskObserver::onTaskRun itself).
    void observeTask(WorkerView worker, const TaskView& task) noexcept override;

    // ---- any thread --------------------------------------------------------------------------

    /// Asks the audio thread to start every figure again at its next block.
    void requestReset() noexcept { resetRequested_.store(true, std::memory_order_release); }

    /// Switches tracing on or off from the next block on; the first switch on allocates the rings.
    /// Thread: control. Real-time safe: no. Allocates: yes (once).
    void setTracing(bool on);
    [[nodiscard]] bool tracingApprox() const noexcept {
        return tracingRequested_.load(std::memory_order_relaxed);
    }

    /// One consistent snapshot; node names are filled by the caller. `windowBlocks` 0: the
    /// configured default. Also returns the plan generation the node figures belong to.
    /// Thread: any (control). Real-time safe: no. Allocates: yes.
    [[nodiscard]] MetricsSnapshot snapshot(std::uint32_t windowBlocks,
                                           std::uint64_t& planGeneration) const;

    /// The complete blocks and tasks in the rings, times in nanoseconds from the first block,
    /// with the plans they ran and each block's critical path.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    [[nodiscard]] TraceCapture capture() const;

    /// Remembers the structure of a plan about to be published (the last few are kept, for names
    /// in snapshots and traces). Thread: control. Real-time safe: no. Allocates: yes.
    void addPlan(std::shared_ptr<const TracePlan> plan);
    /// The plan of a generation if still remembered, or the latest (generation 0); may be null.
    [[nodiscard]] std::shared_ptr<const TracePlan> plan(std::uint64_t generation = 0) const;

private:
    // Published through the seqlock; plain copies are the audio thread's.
    struct Header {
        std::uint64_t blocks = 0;
        std::uint64_t timedBlocks = 0;
        std::uint64_t deadlineMisses = 0;
        std::uint64_t deviceXruns = 0;
        std::uint64_t lastTicks = 0;
        std::uint64_t longestTicks = 0;
        double lastPeriodTicks = 0.0;
        double longestLoad = 0.0;
        double lastLoad = 0.0;
        std::uint64_t nodeBlockTicks = 0; // callback ticks of the timed blocks the nodes saw
        std::uint64_t planGeneration = 0;
        std::uint64_t nodeCount = 0;
        double prefetchLoad = 0.0;
        double prefetchFill = 0.0;
        std::uint64_t prefetchUnderruns = 0;
    };
    struct Worker {
        std::uint64_t busyTicks = 0;
        std::uint64_t idleTicks = 0;
        std::uint64_t blocks = 0;
        std::uint64_t tasks = 0;
        std::uint64_t steals = 0;
        std::uint64_t wakeUps = 0;
    };
    struct Task {
        std::uint64_t runs = 0;
        std::uint64_t totalTicks = 0;
        std::uint64_t worstTicks = 0;
        std::uint64_t lastTicks = 0;
    };
    // What one worker index does within one run (written by that worker only).
    struct alignas(64) Scratch {
        std::uint64_t busy = 0;
        std::uint64_t tasks = 0;
        std::uint64_t steals = 0;
    };

    static constexpr std::size_t kHeaderWords = SeqlockWords::wordsFor(sizeof(Header));
    static constexpr std::size_t kWorkerWords = SeqlockWords::wordsFor(sizeof(Worker));
    static constexpr std::size_t kTaskWords = SeqlockWords::wordsFor(sizeof(Task));
    [[nodiscard]] std::size_t workersOffset() const noexcept { return kHeaderWords; }
    [[nodiscard]] std::size_t historyOffset() const noexcept {
        return kHeaderWords + kWorkerWords * maxWorkers_;
    }
    [[nodiscard]] std::size_t tasksOffset() const noexcept {
        return historyOffset() + config_.historyBlocks;
    }

    [[nodiscard]] TraceCapture captureRaw() const; // the rings only: no plans, no analysis
    void resetAll(std::size_t numTasks) noexcept;
    void resetTasks(std::size_t numTasks) noexcept;

    // ---- set at construction ----
    MetricsConfig config_;
    TraceConfig traceConfig_;
    std::uint32_t maxWorkers_;
    double ticksPerFrame_;
    double ticksPerNanosecond_;

    // ---- shared ----
    SeqlockWords published_;
    std::atomic<bool> resetRequested_{false};
    std::atomic<bool> tracingRequested_{false};
    std::atomic<TraceRings*> rings_{nullptr};
    std::unique_ptr<TraceRings> ringsOwner_; // control thread, under ringsMutex_
    std::mutex ringsMutex_;
    static constexpr std::size_t kRecentPlans = 8;
    mutable std::mutex plansMutex_;
    std::vector<std::shared_ptr<const TracePlan>> plans_; // oldest first

    // ---- audio thread (read by the block's workers) ----
    bool timed_ = false;
    bool off_ = false;              // metrics disabled and not tracing: this block is not measured
    TraceRings* tracing_ = nullptr; // this block's rings, null when not tracing
    std::uint64_t blockIndex_ = 0;  // process() calls since the start
    std::uint64_t blockStart_ = 0;
    std::uint64_t runStart_ = 0;
    FrameCount frames_ = 0;
    std::uint32_t blockParticipants_ = 1;
    std::uint64_t generation_ = 0;
    std::size_t numTasks_ = 0;
    std::uint32_t pendingXruns_ = 0;
    PrefetchMetrics pendingPrefetch_{};
    Header header_;
    std::unique_ptr<Worker[]> workers_;
    std::unique_ptr<Task[]> tasks_; // during a run, each task's by the worker that runs it
    std::unique_ptr<std::uint64_t[]> wakeUpBase_;
    bool tasksDirty_ = false;
    bool workersDirty_ = false; // a reset: publish every worker and rebase the wake-ups

    // ---- workers: each index written by the worker of that index ----
    std::unique_ptr<Scratch[]> scratch_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions (audio thread and workers)

inline void MetricsRecorder::beginBlock(std::uint64_t generation, std::size_t numTasks,
                                        FrameCount frames) noexcept {
    TraceRings* rings = tracingRequested_.load(std::memory_order_acquire)
                            ? rings_.load(std::memory_order_acquire)
                            : nullptr;
    tracing_ = rings;
    setEventRings(rings != nullptr ? rings->rings.get() : nullptr,
                  rings != nullptr ? rings->numRings : 0);
    if (!config_.enabled && rings == nullptr) {
        timed_ = false;
        off_ = true;
        return;
    }
    off_ = false;
    blockStart_ = CycleClock::now();
    frames_ = frames;
    blockParticipants_ = 1;
    if (resetRequested_.exchange(false, std::memory_order_acq_rel)) {
        resetAll(numTasks);
    }
    if (generation != generation_ || numTasks != numTasks_) {
        generation_ = generation;
        numTasks_ = numTasks;
        resetTasks(numTasks);
    }
    // Tracing records every task of every block; the per-node and per-worker figures still come
    // from the timed blocks alone, so that tracing costs only its own events.
    timed_ = config_.taskTimingInterval != 0 && blockIndex_ % config_.taskTimingInterval == 0;
    setObservesEachTask(timed_);
}

inline void MetricsRecorder::beginRun() noexcept {
    if (!timed_) {
        return;
    }
    for (std::uint32_t w = 0; w < maxWorkers_; ++w) {
        scratch_[w] = Scratch{};
    }
    runStart_ = CycleClock::now();
}

inline void MetricsRecorder::endRun(std::uint32_t participants) noexcept {
    if (!timed_) {
        return;
    }
    const std::uint64_t runTicks = CycleClock::now() - runStart_;
    participants = std::min(std::max(participants, 1u), maxWorkers_);
    blockParticipants_ = std::max(blockParticipants_, participants);
    for (std::uint32_t w = 0; w < maxWorkers_; ++w) {
        const Scratch& s = scratch_[w];
        Worker& worker = workers_[w];
        worker.busyTicks += s.busy;
        worker.tasks += s.tasks;
        worker.steals += s.steals;
        if (w < participants) {
            worker.idleTicks += runTicks > s.busy ? runTicks - s.busy : 0;
        }
    }
    tasksDirty_ = true; // the workers added to tasks_ (onTaskRun)
}

template <typename WakeUps>
inline void MetricsRecorder::endBlock(const WakeUps& wakeUps) noexcept {
    if (off_) {
        ++blockIndex_;
        return;
    }
    const std::uint64_t end = CycleClock::now();
    const std::uint64_t ticks = end - blockStart_;
    const double periodTicks = ticksPerFrame_ * frames_;
    const double load = periodTicks > 0.0 ? static_cast<double>(ticks) / periodTicks : 0.0;

    Header& h = header_;
    ++h.blocks;
    h.lastTicks = ticks;
    h.lastPeriodTicks = periodTicks;
    h.lastLoad = load;
    h.deadlineMisses += load > 1.0 ? 1 : 0;
    if (ticks > h.longestTicks) {
        h.longestTicks = ticks;
        h.longestLoad = load;
    }
    h.deviceXruns += pendingXruns_;
    pendingXruns_ = 0;
    h.prefetchLoad = pendingPrefetch_.load;
    h.prefetchFill = pendingPrefetch_.ringFill;
    h.prefetchUnderruns = pendingPrefetch_.underruns;
    if (workersDirty_) {
        for (std::uint32_t w = 1; w < maxWorkers_; ++w) {
            wakeUpBase_[w] = wakeUps(w);
        }
    }
    if (timed_) {
        ++h.timedBlocks;
        h.nodeBlockTicks += ticks;
        for (std::uint32_t w = 0; w < blockParticipants_; ++w) {
            ++workers_[w].blocks;
        }
        for (std::uint32_t w = 1; w < maxWorkers_; ++w) {
            workers_[w].wakeUps = wakeUps(w) - wakeUpBase_[w];
        }
    }

    published_.beginWrite();
    published_.store(0, &h, sizeof h);
    published_.store(historyOffset() + (h.blocks - 1) % config_.historyBlocks, &load, sizeof load);
    if (timed_ || workersDirty_) {
        published_.store(workersOffset(), workers_.get(), sizeof(Worker) * maxWorkers_);
        workersDirty_ = false;
    }
    if (tasksDirty_) {
        published_.store(tasksOffset(), tasks_.get(), sizeof(Task) * h.nodeCount);
        tasksDirty_ = false;
    }
    published_.endWrite();

    if (tracing_ != nullptr) {
        TraceRings& r = *tracing_;
        const std::uint64_t head = r.blockHead.load(std::memory_order_relaxed);
        std::atomic<std::uint64_t>* words =
            r.blockWords.get() + (head % r.blockCapacity) * TraceRings::kBlockWords;
        std::uint64_t periodBits = 0;
        static_assert(sizeof periodBits == sizeof periodTicks);
        std::memcpy(&periodBits, &periodTicks, sizeof periodBits);
        words[0].store(blockIndex_, std::memory_order_relaxed);
        words[1].store(blockStart_, std::memory_order_relaxed);
        words[2].store(end, std::memory_order_relaxed);
        words[3].store(frames_ | (std::uint64_t{blockParticipants_} << 32),
                       std::memory_order_relaxed);
        words[4].store(periodBits, std::memory_order_relaxed);
        words[5].store(generation_, std::memory_order_relaxed);
        r.blockHead.store(head + 1, std::memory_order_release);
    }
    ++blockIndex_;
}

inline void MetricsRecorder::observeTask(WorkerView worker, const TaskView& task) noexcept {
    Scratch& s = scratch_[worker.worker];
    const std::uint64_t ticks = task.endTicks - task.startTicks;
    s.busy += ticks;
    ++s.tasks;
    s.steals += task.origin == TaskOrigin::stolen ? 1 : 0;
    if (task.task < config_.maxTasks) {
        // Each task runs once per run, on one worker: its record has one writer.
        Task& t = tasks_[task.task];
        ++t.runs;
        t.totalTicks += ticks;
        t.lastTicks = ticks;
        t.worstTicks = std::max(t.worstTicks, ticks);
    }
}

} // namespace fluxforge::detail
