// Pass rankTasks: each task's cost for one full block and its critical-path rank (its cost plus
// the highest rank among its successors), which the critical-path executor runs by.
#include "passes.hpp"

#include <fluxforge/core/cycle_clock.hpp>

#include <algorithm>
#include <cmath>

namespace fluxforge::detail {

PlanRanks rankTasks(const PlanTasks& tasks, const PlanEdges& edges, const NodeTable& nodes,
                    const TopologicalOrder& order, FrameCount maxBlockSize) {
    const std::size_t n = order.order.size();
    PlanRanks ranks;
    ranks.costs.resize(n);
    ranks.ranks.resize(n);
    // A node's cost: its measured average once the engine has timed it, else its own estimate.
    // Both in nanoseconds per block.
    for (TaskIndex t = 0; t < n; ++t) {
        const Node* node = tasks.nodes[t];
        if (node != nullptr && node->timedBlocksApprox() > 0) {
            ranks.costs[t] = CycleClock::toNanoseconds(node->averageTicksApprox());
        } else {
            const double perFrame = nodes.properties[order.order[t]].estimatedCostPerFrame;
            ranks.costs[t] = (std::isfinite(perFrame) && perFrame > 0.0 ? perFrame : 1.0) *
                             static_cast<double>(maxBlockSize);
        }
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
