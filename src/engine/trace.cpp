// The trace's plans, names and per-block analysis (critical path, W and D).
#include <fluxforge/engine/trace.hpp>

#include <algorithm>
#include <unordered_map>

namespace fluxforge {

TracePlan TracePlan::of(const Plan& plan, std::uint64_t generation) {
    TracePlan result;
    result.generation = generation;
    const auto n = static_cast<TaskIndex>(plan.numTasks());
    result.names.reserve(n);
    result.nodes.reserve(n);
    result.predecessorOffsets.reserve(n + 1);
    result.predecessorOffsets.push_back(0);
    for (TaskIndex t = 0; t < n; ++t) {
        result.names.push_back(plan.nodeName(t));
        result.nodes.push_back(plan.isPartialSum(t) ? NodeId{} : plan.nodeId(t));
        for (TaskIndex p : plan.predecessors(t)) {
            result.predecessors.push_back(p);
        }
        result.predecessorOffsets.push_back(static_cast<std::uint32_t>(result.predecessors.size()));
    }
    return result;
}

const TracePlan* TraceCapture::planOf(const TraceBlock& block) const noexcept {
    for (const TracePlan& plan : plans) {
        if (plan.generation == block.planGeneration) {
            return &plan;
        }
    }
    return nullptr;
}

std::string TraceCapture::taskName(const TraceTask& task) const {
    for (const TraceBlock& block : blocks) {
        if (block.index == task.block) {
            const TracePlan* plan = planOf(block);
            if (plan != nullptr && task.task < plan->numTasks()) {
                return plan->names[task.task];
            }
            break;
        }
    }
    return "task " + std::to_string(task.task);
}

void TraceCapture::analyse() {
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> byBlock;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        tasks[i].critical = false;
        byBlock[tasks[i].block].push_back(i);
    }
    for (TraceBlock& block : blocks) {
        block.workNanoseconds = 0.0;
        block.criticalPathNanoseconds = 0.0;
        const auto found = byBlock.find(block.index);
        const TracePlan* plan = planOf(block);
        if (found == byBlock.end() || plan == nullptr) {
            continue;
        }
        const std::size_t n = plan->numTasks();
        // A task may run more than once in a block (a long block runs in pieces): its time is
        // the sum, and its last run is the one successors waited for.
        std::vector<double> duration(n, 0.0);
        std::vector<std::size_t> last(n, tasks.size());
        for (std::size_t i : found->second) {
            const TraceTask& t = tasks[i];
            if (t.task >= n) {
                continue;
            }
            duration[t.task] += static_cast<double>(t.endNanoseconds - t.startNanoseconds);
            if (last[t.task] == tasks.size() ||
                tasks[last[t.task]].endNanoseconds < t.endNanoseconds) {
                last[t.task] = i;
            }
        }
        // D: the longest chain of measured times through the dependencies (tasks are in
        // topological order); its tasks are the block's critical path.
        std::vector<double> finish(n, 0.0);
        std::vector<TaskIndex> via(n, kNoTask); // the predecessor on the longest chain
        TaskIndex end = kNoTask;
        for (std::size_t t = 0; t < n; ++t) {
            double ready = 0.0;
            for (std::uint32_t k = plan->predecessorOffsets[t]; k < plan->predecessorOffsets[t + 1];
                 ++k) {
                const TaskIndex p = plan->predecessors[k];
                if (via[t] == kNoTask || finish[p] > ready) {
                    ready = finish[p];
                    via[t] = p;
                }
            }
            finish[t] = ready + duration[t];
            block.workNanoseconds += duration[t];
            if (end == kNoTask || finish[t] > finish[end]) {
                end = static_cast<TaskIndex>(t);
            }
        }
        block.criticalPathNanoseconds = end == kNoTask ? 0.0 : finish[end];
        for (TaskIndex t = end; t != kNoTask; t = via[t]) {
            if (last[t] != tasks.size()) {
                tasks[last[t]].critical = true;
            }
        }
    }
}

} // namespace fluxforge
