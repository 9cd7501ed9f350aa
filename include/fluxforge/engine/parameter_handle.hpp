// ParameterHandle: a parameter of a node in an engine's committed graph, resolved once on a control
// thread so that sending a change never looks anything up.
#pragma once

#include <fluxforge/graph/node_id.hpp>
#include <fluxforge/graph/parameter.hpp>

#include <cstddef>
#include <cstdint>

namespace fluxforge {

class Node;
class ControlSender;
namespace detail {
class ParameterRegistry;
}

/// Names one parameter of one node, with the range commands are checked against. Get one from
/// Engine::parameter(); a default-constructed handle is empty. A handle stays usable across
/// commits for as long as its node stays in the graph; commands for a node that has left the
/// running plan are discarded and counted (ControlStats::commandsUnrouted). A handle works with
/// the senders of the engine that made it only (others report CommandStatus::foreignHandle).
///
/// Thread: any (a plain value). Real-time safe: yes. Allocates: no.
class ParameterHandle {
public:
    ParameterHandle() = default;

    [[nodiscard]] bool isValid() const noexcept { return address_ != nullptr; }
    [[nodiscard]] NodeId node() const noexcept { return node_; }
    /// The parameter's index in the node's NodeProperties::parameters.
    [[nodiscard]] std::size_t index() const noexcept { return index_; }
    [[nodiscard]] float minValue() const noexcept { return minValue_; }
    [[nodiscard]] float maxValue() const noexcept { return maxValue_; }
    [[nodiscard]] Automatable automatable() const noexcept { return automatable_; }

private:
    friend class ControlSender;
    friend class detail::ParameterRegistry;

    ParameterHandle(std::uint64_t engine, NodeId node, const Node* address, std::uint32_t index,
                    const ParameterInfo& info) noexcept
        : engine_(engine)
        , node_(node)
        , address_(address)
        , index_(index)
        , minValue_(info.minValue)
        , maxValue_(info.maxValue)
        , automatable_(info.automatable) {}

    std::uint64_t engine_ = 0; // the serial of the engine that resolved it
    NodeId node_;
    const Node* address_ = nullptr; // identity only: the audio thread matches it in its plan
    std::uint32_t index_ = 0;
    float minValue_ = 0.0f;
    float maxValue_ = 0.0f;
    Automatable automatable_ = Automatable::no;
};

} // namespace fluxforge
