// Pass collectNodes: the graph's nodes and their properties, in id order (graph order), each
// checked against the limits (a node may have changed since it was added: a new latency, say).
#include "passes.hpp"

namespace fluxforge::detail {

NodeTable collectNodes(const Graph& graph) {
    NodeTable nodes;
    const std::vector<NodeId> ids = graph.nodeIds();
    nodes.graphIndexById.assign(graph.maxId() + 1, kNoTask);
    nodes.ids.reserve(ids.size());
    nodes.properties.reserve(ids.size());
    for (NodeId id : ids) {
        nodes.graphIndexById[id.value] = static_cast<std::uint32_t>(nodes.ids.size());
        nodes.ids.push_back(id);
        nodes.properties.push_back(graph.node(id)->properties());
        validateProperties(nodes.properties.back(), graph.label(id));
    }
    nodes.realNodes = nodes.ids.size();
    return nodes;
}

} // namespace fluxforge::detail
