#include <fluxforge/graph/domains.hpp>
#include <fluxforge/graph/endpoint_nodes.hpp>

#include <algorithm>
#include <utility>

namespace fluxforge {

namespace detail {

/// Puts another node object at an id, keeping the id's name, modes and connections (the caller
/// guarantees the ports the connections use exist on the new node).
struct GraphNodeSwap {
    static void replace(Graph& graph, NodeId id, std::shared_ptr<Node> node) {
        Graph::Entry& entry = graph.entries_[id.value - 1];
        graph.idsByNode_.erase(entry.node.get());
        graph.idsByNode_.emplace(node.get(), id);
        entry.node = std::move(node);
    }
};

} // namespace detail

DomainAssignment assignDomains(const Graph& graph) {
    DomainAssignment result;
    result.byId.assign(graph.maxId() + 1, Domain::prefetch);
    result.byId[0] = Domain::live;
    std::vector<NodeId> frontier;
    for (std::uint32_t value = 1; value <= graph.maxId(); ++value) {
        const NodeId id{value};
        if (!graph.contains(id)) {
            result.byId[value] = Domain::live;
            continue;
        }
        const NodeProperties props = graph.node(id)->properties();
        if (id == graph.input() || id == graph.output() || props.liveInput == LiveInput::yes ||
            props.mustRunLive || graph.liveMonitoring(id) == LiveMonitoring::on) {
            result.byId[value] = Domain::live;
            frontier.push_back(id);
        }
    }
    // Downstream closure: a node fed by a live node is live (each node enters the frontier once).
    std::vector<std::vector<NodeId>> consumers(graph.maxId() + 1);
    for (const Connection& c : graph.connections()) {
        consumers[c.source.node.value].push_back(c.destination.node);
    }
    while (!frontier.empty()) {
        const NodeId id = frontier.back();
        frontier.pop_back();
        for (NodeId next : consumers[id.value]) {
            if (result.byId[next.value] == Domain::prefetch) {
                result.byId[next.value] = Domain::live;
                frontier.push_back(next);
            }
        }
    }
    for (const Connection& c : graph.connections()) {
        if (result.of(c.source.node) == Domain::prefetch &&
            result.of(c.destination.node) == Domain::live) {
            result.boundary.push_back(c.source);
        }
    }
    std::sort(result.boundary.begin(), result.boundary.end());
    result.boundary.erase(std::unique(result.boundary.begin(), result.boundary.end()),
                          result.boundary.end());
    for (NodeId id : graph.nodeIds()) {
        result.prefetchedNodes += result.of(id) == Domain::prefetch ? 1 : 0;
    }
    return result;
}

DomainGraphs
splitByDomain(const Graph& graph, const DomainAssignment& domains,
              const std::function<std::shared_ptr<Node>(NodeId)>& makeReader,
              const std::function<std::shared_ptr<Node>(OutputPort, ChannelCount)>& makeWriter) {
    DomainGraphs result{graph, graph};
    const auto onBoundary = [&](NodeId id) {
        return std::any_of(domains.boundary.begin(), domains.boundary.end(),
                           [&](const OutputPort& port) { return port.node == id; });
    };

    // Live: prefetched nodes go; those on the boundary leave a reader at their id.
    Graph& live = result.live;
    for (NodeId id : graph.nodeIds()) {
        if (domains.of(id) == Domain::live) {
            continue;
        }
        if (!onBoundary(id)) {
            live.remove(id);
            continue;
        }
        std::vector<Connection> inputs;
        for (const Connection& c : live.connections()) {
            if (c.destination.node == id || domains.of(c.destination.node) == Domain::prefetch) {
                inputs.push_back(c);
            }
        }
        for (const Connection& c : inputs) {
            live.disconnect(c.source, c.destination);
        }
        detail::GraphNodeSwap::replace(live, id, makeReader(id));
        // The reader reports the path latency the whole graph gives this output: it counts.
        live.setPdcMode(id, PdcMode::compensate);
    }

    // Prefetch: the live nodes go, the endpoints are new objects (the real ones are the live
    // part's), and a writer per boundary port takes what the live part reads.
    Graph& prefetch = result.prefetch;
    for (NodeId id : graph.nodeIds()) {
        if (domains.of(id) == Domain::live && id != graph.input() && id != graph.output()) {
            prefetch.remove(id);
        }
    }
    std::vector<Connection> endpointConnections;
    for (const Connection& c : prefetch.connections()) {
        if (c.source.node == graph.input() || c.destination.node == graph.output()) {
            endpointConnections.push_back(c);
        }
    }
    for (const Connection& c : endpointConnections) {
        prefetch.disconnect(c.source, c.destination);
    }
    detail::GraphNodeSwap::replace(prefetch, graph.input(),
                                   std::make_shared<GraphInputNode>(graph.config().inputChannels));
    detail::GraphNodeSwap::replace(
        prefetch, graph.output(), std::make_shared<GraphOutputNode>(graph.config().outputChannels));
    for (const OutputPort& port : domains.boundary) {
        const ChannelCount channels =
            graph.node(port.node)->properties().outputs[port.port].channels;
        const NodeId writer =
            prefetch.add(makeWriter(port, channels), "prefetch ring of " + graph.name(port.node) +
                                                         ":" + std::to_string(port.port));
        prefetch.connect(port, InputPort{writer, 0});
    }
    return result;
}

} // namespace fluxforge
