// Graph: the editable description of an audio graph (nodes, ports, connections).
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/graph/node_id.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace fluxforge {

namespace detail {
struct GraphNodeSwap; // domain_split.cpp: builds the graphs of the live and prefetch domains
} // namespace detail

/// Whether a node's latency is compensated (docs/pdc.md).
enum class PdcMode {
    compensate, ///< the node's latency counts, and its inputs are aligned (the default)
    bypass,     ///< its latency is not counted and its path, up to the next join, is not delayed
};

/// Whether a node is monitored live: an armed or monitored input whose path, up to the next join,
/// must not wait for plugin delay compensation (docs/pdc.md). A node that reads the device input
/// (NodeProperties::liveInput) is live whatever this says.
enum class LiveMonitoring { off, on };

/// The channel counts of a graph's two endpoints: the device input it may read and the output it
/// renders, each at most kMaxPortChannels (the Graph constructor throws fluxforge::Error beyond).
struct GraphConfig {
    ChannelCount inputChannels = 0;
    ChannelCount outputChannels = 2;
};

/// An editable audio graph. It owns its nodes (shared with the plans compiled from it, so a node
/// outlives its removal until no running plan uses it), gives each a stable NodeId, and records
/// connections from output ports to input ports. Every graph has two built-in endpoints:
/// `input()`, a source whose one output port carries the device's input, and `output()`, a sink
/// whose one input port is what the engine plays.
///
/// Several connections into one input port are summed. The order is fixed and documented
/// (docs/graph.md): sources sorted by (node id, port), added as a balanced pairwise tree, so the
/// sum is bit-identical however the graph was edited and whichever executor runs it.
///
/// Edits check what they can at once and throw fluxforge::Error naming the problem, leaving the
/// graph unchanged. Cycles are found by compile(), which needs the whole graph.
///
/// Thread: one control thread at a time (not synchronised). Real-time safe: no. Allocates: yes.
class Graph {
public:
    explicit Graph(GraphConfig config = {});

    /// Adds a node and returns its new id. `name` appears in error messages, traces and DOT
    /// output; it defaults to "node<id>". Throws fluxforge::Error, adding nothing, when the node
    /// is null or already in the graph, or when its properties break a limit or its parameters
    /// are declared wrongly (validateProperties).
    NodeId add(std::shared_ptr<Node> node, std::string name = {});

    /// Removes a node and every connection to or from it. The endpoints cannot be removed.
    void remove(NodeId id);

    /// Connects an output port to an input port. Both nodes must exist, the ports must exist,
    /// their channel counts must agree, and the connection must not exist already.
    void connect(OutputPort from, InputPort to);

    /// Shorthand: port 0 of `from` to port 0 of `to`.
    void connect(NodeId from, NodeId to) { connect(OutputPort{from, 0}, InputPort{to, 0}); }

    /// Removes a connection; throws if there is none.
    void disconnect(OutputPort from, InputPort to);
    void disconnect(NodeId from, NodeId to) { disconnect(OutputPort{from, 0}, InputPort{to, 0}); }

    [[nodiscard]] NodeId input() const noexcept { return inputId_; }
    [[nodiscard]] NodeId output() const noexcept { return outputId_; }
    [[nodiscard]] const GraphConfig& config() const noexcept { return config_; }

    [[nodiscard]] bool contains(NodeId id) const noexcept;

    /// The id of a node object in this graph, or an invalid id if it is not in it.
    [[nodiscard]] NodeId find(const Node& node) const noexcept;

    /// Exempts a node from latency compensation, or restores it. Throws if there is no such node.
    void setPdcMode(NodeId id, PdcMode mode);
    [[nodiscard]] PdcMode pdcMode(NodeId id) const;

    /// Marks a node as monitored live (or not). Throws if there is no such node.
    void setLiveMonitoring(NodeId id, LiveMonitoring monitoring);
    [[nodiscard]] LiveMonitoring liveMonitoring(NodeId id) const;

    /// The node with this id; throws if there is none.
    [[nodiscard]] const std::shared_ptr<Node>& node(NodeId id) const;

    /// The node with this id as a T; throws if there is none or it is not a T.
    template <typename T>
    [[nodiscard]] std::shared_ptr<T> nodeAs(NodeId id) const;

    [[nodiscard]] const std::string& name(NodeId id) const;

    /// "'name' (#id)", the way messages refer to a node. (Node::describe() is the hook a node
    /// author overrides to declare its properties; this is only a label.)
    [[nodiscard]] std::string label(NodeId id) const;

    /// The ids of all nodes, endpoints included, in increasing order.
    [[nodiscard]] std::vector<NodeId> nodeIds() const;
    [[nodiscard]] std::size_t nodeCount() const noexcept { return liveCount_; }

    /// All connections, in the order they were made.
    [[nodiscard]] std::span<const Connection> connections() const noexcept { return connections_; }

    /// The largest id ever given out (ids run 1..maxId(), some possibly removed).
    [[nodiscard]] std::uint32_t maxId() const noexcept {
        return static_cast<std::uint32_t>(entries_.size());
    }

private:
    friend struct detail::GraphNodeSwap;

    struct Entry {
        std::shared_ptr<Node> node; // null once removed
        std::string name;
        PdcMode pdc = PdcMode::compensate;
        LiveMonitoring live = LiveMonitoring::off;
    };

    const Entry& entry(NodeId id) const;

    GraphConfig config_;
    std::vector<Entry> entries_; // entries_[id - 1]
    std::vector<Connection> connections_;
    std::unordered_set<Connection> connectionSet_; // for duplicate checks
    std::unordered_map<const Node*, NodeId> idsByNode_;
    std::size_t liveCount_ = 0;
    NodeId inputId_;
    NodeId outputId_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

template <typename T>
std::shared_ptr<T> Graph::nodeAs(NodeId id) const {
    auto typed = std::dynamic_pointer_cast<T>(node(id));
    if (typed == nullptr) {
        throw Error("node " + label(id) + " is not of the requested type");
    }
    return typed;
}

} // namespace fluxforge
