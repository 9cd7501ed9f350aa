#include <fluxforge/control/graph_session.hpp>

#include <string>

namespace fluxforge {

GraphSession::GraphSession(Engine& engine, GraphConfig config)
    : engine_(engine)
    , graph_(config) {}

std::uint64_t GraphSession::edit(const std::function<void(Graph&)>& edit) {
    const std::lock_guard lock(mutex_);
    Graph next = graph_;
    edit(next);
    engine_.commit(next); // throws, changing nothing, when the graph does not compile
    graph_ = std::move(next);
    const std::uint64_t version = version_.load(std::memory_order_relaxed) + 1;
    version_.store(version, std::memory_order_release);
    return version;
}

GraphSession::Snapshot GraphSession::snapshot() const {
    const std::lock_guard lock(mutex_);
    return Snapshot{graph_, version_.load(std::memory_order_relaxed)};
}

NodeId GraphSession::find(const Node& node) const {
    const std::lock_guard lock(mutex_);
    return graph_.find(node);
}

std::shared_ptr<Node> GraphSession::findNamed(std::string_view name) const {
    const std::lock_guard lock(mutex_);
    for (NodeId id : graph_.nodeIds()) {
        if (graph_.name(id) == name) {
            return graph_.node(id);
        }
    }
    return nullptr;
}

std::string GraphSession::nameOf(const Node& node) const {
    const std::lock_guard lock(mutex_);
    const NodeId id = graph_.find(node);
    return id.isValid() ? graph_.name(id) : std::string();
}

} // namespace fluxforge
