// Pass validateConnections: every connection names live nodes, existing ports and matching channel
// counts; each becomes a link between graph-order indices.
#include "../connection_check.hpp"
#include "passes.hpp"

#include <string>

namespace fluxforge::detail {

namespace {

std::string describe(const Graph& graph, const Connection& c) {
    return graph.label(c.source.node) + ":out" + std::to_string(c.source.port) + " -> " +
           graph.label(c.destination.node) + ":in" + std::to_string(c.destination.port);
}

std::uint32_t graphIndexOf(const Graph& graph, const NodeTable& nodes, NodeId id,
                           const Connection& c) {
    if (!id.isValid() || id.value >= nodes.graphIndexById.size() ||
        nodes.graphIndexById[id.value] == kNoTask) {
        throw Error("connection " + describe(graph, c) + " refers to unknown or removed node #" +
                    std::to_string(id.value));
    }
    return nodes.graphIndexById[id.value];
}

} // namespace

std::vector<Link> validateConnections(const Graph& graph, const NodeTable& nodes) {
    std::vector<Link> links;
    for (const Connection& c : graph.connections()) {
        const std::uint32_t from = graphIndexOf(graph, nodes, c.source.node, c);
        const std::uint32_t to = graphIndexOf(graph, nodes, c.destination.node, c);
        if (std::string problem = connectionProblem(graph, c.source, nodes.properties[from],
                                                    c.destination, nodes.properties[to]);
            !problem.empty()) {
            throw Error("connection " + describe(graph, c) + ": " + problem);
        }
        links.push_back({from, c.source.port, to, c.destination.port,
                         (std::uint64_t{c.source.node.value} << 32) | c.source.port});
    }
    return links;
}

} // namespace fluxforge::detail
