// FluxForge: the umbrella header. Includes every layer but the device layer
// (include <fluxforge/device/...> and link fluxforge::device for that).
#pragma once

#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/denormal_guard.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/core/kernels.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/version.hpp>
