// MetricsRecorder: construction, resets on the audio thread, and the control side (snapshots and
// trace captures).
#include "metrics_recorder.hpp"

#include <fluxforge/core/error.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

namespace fluxforge::detail {

namespace {

void checkRange(const char* what, std::uint64_t value, std::uint64_t low, std::uint64_t high) {
    if (value < low || value > high) {
        throw Error(std::string(what) + " = " + std::to_string(value) +
                    " is out of range: it must lie in " + std::to_string(low) + ".." +
                    std::to_string(high));
    }
}

std::unique_ptr<std::atomic<std::uint64_t>[]> zeroedWords(std::size_t count) {
    std::unique_ptr<std::atomic<std::uint64_t>[]> words(new std::atomic<std::uint64_t>[count]);
    for (std::size_t i = 0; i < count; ++i) {
        words[i].store(0, std::memory_order_relaxed);
    }
    return words;
}

} // namespace

TraceRings::TraceRings(std::uint32_t blocks, std::uint32_t eventsPerWorker, std::uint32_t workers)
    : blockCapacity(blocks)
    , blockWords(zeroedWords(std::size_t{blocks} * kBlockWords))
    , eventCapacity(std::bit_ceil(std::uint64_t{eventsPerWorker}))
    , eventWords(zeroedWords(eventCapacity * TaskEventRing::kWords * workers))
    , rings(new TaskEventRing[workers])
    , numRings(workers) {
    for (std::uint32_t w = 0; w < workers; ++w) {
        rings[w].words = eventWords.get() + w * eventCapacity * TaskEventRing::kWords;
        rings[w].mask = eventCapacity - 1;
    }
}

MetricsRecorder::MetricsRecorder(const MetricsConfig& metrics, const TraceConfig& trace,
                                 std::uint32_t maxWorkers, SampleRate sampleRate)
    : config_(metrics)
    , traceConfig_(trace)
    , maxWorkers_(std::max(1u, maxWorkers))
    , ticksPerFrame_(0.0)
    , ticksPerNanosecond_(CycleClock::ticksPerNanosecond())
    , published_([&] {
        checkRange("MetricsConfig::historyBlocks", metrics.historyBlocks, 1, 65536);
        checkRange("MetricsConfig::defaultWindowBlocks", metrics.defaultWindowBlocks, 1,
                   metrics.historyBlocks);
        checkRange("MetricsConfig::maxTasks", metrics.maxTasks, 0, 1u << 20);
        checkRange("TraceConfig::blocks", trace.blocks, 1, 65536);
        checkRange("TraceConfig::eventsPerWorker", trace.eventsPerWorker, 16, 1u << 24);
        return kHeaderWords + kWorkerWords * std::max(1u, maxWorkers) + metrics.historyBlocks +
               kTaskWords * std::size_t{metrics.maxTasks};
    }())
    , workers_(new Worker[maxWorkers_])
    , tasks_(new Task[std::max(1u, metrics.maxTasks)])
    , wakeUpBase_(new std::uint64_t[maxWorkers_]())
    , scratch_(new Scratch[maxWorkers_]) {
    ticksPerFrame_ = sampleRate > 0.0 ? ticksPerNanosecond_ * 1e9 / sampleRate : 0.0;
}

MetricsRecorder::~MetricsRecorder() = default;

void MetricsRecorder::resetAll(std::size_t numTasks) noexcept {
    const std::uint64_t generation = header_.planGeneration;
    header_ = Header{};
    header_.planGeneration = generation;
    for (std::uint32_t w = 0; w < maxWorkers_; ++w) {
        workers_[w] = Worker{};
    }
    workersDirty_ = true;
    resetTasks(numTasks);
}

void MetricsRecorder::resetTasks(std::size_t numTasks) noexcept {
    const std::size_t counted = std::min<std::size_t>(numTasks, config_.maxTasks);
    for (std::size_t t = 0; t < counted; ++t) {
        tasks_[t] = Task{};
    }
    header_.nodeCount = counted;
    header_.nodeBlockTicks = 0;
    header_.planGeneration = generation_;
    tasksDirty_ = true;
}

void MetricsRecorder::setTracing(bool on) {
    if (on) {
        const std::lock_guard lock(ringsMutex_);
        if (ringsOwner_ == nullptr) {
            ringsOwner_ = std::make_unique<TraceRings>(traceConfig_.blocks,
                                                       traceConfig_.eventsPerWorker, maxWorkers_);
            rings_.store(ringsOwner_.get(), std::memory_order_release);
        }
    }
    tracingRequested_.store(on, std::memory_order_release);
}

MetricsSnapshot MetricsRecorder::snapshot(std::uint32_t windowBlocks,
                                          std::uint64_t& planGeneration) const {
    Header h;
    std::vector<Worker> workers(maxWorkers_);
    std::vector<double> history(config_.historyBlocks);
    std::vector<Task> tasks(config_.maxTasks);
    for (;;) {
        const std::uint32_t sequence = published_.beginRead();
        published_.load(0, &h, sizeof h);
        published_.load(workersOffset(), workers.data(), sizeof(Worker) * maxWorkers_);
        const std::size_t kept = std::min<std::uint64_t>(h.blocks, config_.historyBlocks);
        published_.load(historyOffset(), history.data(), sizeof(double) * kept);
        const std::size_t nodes = std::min<std::uint64_t>(h.nodeCount, config_.maxTasks);
        published_.load(tasksOffset(), tasks.data(), sizeof(Task) * nodes);
        if (published_.validRead(sequence)) {
            history.resize(kept);
            tasks.resize(nodes);
            break;
        }
    }
    const double perNs = ticksPerNanosecond_;
    MetricsSnapshot result;
    BlockMetrics& b = result.block;
    b.blocks = h.blocks;
    b.timedBlocks = h.timedBlocks;
    b.callbackNanoseconds = static_cast<double>(h.lastTicks) / perNs;
    b.periodNanoseconds = h.lastPeriodTicks / perNs;
    b.load = h.lastLoad;
    b.deadlineMisses = h.deadlineMisses;
    b.longestBlockNanoseconds = static_cast<double>(h.longestTicks) / perNs;
    b.longestBlockLoad = h.longestLoad;
    b.deviceXruns = h.deviceXruns;

    // The history is a ring: block k (counted from 1 since the reset) sits at (k - 1) % size.
    const std::uint64_t window = std::min<std::uint64_t>(
        windowBlocks == 0 ? config_.defaultWindowBlocks : windowBlocks, history.size());
    b.windowBlocks = static_cast<std::uint32_t>(window);
    double sum = 0.0;
    for (std::uint64_t k = 0; k < window; ++k) {
        const double load = history[(h.blocks - 1 - k) % config_.historyBlocks];
        sum += load;
        b.peakLoad = std::max(b.peakLoad, load);
    }
    b.averageLoad = window > 0 ? sum / static_cast<double>(window) : 0.0;
    if (!history.empty()) {
        std::vector<double> sorted = history;
        std::sort(sorted.begin(), sorted.end());
        const auto rank = [&](double p) {
            const auto index = static_cast<std::size_t>(std::ceil(p * sorted.size()));
            return sorted[std::clamp<std::size_t>(index, 1, sorted.size()) - 1];
        };
        b.p50Load = rank(0.50);
        b.p99Load = rank(0.99);
    }

    result.workers.resize(maxWorkers_);
    for (std::uint32_t w = 0; w < maxWorkers_; ++w) {
        const Worker& from = workers[w];
        WorkerMetrics& to = result.workers[w];
        to.busyNanoseconds = static_cast<double>(from.busyTicks) / perNs;
        to.idleNanoseconds = static_cast<double>(from.idleTicks) / perNs;
        const double inside = static_cast<double>(from.busyTicks + from.idleTicks);
        to.busyShare = inside > 0.0 ? static_cast<double>(from.busyTicks) / inside : 0.0;
        to.blocks = from.blocks;
        to.tasks = from.tasks;
        to.steals = from.steals;
        to.wakeUps = from.wakeUps;
    }

    result.nodes.resize(tasks.size());
    for (std::size_t t = 0; t < tasks.size(); ++t) {
        const Task& from = tasks[t];
        NodeMetrics& to = result.nodes[t];
        to.runs = from.runs;
        to.averageNanoseconds =
            from.runs > 0 ? static_cast<double>(from.totalTicks) / perNs / from.runs : 0.0;
        to.worstNanoseconds = static_cast<double>(from.worstTicks) / perNs;
        to.lastNanoseconds = static_cast<double>(from.lastTicks) / perNs;
        to.share = h.nodeBlockTicks > 0 ? static_cast<double>(from.totalTicks) /
                                              static_cast<double>(h.nodeBlockTicks)
                                        : 0.0;
    }
    result.prefetch.load = h.prefetchLoad;
    result.prefetch.ringFill = h.prefetchFill;
    result.prefetch.underruns = h.prefetchUnderruns;
    planGeneration = h.planGeneration;
    return result;
}

TraceCapture MetricsRecorder::captureRaw() const {
    TraceCapture capture;
    capture.maxWorkers = maxWorkers_;
    const TraceRings* rings = rings_.load(std::memory_order_acquire);
    if (rings == nullptr) {
        return capture;
    }
    // Copies the newest `capacity` records of a ring while it may be written, then keeps those
    // the writer cannot have overwritten meanwhile. Returns whether older records were lost.
    // `record(slot)` gives the words of the record in a slot.
    const auto copyRing = [](const auto& record, const std::atomic<std::uint64_t>& head,
                             std::uint64_t capacity, std::size_t recordWords,
                             std::vector<std::uint64_t>& out) {
        const std::uint64_t before = head.load(std::memory_order_acquire);
        const std::uint64_t first = before > capacity ? before - capacity : 0;
        out.assign((before - first) * recordWords, 0);
        for (std::uint64_t i = first; i < before; ++i) {
            const std::atomic<std::uint64_t>* words = record(i % capacity);
            for (std::size_t k = 0; k < recordWords; ++k) {
                out[(i - first) * recordWords + k] = words[k].load(std::memory_order_relaxed);
            }
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        const std::uint64_t after = head.load(std::memory_order_relaxed);
        // Records below after - capacity may have been overwritten while we copied them.
        const std::uint64_t safe = after > capacity ? after - capacity : 0;
        const std::uint64_t drop = safe > first ? std::min(safe - first, before - first) : 0;
        out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(drop * recordWords));
        return first + drop > 0;
    };

    std::vector<std::uint64_t> blockWords;
    copyRing(
        [rings](std::uint64_t slot) {
            return rings->blockWords.get() + slot * TraceRings::kBlockWords;
        },
        rings->blockHead, rings->blockCapacity, TraceRings::kBlockWords, blockWords);
    const std::size_t numBlocks = blockWords.size() / TraceRings::kBlockWords;
    if (numBlocks == 0) {
        return capture;
    }

    // Every worker's events. A ring that has wrapped holds only the later part of the block its
    // oldest event belongs to, so blocks that started before that event are left out.
    std::vector<std::vector<std::uint64_t>> events(rings->numRings);
    bool partial = false;
    std::uint64_t partialUntil = 0; // ticks: blocks starting at or before it may miss events
    for (std::uint32_t w = 0; w < rings->numRings; ++w) {
        const TaskEventRing& ring = rings->rings[w];
        const bool lost = copyRing(
            [&ring](std::uint64_t slot) { return ring.words + slot * TaskEventRing::kWords; },
            ring.head, rings->eventCapacity, TaskEventRing::kWords, events[w]);
        if (lost && !events[w].empty()) {
            partialUntil = partial ? std::max(partialUntil, events[w][0]) : events[w][0];
            partial = true;
        }
    }

    // Block records in the order written, so by start; block k's start and end ticks.
    std::vector<std::uint64_t> starts;
    std::vector<std::uint64_t> ends;
    std::uint64_t origin = 0;
    const double perNs = ticksPerNanosecond_;
    for (std::size_t i = 0; i < numBlocks; ++i) {
        const std::uint64_t* r = blockWords.data() + i * TraceRings::kBlockWords;
        if (partial && r[1] <= partialUntil) {
            continue;
        }
        if (capture.blocks.empty()) {
            origin = r[1];
        }
        TraceBlock block;
        block.index = r[0];
        block.startNanoseconds = std::llround(static_cast<double>(r[1] - origin) / perNs);
        block.endNanoseconds =
            std::llround(static_cast<double>(static_cast<std::int64_t>(r[2] - origin)) / perNs);
        block.frames = static_cast<FrameCount>(r[3] & 0xffffffffu);
        block.workers = static_cast<std::uint32_t>(r[3] >> 32);
        double periodTicks = 0.0;
        std::memcpy(&periodTicks, &r[4], sizeof periodTicks);
        block.periodNanoseconds = periodTicks / perNs;
        block.planGeneration = r[5];
        capture.blocks.push_back(block);
        starts.push_back(r[1]);
        ends.push_back(r[2]);
    }
    if (capture.blocks.empty()) {
        return capture;
    }
    // Events carry no block: a task belongs to the block that was running when it started (every
    // task of a block runs between its start and end). Earlier ones belong to blocks no longer
    // recorded or left out; those after the last block's end to a block still running.
    for (std::uint32_t w = 0; w < rings->numRings; ++w) {
        const std::vector<std::uint64_t>& e = events[w];
        for (std::size_t i = 0; i + TaskEventRing::kWords <= e.size(); i += TaskEventRing::kWords) {
            const TaskView view = TaskEventRing::unpack(e[i], e[i + 1]);
            const auto after = std::upper_bound(starts.begin(), starts.end(), view.startTicks);
            if (after == starts.begin()) {
                continue;
            }
            const auto k = static_cast<std::size_t>(after - starts.begin()) - 1;
            if (view.startTicks > ends[k]) {
                continue;
            }
            TraceTask task;
            task.worker = w;
            task.task = view.task;
            task.stolen = view.origin == TaskOrigin::stolen;
            task.block = capture.blocks[k].index;
            task.startNanoseconds =
                std::llround(static_cast<double>(view.startTicks - origin) / perNs);
            task.endNanoseconds = std::llround(static_cast<double>(view.endTicks - origin) / perNs);
            capture.tasks.push_back(task);
        }
    }
    return capture;
}

TraceCapture MetricsRecorder::capture() const {
    TraceCapture trace = captureRaw();
    {
        const std::lock_guard lock(plansMutex_);
        for (const auto& p : plans_) {
            const bool used =
                std::any_of(trace.blocks.begin(), trace.blocks.end(),
                            [&](const TraceBlock& b) { return b.planGeneration == p->generation; });
            if (used) {
                trace.plans.push_back(*p);
            }
        }
    }
    trace.analyse();
    return trace;
}

void MetricsRecorder::addPlan(std::shared_ptr<const TracePlan> plan) {
    const std::lock_guard lock(plansMutex_);
    plans_.push_back(std::move(plan));
    if (plans_.size() > kRecentPlans) {
        plans_.erase(plans_.begin());
    }
}

std::shared_ptr<const TracePlan> MetricsRecorder::plan(std::uint64_t generation) const {
    const std::lock_guard lock(plansMutex_);
    if (generation == 0) {
        return plans_.empty() ? nullptr : plans_.back();
    }
    for (const auto& p : plans_) {
        if (p->generation == generation) {
            return p;
        }
    }
    return nullptr;
}

} // namespace fluxforge::detail
