// Callbacks tied to the transport (ff.every, ff.at, ff.cancel) and background jobs (ff.spawn,
// ff.sleep, ff.yield). The script's thread runs them (script.cpp); this file registers them.
#include "script_context.hpp"

#include <cmath>

namespace fluxforge::detail {

namespace {

constexpr std::size_t kMaxCallbacks = 1024;
constexpr std::size_t kMaxJobs = 256;

// Registers the function at stack index `function` as a transport callback; pushes its id.
int addCallback(lua_State* L, int function, SampleTime first, SampleTime period,
                SampleTime lookahead) {
    luaL_checktype(L, function, LUA_TFUNCTION);
    ScriptContext& ctx = context(L);
    std::size_t active = 0;
    for (const TransportCallback& callback : ctx.callbacks) {
        active += callback.active ? 1 : 0;
    }
    if (active >= kMaxCallbacks) {
        return luaL_error(L, "a script may have at most %d transport callbacks",
                          static_cast<int>(kMaxCallbacks));
    }
    if (!guarded(ctx, [&] { ctx.callbacks.reserve(ctx.callbacks.size() + 1); })) {
        return raise(L);
    }
    lua_pushvalue(L, function);
    const int reference = luaL_ref(L, LUA_REGISTRYINDEX);
    ctx.callbacks.push_back({reference, first, period, lookahead, true, first}); // reserved
    lua_pushinteger(L, static_cast<lua_Integer>(ctx.callbacks.size()));
    return 1;
}

SampleTime checkFrames(lua_State* L, int index, lua_Integer low, const char* what) {
    const lua_Integer value = luaL_checkinteger(L, index);
    luaL_argcheck(L, value >= low && value <= kMaxTimelinePosition, index, what);
    return static_cast<SampleTime>(value);
}

// ff.every(period, lookahead, fn [, first]) -> id: fn(position) for position = first,
// first + period, ..., each once the playhead is within `lookahead` frames of it.
int ffEvery(lua_State* L) {
    const SampleTime period = checkFrames(L, 1, 1, "the period is a number of frames, 1 or more");
    const SampleTime lookahead =
        checkFrames(L, 2, 0, "the look-ahead is a number of frames, 0 or more");
    const SampleTime first =
        lua_isnoneornil(L, 4) ? 0 : checkFrames(L, 4, 0, "the first position is 0 or more");
    return addCallback(L, 3, first, period, lookahead);
}

// ff.at(position, lookahead, fn) -> id: fn(position) once the playhead is within `lookahead`.
int ffAt(lua_State* L) {
    const SampleTime position = checkFrames(L, 1, 0, "the position is 0 or more");
    const SampleTime lookahead =
        checkFrames(L, 2, 0, "the look-ahead is a number of frames, 0 or more");
    return addCallback(L, 3, position, 0, lookahead);
}

// ff.cancel(id): the callback runs no more (it may be the one running now).
int ffCancel(lua_State* L) {
    const lua_Integer id = luaL_checkinteger(L, 1);
    ScriptContext& ctx = context(L);
    luaL_argcheck(L, id >= 1 && id <= static_cast<lua_Integer>(ctx.callbacks.size()), 1,
                  "no such callback");
    TransportCallback& callback = ctx.callbacks[static_cast<std::size_t>(id - 1)];
    if (callback.active) {
        callback.active = false;
        luaL_unref(L, LUA_REGISTRYINDEX, callback.function);
        callback.function = LUA_NOREF;
    }
    return 0;
}

// ff.spawn(fn, ...): a background job, run by the script's thread between callbacks; it gives the
// thread back with ff.sleep(seconds) or ff.yield().
int ffSpawn(lua_State* L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    ScriptContext& ctx = context(L);
    if (ctx.jobs.size() >= kMaxJobs) {
        return luaL_error(L, "a script may run at most %d jobs at once",
                          static_cast<int>(kMaxJobs));
    }
    if (!guarded(ctx, [&] { ctx.jobs.reserve(ctx.jobs.size() + 1); })) {
        return raise(L);
    }
    const int arguments = lua_gettop(L); // the function and its arguments
    lua_State* thread = lua_newthread(L);
    const int reference = luaL_ref(L, LUA_REGISTRYINDEX); // pops the thread
    lua_xmove(L, thread, arguments);
    Job job;
    job.thread = thread;
    job.reference = reference;
    job.wake = SteadyClock::now();
    job.pendingArguments = arguments - 1;
    ctx.jobs.push_back(job); // reserved
    return 0;
}

int yieldJob(lua_State* L, double seconds, const char* what) {
    ScriptContext& ctx = context(L);
    if (ctx.currentJob >= ctx.jobs.size() || ctx.jobs[ctx.currentJob].thread != L ||
        lua_isyieldable(L) == 0) {
        return luaL_error(L,
                          "%s: only a job (ff.spawn) can wait; callbacks and the main chunk "
                          "must return instead",
                          what);
    }
    ctx.jobs[ctx.currentJob].wake =
        SteadyClock::now() +
        std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
    return lua_yield(L, 0);
}

// ff.sleep(seconds) inside a job
int ffSleep(lua_State* L) {
    const lua_Number seconds = luaL_checknumber(L, 1);
    luaL_argcheck(L, std::isfinite(seconds) && seconds >= 0.0 && seconds <= 86400.0, 1,
                  "seconds must be in 0..86400");
    return yieldJob(L, seconds, "ff.sleep");
}

// ff.yield() inside a job: let callbacks and other jobs run, continue on the next pass.
int ffYield(lua_State* L) {
    return yieldJob(L, 0.0, "ff.yield");
}

} // namespace

void openScheduleApi(lua_State* L) {
    static const luaL_Reg functions[] = {
        {"every", ffEvery}, {"at", ffAt},       {"cancel", ffCancel}, {"spawn", ffSpawn},
        {"sleep", ffSleep}, {"yield", ffYield}, {nullptr, nullptr}};
    lua_getglobal(L, "ff");
    luaL_setfuncs(L, functions, 0);
    lua_pop(L, 1);
}

} // namespace fluxforge::detail
