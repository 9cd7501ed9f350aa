// Graphviz DOT pictures of a graph and of a compiled plan (`dot -Tsvg file.dot -o file.svg`).
#pragma once

#include <fluxforge/graph/graph.hpp>
#include <fluxforge/graph/plan.hpp>

#include <ostream>

namespace fluxforge {

/// Writes the graph as DOT: one record per node with its input ports on the left, its name and
/// latency in the middle and its output ports on the right; one edge per connection, port to
/// port. With the plan compiled from it, nodes also show their path latency, estimated cost and
/// critical-path rank, and edges the compensation delay the compiler's rule gives them
/// (docs/pdc.md). Thread: control. Real-time safe: no. Allocates: yes.
void writeGraphDot(const Graph& graph, std::ostream& out, const Plan* plan = nullptr);

/// Writes the plan as DOT: its tasks (partial sums of wide inputs included) in topological order,
/// laid out by level, with cost, rank and path latency, and the compensation delay on each
/// dependency that carries one. Thread: control. Real-time safe: no. Allocates: yes.
void writePlanDot(const Plan& plan, std::ostream& out);

} // namespace fluxforge
