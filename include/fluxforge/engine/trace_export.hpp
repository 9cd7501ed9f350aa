// Trace exporters: Chrome Trace Event JSON (for Perfetto) and an SVG picture of the schedule.
#pragma once

#include <fluxforge/engine/trace.hpp>

#include <cstddef>
#include <ostream>

namespace fluxforge {

/// Writes `trace` as Chrome Trace Event JSON, which ui.perfetto.dev and chrome://tracing open: a
/// named track per worker with a complete event per task (named after its node), a "blocks" track
/// with one event per block, a "critical path" track, each block's critical-path tasks marked
/// (category "critical", args.critical), and counter tracks for the load and the workers used.
/// Times are microseconds from the first block. docs/metrics.md.
/// Thread: control. Real-time safe: no. Allocates: yes.
void writeChromeTrace(const TraceCapture& trace, std::ostream& out);

struct ScheduleSvgOptions {
    /// The most recent blocks drawn, one panel each.
    std::size_t maxBlocks = 4;
    /// Width of the picture in pixels.
    double width = 1200.0;
};

/// Writes a self-contained SVG of the last recorded blocks' schedule: workers as rows, tasks as
/// bars (hover shows the node and its time), the critical path highlighted, and the lower bound
/// max(W/p, D) drawn as a dashed line. Thread: control. Real-time safe: no. Allocates: yes.
void writeScheduleSvg(const TraceCapture& trace, std::ostream& out,
                      const ScheduleSvgOptions& options = {});

} // namespace fluxforge
