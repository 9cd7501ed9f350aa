// Pass rankTasks: each task's cost for one full block and its critical-path rank (its cost plus
// the highest rank among its successors), which the critical-path executor runs by.
#include "passes.hpp"

#include <algorithm>
#include <cmath>

namespace fluxforge::detail {

PlanRanks rankTasks(const PlanEdges& edges, const NodeTable& nodes, const TopologicalOrder& order,
                    FrameCount maxBlockSize) {
    const std::size_t n = order.order.size();
    PlanRanks ranks;
    ranks.costs.resize(n);
    ranks.ranks.resize(n);
    // Estimates only, in nanoseconds per block: measured times are run state, kept by the
    // ScheduledPlan and carried to the next plan by the engine.
    for (TaskIndex t = 0; t < n; ++t) {
        const double perFrame = nodes.properties[order.order[t]].estimatedCostPerFrame;
        ranks.costs[t] = (std::isfinite(perFrame) && perFrame > 0.0 ? perFrame : 1.0) *
                         static_cast<double>(maxBlockSize);
    }
    for (TaskIndex t = static_cast<TaskIndex>(n); t-- > 0;) {
        double longest = 0.0;
        for (std::uint32_t e = edges.successorOffsets[t]; e < edges.successorOffsets[t + 1]; ++e) {
            longest = std::max(longest, ranks.ranks[edges.successors[e]]);
        }
        ranks.ranks[t] = ranks.costs[t] + longest;
    }
    return ranks;
}

} // namespace fluxforge::detail
