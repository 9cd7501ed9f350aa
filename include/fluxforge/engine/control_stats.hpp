// ControlStats: what the engine's audio thread did with the commands its senders queued.
#pragma once

#include <cstdint>

namespace fluxforge {

/// What the audio thread has done with the commands it took from the senders' queues.
struct ControlStats {
    /// Commands taken and carried out (late ones included).
    std::uint64_t commandsApplied = 0;
    /// Timed commands whose time had already been rendered: applied at the next block's start.
    std::uint64_t commandsLate = 0;
    /// Parameter commands for a node the running plan no longer has: discarded.
    std::uint64_t commandsUnrouted = 0;
    /// Commands that arrived out of their sender's order (always 0; a self-check of the queues).
    std::uint64_t sequenceErrors = 0;
};

} // namespace fluxforge
