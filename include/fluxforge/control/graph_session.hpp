// GraphSession: one graph shared by several control threads (scripts, a UI), each edit applied
// whole or not at all, and committed to the engine.
#pragma once

#include <fluxforge/engine/engine.hpp>
#include <fluxforge/graph/graph.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

namespace fluxforge {

/// The graph an engine plays, shared by every thread that edits it. An edit runs on a copy of the
/// current graph under the session's lock; when it returns, the copy is committed to the engine
/// and becomes the current graph. If the edit or the commit throws (a cycle, a bad port, a node
/// another thread removed), nothing changes: the engine keeps playing the previous graph and the
/// session keeps it too. Edits from different threads therefore never interleave, and one never
/// publishes another's half-finished work.
///
/// The engine itself also serialises commits (Engine), so a host may mix sessions and direct
/// Engine::commit calls, but then the session's graph is no longer what plays.
///
/// Thread: any control thread, concurrently. Real-time safe: no. Allocates: yes.
class GraphSession {
public:
    /// A session whose graph starts empty (its two endpoints only); nothing is committed yet.
    explicit GraphSession(Engine& engine, GraphConfig config = {});
    GraphSession(const GraphSession&) = delete;
    GraphSession& operator=(const GraphSession&) = delete;

    [[nodiscard]] Engine& engine() const noexcept { return engine_; }

    /// Runs `edit` on a copy of the current graph and commits the result (see the class comment).
    /// Returns the new version. Exceptions from `edit` or the commit propagate.
    /// Thread: control (any). Real-time safe: no. Allocates: yes.
    std::uint64_t edit(const std::function<void(Graph&)>& edit);

    /// A copy of the current graph and the version it has.
    /// Thread: control (any). Real-time safe: no. Allocates: yes.
    struct Snapshot {
        Graph graph;
        std::uint64_t version = 0;
    };
    [[nodiscard]] Snapshot snapshot() const;

    /// Increases by one with every successful edit. Thread: any. Real-time safe: yes.
    [[nodiscard]] std::uint64_t versionApprox() const noexcept {
        return version_.load(std::memory_order_acquire);
    }

    /// The id `node` has in the current graph, or an invalid id if it is not in it.
    /// Thread: control (any). Real-time safe: no. Allocates: no.
    [[nodiscard]] NodeId find(const Node& node) const;

    /// The node named `name` in the current graph (the first, by id, if several share it), or null.
    /// Thread: control (any). Real-time safe: no. Allocates: no.
    [[nodiscard]] std::shared_ptr<Node> findNamed(std::string_view name) const;

    /// The name `node` has in the current graph, or empty if it is not in it.
    /// Thread: control (any). Real-time safe: no. Allocates: yes.
    [[nodiscard]] std::string nameOf(const Node& node) const;

private:
    Engine& engine_;
    mutable std::mutex mutex_;
    Graph graph_; // under mutex_
    std::atomic<std::uint64_t> version_{0};
};

} // namespace fluxforge
