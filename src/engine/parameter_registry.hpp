// ParameterRegistry: the control side of the engine's control plane. It knows the nodes of the
// committed graph (for parameter handles), the senders and the automation lanes, and publishes
// what the audio thread's CommandDrain takes up. Private to src/engine/.
#pragma once

#include "automation_set.hpp"
#include "command_drain.hpp"

#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/engine/control_sender.hpp>
#include <fluxforge/engine/parameter_handle.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/graph/node.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace fluxforge::detail {

/// The part of docs/automation.md that runs on control threads. Every member locks an internal
/// mutex, so any control threads may call them concurrently; none is real-time safe.
class ParameterRegistry {
public:
    explicit ParameterRegistry(CommandDrain& drain) noexcept;
    /// Tells the senders still alive that their engine is gone (CommandStatus::engineGone).
    ~ParameterRegistry();
    ParameterRegistry(const ParameterRegistry&) = delete;
    ParameterRegistry& operator=(const ParameterRegistry&) = delete;

    ControlSender createSender(const SenderConfig& config);
    /// Records the nodes of a graph just compiled, for parameter lookups, and drops automation of
    /// nodes no longer in it.
    void onCommit(const Graph& graph);
    [[nodiscard]] ParameterHandle parameter(NodeId node, std::string_view id) const;
    [[nodiscard]] ParameterHandle parameter(NodeId node, std::size_t index) const;
    void setAutomation(const ParameterHandle& parameter,
                       std::shared_ptr<const AutomationLane> lane);
    void clearAutomation(const ParameterHandle& parameter);
    [[nodiscard]] std::shared_ptr<const AutomationLane>
    automation(const ParameterHandle& parameter) const;
    [[nodiscard]] float parameterValueApprox(const ParameterHandle& parameter) const;
    /// Frees what the audio thread let go of and forgets drained senders; returns how many.
    std::size_t collect();

private:
    struct RegisteredNode {
        std::shared_ptr<Node> node; // null: no node with this id
        std::string name;
    };

    // All with mutex_ held.
    const RegisteredNode& registered(const ParameterHandle& parameter,
                                     std::string_view action) const;
    const RegisteredNode& committedNode(NodeId node) const;
    void publishSenders();
    void publishAutomation();
    std::size_t collectLocked();

    CommandDrain& drain_;
    const std::uint64_t serial_; // tells this engine's handles and senders from another's
    mutable std::mutex mutex_;
    std::vector<RegisteredNode> nodes_; // indexed by NodeId::value
    std::vector<std::shared_ptr<CommandChannel>> channels_;
    std::vector<AutomationSet::Entry> automation_; // sorted by (node, parameter)
};

} // namespace fluxforge::detail
