// ff.graph() drafts, node handles and ff.find: building and editing the session's graph.
#include "script_context.hpp"

#include <fluxforge/control/node_factory.hpp>
#include <fluxforge/core/error.hpp>

namespace fluxforge::detail {

namespace {

constexpr const char* kDraftType = "ff.Draft";
constexpr std::size_t kMaxDrafts = 64;
constexpr std::size_t kMaxNodesPerGraph = 4096;

struct NodeRef {
    std::uint32_t slot;
};
struct DraftRef {
    std::uint32_t index;
};
// A port argument: an index (0-based) or a port name, read before any C++ work.
struct PortArg {
    lua_Integer index = 0;
    const char* name = nullptr;
    std::size_t length = 0;
};

std::uint32_t registerNode(ScriptContext& ctx, const std::shared_ptr<Node>& node,
                           const std::string& name) {
    const auto found = ctx.slotOf.find(node.get());
    if (found != ctx.slotOf.end()) {
        ctx.nodes[found->second].name = name;
        return found->second;
    }
    const auto slot = static_cast<std::uint32_t>(ctx.nodes.size());
    ctx.nodes.push_back({node, name});
    ctx.slotOf.emplace(node.get(), slot);
    return slot;
}

void pushNodeHandle(lua_State* L, std::uint32_t slot) {
    auto* ref = static_cast<NodeRef*>(lua_newuserdatauv(L, sizeof(NodeRef), 0));
    ref->slot = slot;
    luaL_setmetatable(L, kNodeType);
}

Draft& checkDraft(lua_State* L, int index) {
    const auto* ref = static_cast<const DraftRef*>(luaL_checkudata(L, index, kDraftType));
    ScriptContext& ctx = context(L);
    if (ref->index >= ctx.drafts.size() || ctx.drafts[ref->index] == nullptr) {
        luaL_error(L, "this draft is no longer usable");
    }
    return *ctx.drafts[ref->index];
}

PortArg checkPort(lua_State* L, int index) {
    PortArg port;
    if (lua_type(L, index) == LUA_TSTRING) {
        port.name = lua_tolstring(L, index, &port.length);
    } else {
        port.index = luaL_checkinteger(L, index);
        luaL_argcheck(L, port.index >= 0, index, "port indices start at 0");
    }
    return port;
}

std::uint32_t resolvePort(const Node& node, const PortArg& port, bool output,
                          const std::string& nodeName) {
    if (port.name == nullptr) {
        return static_cast<std::uint32_t>(port.index);
    }
    const NodeProperties props = node.properties();
    const std::vector<PortInfo>& ports = output ? props.outputs : props.inputs;
    const std::string_view wanted(port.name, port.length);
    std::string names;
    for (std::size_t i = 0; i < ports.size(); ++i) {
        if (ports[i].name == wanted) {
            return static_cast<std::uint32_t>(i);
        }
        names += (i == 0 ? "" : ", ") + ports[i].name;
    }
    throw Error("node '" + nodeName + "' has no " + (output ? "output" : "input") + " port '" +
                std::string(wanted) + "' (it has: " + (names.empty() ? "none" : names) + ")");
}

// The id a node handle has in `graph`, or an error saying the node is gone.
NodeId idIn(const Graph& graph, const ScriptContext& ctx, std::uint32_t slot, const char* where) {
    const NodeId id = graph.find(*ctx.nodes[slot].node);
    if (!id.isValid()) {
        throw Error(std::string(where) + ": node '" + ctx.nodes[slot].name +
                    "' is not in the graph (another script or the host removed it)");
    }
    return id;
}

bool nameTaken(const Graph& graph, std::string_view name) {
    for (NodeId id : graph.nodeIds()) {
        if (graph.name(id) == name) {
            return true;
        }
    }
    return false;
}

// Applies one recorded edit to `graph` (a replay onto a graph another thread changed).
void replay(const ScriptContext& ctx, const DraftOp& op, Graph& graph) {
    const NodeSlot& node = ctx.nodes[op.node];
    switch (op.kind) {
    case DraftOp::Kind::add:
        if (nameTaken(graph, node.name)) {
            throw Error("commit: another script or the host added a node named '" + node.name +
                        "' since this draft was taken");
        }
        graph.add(node.node, node.name);
        return;
    case DraftOp::Kind::remove:
        graph.remove(idIn(graph, ctx, op.node, "commit (remove)"));
        return;
    case DraftOp::Kind::connect:
        graph.connect(OutputPort{idIn(graph, ctx, op.node, "commit (connect)"), op.fromPort},
                      InputPort{idIn(graph, ctx, op.target, "commit (connect)"), op.toPort});
        return;
    case DraftOp::Kind::disconnect:
        graph.disconnect(OutputPort{idIn(graph, ctx, op.node, "commit (disconnect)"), op.fromPort},
                         InputPort{idIn(graph, ctx, op.target, "commit (disconnect)"), op.toPort});
        return;
    }
}

// ---- ff.graph() ---------------------------------------------------------------------------------

int ffGraph(lua_State* L) {
    ScriptContext& ctx = context(L);
    std::uint32_t index = 0;
    if (!guarded(ctx, [&] {
            std::size_t live = 0;
            for (const auto& draft : ctx.drafts) {
                live += draft != nullptr ? 1 : 0;
            }
            if (live >= kMaxDrafts) {
                throw Error("ff.graph: " + std::to_string(kMaxDrafts) +
                            " drafts are open already (commit or drop some)");
            }
            GraphSession::Snapshot snapshot = ctx.session.snapshot();
            auto draft = std::make_unique<Draft>();
            draft->graph = std::move(snapshot.graph);
            draft->baseVersion = snapshot.version;
            index = static_cast<std::uint32_t>(ctx.drafts.size());
            for (std::uint32_t i = 0; i < ctx.drafts.size(); ++i) {
                if (ctx.drafts[i] == nullptr) {
                    index = i;
                    break;
                }
            }
            if (index == ctx.drafts.size()) {
                ctx.drafts.push_back(std::move(draft));
            } else {
                ctx.drafts[index] = std::move(draft);
            }
        })) {
        return raise(L);
    }
    auto* ref = static_cast<DraftRef*>(lua_newuserdatauv(L, sizeof(DraftRef), 0));
    ref->index = index;
    luaL_setmetatable(L, kDraftType);
    return 1;
}

// A draft nobody refers to any more is dropped (its Graph destructor cannot throw).
int draftGc(lua_State* L) {
    const auto* ref = static_cast<const DraftRef*>(lua_touserdata(L, 1));
    ScriptContext& ctx = context(L);
    if (ref != nullptr && ref->index < ctx.drafts.size()) {
        ctx.drafts[ref->index].reset();
    }
    return 0;
}

// draft:add(type [, settings]) -> node
int draftAdd(lua_State* L) {
    Draft& draft = checkDraft(L, 1);
    std::size_t typeLength = 0;
    const char* type = luaL_checklstring(L, 2, &typeLength);
    ScriptContext& ctx = context(L);
    const char* name = nullptr;
    std::size_t nameLength = 0;
    if (!guarded(ctx, [&] { ctx.settings.clear(); })) {
        return raise(L);
    }
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 3) != 0) {
            if (lua_type(L, -2) != LUA_TSTRING) {
                return luaL_error(L, "add: setting names must be strings (got a %s)",
                                  luaL_typename(L, -2));
            }
            std::size_t keyLength = 0;
            const char* key = lua_tolstring(L, -2, &keyLength);
            const int kind = lua_type(L, -1);
            if (keyLength == 4 && std::string_view(key, 4) == "name") {
                if (kind != LUA_TSTRING) {
                    return luaL_error(L, "add: 'name' must be a string");
                }
                name = lua_tolstring(L, -1, &nameLength);
                lua_pop(L, 1);
                continue;
            }
            if (kind != LUA_TNUMBER && kind != LUA_TBOOLEAN && kind != LUA_TSTRING) {
                return luaL_error(L,
                                  "add: setting '%s' must be a number, boolean or string (got "
                                  "a %s)",
                                  key, luaL_typename(L, -1));
            }
            const lua_Number number = kind == LUA_TNUMBER ? lua_tonumber(L, -1) : 0.0;
            const bool flag = kind == LUA_TBOOLEAN && lua_toboolean(L, -1) != 0;
            std::size_t textLength = 0;
            const char* text = kind == LUA_TSTRING ? lua_tolstring(L, -1, &textLength) : nullptr;
            if (!guarded(ctx, [&] {
                    SettingValue value = kind == LUA_TNUMBER ? SettingValue(number)
                                         : kind == LUA_TBOOLEAN
                                             ? SettingValue(flag)
                                             : SettingValue(std::string(text, textLength));
                    ctx.settings.emplace_back(std::string(key, keyLength), std::move(value));
                })) {
                return raise(L);
            }
            lua_pop(L, 1);
        }
    }
    std::uint32_t slot = 0;
    if (!guarded(ctx, [&] {
            if (draft.graph.nodeCount() >= kMaxNodesPerGraph) {
                throw Error("add: the graph has " + std::to_string(kMaxNodesPerGraph) +
                            " nodes, the most a script may build");
            }
            const std::string nodeName =
                name != nullptr ? std::string(name, nameLength) : std::string();
            if (!nodeName.empty() && nameTaken(draft.graph, nodeName)) {
                throw Error("add: the graph has a node named '" + nodeName + "' already");
            }
            const EngineConfig& config = ctx.engine.config();
            std::shared_ptr<Node> node =
                makeBuiltinNode(std::string_view(type, typeLength), ctx.settings,
                                PrepareContext{config.sampleRate, config.maxBlockSize});
            draft.log.reserve(draft.log.size() + 1);
            const NodeId id = draft.graph.add(node, nodeName);
            slot = registerNode(ctx, node, draft.graph.name(id));
            draft.log.push_back({DraftOp::Kind::add, slot, 0, 0, 0});
        })) {
        return raise(L);
    }
    pushNodeHandle(L, slot);
    return 1;
}

// draft:remove(node)
int draftRemove(lua_State* L) {
    Draft& draft = checkDraft(L, 1);
    const std::uint32_t slot = checkNode(L, 2);
    ScriptContext& ctx = context(L);
    if (!guarded(ctx, [&] {
            draft.log.reserve(draft.log.size() + 1);
            const NodeId id = idIn(draft.graph, ctx, slot, "remove");
            if (id == draft.graph.input() || id == draft.graph.output()) {
                throw Error("remove: the graph's endpoints cannot be removed");
            }
            draft.graph.remove(id);
            draft.log.push_back({DraftOp::Kind::remove, slot, 0, 0, 0});
        })) {
        return raise(L);
    }
    return 0;
}

// draft:connect(from, to) | (from, to, toPort) | (from, fromPort, to, toPort), and disconnect.
int connectOrDisconnect(lua_State* L, bool connect) {
    Draft& draft = checkDraft(L, 1);
    const int top = lua_gettop(L);
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    PortArg fromPort;
    PortArg toPort;
    if (top >= 5) {
        from = checkNode(L, 2);
        fromPort = checkPort(L, 3);
        to = checkNode(L, 4);
        toPort = checkPort(L, 5);
    } else {
        from = checkNode(L, 2);
        to = checkNode(L, 3);
        if (top == 4) {
            toPort = checkPort(L, 4);
        }
    }
    ScriptContext& ctx = context(L);
    if (!guarded(ctx, [&] {
            const char* what = connect ? "connect" : "disconnect";
            draft.log.reserve(draft.log.size() + 1);
            const NodeId a = idIn(draft.graph, ctx, from, what);
            const NodeId b = idIn(draft.graph, ctx, to, what);
            const std::uint32_t p =
                resolvePort(*ctx.nodes[from].node, fromPort, true, ctx.nodes[from].name);
            const std::uint32_t q =
                resolvePort(*ctx.nodes[to].node, toPort, false, ctx.nodes[to].name);
            if (connect) {
                draft.graph.connect(OutputPort{a, p}, InputPort{b, q});
            } else {
                draft.graph.disconnect(OutputPort{a, p}, InputPort{b, q});
            }
            draft.log.push_back(
                {connect ? DraftOp::Kind::connect : DraftOp::Kind::disconnect, from, to, p, q});
        })) {
        return raise(L);
    }
    return 0;
}
int draftConnect(lua_State* L) {
    return connectOrDisconnect(L, true);
}
int draftDisconnect(lua_State* L) {
    return connectOrDisconnect(L, false);
}

// draft:commit() -> version: publishes the draft; on an error nothing changes (the draft stays as
// it was, so the script may fix it and commit again).
int draftCommit(lua_State* L) {
    Draft& draft = checkDraft(L, 1);
    ScriptContext& ctx = context(L);
    std::uint64_t version = 0;
    if (!guarded(ctx, [&] {
            version = ctx.session.edit([&](Graph& graph) {
                // Under the session's lock: the version cannot change while this runs.
                if (ctx.session.versionApprox() == draft.baseVersion) {
                    graph = draft.graph;
                    return;
                }
                for (const DraftOp& op : draft.log) {
                    replay(ctx, op, graph);
                }
            });
            GraphSession::Snapshot snapshot = ctx.session.snapshot();
            draft.graph = std::move(snapshot.graph);
            draft.baseVersion = snapshot.version;
            draft.log.clear();
            for (NodeSlot& slot : ctx.nodes) { // names as committed
                const NodeId id = draft.graph.find(*slot.node);
                if (id.isValid()) {
                    slot.name = draft.graph.name(id);
                }
            }
        })) {
        return raise(L);
    }
    lua_pushinteger(L, static_cast<lua_Integer>(version));
    return 1;
}

// draft:find(name) -> node or nil
int draftFind(lua_State* L) {
    Draft& draft = checkDraft(L, 1);
    std::size_t length = 0;
    const char* name = luaL_checklstring(L, 2, &length);
    ScriptContext& ctx = context(L);
    bool found = false;
    std::uint32_t slot = 0;
    if (!guarded(ctx, [&] {
            for (NodeId id : draft.graph.nodeIds()) {
                if (draft.graph.name(id) == std::string_view(name, length)) {
                    slot = registerNode(ctx, draft.graph.node(id), draft.graph.name(id));
                    found = true;
                    return;
                }
            }
        })) {
        return raise(L);
    }
    if (!found) {
        lua_pushnil(L);
        return 1;
    }
    pushNodeHandle(L, slot);
    return 1;
}

int endpoint(lua_State* L, bool output) {
    Draft& draft = checkDraft(L, 1);
    ScriptContext& ctx = context(L);
    std::uint32_t slot = 0;
    if (!guarded(ctx, [&] {
            const NodeId id = output ? draft.graph.output() : draft.graph.input();
            slot = registerNode(ctx, draft.graph.node(id), draft.graph.name(id));
        })) {
        return raise(L);
    }
    pushNodeHandle(L, slot);
    return 1;
}
int draftInput(lua_State* L) {
    return endpoint(L, false);
}
int draftOutput(lua_State* L) {
    return endpoint(L, true);
}

// draft:nodes() -> { name, ... } in id order, endpoints included
int draftNodes(lua_State* L) {
    Draft& draft = checkDraft(L, 1);
    ScriptContext& ctx = context(L);
    if (!guarded(ctx, [&] {
            ctx.scratch.clear();
            for (NodeId id : draft.graph.nodeIds()) {
                ctx.scratch += draft.graph.name(id);
                ctx.scratch += '\n';
            }
        })) {
        return raise(L);
    }
    lua_newtable(L);
    lua_Integer n = 0;
    std::size_t start = 0;
    for (std::size_t end = ctx.scratch.find('\n'); end != std::string::npos;
         end = ctx.scratch.find('\n', start)) {
        lua_pushlstring(L, ctx.scratch.data() + start, end - start);
        lua_rawseti(L, -2, ++n);
        start = end + 1;
    }
    return 1;
}

// ---- ff.find(name) and node handles ------------------------------------------------------------

int ffFind(lua_State* L) {
    std::size_t length = 0;
    const char* name = luaL_checklstring(L, 1, &length);
    ScriptContext& ctx = context(L);
    bool found = false;
    std::uint32_t slot = 0;
    if (!guarded(ctx, [&] {
            const std::string text(name, length);
            std::shared_ptr<Node> node = ctx.session.findNamed(text);
            if (node != nullptr) {
                slot = registerNode(ctx, node, text);
                found = true;
            }
        })) {
        return raise(L);
    }
    if (!found) {
        lua_pushnil(L);
        return 1;
    }
    pushNodeHandle(L, slot);
    return 1;
}

int nodeName(lua_State* L) {
    const std::uint32_t slot = checkNode(L, 1);
    const std::string& name = context(L).nodes[slot].name; // context-owned: no local to destroy
    lua_pushlstring(L, name.data(), name.size());
    return 1;
}

int nodeToString(lua_State* L) {
    const std::uint32_t slot = checkNode(L, 1);
    lua_pushfstring(L, "node '%s'", context(L).nodes[slot].name.c_str());
    return 1;
}

int nodeEquals(lua_State* L) {
    const auto* a = static_cast<const NodeRef*>(luaL_testudata(L, 1, kNodeType));
    const auto* b = static_cast<const NodeRef*>(luaL_testudata(L, 2, kNodeType));
    lua_pushboolean(L, a != nullptr && b != nullptr && a->slot == b->slot);
    return 1;
}

// node:latency() -> frames of path latency in the committed graph (docs/pdc.md)
int nodeLatency(lua_State* L) {
    const std::uint32_t slot = checkNode(L, 1);
    ScriptContext& ctx = context(L);
    FrameCount latency = 0;
    if (!guarded(ctx, [&] {
            const NodeId id = ctx.session.find(*ctx.nodes[slot].node);
            if (!id.isValid()) {
                throw Error("latency: node '" + ctx.nodes[slot].name +
                            "' is not in the committed graph");
            }
            latency = ctx.engine.latencyOf(id);
        })) {
        return raise(L);
    }
    lua_pushinteger(L, static_cast<lua_Integer>(latency));
    return 1;
}

// node:parameters() -> { id, ... }
int nodeParameters(lua_State* L) {
    const std::uint32_t slot = checkNode(L, 1);
    ScriptContext& ctx = context(L);
    const auto infos = ctx.nodes[slot].node->parameterInfos(); // a span: trivially destructible
    lua_createtable(L, static_cast<int>(infos.size()), 0);
    for (std::size_t i = 0; i < infos.size(); ++i) {
        lua_pushlstring(L, infos[i].id.data(), infos[i].id.size());
        lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    return 1;
}

// node:inGraph() -> whether the committed graph has the node
int nodeInGraph(lua_State* L) {
    const std::uint32_t slot = checkNode(L, 1);
    ScriptContext& ctx = context(L);
    bool present = false;
    if (!guarded(ctx, [&] { present = ctx.session.find(*ctx.nodes[slot].node).isValid(); })) {
        return raise(L);
    }
    lua_pushboolean(L, present ? 1 : 0);
    return 1;
}

} // namespace

std::uint32_t checkNode(lua_State* L, int index) {
    const auto* ref = static_cast<const NodeRef*>(luaL_checkudata(L, index, kNodeType));
    return ref->slot;
}

void openGraphApi(lua_State* L) {
    static const luaL_Reg draftMethods[] = {
        {"add", draftAdd},         {"remove", draftRemove},
        {"connect", draftConnect}, {"disconnect", draftDisconnect},
        {"commit", draftCommit},   {"find", draftFind},
        {"input", draftInput},     {"output", draftOutput},
        {"nodes", draftNodes},     {nullptr, nullptr}};
    luaL_newmetatable(L, kDraftType);
    luaL_newlib(L, draftMethods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, draftGc);
    lua_setfield(L, -2, "__gc");
    lua_pushliteral(L, "draft");
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);

    static const luaL_Reg nodeMethods[] = {{"name", nodeName},
                                           {"latency", nodeLatency},
                                           {"parameters", nodeParameters},
                                           {"inGraph", nodeInGraph},
                                           {nullptr, nullptr}};
    luaL_newmetatable(L, kNodeType);
    luaL_newlib(L, nodeMethods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, nodeToString);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, nodeEquals);
    lua_setfield(L, -2, "__eq");
    lua_pop(L, 1);

    lua_getglobal(L, "ff");
    lua_pushcfunction(L, ffGraph);
    lua_setfield(L, -2, "graph");
    lua_pushcfunction(L, ffFind);
    lua_setfield(L, -2, "find");
    lua_pop(L, 1);
}

} // namespace fluxforge::detail
