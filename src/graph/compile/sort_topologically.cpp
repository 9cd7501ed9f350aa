// Passes buildAdjacency and sortTopologically: the distinct edges between nodes, and Kahn's order
// over them (nodes taken in graph order, so the same graph always gives the same order).
#include "passes.hpp"

#include <fluxforge/core/csr.hpp>

#include <algorithm>
#include <string>

namespace fluxforge::detail {

namespace {

// Every node with a non-zero remaining in-degree has a predecessor that also has one, so walking
// predecessors backwards from any of them must revisit a node: that loop is a cycle.
std::string describeCycle(const Graph& graph, const NodeTable& nodes, const Adjacency& adjacency,
                          const std::vector<std::uint32_t>& inDegree) {
    const std::size_t n = nodes.ids.size();
    std::vector<std::vector<std::uint32_t>> blockedPredecessors(n);
    for (std::uint32_t from = 0; from < n; ++from) {
        for (std::uint32_t e = adjacency.offsets[from]; e < adjacency.offsets[from + 1]; ++e) {
            const std::uint32_t to = adjacency.targets[e];
            if (inDegree[from] > 0 && inDegree[to] > 0) {
                blockedPredecessors[to].push_back(from);
            }
        }
    }
    std::uint32_t start = 0;
    while (inDegree[start] == 0) {
        ++start;
    }
    std::vector<std::uint32_t> visitedAt(n, kNoTask);
    std::vector<std::uint32_t> walk;
    std::uint32_t current = start;
    while (visitedAt[current] == kNoTask) {
        visitedAt[current] = static_cast<std::uint32_t>(walk.size());
        walk.push_back(current);
        current = blockedPredecessors[current].front();
    }
    // walk[visitedAt[current]..] followed backwards is the cycle; print it forwards.
    std::vector<std::uint32_t> cycle(walk.begin() + visitedAt[current], walk.end());
    std::reverse(cycle.begin(), cycle.end());
    std::string text = "the graph has a cycle: ";
    for (std::uint32_t i : cycle) {
        if (i < nodes.realNodes) { // partial sums in the cycle are implied by their consumer
            text += graph.label(nodes.ids[i]) + " -> ";
        }
    }
    const std::uint32_t first = cycle.front() < nodes.realNodes
                                    ? cycle.front()
                                    : nodes.partialSums[cycle.front() - nodes.realNodes].consumer;
    text += graph.label(nodes.ids[first]);
    return text;
}

} // namespace

Adjacency buildAdjacency(std::size_t numNodes, std::span<const Link> links) {
    // Out-adjacency by counting sort, then duplicates (two connections between the same pair of
    // nodes) dropped: O(nodes + connections), no global sort.
    Adjacency adjacency;
    countingSortIntoRows(
        numNodes,
        [&](auto&& emit) {
            for (const Link& link : links) {
                emit(link.from, link.to);
            }
        },
        adjacency.offsets, adjacency.targets);
    std::vector<std::uint32_t> seen(numNodes, kNoTask);
    std::uint32_t write = 0;
    for (std::uint32_t i = 0; i < numNodes; ++i) {
        const std::uint32_t begin = adjacency.offsets[i];
        const std::uint32_t end = adjacency.offsets[i + 1];
        adjacency.offsets[i] = write;
        for (std::uint32_t e = begin; e < end; ++e) {
            const std::uint32_t target = adjacency.targets[e];
            if (seen[target] != i) {
                seen[target] = i;
                adjacency.targets[write++] = target;
            }
        }
    }
    adjacency.offsets[numNodes] = write;
    adjacency.targets.resize(write);
    return adjacency;
}

TopologicalOrder sortTopologically(const Graph& graph, const NodeTable& nodes,
                                   const Adjacency& adjacency) {
    const std::size_t n = nodes.ids.size();
    std::vector<std::uint32_t> inDegree(n, 0);
    for (std::uint32_t target : adjacency.targets) {
        ++inDegree[target];
    }
    TopologicalOrder result;
    std::vector<std::uint32_t>& order = result.order;
    order.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        if (inDegree[i] == 0) {
            order.push_back(i);
        }
    }
    for (std::size_t head = 0; head < order.size(); ++head) {
        const std::uint32_t i = order[head];
        for (std::uint32_t e = adjacency.offsets[i]; e < adjacency.offsets[i + 1]; ++e) {
            if (--inDegree[adjacency.targets[e]] == 0) {
                order.push_back(adjacency.targets[e]);
            }
        }
    }
    if (order.size() != n) {
        throw Error(describeCycle(graph, nodes, adjacency, inDegree));
    }
    result.taskOfIndex.assign(n, kNoTask);
    for (std::uint32_t t = 0; t < n; ++t) {
        result.taskOfIndex[order[t]] = t;
    }
    return result;
}

} // namespace fluxforge::detail
