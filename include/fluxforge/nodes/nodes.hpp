// The built-in nodes, all in one include. See docs/nodes.md.
#pragma once

#include <fluxforge/nodes/biquad.hpp>
#include <fluxforge/nodes/compressor.hpp>
#include <fluxforge/nodes/decibels.hpp>
#include <fluxforge/nodes/delay_line.hpp>
#include <fluxforge/nodes/fdn_reverb.hpp>
#include <fluxforge/nodes/gain_pan.hpp>
#include <fluxforge/nodes/impulse_source.hpp>
#include <fluxforge/nodes/latency_test_node.hpp>
#include <fluxforge/nodes/limiter.hpp>
#include <fluxforge/nodes/meter.hpp>
#include <fluxforge/nodes/mixer.hpp>
#include <fluxforge/nodes/noise_source.hpp>
#include <fluxforge/nodes/oscillator_node.hpp>
#include <fluxforge/nodes/saw_oscillator.hpp>
#include <fluxforge/nodes/sine_oscillator.hpp>
