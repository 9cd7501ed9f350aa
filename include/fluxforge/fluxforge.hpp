// FluxForge: the umbrella header. Includes every layer but the device layer
// (include <fluxforge/device/...> and link fluxforge::device for that).
#pragma once

#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/automation_curve.hpp>
#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/denormal_guard.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/core/kernels.hpp>
#include <fluxforge/core/realtime_handoff.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/core/transport_info.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/engine/control_command.hpp>
#include <fluxforge/engine/control_sender.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/engine/parameter_handle.hpp>
#include <fluxforge/engine/transport.hpp>
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/graph/endpoint_nodes.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/graph/node_id.hpp>
#include <fluxforge/graph/parameter.hpp>
#include <fluxforge/graph/plan.hpp>
#include <fluxforge/sched/executor.hpp>
#include <fluxforge/sched/serial_executor.hpp>
#include <fluxforge/version.hpp>
