// The plan compiler's passes, in the order PlanBuilder::build runs them (src/graph/compile.cpp),
// and the intermediate results they hand each other. Each pass lives in a file of its own here;
// what it reads and what it writes are its parameters and its result, nothing else.
#pragma once

#include <fluxforge/graph/compensation_delay.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/graph/plan.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace fluxforge::detail {

// ---- intermediate results
// -------------------------------------------------------------------------

/// A connection in graph order, or a link to or from a partial-sum task. `order` sorts a port's
/// links into the summing order: (source id, source port) for connections, the part number for
/// the links from partial sums into the port they replace.
struct Link {
    std::uint32_t from;
    PortIndex fromPort;
    std::uint32_t to;
    PortIndex toPort;
    std::uint64_t order;
};

/// A partial-sum task: sums part of one input port's sources for a node (graph order).
struct PartialSum {
    std::uint32_t consumer;
    PortIndex port;
    std::uint32_t part;
    std::uint32_t parts;
};

/// Every node the plan will run, in graph order (the index): the graph's nodes in id order, then
/// the partial sums splitWideInputs adds.
struct NodeTable {
    std::vector<NodeId> ids; ///< invalid for partial sums
    std::vector<NodeProperties> properties;
    std::vector<std::uint32_t> graphIndexById; ///< NodeId::value -> graph order
    std::size_t realNodes = 0;                 ///< graph nodes come first
    std::vector<PartialSum> partialSums;       ///< index - realNodes
};

/// Distinct successors of each node, in graph order (CSR).
struct Adjacency {
    std::vector<std::uint32_t> offsets;
    std::vector<std::uint32_t> targets;
};

/// The topological order: task -> graph order, and back.
struct TopologicalOrder {
    std::vector<std::uint32_t> order;
    std::vector<TaskIndex> taskOfIndex;
};

/// Every link into an input port, as a leaf of that port's sum, in plan order (by task, port and
/// summing order); PlanPorts::inputPorts points into these.
struct Leaves {
    std::vector<std::uint32_t> sources;       ///< flat output-port index it reads
    std::vector<TaskIndex> sourceTasks;       ///< the task that writes it
    std::vector<TaskIndex> readers;           ///< the task that reads it
    std::vector<std::uint32_t> readerOffsets; ///< per flat output port, into distinctReaders
    std::vector<TaskIndex> distinctReaders;   ///< distinct reading tasks per output port
    ChannelCount maxInputChannels = 0;        ///< what the shared silence must hold
};

/// What planInputPorts gives: the ports (slots still unassigned) and their leaves.
struct InputPlan {
    PlanPorts ports;
    Leaves leaves;
};

/// What compensateLatency gives: each task's path latency and each leaf's delay.
struct LatencyPlan {
    std::vector<FrameCount> latencies;  ///< per task, frames
    std::vector<FrameCount> leafDelays; ///< per leaf, frames
};

// ---- the passes
// -----------------------------------------------------------------------------------

/// The graph's nodes and what they describe, in id order.
NodeTable collectNodes(const Graph& graph);

/// Checks every connection's nodes, ports and channel counts; one link per connection.
std::vector<Link> validateConnections(const Graph& graph, const NodeTable& nodes);

/// Tree mixing: ports with more than maxSumFanIn sources get partial-sum nodes (appended to
/// `nodes`) and their links re-pointed through them.
void splitWideInputs(std::uint32_t maxSumFanIn, NodeTable& nodes, std::vector<Link>& links);

/// The distinct node-to-node edges of the links.
Adjacency buildAdjacency(std::size_t numNodes, std::span<const Link> links);

/// Kahn's order, deterministic; throws naming one cycle if there is any.
TopologicalOrder sortTopologically(const Graph& graph, const NodeTable& nodes,
                                   const Adjacency& adjacency);

/// Which node, id and name each task has, and the endpoints' tasks.
PlanTasks buildTasks(const Graph& graph, const NodeTable& nodes, const TopologicalOrder& order);

/// Successors, predecessors and dependency counts in task space.
PlanEdges buildEdges(const Adjacency& adjacency, const TopologicalOrder& order);

/// Each task's estimated cost (NodeProperties::estimatedCostPerFrame) and its critical-path rank.
PlanRanks rankTasks(const PlanEdges& edges, const NodeTable& nodes, const TopologicalOrder& order,
                    FrameCount maxBlockSize);

/// Each input port's leaves in summing order, and the distinct readers of every output port.
InputPlan planInputPorts(const NodeTable& nodes, const TopologicalOrder& order,
                         std::span<const Link> links);

/// Plugin delay compensation: path latencies and the delay of every leaf (docs/pdc.md). Throws,
/// naming the node and the latent nodes on its path, when a path latency exceeds kMaxLatency.
LatencyPlan compensateLatency(const Graph& graph, const NodeTable& nodes,
                              const TopologicalOrder& order, const PlanTasks& tasks,
                              const PlanPorts& ports, const Leaves& leaves);

/// Buffer slots for every output, gather and delayed copy, reused where no two tasks that may
/// run at once share one. Fills ports' slots, leaves and slotChannels; returns each leaf's
/// delayed-copy slot (kNoSlot when it is not delayed).
std::vector<std::uint32_t> assignSlots(const PlanTasks& tasks, const PlanEdges& edges,
                                       const NodeTable& nodes, const TopologicalOrder& order,
                                       const Leaves& leaves, std::span<const FrameCount> leafDelays,
                                       PlanPorts& ports);

/// Compensation histories (from the pool) and the taps and appends that use them.
PlanCompensation planDelays(const PlanTasks& tasks, const PlanPorts& ports, const NodeTable& nodes,
                            const TopologicalOrder& order, const Leaves& leaves,
                            LatencyPlan latency, std::span<const std::uint32_t> leafDelaySlots,
                            FrameCount maxBlockSize, CompensationDelayPool& delays);

/// Prepares every node not yet prepared for these settings.
void prepareNodes(const PlanTasks& tasks, const CompileSettings& settings);

/// One allocation for every slot plus the shared silence, and the port views over it.
PlanBuffers allocateBuffers(const PlanPorts& ports, const NodeTable& nodes,
                            const TopologicalOrder& order, ChannelCount silenceChannels,
                            FrameCount maxBlockSize);

} // namespace fluxforge::detail
