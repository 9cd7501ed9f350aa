// carryMeasuredCosts: a recompiled plan starts with the task times its predecessor measured, so
// that a commit does not send the critical-path ranks back to the nodes' estimates. Private to
// src/engine/.
#pragma once

#include <fluxforge/sched/scheduled_plan.hpp>

#include <cstddef>

namespace fluxforge::detail {

/// Gives each task of `to` that runs a node `from` also ran (the same NodeId and the same Node
/// object) the time `from` measured for it. Partial sums, new nodes and nodes `from` never timed
/// keep none, so they rank by their estimates until timed. Returns how many tasks were given a
/// time; call `to.refreshPriorities()` after it so that the plan starts with measured ranks.
/// Thread: control, before `to` is handed to the audio thread; `from` may be playing (its times
/// are read as they stand). Real-time safe: yes. Allocates: no.
std::size_t carryMeasuredCosts(const ScheduledPlan& from, ScheduledPlan& to) noexcept;

} // namespace fluxforge::detail
