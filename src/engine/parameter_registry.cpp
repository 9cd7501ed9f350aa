// ParameterRegistry: parameter handles, senders and automation on the control side.
#include "parameter_registry.hpp"

#include <fluxforge/core/error.hpp>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <tuple>
#include <utility>

namespace fluxforge::detail {

namespace {
std::atomic<std::uint64_t> nextEngineSerial{1};
}

ParameterRegistry::ParameterRegistry(CommandDrain& drain) noexcept
    : drain_(drain)
    , serial_(nextEngineSerial.fetch_add(1, std::memory_order_relaxed)) {}

ParameterRegistry::~ParameterRegistry() {
    // Senders may outlive the engine (they hold a share of their channel): tell them.
    for (const auto& channel : channels_) {
        channel->engineGone.store(true, std::memory_order_release);
    }
}

// ---- senders ------------------------------------------------------------------------------------

ControlSender ParameterRegistry::createSender(const SenderConfig& config) {
    if (config.capacity == 0 || config.capacity > kMaxSenderCapacity) {
        throw Error("sender capacity " + std::to_string(config.capacity) +
                    " is invalid: it must lie in 1.." + std::to_string(kMaxSenderCapacity));
    }
    auto channel = std::make_shared<CommandChannel>(config.capacity, serial_);
    const std::lock_guard lock(mutex_);
    collectLocked();
    channels_.push_back(channel);
    publishSenders();
    return ControlSender(std::move(channel));
}

void ParameterRegistry::publishSenders() {
    auto list = std::make_unique<SenderList>();
    list->owners = channels_;
    list->channels.reserve(channels_.size());
    for (const auto& channel : channels_) {
        list->channels.push_back(channel.get());
    }
    drain_.publishSenders(std::move(list));
}

std::size_t ParameterRegistry::collectLocked() {
    std::size_t freed = drain_.collect();
    // A closed sender's channel goes once the audio thread has applied everything in it.
    const auto drained = std::remove_if(channels_.begin(), channels_.end(), [](const auto& c) {
        return c->drained.load(std::memory_order_acquire);
    });
    if (drained != channels_.end()) {
        channels_.erase(drained, channels_.end());
        publishSenders();
    }
    return freed;
}

std::size_t ParameterRegistry::collect() {
    const std::lock_guard lock(mutex_);
    return collectLocked();
}

// ---- the committed graph ------------------------------------------------------------------------

void ParameterRegistry::onCommit(const Graph& graph) {
    std::vector<RegisteredNode> nodes(graph.maxId() + 1);
    for (NodeId id : graph.nodeIds()) {
        nodes[id.value] = {graph.node(id), graph.label(id)};
    }
    const std::lock_guard lock(mutex_);
    nodes_ = std::move(nodes);
    const auto gone = std::remove_if(automation_.begin(), automation_.end(), [&](const auto& e) {
        return e.node.value >= nodes_.size() || nodes_[e.node.value].node.get() != e.address;
    });
    if (gone != automation_.end()) {
        automation_.erase(gone, automation_.end());
        publishAutomation();
    }
    collectLocked();
}

const ParameterRegistry::RegisteredNode&
ParameterRegistry::registered(const ParameterHandle& parameter, std::string_view action) const {
    if (!parameter.isValid()) {
        throw Error("cannot " + std::string(action) +
                    ": the parameter handle is empty (get one from Engine::parameter())");
    }
    if (parameter.engine_ != serial_) {
        throw Error("cannot " + std::string(action) +
                    ": the parameter handle was resolved by another engine (a handle works with "
                    "the engine whose parameter() made it)");
    }
    const NodeId id = parameter.node();
    if (id.value >= nodes_.size() || nodes_[id.value].node.get() != parameter.address_) {
        throw Error("cannot " + std::string(action) + ": node #" + std::to_string(id.value) +
                    " of the parameter handle is no longer in the graph last committed to the "
                    "engine");
    }
    return nodes_[id.value];
}

const ParameterRegistry::RegisteredNode& ParameterRegistry::committedNode(NodeId node) const {
    if (node.value >= nodes_.size() || nodes_[node.value].node == nullptr) {
        throw Error("unknown node #" + std::to_string(node.value) +
                    ": it is not in the graph last committed to the engine");
    }
    return nodes_[node.value];
}

ParameterHandle ParameterRegistry::parameter(NodeId node, std::string_view id) const {
    const std::lock_guard lock(mutex_);
    const RegisteredNode& entry = committedNode(node);
    const auto infos = entry.node->parameterInfos();
    for (std::size_t i = 0; i < infos.size(); ++i) {
        if (infos[i].id == id) {
            return {serial_, node, entry.node.get(), static_cast<std::uint32_t>(i), infos[i]};
        }
    }
    std::string known;
    for (const ParameterInfo& info : infos) {
        known += (known.empty() ? "" : ", ") + ("'" + info.id + "'");
    }
    throw Error(
        "node " + entry.name + " has no parameter '" + std::string(id) + "'; " +
        (infos.empty() ? std::string("it has no parameters") : "its parameters are " + known));
}

ParameterHandle ParameterRegistry::parameter(NodeId node, std::size_t index) const {
    const std::lock_guard lock(mutex_);
    const RegisteredNode& entry = committedNode(node);
    const auto infos = entry.node->parameterInfos();
    if (index >= infos.size()) {
        throw Error("node " + entry.name + " has no parameter " + std::to_string(index) +
                    ": it has " + std::to_string(infos.size()) + " parameter(s)");
    }
    return {serial_, node, entry.node.get(), static_cast<std::uint32_t>(index), infos[index]};
}

float ParameterRegistry::parameterValueApprox(const ParameterHandle& parameter) const {
    const std::lock_guard lock(mutex_);
    const RegisteredNode& entry = registered(parameter, "read the parameter's value");
    return NodeParameterAccess::runtime(*entry.node).renderedApprox(parameter.index());
}

// ---- automation ---------------------------------------------------------------------------------

void ParameterRegistry::publishAutomation() {
    auto set = std::make_unique<AutomationSet>();
    set->entries = automation_;
    drain_.publishAutomation(std::move(set));
}

void ParameterRegistry::setAutomation(const ParameterHandle& parameter,
                                      std::shared_ptr<const AutomationLane> lane) {
    if (lane == nullptr) {
        throw Error("cannot set automation: the lane is null (use clearAutomation to remove one)");
    }
    const std::lock_guard lock(mutex_);
    const RegisteredNode& entry = registered(parameter, "set automation");
    const ParameterInfo& info = entry.node->parameterInfos()[parameter.index()];
    if (info.automatable == Automatable::no && !lane->empty()) {
        throw Error("cannot set automation: parameter '" + info.id + "' of node " + entry.name +
                    " is not automatable");
    }
    const auto points = lane->breakpoints();
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (points[i].value < info.minValue || points[i].value > info.maxValue) {
            std::ostringstream message;
            message << "cannot set automation: breakpoint " << i << " (time " << points[i].time
                    << ") has the value " << points[i].value << ", outside the range "
                    << info.minValue << ".." << info.maxValue << " of parameter '" << info.id
                    << "' of node " << entry.name;
            throw Error(message.str());
        }
    }
    const auto key = std::make_tuple(parameter.node().value, parameter.index());
    const auto position =
        std::lower_bound(automation_.begin(), automation_.end(), key, [](const auto& e, auto k) {
            return std::make_tuple(e.node.value, std::size_t{e.parameter}) < k;
        });
    const bool exists = position != automation_.end() && position->node == parameter.node() &&
                        position->parameter == parameter.index();
    if (lane->empty()) {
        if (!exists) {
            return;
        }
        automation_.erase(position);
    } else if (exists) {
        position->lane = std::move(lane);
    } else {
        automation_.insert(position, AutomationSet::Entry{parameter.node(), parameter.address_,
                                                          parameter.index_, std::move(lane)});
    }
    publishAutomation();
}

void ParameterRegistry::clearAutomation(const ParameterHandle& parameter) {
    setAutomation(parameter, std::make_shared<const AutomationLane>());
}

std::shared_ptr<const AutomationLane>
ParameterRegistry::automation(const ParameterHandle& parameter) const {
    const std::lock_guard lock(mutex_);
    registered(parameter, "read automation");
    for (const AutomationSet::Entry& e : automation_) {
        if (e.node == parameter.node() && e.parameter == parameter.index()) {
            return e.lane;
        }
    }
    return nullptr;
}

} // namespace fluxforge::detail
