// Pass validateConnections: every connection names live nodes, existing ports and matching channel
// counts; each becomes a link between graph-order indices.
#include "passes.hpp"

#include <string>

namespace fluxforge::detail {

namespace {

std::string describe(const Graph& graph, const Connection& c) {
    return graph.describe(c.source.node) + ":out" + std::to_string(c.source.port) + " -> " +
           graph.describe(c.destination.node) + ":in" + std::to_string(c.destination.port);
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
        const NodeProperties& source = nodes.properties[from];
        const NodeProperties& destination = nodes.properties[to];
        if (c.source.port >= source.outputs.size()) {
            throw Error("connection " + describe(graph, c) + ": " + graph.describe(c.source.node) +
                        " has no output port " + std::to_string(c.source.port) + " (it has " +
                        std::to_string(source.outputs.size()) + ")");
        }
        if (c.destination.port >= destination.inputs.size()) {
            throw Error("connection " + describe(graph, c) + ": " +
                        graph.describe(c.destination.node) + " has no input port " +
                        std::to_string(c.destination.port) + " (it has " +
                        std::to_string(destination.inputs.size()) + ")");
        }
        const ChannelCount out = source.outputs[c.source.port].channels;
        const ChannelCount in = destination.inputs[c.destination.port].channels;
        if (out != in) {
            throw Error("connection " + describe(graph, c) + ": channel mismatch, the output has " +
                        std::to_string(out) + " channel(s) and the input " + std::to_string(in));
        }
        links.push_back({from, c.source.port, to, c.destination.port,
                         (std::uint64_t{c.source.node.value} << 32) | c.source.port});
    }
    return links;
}

} // namespace fluxforge::detail
