// Pass buildTasks: what each task (position in the topological order) runs, its id and its name.
#include "passes.hpp"

#include <string>

namespace fluxforge::detail {

PlanTasks buildTasks(const Graph& graph, const NodeTable& nodes, const TopologicalOrder& order) {
    const std::size_t n = order.order.size();
    PlanTasks tasks;
    tasks.owners.reserve(n);
    tasks.nodes.reserve(n);
    tasks.ids.reserve(n);
    tasks.names.reserve(n);
    tasks.taskById.assign(graph.maxId() + 1, kNoTask);
    for (std::uint32_t t = 0; t < n; ++t) {
        const std::uint32_t i = order.order[t];
        const NodeId id = nodes.ids[i];
        if (i < nodes.realNodes) {
            tasks.owners.push_back(graph.node(id));
            tasks.names.push_back(graph.name(id));
            tasks.taskById[id.value] = t;
        } else {
            const PartialSum& sum = nodes.partialSums[i - nodes.realNodes];
            tasks.owners.push_back(nullptr);
            tasks.names.push_back(
                "sum " + std::to_string(sum.part + 1) + "/" + std::to_string(sum.parts) + " of " +
                graph.label(nodes.ids[sum.consumer]) + ":in" + std::to_string(sum.port));
        }
        tasks.nodes.push_back(tasks.owners.back().get());
        tasks.ids.push_back(id);
    }
    tasks.inputTask = tasks.taskById[graph.input().value];
    tasks.outputTask = tasks.taskById[graph.output().value];
    return tasks;
}

} // namespace fluxforge::detail
