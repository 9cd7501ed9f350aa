// Script: one sandboxed Lua script controlling an engine from a control thread of its own.
#pragma once

#include <fluxforge/control/graph_session.hpp>
#include <fluxforge/core/types.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace fluxforge {

/// What one script may use (docs/scripting.md, "Sandbox").
struct ScriptLimits {
    /// Bytes its Lua state may hold at once; an allocation past it fails with an error naming the
    /// budget (1 KiB .. 4 GiB).
    std::size_t memoryBytes = std::size_t{16} << 20;
    /// Lua instructions one run of its code may execute before it returns to the script's thread:
    /// the main chunk, one callback, one step of a job (1000 .. 2^62). Past it the script stops
    /// with an error naming the line it was on.
    std::uint64_t instructionsPerRun = 10'000'000;
};

/// A script to run.
struct ScriptConfig {
    /// Names the script in every message ("chords.lua:12: ..."). Not empty.
    std::string name = "script";
    /// Lua 5.4 source text (bytecode is refused).
    std::string source;
    ScriptLimits limits{};
    /// Where print() and ff.log() go, one line per call; null: standard output, prefixed with
    /// the name. Called on the script's thread.
    std::function<void(std::string_view line)> print;
    /// Capacity of the script's command queue to the audio thread (SenderConfig::capacity).
    std::size_t commandCapacity = 4096;
};

enum class ScriptState {
    running,  ///< its code runs or it waits for transport callbacks, timers or jobs
    finished, ///< it returned and has nothing left to wait for
    failed,   ///< an error stopped it: error() says which, where and why
    stopped,  ///< stop() ended it
};

/// One script: its own Lua state (sandboxed: base, table, string, math and utf8 only, memory
/// and instruction budgets), its own control thread, its own command queue to the audio thread.
/// It edits the session's graph through drafts committed whole, sets parameters, writes
/// automation, drives the transport, reads metrics, and runs callbacks tied to the transport and
/// background jobs (docs/scripting.md). Nothing it does runs on the audio thread, and an error in
/// it stops it alone: the engine keeps playing, other scripts keep running, and graph edits it
/// had not committed are dropped.
///
/// Thread: any control thread; the Lua code runs on the script's own thread.
class Script {
public:
    /// Starts the script's thread, which loads and runs the source. Throws fluxforge::Error for a
    /// bad config (empty name, limits out of range); errors in the script itself are reported by
    /// state() and error(), never thrown. Real-time safe: no. Allocates: yes.
    Script(GraphSession& session, ScriptConfig config);
    /// Stops the script (stop()). Real-time safe: no.
    ~Script();
    Script(const Script&) = delete;
    Script& operator=(const Script&) = delete;

    [[nodiscard]] const std::string& name() const noexcept;

    /// Thread: any. Real-time safe: no (takes a lock). Allocates: no.
    [[nodiscard]] ScriptState state() const;
    /// The error that stopped a failed script: "name:line: what", or empty.
    /// Thread: any. Real-time safe: no. Allocates: yes.
    [[nodiscard]] std::string error() const;

    /// Interrupts the script's code (at its next instruction-budget check, at most a thousand
    /// instructions away) and ends its thread; waits for it. Idempotent.
    /// Thread: control. Real-time safe: no. Allocates: no.
    void stop();

    /// Waits until the script has finished, failed or been stopped, or `timeout` passed; true if
    /// it ended. Thread: control. Real-time safe: no. Allocates: no.
    bool waitUntilDone(std::chrono::milliseconds timeout);

    /// Waits until the script's thread has made one whole pass over its work that began after
    /// this call: its main chunk has returned and it has run every transport callback due at the
    /// transport position it read in that pass (and every job step due then), or it ended, or
    /// `timeout` passed. True unless the timeout passed. An offline render calls it between
    /// blocks so that scripts keep ahead of the playhead however fast it renders; tests use it to
    /// be deterministic. Thread: control. Real-time safe: no. Allocates: no.
    bool waitUntilCaughtUp(std::chrono::milliseconds timeout);

    /// Bytes the script's Lua state holds now. Thread: any. May be stale.
    [[nodiscard]] std::size_t memoryUsedApprox() const noexcept;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace fluxforge
