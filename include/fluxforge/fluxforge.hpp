// FluxForge: the umbrella header. Includes every layer but the device and control layers
// (include <fluxforge/device/...> or <fluxforge/control/...> and link fluxforge::device or
// fluxforge::control for those).
#pragma once

#include <fluxforge/version.hpp>

// core
#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/automation_curve.hpp>
#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/core/backoff.hpp>
#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/core/denormal_guard.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/core/kernels.hpp>
#include <fluxforge/core/realtime_handoff.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/core/seqlock.hpp>
#include <fluxforge/core/transport_info.hpp>
#include <fluxforge/core/types.hpp>

// graph
#include <fluxforge/graph/compensation_delay.hpp>
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/graph/endpoint_nodes.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/graph/graph_dot.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/graph/node_id.hpp>
#include <fluxforge/graph/parameter.hpp>
#include <fluxforge/graph/plan.hpp>

// sched
#include <fluxforge/sched/critical_path_executor.hpp>
#include <fluxforge/sched/dynamic_fifo_executor.hpp>
#include <fluxforge/sched/executor.hpp>
#include <fluxforge/sched/level_barrier_executor.hpp>
#include <fluxforge/sched/priority_ready_set.hpp>
#include <fluxforge/sched/scheduled_plan.hpp>
#include <fluxforge/sched/serial_executor.hpp>
#include <fluxforge/sched/task_observer.hpp>
#include <fluxforge/sched/thread_priority.hpp>
#include <fluxforge/sched/worker_pool.hpp>

// engine
#include <fluxforge/engine/control_command.hpp>
#include <fluxforge/engine/control_sender.hpp>
#include <fluxforge/engine/control_stats.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/engine/metrics.hpp>
#include <fluxforge/engine/parameter_handle.hpp>
#include <fluxforge/engine/trace.hpp>
#include <fluxforge/engine/trace_export.hpp>
#include <fluxforge/engine/transport.hpp>

// nodes
#include <fluxforge/nodes/nodes.hpp>

// research
#include <fluxforge/research/reference_session.hpp>
