// compile(): turns an editable Graph into a Plan whose structure no longer changes.
#pragma once

#include <fluxforge/graph/compensation_delay.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/graph/plan.hpp>

#include <memory>

namespace fluxforge {

/// Validates `graph` and compiles it into a Plan for `settings`, preparing every node that has
/// not been prepared for these settings yet.
///
/// Throws fluxforge::Error, naming what is wrong, for: a sample rate outside
/// kMinSampleRate..kMaxSampleRate; a block size of 0 or above kMaxBlockSizeLimit; a connection to
/// an unknown or removed node; a port index a node does not have; an output and input port whose
/// channel counts differ; a cycle (the message lists the nodes in it); a node whose properties
/// break a limit (validateProperties: ports, channels, parameters, a latency above kMaxLatency);
/// a path whose latencies sum to more than kMaxLatency (the message names the latent nodes on
/// it). Nothing is changed when it throws (no node is prepared before validation has passed),
/// except by a node's own prepare() failing, whose message is prefixed with the node's label.
///
/// Latency is compensated (docs/pdc.md): every input of every node is delayed so that all arrive
/// aligned. `delays`, when given, keeps the compensation delay lines between compiles, so that a
/// connection that still exists keeps the audio in its line (the Engine passes its own pool).
///
/// A node runs in one engine at a time: preparing it again for other settings while a plan that
/// uses it is running is not allowed (the Engine compiles with fixed settings, so it never does).
///
/// Thread: control. Real-time safe: no. Allocates: yes.
[[nodiscard]] std::unique_ptr<Plan> compile(const Graph& graph, const CompileSettings& settings,
                                            CompensationDelayPool* delays = nullptr);

/// Checks settings alone; throws fluxforge::Error naming the bad value. Thread: any.
void validateSettings(const CompileSettings& settings);

} // namespace fluxforge
