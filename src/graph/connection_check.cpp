// connectionProblem: see connection_check.hpp.
#include "connection_check.hpp"

namespace fluxforge::detail {

namespace {

std::string portText(const char* kind, PortIndex port, std::size_t available) {
    return std::string(kind) + " port " + std::to_string(port) + " (the node has " +
           std::to_string(available) + " " + kind + " port" + (available == 1 ? "" : "s") + ")";
}

} // namespace

std::string connectionProblem(const Graph& graph, OutputPort from, const NodeProperties& source,
                              InputPort to, const NodeProperties& destination) {
    if (from.port >= source.outputs.size()) {
        return "no " + portText("output", from.port, source.outputs.size()) + " on " +
               graph.label(from.node);
    }
    if (to.port >= destination.inputs.size()) {
        return "no " + portText("input", to.port, destination.inputs.size()) + " on " +
               graph.label(to.node);
    }
    const ChannelCount out = source.outputs[from.port].channels;
    const ChannelCount in = destination.inputs[to.port].channels;
    if (out != in) {
        return "channel mismatch: output port " + std::to_string(from.port) + " has " +
               std::to_string(out) + " channel(s), input port " + std::to_string(to.port) +
               " has " + std::to_string(in);
    }
    return {};
}

} // namespace fluxforge::detail
