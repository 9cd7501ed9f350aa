#include "lua_sandbox.hpp"

#include <cstdio>
#include <cstdlib>

namespace fluxforge::detail {

namespace {

// The line of the innermost Lua function running on `L` (levels above C functions such as
// string.rep), or -1. Reads the call stack only: it neither allocates nor raises, so the
// allocator may call it.
int currentLine(lua_State* L) noexcept {
    lua_Debug ar;
    for (int level = 0; level < 8 && lua_getstack(L, level, &ar) != 0; ++level) {
        if (lua_getinfo(L, "l", &ar) != 0 && ar.currentline > 0) {
            return ar.currentline;
        }
    }
    return -1;
}

// Lua's allocator contract: free when nsize is 0, and never fail when shrinking.
void* allocate(void* ud, void* ptr, std::size_t osize, std::size_t nsize) noexcept {
    auto& ctx = *static_cast<ScriptContext*>(ud);
    const std::size_t old = ptr != nullptr ? osize : 0; // osize is a type tag when ptr is null
    if (nsize == 0) {
        std::free(ptr);
        ctx.memoryUsed.store(ctx.memoryUsed.load(std::memory_order_relaxed) - old,
                             std::memory_order_relaxed);
        return nullptr;
    }
    const std::size_t used = ctx.memoryUsed.load(std::memory_order_relaxed);
    if (nsize > old && used - old + nsize > ctx.config.limits.memoryBytes) {
        if (!ctx.memoryRefused) {
            ctx.memoryRefused = true;
            ctx.refusedLine = ctx.running != nullptr ? currentLine(ctx.running) : -1;
        }
        return nullptr;
    }
    void* block = std::realloc(ptr, nsize);
    if (block == nullptr) {
        return nsize <= old ? ptr : nullptr; // a shrink that failed keeps the larger block
    }
    ctx.memoryUsed.store(used - old + nsize, std::memory_order_relaxed);
    return block;
}

// Every kHookInterval instructions: stop requests and the instruction budget. The error names the
// line the script is on (luaL_error would name the caller's, since a hook has no frame of its own).
void countHook(lua_State* L, lua_Debug* ar) {
    ScriptContext& ctx = context(L);
    const char* why = nullptr;
    if (ctx.stopRequested.load(std::memory_order_relaxed)) {
        why = "stopped by the host";
    } else {
        ctx.instructionsUsed += kHookInterval;
        if (ctx.instructionsUsed > ctx.config.limits.instructionsPerRun) {
            why = "instruction budget exceeded";
        }
    }
    if (why == nullptr) {
        return;
    }
    lua_getinfo(L, "Sl", ar);
    if (ctx.stopRequested.load(std::memory_order_relaxed)) {
        lua_pushfstring(L, "%s:%d: %s", ar->short_src, ar->currentline, why);
    } else {
        lua_pushfstring(L,
                        "%s:%d: %s: more than %I instructions without returning to the engine "
                        "(an endless loop?)",
                        ar->short_src, ar->currentline, why,
                        static_cast<lua_Integer>(ctx.config.limits.instructionsPerRun));
    }
    lua_error(L);
}

// print(...): tostring of each argument, tab-separated, to the script's print sink.
int luaPrint(lua_State* L) {
    ScriptContext& ctx = context(L);
    const int n = lua_gettop(L);
    luaL_Buffer buffer;
    luaL_buffinit(L, &buffer);
    for (int i = 1; i <= n; ++i) {
        std::size_t length = 0;
        const char* text = luaL_tolstring(L, i, &length);
        if (i > 1) {
            luaL_addchar(&buffer, '\t');
        }
        luaL_addvalue(&buffer); // pops the string luaL_tolstring pushed
        static_cast<void>(text);
        static_cast<void>(length);
    }
    luaL_pushresult(&buffer);
    std::size_t length = 0;
    const char* line = lua_tolstring(L, -1, &length);
    if (!guarded(ctx, [&] {
            const std::string_view view(line, length);
            if (ctx.config.print) {
                ctx.config.print(view);
            } else {
                std::printf("[%s] %.*s\n", ctx.config.name.c_str(), static_cast<int>(view.size()),
                            view.data());
                std::fflush(stdout);
            }
        })) {
        return raise(L);
    }
    return 0;
}

// load(chunk [, chunkname [, mode [, env]]]) that only ever accepts text: a mode asking for binary
// chunks is an error, and the mode passed on is always "t".
int luaLoadText(lua_State* L) {
    const char* mode = luaL_optstring(L, 3, "t");
    for (const char* c = mode; *c != '\0'; ++c) {
        if (*c == 'b') {
            return luaL_error(L, "load: binary chunks are not allowed in scripts (mode \"%s\")",
                              mode);
        }
    }
    const int n = lua_gettop(L);
    if (n < 3) {
        lua_settop(L, 3);
    }
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1)); // the library's load
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

int luaUnavailable(lua_State* L) {
    return luaL_error(L,
                      "'%s' is not available to scripts (the sandbox has no files, modules or "
                      "operating system)",
                      lua_tostring(L, lua_upvalueindex(1)));
}

// Opens the allowed libraries and the API. Runs in protected mode: any allocation may fail.
int openLibraries(lua_State* L) {
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, 0);

    lua_pushglobaltable(L);
    for (const char* name : {"dofile", "loadfile", "require"}) {
        lua_pushstring(L, name);
        lua_pushcclosure(L, luaUnavailable, 1);
        lua_setfield(L, 1, name);
    }
    lua_getfield(L, 1, "load");
    lua_pushcclosure(L, luaLoadText, 1);
    lua_setfield(L, 1, "load");
    lua_pushcfunction(L, luaPrint);
    lua_setfield(L, 1, "print");

    lua_newtable(L); // ff
    lua_pushstring(L, context(L).config.name.c_str());
    lua_setfield(L, -2, "script");
    lua_setfield(L, 1, "ff");
    openGraphApi(L);
    openEngineApi(L);
    openScheduleApi(L);
    lua_settop(L, 0);
    return 0;
}

int panic(lua_State* L) {
    // Every call into Lua outside a protected run is one that cannot raise; reaching here is a bug.
    const char* message = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
    std::fprintf(stderr, "fluxforge control: unprotected Lua error: %s\n", message);
    std::abort();
}

std::string describeFailure(ScriptContext& ctx, lua_State* L, int status) {
    if (status == LUA_ERRMEM) {
        std::string message = ctx.config.name;
        if (ctx.refusedLine > 0) {
            message += ":" + std::to_string(ctx.refusedLine);
        }
        return message + ": memory budget of " + std::to_string(ctx.config.limits.memoryBytes) +
               " bytes exceeded";
    }
    if (lua_type(L, -1) == LUA_TSTRING) { // no conversion: nothing here may raise
        return lua_tostring(L, -1);
    }
    return ctx.config.name + ": error object is a " + luaL_typename(L, -1) +
           " value, not a message";
}

} // namespace

lua_State* openSandbox(ScriptContext& ctx, std::string& failure) {
    lua_State* L = lua_newstate(allocate, &ctx);
    if (L == nullptr) {
        failure = ctx.config.name + ": memory budget too small for a Lua state";
        return nullptr;
    }
    *static_cast<ScriptContext**>(lua_getextraspace(L)) = &ctx;
    lua_atpanic(L, panic);
    ctx.L = L;
    lua_sethook(L, countHook, LUA_MASKCOUNT, kHookInterval);
    lua_pushcfunction(L, openLibraries);
    if (runProtected(ctx, L, 0, failure) != LUA_OK) {
        lua_close(L);
        ctx.L = nullptr;
        return nullptr;
    }
    return L;
}

int loadChunk(ScriptContext& ctx, std::string& failure) {
    const std::string chunkName = "=" + ctx.config.name;
    ctx.memoryRefused = false;
    ctx.running = ctx.L;
    const int status = luaL_loadbufferx(ctx.L, ctx.config.source.data(), ctx.config.source.size(),
                                        chunkName.c_str(), "t");
    if (status != LUA_OK) {
        failure = describeFailure(ctx, ctx.L, status);
        lua_pop(ctx.L, 1);
    }
    return status;
}

int runProtected(ScriptContext& ctx, lua_State* L, int nargs, std::string& failure) {
    ctx.instructionsUsed = 0;
    ctx.memoryRefused = false;
    ctx.refusedLine = -1;
    ctx.running = L;
    const int status = lua_pcall(L, nargs, 0, 0);
    if (status != LUA_OK) {
        failure = describeFailure(ctx, L, status);
        lua_pop(L, 1);
    }
    return status;
}

int resumeJob(ScriptContext& ctx, std::size_t index, std::string& failure) {
    ctx.instructionsUsed = 0;
    ctx.memoryRefused = false;
    ctx.refusedLine = -1;
    lua_State* thread = ctx.jobs[index].thread;
    const int arguments = ctx.jobs[index].started ? 0 : ctx.jobs[index].pendingArguments;
    ctx.jobs[index].started = true;
    ctx.running = thread;
    int results = 0;
    const int status = lua_resume(thread, ctx.L, arguments, &results);
    ctx.running = ctx.L;
    if (status == LUA_OK || status == LUA_YIELD) {
        lua_pop(thread, results);
        return status;
    }
    failure = describeFailure(ctx, thread, status);
    lua_settop(thread, 0);
    return status;
}

} // namespace fluxforge::detail
