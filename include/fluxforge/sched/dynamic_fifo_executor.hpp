// DynamicFifoExecutor: dynamic wavefront, ready tasks served first come, first served.
#pragma once

#include <fluxforge/core/backoff.hpp>
#include <fluxforge/sched/parallel_executor.hpp>

namespace fluxforge {

/// A task runs as soon as its inputs are done, in the order it became ready: one shared FIFO ring
/// (each task enters it once per block, so it never wraps), claimed by compare-and-swap. No
/// priorities and no continuation: the research baseline the critical-path executor is compared
/// with.
///
/// Thread: audio (run); helpers join through the WorkerPool. Real-time safe: yes. Allocates: no.
class DynamicFifoExecutor final : public ParallelExecutor {
public:
    explicit DynamicFifoExecutor(WorkerPool* pool, ParallelPolicy policy = {})
        : ParallelExecutor(pool, policy) {}

    [[nodiscard]] ExecutorKind kind() const noexcept override { return ExecutorKind::dynamicFifo; }

protected:
    void beginBlock(ScheduledPlan& plan) noexcept override {
        // Counters and slots are as the constructor left them: the last block's workers put each
        // counter back as they took it to zero, and emptied each slot as they claimed its task.
        head_.store(0, std::memory_order_relaxed);
        tail_.store(0, std::memory_order_relaxed);
        remainingSinks_.store(plan.numSinks(), std::memory_order_relaxed);
        for (TaskIndex source : plan.plan().sourceTasks()) {
            push(plan, source);
        }
    }

    void runTasks(std::uint32_t /*worker*/, WorkerTally& tally) noexcept override {
        ScheduledPlan& plan = *plan_;
        Plan& p = plan.plan();
        Backoff idle;
        for (;;) {
            std::uint32_t head = head_.load(std::memory_order_acquire);
            if (head >= tail_.load(std::memory_order_acquire)) {
                if (remainingSinks_.load(std::memory_order_acquire) == 0) {
                    return;
                }
                waited(tally);
                idle.pause();
                continue;
            }
            idle.reset();
            if (!head_.compare_exchange_weak(head, head + 1, std::memory_order_acq_rel)) {
                continue;
            }
            // The slot is claimed; its writer may not have stored the task yet.
            TaskIndex task = plan.fifoSlot(head).load(std::memory_order_acquire);
            for (Backoff writer; task == kNoTask;) {
                waited(tally);
                writer.pause();
                task = plan.fifoSlot(head).load(std::memory_order_acquire);
            }
            plan.fifoSlot(head).store(kNoTask, std::memory_order_relaxed); // for the next block
            runTask(p, task, tally);
            const auto successors = p.successors(task);
            if (successors.empty()) {
                remainingSinks_.fetch_sub(1, std::memory_order_acq_rel);
            }
            for (TaskIndex s : successors) {
                if (plan.tookLastDependency(s)) {
                    push(plan, s);
                }
            }
        }
    }

private:
    void push(ScheduledPlan& plan, TaskIndex task) noexcept {
        const std::uint32_t slot = tail_.fetch_add(1, std::memory_order_acq_rel);
        plan.fifoSlot(slot).store(task, std::memory_order_release);
    }

    // Each on a line of its own: every worker updates them, and reads the base's block fields for
    // every task.
    alignas(64) std::atomic<std::uint32_t> head_{0};
    alignas(64) std::atomic<std::uint32_t> tail_{0};
    alignas(64) std::atomic<std::uint32_t> remainingSinks_{0};
};

} // namespace fluxforge
