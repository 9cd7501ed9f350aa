// Pass compensateLatency: plugin delay compensation (docs/pdc.md). In topological order, each
// node's path latency is its own latency plus the largest path latency among its counted inputs,
// and every counted input is delayed by the difference, so that all of them arrive aligned.
// Inputs from an exempt path (a live or PDC-bypassed node and the chain after it, up to the next
// join) are neither counted nor delayed. Partial sums are transparent: a node's inputs are the
// connections into its ports, whether a partial-sum task sums some of them, and their delays sit
// on those connections, so splitting a port changes no sample.
#include "passes.hpp"

#include <algorithm>
#include <string>

namespace fluxforge::detail {

namespace {

// "path latency of 'c' (#5) is N frames, ...: 'a' (#3, 2097153) -> ... -> 'c' (#5, 2)": the path
// that sets the latency, walked back through the input that set each node's, listing the nodes
// on it that add latency (the first and last eight of them when there are many).
std::string describeOverflow(const Graph& graph, const NodeTable& nodes,
                             const TopologicalOrder& order, std::span<const TaskIndex> longestFrom,
                             std::span<const FrameCount> own, TaskIndex last, std::uint64_t total) {
    std::vector<TaskIndex> path;
    for (TaskIndex t = last; t != kNoTask; t = longestFrom[t]) {
        if (own[t] > 0) {
            path.push_back(t);
        }
    }
    std::reverse(path.begin(), path.end());
    auto name = [&](TaskIndex t) { return graph.label(nodes.ids[order.order[t]]); };
    std::string text = "path latency of " + name(last) + " is " + std::to_string(total) +
                       " frames, above the maximum of " + std::to_string(kMaxLatency) +
                       " (kMaxLatency); the latent nodes on that path: ";
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path.size() > 16 && i == 8) {
            text += "... -> ";
            i = path.size() - 8;
        }
        const std::string label = name(path[i]);
        text += label.substr(0, label.size() - 1) + ", " + std::to_string(own[path[i]]) +
                " frames)" + (i + 1 < path.size() ? " -> " : "");
    }
    return text;
}

} // namespace

LatencyPlan compensateLatency(const Graph& graph, const NodeTable& nodes,
                              const TopologicalOrder& order, const PlanTasks& tasks,
                              const PlanPorts& ports, const Leaves& leaves) {
    const std::size_t n = order.order.size();
    LatencyPlan result;
    std::vector<FrameCount>& latencies = result.latencies;
    latencies.assign(n, 0);
    result.leafDelays.assign(leaves.sources.size(), 0);
    std::vector<bool> exempt(n, false);
    // For naming a path that is too long: the input that set each task's latency, and its own.
    std::vector<TaskIndex> longestFrom(n, kNoTask);
    std::vector<FrameCount> own(n, 0);
    std::vector<std::uint32_t> edges; // leaves feeding the current node, partial sums expanded
    for (TaskIndex t = 0; t < n; ++t) {
        if (tasks.nodes[t] == nullptr) {
            continue; // partial sums: their consumer handles their leaves
        }
        edges.clear();
        for (std::uint32_t port = ports.inputPortOffsets[t]; port < ports.inputPortOffsets[t + 1];
             ++port) {
            const InputPortPlan& plan = ports.inputPorts[port];
            for (std::uint32_t l = plan.firstLeaf; l < plan.firstLeaf + plan.numLeaves; ++l) {
                const TaskIndex source = leaves.sourceTasks[l];
                if (tasks.nodes[source] != nullptr) {
                    edges.push_back(l);
                    continue;
                }
                const InputPortPlan& sum = ports.inputPorts[ports.inputPortOffsets[source]];
                for (std::uint32_t k = sum.firstLeaf; k < sum.firstLeaf + sum.numLeaves; ++k) {
                    edges.push_back(k);
                }
            }
        }
        bool anyCounted = false;
        for (std::uint32_t l : edges) {
            anyCounted = anyCounted || !exempt[leaves.sourceTasks[l]];
        }
        // When every input is exempt (live paths meeting), align them among themselves.
        FrameCount aligned = 0;
        for (std::uint32_t l : edges) {
            const TaskIndex source = leaves.sourceTasks[l];
            if ((!anyCounted || !exempt[source]) &&
                (longestFrom[t] == kNoTask || latencies[source] > aligned)) {
                aligned = latencies[source];
                longestFrom[t] = source;
            }
        }
        for (std::uint32_t l : edges) {
            const TaskIndex source = leaves.sourceTasks[l];
            if (!anyCounted || !exempt[source]) {
                result.leafDelays[l] = aligned - latencies[source];
            }
        }
        const std::uint32_t graphIndex = order.order[t];
        const NodeId id = nodes.ids[graphIndex];
        const NodeProperties& props = nodes.properties[graphIndex];
        const bool bypassed = graph.pdcMode(id) == PdcMode::bypass;
        const bool live =
            props.liveInput == LiveInput::yes || graph.liveMonitoring(id) == LiveMonitoring::on;
        own[t] = bypassed ? 0 : props.latency;
        // Every latency so far is at most kMaxLatency (collectNodes checked each node's), so
        // the sum cannot wrap; refuse it before it exceeds the bound.
        const std::uint64_t total = std::uint64_t{own[t]} + aligned;
        if (total > kMaxLatency) {
            throw Error(describeOverflow(graph, nodes, order, longestFrom, own, t, total));
        }
        latencies[t] = static_cast<FrameCount>(total);
        const bool join = edges.size() >= 2;
        exempt[t] =
            live || bypassed || (!edges.empty() && !join && exempt[leaves.sourceTasks[edges[0]]]);
    }
    // A partial sum's latency: what it carries once its inputs are aligned.
    for (TaskIndex t = 0; t < n; ++t) {
        if (tasks.nodes[t] == nullptr) {
            const InputPortPlan& sum = ports.inputPorts[ports.inputPortOffsets[t]];
            for (std::uint32_t k = sum.firstLeaf; k < sum.firstLeaf + sum.numLeaves; ++k) {
                latencies[t] =
                    std::max(latencies[t], latencies[leaves.sourceTasks[k]] + result.leafDelays[k]);
            }
        }
    }
    return result;
}

} // namespace fluxforge::detail
