// Reading an experiment file (JSON) into an ExperimentSpec, and the tool's own settings in it.
#pragma once

#include <fluxforge/research/experiment.hpp>

#include <string>
#include <vector>

namespace fluxforge::tool {

/// What the tool does with the results beyond JSON and CSV.
struct ToolSettings {
    std::string table; ///< "", "overhead", "distribution", "efficiency", "accuracy", "scaling"
    std::vector<std::string> plots; ///< "scaling", "distribution", "executors"
};

struct ExperimentFile {
    ExperimentSpec spec;
    ToolSettings tool;
};

/// Parses an experiment file; throws fluxforge::Error naming the file and the bad field.
[[nodiscard]] ExperimentFile readExperimentFile(const std::string& path);

/// Reads a calibration written by writeCalibrationJson (or the "calibration" of a results file).
[[nodiscard]] Calibration readCalibrationFile(const std::string& path);

} // namespace fluxforge::tool
