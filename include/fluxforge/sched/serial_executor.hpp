// SerialExecutor: one thread runs the tasks in the plan's topological order.
#pragma once

#include <fluxforge/sched/executor.hpp>

namespace fluxforge {

/// The baseline executor: the calling thread runs every task in topological order, with no
/// synchronisation at all; its per-node cost is the floor the parallel executors are held to.
///
/// Thread: audio. Real-time safe: yes. Allocates: no.
class SerialExecutor final : public Executor {
public:
    void run(ScheduledPlan& plan, const BlockInfo& block) noexcept override {
        detail::runSerially(plan, block, observer_);
    }
    [[nodiscard]] ExecutorKind kind() const noexcept override { return ExecutorKind::serial; }
};

} // namespace fluxforge
