#include "connection_check.hpp"

#include <fluxforge/graph/endpoint_nodes.hpp>
#include <fluxforge/graph/graph.hpp>

#include <algorithm>

namespace fluxforge {

Graph::Graph(GraphConfig config)
    : config_(config) {
    // Checked here, before the endpoints allocate anything, with the name the user wrote.
    if (config.inputChannels > kMaxPortChannels || config.outputChannels > kMaxPortChannels) {
        const bool input = config.inputChannels > kMaxPortChannels;
        throw Error(std::string("GraphConfig::") + (input ? "inputChannels " : "outputChannels ") +
                    std::to_string(input ? config.inputChannels : config.outputChannels) +
                    " is above the maximum of " + std::to_string(kMaxPortChannels) +
                    " channels (kMaxPortChannels)");
    }
    inputId_ = add(std::make_shared<GraphInputNode>(config.inputChannels), "graph input");
    outputId_ = add(std::make_shared<GraphOutputNode>(config.outputChannels), "graph output");
}

NodeId Graph::add(std::shared_ptr<Node> node, std::string name) {
    if (node == nullptr) {
        throw Error("Graph::add: the node is null");
    }
    if (const NodeId existing = find(*node); existing.isValid()) {
        throw Error("Graph::add: this node is already in the graph as " + label(existing));
    }
    const NodeId id{static_cast<std::uint32_t>(entries_.size() + 1)};
    if (name.empty()) {
        name = "node" + std::to_string(id.value);
    }
    validateProperties(node->properties(), "'" + name + "' (#" + std::to_string(id.value) + ")");
    idsByNode_.emplace(node.get(), id);
    entries_.push_back({std::move(node), std::move(name)});
    ++liveCount_;
    return id;
}

void Graph::remove(NodeId id) {
    entry(id); // throws if unknown or removed
    if (id == inputId_ || id == outputId_) {
        throw Error("Graph::remove: " + label(id) + " is a graph endpoint and cannot be removed");
    }
    std::erase_if(connections_, [&](const Connection& c) {
        const bool touches = c.source.node == id || c.destination.node == id;
        if (touches) {
            connectionSet_.erase(c);
        }
        return touches;
    });
    idsByNode_.erase(entries_[id.value - 1].node.get());
    entries_[id.value - 1].node.reset();
    --liveCount_;
}

void Graph::connect(OutputPort from, InputPort to) {
    const Entry& source = entry(from.node);
    const Entry& destination = entry(to.node);
    auto what = [&] { return "Graph::connect " + label(from.node) + " -> " + label(to.node); };
    if (std::string problem = detail::connectionProblem(*this, from, source.node->properties(), to,
                                                        destination.node->properties());
        !problem.empty()) {
        throw Error(what() + ": " + problem);
    }
    if (from.node == to.node) {
        throw Error(what() + ": a node cannot feed itself (that is a cycle)");
    }
    const Connection connection{from, to};
    if (connectionSet_.contains(connection)) {
        throw Error(what() + ": output port " + std::to_string(from.port) +
                    " is already connected to input port " + std::to_string(to.port));
    }
    connections_.push_back(connection);
    connectionSet_.insert(connection);
}

void Graph::disconnect(OutputPort from, InputPort to) {
    const Connection connection{from, to};
    if (!connectionSet_.contains(connection)) {
        throw Error("Graph::disconnect: there is no connection from output port " +
                    std::to_string(from.port) + " of " + label(from.node) + " to input port " +
                    std::to_string(to.port) + " of " + label(to.node));
    }
    connections_.erase(std::find(connections_.begin(), connections_.end(), connection));
    connectionSet_.erase(connection);
}

bool Graph::contains(NodeId id) const noexcept {
    return id.isValid() && id.value <= entries_.size() && entries_[id.value - 1].node != nullptr;
}

NodeId Graph::find(const Node& node) const noexcept {
    const auto it = idsByNode_.find(&node);
    return it == idsByNode_.end() ? NodeId{} : it->second;
}

const Graph::Entry& Graph::entry(NodeId id) const {
    if (!id.isValid() || id.value > entries_.size()) {
        throw Error("unknown node id #" + std::to_string(id.value) + " (this graph has ids 1.." +
                    std::to_string(entries_.size()) + ")");
    }
    const Entry& e = entries_[id.value - 1];
    if (e.node == nullptr) {
        throw Error("node '" + e.name + "' (#" + std::to_string(id.value) +
                    ") was removed from the graph");
    }
    return e;
}

const std::shared_ptr<Node>& Graph::node(NodeId id) const {
    return entry(id).node;
}

void Graph::setPdcMode(NodeId id, PdcMode mode) {
    entry(id);
    entries_[id.value - 1].pdc = mode;
}

PdcMode Graph::pdcMode(NodeId id) const {
    return entry(id).pdc;
}

void Graph::setLiveMonitoring(NodeId id, LiveMonitoring monitoring) {
    entry(id);
    entries_[id.value - 1].live = monitoring;
}

LiveMonitoring Graph::liveMonitoring(NodeId id) const {
    return entry(id).live;
}

const std::string& Graph::name(NodeId id) const {
    return entry(id).name;
}

std::string Graph::label(NodeId id) const {
    if (id.isValid() && id.value <= entries_.size()) {
        return "'" + entries_[id.value - 1].name + "' (#" + std::to_string(id.value) + ")";
    }
    return "#" + std::to_string(id.value);
}

std::vector<NodeId> Graph::nodeIds() const {
    std::vector<NodeId> ids;
    ids.reserve(liveCount_);
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].node != nullptr) {
            ids.push_back(NodeId{static_cast<std::uint32_t>(i + 1)});
        }
    }
    return ids;
}

} // namespace fluxforge
