// Pass buildEdges: the dependency structure in task space.
#include "passes.hpp"

#include <fluxforge/core/csr.hpp>

#include <algorithm>

namespace fluxforge::detail {

PlanEdges buildEdges(const Adjacency& adjacency, const TopologicalOrder& order) {
    const std::size_t n = order.order.size();
    PlanEdges edges;
    // Successors in task space (each list sorted, for a reproducible plan), then predecessors by
    // counting sort over them (which leaves each list sorted too).
    edges.successorOffsets.assign(n + 1, 0);
    edges.successors.resize(adjacency.targets.size());
    for (TaskIndex t = 0; t < n; ++t) {
        const std::uint32_t i = order.order[t];
        const std::uint32_t begin = edges.successorOffsets[t];
        std::uint32_t end = begin;
        for (std::uint32_t e = adjacency.offsets[i]; e < adjacency.offsets[i + 1]; ++e) {
            edges.successors[end++] = order.taskOfIndex[adjacency.targets[e]];
        }
        std::sort(edges.successors.begin() + begin, edges.successors.begin() + end);
        edges.successorOffsets[t + 1] = end;
    }
    countingSortIntoRows(
        n,
        [&](auto&& emit) {
            for (TaskIndex t = 0; t < n; ++t) {
                for (std::uint32_t e = edges.successorOffsets[t]; e < edges.successorOffsets[t + 1];
                     ++e) {
                    emit(edges.successors[e], t);
                }
            }
        },
        edges.predecessorOffsets, edges.predecessors);
    edges.dependencyCounts.resize(n);
    for (TaskIndex t = 0; t < n; ++t) {
        edges.dependencyCounts[t] = edges.predecessorOffsets[t + 1] - edges.predecessorOffsets[t];
        if (edges.dependencyCounts[t] == 0) {
            edges.sources.push_back(t);
        }
    }
    return edges;
}

} // namespace fluxforge::detail
