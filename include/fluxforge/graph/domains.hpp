// Domains: which nodes of a graph must render live at the device block, which may be rendered
// ahead (prefetched), and the two graphs each domain is compiled from.
#pragma once

#include <fluxforge/graph/graph.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace fluxforge {

/// Where a node renders when the engine's guard is on (docs/prefetch.md).
enum class Domain : std::uint8_t {
    live,     ///< at the device block, on the audio thread and the workers
    prefetch, ///< ahead of the playhead in large blocks, on the prefetch renderer
};

/// The domain of every node of a graph and the boundary between the two.
struct DomainAssignment {
    std::vector<Domain> byId;         ///< indexed by NodeId::value (0 and removed ids: live)
    std::vector<OutputPort> boundary; ///< prefetched outputs read by live nodes, sorted
    std::size_t prefetchedNodes = 0;

    [[nodiscard]] Domain of(NodeId id) const noexcept {
        return id.value < byId.size() ? byId[id.value] : Domain::live;
    }
};

/// Live: the graph's endpoints, every node that reads the device input
/// (NodeProperties::liveInput), is monitored (Graph::setLiveMonitoring) or must run live
/// (NodeProperties::mustRunLive), and everything downstream of one of these, all the way to the
/// output. Every other node is prefetchable. Works on any graph, cycles included (compile()
/// refuses those). Thread: control. Real-time safe: no. Allocates: yes.
[[nodiscard]] DomainAssignment assignDomains(const Graph& graph);

/// The graphs the two domains are compiled from, both with the ids of the graph they come from,
/// so that messages, parameter handles and the fixed summing order of several connections into one
/// port (sorted by node id) are the same as in the whole graph.
struct DomainGraphs {
    /// The live nodes and the endpoints; each prefetched node on the boundary is replaced, at its
    /// own id, by what `makeReader` gives (a source with the same output ports).
    Graph live;
    /// The prefetched nodes, fresh endpoints (the real ones belong to the live part), and one sink
    /// per boundary port from `makeWriter`, fed by that port.
    Graph prefetch;
};

/// Builds the graphs of both domains. `makeReader(id)` must return a source node with the output
/// ports of node `id`; `makeWriter(port, channels)` a sink with one input of `channels` channels.
/// Thread: control. Real-time safe: no. Allocates: yes.
[[nodiscard]] DomainGraphs
splitByDomain(const Graph& graph, const DomainAssignment& domains,
              const std::function<std::shared_ptr<Node>(NodeId)>& makeReader,
              const std::function<std::shared_ptr<Node>(OutputPort, ChannelCount)>& makeWriter);

} // namespace fluxforge
