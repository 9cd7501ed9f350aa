// ScriptContext: everything one script's Lua state reaches on the C++ side. Private to the
// control layer (src/control), so no public header includes Lua.
//
// Error discipline (docs/scripting.md, "How Lua errors cross C++"): Lua is the C build, so a Lua
// error longjmps from where it is raised to the lua_pcall/lua_resume that protects it. Every frame
// it crosses belongs to Lua or to one of our lua_CFunctions, and those follow two rules:
//   1. No C++ object with a non-trivial destructor is alive in a lua_CFunction's frame while it
//      calls anything that can raise a Lua error (luaL_check*, lua_push* of new strings or tables,
//      luaL_error, lua_error). Values such functions need go into trivially destructible locals or
//      into this context, which outlives every call.
//   2. C++ code that can throw runs inside guarded() (below), which catches every exception,
//      copies its message into `error` and returns false; the lua_CFunction then raises a Lua
//      error with that message after the C++ objects are gone. No exception ever reaches Lua's C
//      frames.
#pragma once

#include <fluxforge/control/graph_session.hpp>
#include <fluxforge/control/node_factory.hpp>
#include <fluxforge/control/script.hpp>
#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/engine/control_sender.hpp>
#include <fluxforge/engine/metrics.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <lua.hpp>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace fluxforge::detail {

using SteadyClock = std::chrono::steady_clock;

/// A node a script has a handle to, by object: the same node in every draft and committed graph.
struct NodeSlot {
    std::shared_ptr<Node> node;
    std::string name; // as the script last saw it
};

/// One recorded draft edit, replayed onto the current graph when the draft is committed after
/// another thread changed the graph.
struct DraftOp {
    enum class Kind { add, remove, connect, disconnect };
    Kind kind = Kind::add;
    std::uint32_t node = 0;   // slot (add, remove: the node; connect: the source)
    std::uint32_t target = 0; // slot of the destination (connect, disconnect)
    std::uint32_t fromPort = 0;
    std::uint32_t toPort = 0;
};

/// A private copy of the session's graph the script edits; nothing plays until commit.
struct Draft {
    Graph graph;
    std::uint64_t baseVersion = 0;
    std::vector<DraftOp> log;
    bool live = true; // false once committed or dropped
};

/// A callback tied to the transport: runs when the playhead is within `lookahead` of `next`.
struct TransportCallback {
    int function = LUA_NOREF; // registry reference
    SampleTime next = 0;
    SampleTime period = 0; // 0: once
    SampleTime lookahead = 0;
    bool active = true;
    SampleTime origin = 0; // first position: after a jump back, periods restart from its grid
};

/// A background job: a coroutine resumed by the script's thread when its wake time comes.
struct Job {
    lua_State* thread = nullptr;
    int reference = LUA_NOREF; // keeps the coroutine alive
    SteadyClock::time_point wake{};
    int pendingArguments = 0; // for the first resume
    bool started = false;
};

struct ScriptContext {
    ScriptContext(GraphSession& session_, const ScriptConfig& config_)
        : session(session_)
        , engine(session_.engine())
        , config(config_) {}

    GraphSession& session;
    Engine& engine;
    ScriptConfig config;
    ControlSender sender;

    // ---- budgets (the allocator and the count hook) ----
    std::atomic<std::size_t> memoryUsed{0};
    bool memoryRefused = false;
    int refusedLine = -1;
    std::uint64_t instructionsUsed = 0;
    std::atomic<bool> stopRequested{false};

    lua_State* L = nullptr;       // the main state
    lua_State* running = nullptr; // the state (main or a job's coroutine) running now

    // ---- what Lua values refer to ----
    std::vector<NodeSlot> nodes;
    std::unordered_map<const Node*, std::uint32_t> slotOf;
    std::vector<std::unique_ptr<Draft>> drafts;
    std::vector<TransportCallback> callbacks;
    std::vector<Job> jobs;
    std::size_t currentJob = ~std::size_t{0}; // index while a job runs
    SampleTime lastPosition = 0;

    // ---- the boundary: C++ messages on their way to a Lua error ----
    char error[1024] = {};
    std::string scratch;                 // text a lua_CFunction pushes after its C++ work is done
    NodeSettings settings;               // draft:add's settings, read from the table
    std::vector<Breakpoint> breakpoints; // an automation lane, read from the table
    MetricsSnapshot metrics;             // ff.metrics(): the engine's snapshot, pushed from here

    void setError(const char* message) noexcept {
        std::snprintf(error, sizeof error, "%s", message);
    }
};

/// The context of a state (kept in its extra space, which coroutines copy from the main state).
inline ScriptContext& context(lua_State* L) noexcept {
    return **static_cast<ScriptContext**>(lua_getextraspace(L));
}

/// Runs `body`, which may throw but must not call the Lua API; true if it returned. An exception's
/// message is kept in context.error for raise() (rule 2 above).
template <typename Body>
bool guarded(ScriptContext& ctx, Body&& body) noexcept {
    try {
        body();
        return true;
    } catch (const std::exception& e) {
        ctx.setError(e.what());
    } catch (...) {
        ctx.setError("unknown C++ exception");
    }
    return false;
}

/// Raises the message guarded() kept as a Lua error at the calling line. Never returns.
inline int raise(lua_State* L) {
    return luaL_error(L, "%s", context(L).error);
}

// ---- the API tables (one file each) ----
void openGraphApi(lua_State* L);    // ff.graph, drafts, node handles, ff.find
void openEngineApi(lua_State* L);   // parameters, automation, transport, metrics
void openScheduleApi(lua_State* L); // ff.every, ff.at, ff.cancel, ff.spawn, ff.sleep, ff.yield

/// The node handle at stack index `index` (raises a Lua error when it is not one); its slot.
std::uint32_t checkNode(lua_State* L, int index);
/// The metatable name of node handles; lua_engine_api.cpp adds its methods to their __index.
inline constexpr const char* kNodeType = "ff.Node";

} // namespace fluxforge::detail
