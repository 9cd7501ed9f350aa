// Identifiers of nodes, ports and connections in a Graph.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace fluxforge {

/// Index of an input or output port of a node, counted from 0.
using PortIndex = std::uint32_t;

/// A node's identity in its Graph. Ids are never reused within a graph, so an id held by the
/// host stays valid (or reports the node as removed) across every later edit.
struct NodeId {
    std::uint32_t value = 0; ///< 0 is "no node"

    [[nodiscard]] constexpr bool isValid() const noexcept { return value != 0; }
    constexpr auto operator<=>(const NodeId&) const noexcept = default;
};

/// An output port of a node.
struct OutputPort {
    NodeId node;
    PortIndex port = 0;
    constexpr auto operator<=>(const OutputPort&) const noexcept = default;
};

/// An input port of a node.
struct InputPort {
    NodeId node;
    PortIndex port = 0;
    constexpr auto operator<=>(const InputPort&) const noexcept = default;
};

/// A connection from an output port to an input port.
struct Connection {
    OutputPort source;
    InputPort destination;
    constexpr auto operator<=>(const Connection&) const noexcept = default;
};

} // namespace fluxforge

template <>
struct std::hash<fluxforge::NodeId> {
    std::size_t operator()(fluxforge::NodeId id) const noexcept {
        return std::hash<std::uint32_t>{}(id.value);
    }
};

template <>
struct std::hash<fluxforge::Connection> {
    std::size_t operator()(const fluxforge::Connection& c) const noexcept {
        std::uint64_t h = c.source.node.value;
        h = h * 0x9E3779B97F4A7C15ull + c.source.port;
        h = h * 0x9E3779B97F4A7C15ull + c.destination.node.value;
        h = h * 0x9E3779B97F4A7C15ull + c.destination.port;
        return static_cast<std::size_t>(h ^ (h >> 29));
    }
};
