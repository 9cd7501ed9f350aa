// What the tool makes of results beyond JSON and CSV: Markdown tables and gnuplot SVG plots.
#pragma once

#include <fluxforge/research/experiment.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace fluxforge::tool {

/// A Markdown table of the results: "overhead" (ns per task, one column per executor),
/// "distribution" (p50 and p99 per executor), "efficiency" (p50 and p50/bound per case and
/// executor), "accuracy" (measured against simulated) or "scaling" (measured and simulated block
/// times per worker count). Throws fluxforge::Error for another name.
void writeTable(const ExperimentResult& result, const std::string& kind, std::ostream& out);

/// Writes the data and gnuplot script of each plot into `directory` (files named after the
/// experiment) and runs gnuplot ($FLUXFORGE_GNUPLOT or "gnuplot") on them. Returns the SVG files
/// gnuplot was asked to draw; a missing gnuplot leaves the scripts and says so on `log`.
std::vector<std::string> drawPlots(const ExperimentResult& result,
                                   const std::vector<std::string>& plots,
                                   const std::string& directory, std::ostream& log);

} // namespace fluxforge::tool
