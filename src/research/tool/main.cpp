// fluxforge-research: runs an experiment file (docs/research.md) and writes its results as JSON
// and CSV, a Markdown table if the experiment names one, and gnuplot SVG plots.
//
//   fluxforge-research run EXPERIMENT.json [--out DIR] [--calibration FILE] [--table KIND]
//                      [--blocks N] [--repetitions N] [--no-plots] [--quiet]
//   fluxforge-research calibrate [--out FILE]
#include "experiment_file.hpp"
#include "report.hpp"

#include <fluxforge/core/error.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: fluxforge-research run EXPERIMENT.json [--out DIR] [--calibration FILE]\n"
    "                          [--table overhead|distribution|efficiency|accuracy|scaling]\n"
    "                          [--blocks N] [--repetitions N] [--realtime] [--no-plots] [--quiet]\n"
    "       fluxforge-research calibrate [--out FILE] [--realtime]\n"
    "Writes DIR/<name>.json, DIR/<name>.csv and DIR/<name>-*.svg (DIR: research-results);\n"
    "the table, if any, goes to standard output, progress to standard error.\n";

std::size_t count(const std::string& option, const std::string& value) {
    try {
        const long n = std::stol(value);
        if (n > 0) {
            return static_cast<std::size_t>(n);
        }
    } catch (const std::exception&) {
    }
    throw fluxforge::Error(option + " needs a positive number, not '" + value + "'");
}

int run(const std::vector<std::string>& args) {
    std::string experiment;
    std::string out = "research-results";
    std::string calibration;
    std::string table;
    std::size_t blocks = 0;
    std::size_t repetitions = 0;
    bool plots = true;
    bool quiet = false;
    bool realtime = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) {
                throw fluxforge::Error(a + " needs a value");
            }
            return args[++i];
        };
        if (a == "--out") {
            out = value();
        } else if (a == "--calibration") {
            calibration = value();
        } else if (a == "--table") {
            table = value();
        } else if (a == "--blocks") {
            blocks = count(a, value());
        } else if (a == "--repetitions") {
            repetitions = count(a, value());
        } else if (a == "--no-plots") {
            plots = false;
        } else if (a == "--realtime") {
            realtime = true;
        } else if (a == "--quiet") {
            quiet = true;
        } else if (experiment.empty() && a.rfind("--", 0) != 0) {
            experiment = a;
        } else {
            throw fluxforge::Error("unexpected argument '" + a + "'\n" + kUsage);
        }
    }
    if (experiment.empty()) {
        throw fluxforge::Error(std::string("run needs an experiment file\n") + kUsage);
    }
    fluxforge::tool::ExperimentFile file = fluxforge::tool::readExperimentFile(experiment);
    if (!calibration.empty()) {
        file.spec.calibration = fluxforge::tool::readCalibrationFile(calibration);
    }
    if (blocks != 0) {
        file.spec.blocks = blocks;
    }
    if (repetitions != 0) {
        file.spec.repetitions = repetitions;
    }
    file.spec.realtime = file.spec.realtime || realtime;
    if (table.empty()) {
        table = file.tool.table;
    }
    std::filesystem::create_directories(out);
    const fluxforge::ExperimentResult result =
        fluxforge::runExperiment(file.spec, [&](const std::string& line) {
            if (!quiet) {
                std::cerr << line << '\n';
            }
        });
    const std::string stem = out + "/" + file.spec.name;
    {
        std::ofstream json(stem + ".json");
        fluxforge::writeResultJson(result, json);
        std::ofstream csv(stem + ".csv");
        fluxforge::writeResultCsv(result, csv);
        if (!json || !csv) {
            throw fluxforge::Error("cannot write the results under '" + out + "'");
        }
    }
    if (plots && !file.tool.plots.empty()) {
        for (const std::string& svg :
             fluxforge::tool::drawPlots(result, file.tool.plots, out, std::cerr)) {
            if (!quiet) {
                std::cerr << "plot: " << svg << '\n';
            }
        }
    }
    if (!table.empty()) {
        fluxforge::tool::writeTable(result, table, std::cout);
    }
    if (!quiet) {
        std::cerr << "results: " << stem << ".json, " << stem << ".csv\n";
    }
    return 0;
}

int calibrateCommand(const std::vector<std::string>& args) {
    std::string out;
    bool realtime = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--out" && i + 1 < args.size()) {
            out = args[++i];
        } else if (args[i] == "--realtime") {
            realtime = true;
        } else {
            throw fluxforge::Error("unexpected argument '" + args[i] + "'\n" + kUsage);
        }
    }
    const fluxforge::Calibration calibration = fluxforge::calibrate(64, 5, 300, realtime);
    if (out.empty()) {
        fluxforge::writeCalibrationJson(calibration, std::cout);
        std::cout << '\n';
    } else {
        std::ofstream file(out);
        fluxforge::writeCalibrationJson(calibration, file);
        file << '\n';
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.empty() || args[0] == "--help" || args[0] == "-h") {
            std::cout << kUsage;
            return args.empty() ? 2 : 0;
        }
        const std::vector<std::string> rest(args.begin() + 1, args.end());
        if (args[0] == "run") {
            return run(rest);
        }
        if (args[0] == "calibrate") {
            return calibrateCommand(rest);
        }
        std::cerr << "unknown command '" << args[0] << "'\n" << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "fluxforge-research: " << e.what() << '\n';
        return 1;
    }
}
