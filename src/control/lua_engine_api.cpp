// Parameters (now, at a timeline position, automation lanes), the transport and the metrics:
// what a script sends to the audio thread and reads back.
#include "script_context.hpp"

#include <fluxforge/core/error.hpp>

#include <new>
#include <type_traits>

namespace fluxforge::detail {

namespace {

constexpr const char* kParameterType = "ff.Parameter";

// A parameter handle as Lua holds it. Trivially destructible, so it needs no __gc.
struct ParamRef {
    std::uint32_t slot = 0;
    std::uint64_t checkedVersion = 0; // the session version at which the node was last seen
    ParameterHandle handle;
};
static_assert(std::is_trivially_destructible_v<ParamRef>);

ParamRef& checkParam(lua_State* L, int index) {
    return *static_cast<ParamRef*>(luaL_checkudata(L, index, kParameterType));
}

// The parameter argument (an id or a 0-based index), read before any C++ work.
struct ParamKey {
    const char* id = nullptr;
    std::size_t length = 0;
    lua_Integer index = 0;
};

ParamKey checkKey(lua_State* L, int index) {
    ParamKey key;
    if (lua_type(L, index) == LUA_TNUMBER) {
        key.index = luaL_checkinteger(L, index);
        luaL_argcheck(L, key.index >= 0, index, "parameter indices start at 0");
    } else {
        key.id = luaL_checklstring(L, index, &key.length);
    }
    return key;
}

// Resolves node `slot`'s parameter `key` in the committed graph into `out`. False: error kept.
bool resolve(ScriptContext& ctx, std::uint32_t slot, const ParamKey& key, ParamRef& out) {
    return guarded(ctx, [&] {
        const NodeSlot& node = ctx.nodes[slot];
        out.checkedVersion = ctx.session.versionApprox();
        const NodeId id = ctx.session.find(*node.node);
        if (!id.isValid()) {
            throw Error("node '" + node.name +
                        "' is not in the committed graph: another script or the host removed it, "
                        "or the draft that adds it is not committed yet");
        }
        out.slot = slot;
        out.handle = key.id != nullptr
                         ? ctx.engine.parameter(id, std::string_view(key.id, key.length))
                         : ctx.engine.parameter(id, static_cast<std::size_t>(key.index));
    });
}

const std::string& parameterId(const ScriptContext& ctx, const ParamRef& ref) {
    return ctx.nodes[ref.slot].node->parameterInfos()[ref.handle.index()].id;
}

// Whether the node is still in the committed graph; checked again only after a commit.
bool stillPresent(ScriptContext& ctx, ParamRef& ref) {
    const std::uint64_t version = ctx.session.versionApprox();
    if (version == ref.checkedVersion) {
        return true;
    }
    return guarded(ctx, [&] {
        if (!ctx.session.find(*ctx.nodes[ref.slot].node).isValid()) {
            throw Error("node '" + ctx.nodes[ref.slot].name +
                        "' is no longer in the graph (another script or the host removed it)");
        }
        ref.checkedVersion = version;
    });
}

int raiseStatus(lua_State* L, const char* what, CommandStatus status) {
    return luaL_error(L, "%s: %s", what, commandStatusMessage(status).data());
}

// Engine time of timeline position `position`, with the transport as it is now (as if it plays on
// from here without a loop or locate in between); never before the next block.
SampleTime engineTimeOf(const ScriptContext& ctx, SampleTime position) {
    const TransportSnapshot now = ctx.engine.transportApprox();
    const SampleTime at = now.engineTime + (position - now.position);
    return at < now.engineTime ? now.engineTime : at;
}

// ---- the operations, on a resolved ParamRef (stack index `first` is the first argument) -------

int doSet(lua_State* L, ParamRef& ref, int first) {
    const auto value = static_cast<float>(luaL_checknumber(L, first));
    ScriptContext& ctx = context(L);
    if (!stillPresent(ctx, ref)) {
        return raise(L);
    }
    const CommandStatus status = ctx.sender.trySetParameter(ref.handle, value);
    if (status != CommandStatus::ok) {
        return luaL_error(L, "set '%s' to %f: %s", parameterId(ctx, ref).c_str(),
                          static_cast<double>(value), commandStatusMessage(status).data());
    }
    return 0;
}

int doSetAt(lua_State* L, ParamRef& ref, int first) {
    const lua_Integer position = luaL_checkinteger(L, first);
    const auto value = static_cast<float>(luaL_checknumber(L, first + 1));
    const lua_Integer ramp = luaL_optinteger(L, first + 2, 0);
    luaL_argcheck(L, ramp >= 0, first + 2, "a ramp is a number of frames, 0 or more");
    luaL_argcheck(L, position >= -kMaxTimelinePosition && position <= kMaxTimelinePosition, first,
                  "timeline position out of range");
    ScriptContext& ctx = context(L);
    if (!stillPresent(ctx, ref)) {
        return raise(L);
    }
    const CommandStatus status = ctx.sender.trySetParameterAt(
        ref.handle, value, engineTimeOf(ctx, position), static_cast<FrameCount>(ramp));
    if (status != CommandStatus::ok) {
        return luaL_error(L, "setAt '%s': %s", parameterId(ctx, ref).c_str(),
                          commandStatusMessage(status).data());
    }
    return 0;
}

// points: { {time, value [, curve]}, ... }, times on the timeline in frames, sorted.
int doAutomate(lua_State* L, ParamRef& ref, int first) {
    luaL_checktype(L, first, LUA_TTABLE);
    ScriptContext& ctx = context(L);
    const lua_Integer count = luaL_len(L, first);
    if (!guarded(ctx, [&] {
            ctx.breakpoints.clear();
            ctx.breakpoints.reserve(static_cast<std::size_t>(count));
        })) {
        return raise(L);
    }
    for (lua_Integer i = 1; i <= count; ++i) {
        if (lua_rawgeti(L, first, i) != LUA_TTABLE) {
            return luaL_error(L, "automate: point %d must be a table {time, value [, curve]}",
                              static_cast<int>(i));
        }
        const int point = lua_gettop(L);
        lua_rawgeti(L, point, 1);
        lua_rawgeti(L, point, 2);
        lua_rawgeti(L, point, 3);
        int isInteger = 0;
        const lua_Integer time = lua_tointegerx(L, -3, &isInteger);
        int isNumber = 0;
        const lua_Number value = lua_tonumberx(L, -2, &isNumber);
        if (isInteger == 0 || isNumber == 0) {
            return luaL_error(L,
                              "automate: point %d needs a whole-number time and a number "
                              "value",
                              static_cast<int>(i));
        }
        CurveShape curve = CurveShape::linear;
        if (!lua_isnil(L, -1)) {
            const char* name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
            const std::string_view text(name);
            if (text == "step") {
                curve = CurveShape::step;
            } else if (text == "linear") {
                curve = CurveShape::linear;
            } else if (text == "exponential") {
                curve = CurveShape::exponential;
            } else if (text == "sCurve") {
                curve = CurveShape::sCurve;
            } else {
                return luaL_error(L,
                                  "automate: point %d: curve must be \"step\", \"linear\", "
                                  "\"exponential\" or \"sCurve\"",
                                  static_cast<int>(i));
            }
        }
        lua_settop(L, point - 1);
        ctx.breakpoints.push_back(
            {static_cast<SampleTime>(time), static_cast<float>(value), curve}); // reserved
    }
    if (!stillPresent(ctx, ref)) {
        return raise(L);
    }
    if (!guarded(ctx, [&] {
            ctx.engine.setAutomation(ref.handle,
                                     std::make_shared<const AutomationLane>(ctx.breakpoints));
        })) {
        return luaL_error(L, "automate '%s': %s", parameterId(ctx, ref).c_str(), ctx.error);
    }
    return 0;
}

int doClear(lua_State* L, ParamRef& ref) {
    ScriptContext& ctx = context(L);
    if (!stillPresent(ctx, ref) || !guarded(ctx, [&] { ctx.engine.clearAutomation(ref.handle); })) {
        return raise(L);
    }
    return 0;
}

int doValue(lua_State* L, ParamRef& ref) {
    ScriptContext& ctx = context(L);
    float value = 0.0f;
    if (!guarded(ctx, [&] { value = ctx.engine.parameterValueApprox(ref.handle); })) {
        return raise(L);
    }
    lua_pushnumber(L, static_cast<lua_Number>(value));
    return 1;
}

// ---- node methods: node:param(key), node:set(key, v), ... ----------------------------------

// Resolves node (1) and key (2) into a temporary ParamRef on the C stack (trivially destructible).
#define FF_RESOLVE_NODE_PARAM(ref)                                                                 \
    ParamRef ref;                                                                                  \
    {                                                                                              \
        const std::uint32_t slot_ = checkNode(L, 1);                                               \
        const ParamKey key_ = checkKey(L, 2);                                                      \
        if (!resolve(context(L), slot_, key_, ref)) {                                              \
            return raise(L);                                                                       \
        }                                                                                          \
    }

int nodeParam(lua_State* L) {
    FF_RESOLVE_NODE_PARAM(ref)
    void* memory = lua_newuserdatauv(L, sizeof(ParamRef), 0);
    new (memory) ParamRef(ref);
    luaL_setmetatable(L, kParameterType);
    return 1;
}
int nodeSet(lua_State* L) {
    FF_RESOLVE_NODE_PARAM(ref)
    return doSet(L, ref, 3);
}
int nodeSetAt(lua_State* L) {
    FF_RESOLVE_NODE_PARAM(ref)
    return doSetAt(L, ref, 3);
}
int nodeAutomate(lua_State* L) {
    FF_RESOLVE_NODE_PARAM(ref)
    return doAutomate(L, ref, 3);
}
int nodeClearAutomation(lua_State* L) {
    FF_RESOLVE_NODE_PARAM(ref)
    return doClear(L, ref);
}
int nodeValue(lua_State* L) {
    FF_RESOLVE_NODE_PARAM(ref)
    return doValue(L, ref);
}
#undef FF_RESOLVE_NODE_PARAM

// ---- parameter methods ---------------------------------------------------------------------

int paramSet(lua_State* L) {
    return doSet(L, checkParam(L, 1), 2);
}
int paramSetAt(lua_State* L) {
    return doSetAt(L, checkParam(L, 1), 2);
}
int paramAutomate(lua_State* L) {
    return doAutomate(L, checkParam(L, 1), 2);
}
int paramClear(lua_State* L) {
    return doClear(L, checkParam(L, 1));
}
int paramValue(lua_State* L) {
    return doValue(L, checkParam(L, 1));
}
int paramRange(lua_State* L) {
    const ParamRef& ref = checkParam(L, 1);
    lua_pushnumber(L, static_cast<lua_Number>(ref.handle.minValue()));
    lua_pushnumber(L, static_cast<lua_Number>(ref.handle.maxValue()));
    return 2;
}
int paramId(lua_State* L) {
    const ParamRef& ref = checkParam(L, 1);
    const std::string& id = parameterId(context(L), ref);
    lua_pushlstring(L, id.data(), id.size());
    return 1;
}
int paramToString(lua_State* L) {
    const ParamRef& ref = checkParam(L, 1);
    ScriptContext& ctx = context(L);
    lua_pushfstring(L, "parameter '%s' of node '%s'", parameterId(ctx, ref).c_str(),
                    ctx.nodes[ref.slot].name.c_str());
    return 1;
}

// ---- ff.transport ----------------------------------------------------------------------------

int transportPlay(lua_State* L) {
    const CommandStatus status = context(L).sender.tryPlay();
    return status == CommandStatus::ok ? 0 : raiseStatus(L, "play", status);
}
int transportStop(lua_State* L) {
    const CommandStatus status = context(L).sender.tryStop();
    return status == CommandStatus::ok ? 0 : raiseStatus(L, "stop", status);
}
int transportLocate(lua_State* L) {
    const lua_Integer position = luaL_checkinteger(L, 1);
    const CommandStatus status = context(L).sender.tryLocate(static_cast<SampleTime>(position));
    return status == CommandStatus::ok ? 0 : raiseStatus(L, "locate", status);
}
int transportLoop(lua_State* L) {
    const lua_Integer start = luaL_checkinteger(L, 1);
    const lua_Integer end = luaL_checkinteger(L, 2);
    const CommandStatus status = context(L).sender.trySetLoop(start, end);
    return status == CommandStatus::ok ? 0 : raiseStatus(L, "loop", status);
}
int transportClearLoop(lua_State* L) {
    const CommandStatus status = context(L).sender.tryClearLoop();
    return status == CommandStatus::ok ? 0 : raiseStatus(L, "clearLoop", status);
}

void setField(lua_State* L, const char* name, lua_Integer value) {
    lua_pushinteger(L, value);
    lua_setfield(L, -2, name);
}
void setField(lua_State* L, const char* name, bool value) {
    lua_pushboolean(L, value ? 1 : 0);
    lua_setfield(L, -2, name);
}
void setField(lua_State* L, const char* name, lua_Number value) {
    lua_pushnumber(L, value);
    lua_setfield(L, -2, name);
}

// ff.transport.state() -> { playing, position, engineTime, looping, loopStart, loopEnd }
int transportState(lua_State* L) {
    const TransportSnapshot now = context(L).engine.transportApprox();
    lua_createtable(L, 0, 6);
    setField(L, "playing", now.playState == PlayState::playing);
    setField(L, "position", static_cast<lua_Integer>(now.position));
    setField(L, "engineTime", static_cast<lua_Integer>(now.engineTime));
    setField(L, "looping", now.loopMode != LoopMode::off);
    setField(L, "loopStart", static_cast<lua_Integer>(now.loopStart));
    setField(L, "loopEnd", static_cast<lua_Integer>(now.loopEnd));
    return 1;
}

// ff.position() -> the playhead's timeline position (the next frame the engine renders)
int ffPosition(lua_State* L) {
    lua_pushinteger(L, static_cast<lua_Integer>(context(L).engine.transportApprox().position));
    return 1;
}

// ---- ff.metrics() -----------------------------------------------------------------------------

int ffMetrics(lua_State* L) {
    ScriptContext& ctx = context(L);
    // The snapshot lives in the context: nothing with a destructor may be alive on this frame
    // while Lua calls that can raise push it (script_context.hpp, rule 1).
    if (!guarded(ctx, [&] { ctx.metrics = ctx.engine.metrics(); })) {
        return raise(L);
    }
    const Engine& engine = ctx.engine;
    const ControlStats stats = engine.controlStatsApprox();
    const TransportSnapshot transport = engine.transportApprox();
    const EngineConfig& config = engine.config();
    lua_createtable(L, 0, 24);
    setField(L, "framesRendered", static_cast<lua_Integer>(engine.framesRenderedApprox()));
    setField(L, "planSwaps", static_cast<lua_Integer>(engine.planSwapsApprox()));
    setField(L, "commandsApplied", static_cast<lua_Integer>(stats.commandsApplied));
    setField(L, "commandsLate", static_cast<lua_Integer>(stats.commandsLate));
    setField(L, "commandsUnrouted", static_cast<lua_Integer>(stats.commandsUnrouted));
    setField(L, "helpersLastBlock", static_cast<lua_Integer>(engine.lastBlockHelpersApprox()));
    setField(L, "workers", static_cast<lua_Integer>(engine.workerCountApprox()));
    setField(L, "outputLatency", static_cast<lua_Integer>(engine.outputLatency()));
    setField(L, "sampleRate", static_cast<lua_Number>(config.sampleRate));
    setField(L, "maxBlockSize", static_cast<lua_Integer>(config.maxBlockSize));
    setField(L, "playing", transport.playState == PlayState::playing);
    setField(L, "position", static_cast<lua_Integer>(transport.position));
    setField(L, "memoryUsed",
             static_cast<lua_Integer>(context(L).memoryUsed.load(std::memory_order_relaxed)));
    // The performance monitor's figures (docs/metrics.md): loads are shares of the period.
    const BlockMetrics& block = ctx.metrics.block;
    setField(L, "load", static_cast<lua_Number>(block.load));
    setField(L, "averageLoad", static_cast<lua_Number>(block.averageLoad));
    setField(L, "peakLoad", static_cast<lua_Number>(block.peakLoad));
    setField(L, "p50Load", static_cast<lua_Number>(block.p50Load));
    setField(L, "p99Load", static_cast<lua_Number>(block.p99Load));
    setField(L, "deadlineMisses", static_cast<lua_Integer>(block.deadlineMisses));
    setField(L, "longestBlockSeconds",
             static_cast<lua_Number>(block.longestBlockNanoseconds * 1e-9));
    setField(L, "deviceXruns", static_cast<lua_Integer>(block.deviceXruns));
    setField(L, "prefetchUnderruns", static_cast<lua_Integer>(ctx.metrics.prefetch.underruns));
    // nodes: an array of {name, average, worst, share} (seconds; share of the blocks' time)
    lua_createtable(L, static_cast<int>(ctx.metrics.nodes.size()), 0);
    lua_Integer index = 1;
    for (const NodeMetrics& node : ctx.metrics.nodes) {
        lua_createtable(L, 0, 4);
        lua_pushstring(L, node.name.c_str());
        lua_setfield(L, -2, "name");
        setField(L, "average", static_cast<lua_Number>(node.averageNanoseconds * 1e-9));
        setField(L, "worst", static_cast<lua_Number>(node.worstNanoseconds * 1e-9));
        setField(L, "share", static_cast<lua_Number>(node.share));
        lua_rawseti(L, -2, index++);
    }
    lua_setfield(L, -2, "nodes");
    return 1;
}

// ff.clock() -> seconds on a monotonic clock (for jobs and measurements; os.clock is not there)
int ffClock(lua_State* L) {
    const auto now = SteadyClock::now().time_since_epoch();
    lua_pushnumber(L, std::chrono::duration<double>(now).count());
    return 1;
}

int ffSampleRate(lua_State* L) {
    lua_pushnumber(L, static_cast<lua_Number>(context(L).engine.config().sampleRate));
    return 1;
}

} // namespace

void openEngineApi(lua_State* L) {
    static const luaL_Reg nodeMethods[] = {{"param", nodeParam},
                                           {"set", nodeSet},
                                           {"setAt", nodeSetAt},
                                           {"automate", nodeAutomate},
                                           {"clearAutomation", nodeClearAutomation},
                                           {"value", nodeValue},
                                           {nullptr, nullptr}};
    luaL_getmetatable(L, kNodeType);
    lua_getfield(L, -1, "__index");
    luaL_setfuncs(L, nodeMethods, 0);
    lua_pop(L, 2);

    static const luaL_Reg paramMethods[] = {
        {"set", paramSet},     {"setAt", paramSetAt}, {"automate", paramAutomate},
        {"clear", paramClear}, {"value", paramValue}, {"range", paramRange},
        {"id", paramId},       {nullptr, nullptr}};
    luaL_newmetatable(L, kParameterType);
    luaL_newlib(L, paramMethods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, paramToString);
    lua_setfield(L, -2, "__tostring");
    lua_pop(L, 1);

    static const luaL_Reg transport[] = {
        {"play", transportPlay}, {"stop", transportStop},           {"locate", transportLocate},
        {"loop", transportLoop}, {"clearLoop", transportClearLoop}, {"state", transportState},
        {nullptr, nullptr}};
    lua_getglobal(L, "ff");
    luaL_newlib(L, transport);
    lua_setfield(L, -2, "transport");
    lua_pushcfunction(L, ffPosition);
    lua_setfield(L, -2, "position");
    lua_pushcfunction(L, ffMetrics);
    lua_setfield(L, -2, "metrics");
    lua_pushcfunction(L, ffSampleRate);
    lua_setfield(L, -2, "sampleRate");
    lua_pushcfunction(L, ffClock);
    lua_setfield(L, -2, "clock");
    lua_pop(L, 1);
}

} // namespace fluxforge::detail
