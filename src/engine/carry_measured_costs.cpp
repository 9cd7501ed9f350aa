// carryMeasuredCosts: matches tasks of two plans by node and copies the measured times.
#include "carry_measured_costs.hpp"

namespace fluxforge::detail {

std::size_t carryMeasuredCosts(const ScheduledPlan& from, ScheduledPlan& to) noexcept {
    const Plan& source = from.plan();
    const Plan& target = to.plan();
    std::size_t carried = 0;
    for (TaskIndex t = 0; t < to.numTasks(); ++t) {
        if (target.isPartialSum(t)) {
            continue; // a partial sum's cost follows its inputs, which an edit may have changed
        }
        const TaskIndex old = source.taskOf(target.nodeId(t));
        // The node too, not only the id: a different graph reuses ids, and the prefetch split puts
        // new ring nodes at the ids of the nodes they stand for.
        if (old == kNoTask || source.isPartialSum(old) || &source.node(old) != &target.node(t)) {
            continue;
        }
        const double ticks = from.measuredTaskTicksApprox(old);
        if (ticks > 0.0) {
            to.seedMeasuredTaskTicks(t, ticks);
            ++carried;
        }
    }
    return carried;
}

} // namespace fluxforge::detail
