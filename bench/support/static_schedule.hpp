// StaticScheduleReference: what a schedule that knows everything in advance pays on this machine
// for running one plan's tasks on several cores. A reference row beside the executors, not a
// scheduler: no real-time rules, helpers spin on their own threads for as long as it lives.
#pragma once

#include <fluxforge/graph/plan.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace fluxforge::bench {

/// Every task is placed ahead of time on one of `workers` threads by list scheduling with the
/// nodes' exact costs (most urgent ready task first, on the thread where it can start earliest,
/// an input from another thread counted `crossCoreNanoseconds` late). A block then runs each
/// thread's list in order, each task waiting only for its own inputs' done flags: one store per
/// task and one load per input, no read-modify-write, no ready sets, no stealing, no decisions.
/// The gap between its block time and max(W/p, D) is what running the graph on several cores
/// costs here with the least synchronisation a schedule can have; a dynamic executor pays that
/// and its own bookkeeping. `costOf(task)` gives each task's exact cost in nanoseconds.
class StaticScheduleReference {
public:
    template <typename CostOf>
    StaticScheduleReference(Plan& plan, std::uint32_t workers, CostOf costOf,
                            double crossCoreNanoseconds = 250.0)
        : plan_(plan)
        , lists_(workers)
        , done_(std::make_unique<DoneFlag[]>(plan.numTasks()))
        , busy_(std::make_unique<Busy[]>(workers)) {
        placeTasks(workers, costOf, crossCoreNanoseconds);
        for (std::uint32_t w = 1; w < workers; ++w) {
            helpers_.emplace_back([this, w] { helperLoop(w); });
        }
    }
    ~StaticScheduleReference() {
        stop_.store(true, std::memory_order_relaxed);
        for (std::thread& helper : helpers_) {
            helper.join();
        }
    }
    StaticScheduleReference(const StaticScheduleReference&) = delete;
    StaticScheduleReference& operator=(const StaticScheduleReference&) = delete;

    /// Runs one block: the calling thread is worker 0; returns when every worker is done.
    void runBlock(FrameCount frames, SampleTime start) {
        block_ = {frames, start};
        plan_.prepareBlock(frames);
        const std::uint32_t epoch = ++nextEpoch_;
        for (std::uint32_t w = 1; w < lists_.size(); ++w) {
            busy_[w].flag.store(true, std::memory_order_relaxed);
        }
        epoch_.store(epoch, std::memory_order_release);
        runList(0, epoch);
        for (std::uint32_t w = 1; w < lists_.size(); ++w) {
            while (busy_[w].flag.load(std::memory_order_acquire)) {
            }
        }
    }

    /// Inputs that cross between threads, and all inputs: how much data the placement moves.
    [[nodiscard]] std::size_t crossingInputs() const noexcept { return crossing_; }
    [[nodiscard]] std::size_t inputs() const noexcept { return inputs_; }

private:
    struct alignas(64) DoneFlag {
        std::atomic<std::uint32_t> epoch{0};
    };
    struct alignas(64) Busy {
        std::atomic<bool> flag{false};
    };

    template <typename CostOf>
    void placeTasks(std::uint32_t workers, CostOf costOf, double crossCore) {
        const std::size_t n = plan_.numTasks();
        std::vector<std::uint32_t> owner(n, 0);
        std::vector<double> finish(n, 0.0);
        std::vector<double> available(workers, 0.0);
        std::vector<std::uint32_t> remaining(n);
        std::vector<TaskIndex> ready;
        for (TaskIndex t = 0; t < n; ++t) {
            remaining[t] = static_cast<std::uint32_t>(plan_.predecessors(t).size());
            if (remaining[t] == 0) {
                ready.push_back(t);
            }
        }
        while (!ready.empty()) {
            const auto next = std::max_element(ready.begin(), ready.end(), [&](auto a, auto b) {
                return plan_.rank(a) < plan_.rank(b);
            });
            const TaskIndex t = *next;
            ready.erase(next);
            double earliest = 0.0;
            std::uint32_t chosen = 0;
            for (std::uint32_t w = 0; w < workers; ++w) {
                double start = available[w];
                for (TaskIndex p : plan_.predecessors(t)) {
                    start = std::max(start, finish[p] + (owner[p] == w ? 0.0 : crossCore));
                }
                if (w == 0 || start < earliest) {
                    earliest = start;
                    chosen = w;
                }
            }
            owner[t] = chosen;
            finish[t] = earliest + costOf(t);
            available[chosen] = finish[t];
            lists_[chosen].push_back(t);
            for (TaskIndex s : plan_.successors(t)) {
                if (--remaining[s] == 0) {
                    ready.push_back(s);
                }
            }
        }
        for (TaskIndex t = 0; t < n; ++t) {
            for (TaskIndex p : plan_.predecessors(t)) {
                ++inputs_;
                crossing_ += owner[p] != owner[t] ? 1 : 0;
            }
        }
    }

    void runList(std::uint32_t worker, std::uint32_t epoch) noexcept {
        for (TaskIndex t : lists_[worker]) {
            for (TaskIndex p : plan_.predecessors(t)) {
                while (done_[p].epoch.load(std::memory_order_acquire) != epoch) {
                }
            }
            plan_.runTask(t, block_);
            done_[t].epoch.store(epoch, std::memory_order_release);
        }
    }

    void helperLoop(std::uint32_t worker) noexcept {
        std::uint32_t seen = 0;
        while (!stop_.load(std::memory_order_relaxed)) {
            const std::uint32_t epoch = epoch_.load(std::memory_order_acquire);
            if (epoch == seen) {
                continue;
            }
            seen = epoch;
            runList(worker, epoch);
            busy_[worker].flag.store(false, std::memory_order_release);
        }
    }

    Plan& plan_;
    BlockInfo block_{};
    std::vector<std::vector<TaskIndex>> lists_; // per worker, in the order it runs them
    std::unique_ptr<DoneFlag[]> done_;          // per task: the epoch of its last finished block
    std::unique_ptr<Busy[]> busy_;              // per helper: still on this block
    std::vector<std::thread> helpers_;
    std::uint32_t nextEpoch_ = 0;
    alignas(64) std::atomic<std::uint32_t> epoch_{0};
    alignas(64) std::atomic<bool> stop_{false};
    std::size_t inputs_ = 0;
    std::size_t crossing_ = 0;
};

} // namespace fluxforge::bench
