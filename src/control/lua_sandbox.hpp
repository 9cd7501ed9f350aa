// The sandbox around one script's lua_State: the counting allocator, the instruction-count hook,
// the libraries it may use, and protected runs of its code.
#pragma once

#include "script_context.hpp"

#include <string>

namespace fluxforge::detail {

/// How often (in Lua instructions) the count hook checks the budget and stop requests.
inline constexpr int kHookInterval = 1000;

/// A new state whose allocator counts against ctx's memory budget, with the hook installed and
/// the sandboxed libraries and the ff API opened. Null, with `failure` set, if that failed (out
/// of memory within the budget). Thread: the script's. Allocates: yes.
lua_State* openSandbox(ScriptContext& ctx, std::string& failure);

/// Loads `source` as a text chunk named after the script. Returns a Lua status; on success the
/// function is on the stack, otherwise the message is in `failure`.
int loadChunk(ScriptContext& ctx, std::string& failure);

/// Calls the function below `nargs` arguments on `L`'s stack in protected mode with a fresh
/// instruction budget; pops it and its arguments (and results). Returns a Lua status; on an error
/// `failure` holds "name:line: what".
int runProtected(ScriptContext& ctx, lua_State* L, int nargs, std::string& failure);

/// Resumes job `index`'s coroutine with a fresh budget (the job may spawn others, so it is named
/// by index, not by reference). Returns LUA_OK (it ended), LUA_YIELD, or an error status with
/// `failure` set.
int resumeJob(ScriptContext& ctx, std::size_t index, std::string& failure);

} // namespace fluxforge::detail
