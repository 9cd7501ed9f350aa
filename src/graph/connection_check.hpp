// connectionProblem: the one check of a connection's ports and channel counts, shared by
// Graph::connect and the compiler (so both say the same thing about the same mistake).
#pragma once

#include <fluxforge/graph/graph.hpp>
#include <fluxforge/graph/node.hpp>

#include <string>

namespace fluxforge::detail {

/// What is wrong with a connection from `from` (a port of a node described by `source`) to `to`
/// (of `destination`): no such output or input port, or channel counts that differ; the text names
/// the node, the port and what the node has. Empty when nothing is wrong. Callers put what they
/// were doing in front of it and throw fluxforge::Error.
/// Thread: control. Real-time safe: no. Allocates: only when something is wrong.
[[nodiscard]] std::string connectionProblem(const Graph& graph, OutputPort from,
                                            const NodeProperties& source, InputPort to,
                                            const NodeProperties& destination);

} // namespace fluxforge::detail
