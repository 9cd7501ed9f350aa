// SerialExecutor: one thread runs the tasks in the plan's topological order.
#pragma once

#include <fluxforge/sched/executor.hpp>

namespace fluxforge {

/// The baseline executor: the calling thread runs every task in topological order. No
/// synchronisation at all, so its per-node cost is the floor the parallel executors are held to.
///
/// Thread: audio. Real-time safe: yes. Allocates: no.
class SerialExecutor final : public Executor {
public:
    void run(Plan& plan, const BlockInfo& block) noexcept override {
        const auto count = static_cast<TaskIndex>(plan.numTasks());
        for (TaskIndex task = 0; task < count; ++task) {
            plan.runTask(task, block);
        }
    }

    [[nodiscard]] std::string_view name() const noexcept override { return "serial"; }
};

} // namespace fluxforge
