// EngineControl: everything of the Engine that is not rendering, held by the Engine through a
// pointer so that none of it (nor <mutex>) reaches the hosts' code through engine.hpp. Private to
// src/engine/.
#pragma once

#include "command_drain.hpp"
#include "parameter_registry.hpp"
#include "prefetch/prefetch_rings.hpp"

#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/compensation_delay.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/sched/scheduled_plan.hpp>

#include <memory>
#include <mutex>
#include <vector>

namespace fluxforge::detail {

/// The audio side of the control plane (drain), its control side (parameters), and what the last
/// commit compiled (under commitMutex, which serialises Engine::commit, update, collectGarbage and
/// latencyOf; the audio thread never takes it).
struct EngineControl {
    /// Throws fluxforge::Error if the smoothing time is not a number in 0..1 seconds.
    EngineControl(SampleRate sampleRate, double smoothingSeconds);

    CommandDrain drain;
    ParameterRegistry parameters{drain};

    mutable std::mutex commitMutex;
    std::unique_ptr<Graph> committedGraph;
    CompensationDelayPool compensationDelays;
    /// The prefetched part's own (its histories run at its own time, ahead of the live part's).
    CompensationDelayPool prefetchCompensationDelays;
    /// The rings of the last published prefetched part: a commit with the same boundary ports
    /// takes them over (contents and timeline), so that an edit does not empty them.
    std::shared_ptr<PrefetchRings> prefetchRings;
    std::vector<FrameCount> latencyById; // by NodeId::value; kNoLatency where absent
    /// The plan the last commit published: alive while no later commit has published another
    /// (the audio thread returns a plan only after switching to a newer one).
    ScheduledPlan* publishedPlan = nullptr;
    std::uint64_t planGeneration = 0; // commits so far: the number of the latest plan
};

} // namespace fluxforge::detail
