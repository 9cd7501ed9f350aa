// Tables and plots. gnuplot (Debian's gnuplot-nox) draws the plots: a C++ project's tool calls
// a program it can find on any Debian or CI image, with no Python stack to install, and its SVG
// output is small enough to commit under docs/.
#include "report.hpp"

#include <fluxforge/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

namespace fluxforge::tool {

namespace {

const char* prettyName(ExecutorKind kind) {
    switch (kind) {
    case ExecutorKind::serial:
        return "serial";
    case ExecutorKind::levelBarrier:
        return "level-barrier";
    case ExecutorKind::dynamicFifo:
        return "dynamic FIFO";
    case ExecutorKind::criticalPath:
        return "critical path";
    }
    return "?";
}

std::string fixed(double value, int decimals) {
    char text[40];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

// Three significant digits, as the tables of docs/performance.md print them.
std::string sig3(double value) {
    if (value >= 100.0) {
        return fixed(value, 0);
    }
    if (value >= 10.0) {
        return fixed(value, 1);
    }
    return fixed(value, value >= 1.0 ? 2 : 3);
}

std::string duration(double ns) {
    if (ns >= 1e6) {
        return sig3(ns / 1e6) + " ms";
    }
    return sig3(ns / 1e3) + " us";
}

std::string percent(double error) {
    return (error >= 0 ? "+" : "") + fixed(100.0 * error, 1) + "%";
}

std::vector<std::string> caseLabels(const ExperimentResult& result) {
    std::vector<std::string> labels;
    for (const ResultRow& row : result.rows) {
        if (std::find(labels.begin(), labels.end(), row.caseLabel) == labels.end()) {
            labels.push_back(row.caseLabel);
        }
    }
    return labels;
}

std::uint32_t largestMeasuredWorkers(const ExperimentResult& result) {
    std::uint32_t p = 1;
    for (const ResultRow& row : result.rows) {
        if (row.measured) {
            p = std::max(p, row.workers);
        }
    }
    return p;
}

// The row of a case, executor and worker count (serial: its one-worker row), or null.
const ResultRow* find(const ExperimentResult& result, const std::string& label,
                      ExecutorKind executor, std::uint32_t workers, bool measuredOnly = true) {
    for (const ResultRow& row : result.rows) {
        if (row.caseLabel == label && row.executor == executor &&
            (executor == ExecutorKind::serial || row.workers == workers) &&
            (row.measured || !measuredOnly)) {
            return &row;
        }
    }
    return nullptr;
}

} // namespace

void writeTable(const ExperimentResult& result, const std::string& kind, std::ostream& out) {
    const std::vector<std::string> labels = caseLabels(result);
    const std::uint32_t p = largestMeasuredWorkers(result);
    const auto& executors = result.spec.executors;
    if (kind == "overhead") {
        out << "| case |";
        for (ExecutorKind e : executors) {
            out << ' ' << prettyName(e) << " |";
        }
        out << "\n|---|";
        for (std::size_t i = 0; i < executors.size(); ++i) {
            out << "---|";
        }
        out << '\n';
        for (const std::string& label : labels) {
            out << "| " << label << " |";
            for (ExecutorKind e : executors) {
                const ResultRow* row = find(result, label, e, p);
                out << ' ' << (row ? sig3(row->block.mean / static_cast<double>(row->tasks)) : "-")
                    << " |";
            }
            out << '\n';
        }
        out << "\nns per task per block (mean block time / tasks); " << p
            << " workers (serial: 1).\n";
    } else if (kind == "distribution") {
        for (const std::string& label : labels) {
            out << "| executor (" << label << ") | median | p99 | max |\n|---|---|---|---|\n";
            for (ExecutorKind e : executors) {
                const ResultRow* row = find(result, label, e, p);
                if (row != nullptr) {
                    out << "| " << prettyName(e) << (e == ExecutorKind::serial ? " (1 worker)" : "")
                        << " | " << duration(row->block.p50) << " (" << duration(row->p50Low)
                        << " - " << duration(row->p50High) << ") | " << duration(row->block.p99)
                        << " | " << duration(row->block.max) << " |\n";
                }
            }
        }
    } else if (kind == "efficiency") {
        out << "| executor |";
        for (const std::string& label : labels) {
            out << ' ' << label << " |";
        }
        out << "\n|---|";
        for (std::size_t i = 0; i < labels.size(); ++i) {
            out << "---|";
        }
        out << '\n';
        for (ExecutorKind e : executors) {
            out << "| " << prettyName(e) << (e == ExecutorKind::serial ? " (1 worker)" : "")
                << " |";
            for (const std::string& label : labels) {
                const ResultRow* row = find(result, label, e, p);
                out << ' '
                    << (row ? duration(row->block.p50) + " (" + fixed(row->efficiency, 3) + ")"
                            : "-")
                    << " |";
            }
            out << '\n';
        }
        out << "\nMedian block time (block time / max(W/p, D)); p = " << p
            << " (serial: 1). Bounds:";
        for (const std::string& label : labels) {
            const ResultRow* row = find(result, label, ExecutorKind::criticalPath, p);
            if (row == nullptr) {
                row = find(result, label, executors.front(), p);
            }
            if (row != nullptr) {
                out << ' ' << label << " W = " << duration(row->work)
                    << ", D = " << duration(row->span) << ", bound " << duration(row->bound) << ';';
            }
        }
        out << '\n';
    } else if (kind == "accuracy") {
        out << "| case | executor | p | measured p50 (spread) | simulated | error |\n"
               "|---|---|---|---|---|---|\n";
        double worst = 0.0;
        for (const ResultRow& row : result.rows) {
            if (!row.measured || !row.error) {
                continue;
            }
            worst = std::max(worst, std::abs(*row.error));
            out << "| " << row.caseLabel << " | " << prettyName(row.executor) << " | "
                << row.workers << " | " << duration(row.block.p50) << " (" << duration(row.p50Low)
                << " - " << duration(row.p50High) << ") | " << duration(*row.simulatedP50) << " | "
                << percent(*row.error) << " |\n";
        }
        out << "\nLargest error: " << fixed(100.0 * worst, 1) << "%.\n";
    } else if (kind == "scaling") {
        std::set<std::uint32_t> counts;
        for (const ResultRow& row : result.rows) {
            counts.insert(row.workers);
        }
        out << "| case | executor |";
        for (std::uint32_t w : counts) {
            out << " p=" << w << " |";
        }
        out << "\n|---|---|";
        for (std::size_t i = 0; i < counts.size(); ++i) {
            out << "---|";
        }
        out << '\n';
        for (const std::string& label : labels) {
            for (ExecutorKind e : executors) {
                if (e == ExecutorKind::serial) {
                    continue;
                }
                out << "| " << label << " | " << prettyName(e) << " |";
                for (std::uint32_t w : counts) {
                    const ResultRow* row = find(result, label, e, w, false);
                    if (row == nullptr) {
                        out << " - |";
                    } else if (row->measured) {
                        out << " **" << duration(row->block.p50) << "** ("
                            << duration(*row->simulatedP50) << ") |";
                    } else {
                        out << ' ' << duration(row->block.p50) << " |";
                    }
                }
                out << '\n';
            }
        }
        out << "\nBold: measured p50 (simulated in brackets); plain: simulated p50.\n";
    } else {
        throw Error("unknown table '" + kind +
                    "' (overhead, distribution, efficiency, accuracy or scaling)");
    }
}

namespace {

std::string safeName(std::string s) {
    for (char& ch : s) {
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') {
            ch = '_';
        }
    }
    return s;
}

const char* kTerminal =
    "set terminal svg size 520,340 dynamic font 'sans,11' background '#ffffff'\n";

// Colours and point types per executor, the same in every plot.
std::string style(ExecutorKind kind) {
    switch (kind) {
    case ExecutorKind::serial:
        return "lc rgb '#777777'";
    case ExecutorKind::levelBarrier:
        return "lc rgb '#1b9e77'";
    case ExecutorKind::dynamicFifo:
        return "lc rgb '#d95f02'";
    case ExecutorKind::criticalPath:
        return "lc rgb '#7570b3'";
    }
    return "";
}
std::string points(ExecutorKind kind) {
    switch (kind) {
    case ExecutorKind::serial:
        return style(kind) + " pt 1";
    case ExecutorKind::levelBarrier:
        return style(kind) + " pt 4";
    case ExecutorKind::dynamicFifo:
        return style(kind) + " pt 6";
    case ExecutorKind::criticalPath:
        return style(kind) + " pt 7";
    }
    return "";
}

bool runGnuplot(const std::string& script, std::ostream& log) {
    const char* program = std::getenv("FLUXFORGE_GNUPLOT");
    const std::string command =
        std::string(program != nullptr ? program : "gnuplot") + " '" + script + "'";
    if (std::system(command.c_str()) != 0) {
        log << "gnuplot failed or is not installed (" << command
            << "); the script and data are left beside the results\n";
        return false;
    }
    return true;
}

} // namespace

std::vector<std::string> drawPlots(const ExperimentResult& result,
                                   const std::vector<std::string>& plots,
                                   const std::string& directory, std::ostream& log) {
    std::vector<std::string> drawn;
    const std::string stem = directory + "/" + safeName(result.spec.name);
    const std::vector<std::string> labels = caseLabels(result);
    const std::uint32_t p = largestMeasuredWorkers(result);
    const auto wants = [&](const char* name) {
        return std::find(plots.begin(), plots.end(), name) != plots.end();
    };

    if (wants("scaling")) {
        for (const std::string& label : labels) {
            const ResultRow* serial = find(result, label, ExecutorKind::serial, 1);
            if (serial == nullptr || serial->work <= 0.0) {
                continue;
            }
            const std::string base = stem + "-scaling-" + safeName(label);
            std::ofstream data(base + ".dat");
            // Blocks: one per executor (p, simulated speedup, measured speedup or NaN), then
            // the bound's speedup min(p, W/D).
            std::set<std::uint32_t> counts;
            for (const ResultRow& row : result.rows) {
                if (row.caseLabel == label) {
                    counts.insert(row.workers);
                }
            }
            std::vector<ExecutorKind> shown;
            for (ExecutorKind e : result.spec.executors) {
                if (e == ExecutorKind::serial) {
                    continue;
                }
                shown.push_back(e);
                data << "# " << executorName(e) << '\n';
                for (std::uint32_t w : counts) {
                    const ResultRow* sim = find(result, label, e, w, false);
                    const ResultRow* measured = find(result, label, e, w, true);
                    if (sim == nullptr) {
                        continue;
                    }
                    const double simulated =
                        sim->simulatedP50 ? *sim->simulatedP50 : sim->block.p50;
                    data << w << ' ' << serial->block.p50 / simulated << ' '
                         << (measured ? std::to_string(serial->block.p50 / measured->block.p50)
                                      : std::string("NaN"))
                         << '\n';
                }
                data << "\n\n";
            }
            data << "# bound\n";
            for (std::uint32_t w : counts) {
                data << w << ' ' << std::min<double>(w, serial->work / serial->span) << '\n';
            }
            data.close();
            std::ofstream gp(base + ".gp");
            gp << kTerminal << "set output '" << base << ".svg'\n"
               << "set title '" << result.spec.name << ": " << label << "' noenhanced\n"
               << "set xlabel 'workers p'\nset ylabel 'speed-up over serial'\n"
               << "set logscale x 2\nset key top left\nset grid\n"
               << "plot '" << base << ".dat' index " << shown.size()
               << " using 1:2 with lines dt 2 lc rgb '#000000' title 'bound min(p, W/D)'";
            for (std::size_t i = 0; i < shown.size(); ++i) {
                gp << ", \\\n  '' index " << i << " using 1:2 with lines " << style(shown[i])
                   << " title '" << prettyName(shown[i]) << " (simulated)'"
                   << ", \\\n  '' index " << i << " using 1:3 with points " << points(shown[i])
                   << " ps 1.2 notitle";
            }
            gp << '\n';
            gp.close();
            if (runGnuplot(base + ".gp", log)) {
                drawn.push_back(base + ".svg");
            }
        }
    }

    if (wants("distribution")) {
        for (const std::string& label : labels) {
            const std::string base = stem + "-distribution-" + safeName(label);
            std::ofstream data(base + ".dat");
            std::vector<ExecutorKind> shown;
            for (ExecutorKind e : result.spec.executors) {
                const ResultRow* row = find(result, label, e, p);
                if (row == nullptr || row->blockNs.empty()) {
                    continue;
                }
                shown.push_back(e);
                std::vector<double> sorted = row->blockNs;
                std::sort(sorted.begin(), sorted.end());
                data << "# " << executorName(e) << '\n';
                const std::size_t step = std::max<std::size_t>(1, sorted.size() / 200);
                for (std::size_t i = 0; i < sorted.size(); i += step) {
                    data << sorted[i] / 1000.0 << ' '
                         << static_cast<double>(i + 1) / static_cast<double>(sorted.size()) << '\n';
                }
                data << sorted.back() / 1000.0 << " 1\n\n\n";
            }
            data.close();
            if (shown.empty()) {
                continue;
            }
            std::ofstream gp(base + ".gp");
            gp << kTerminal << "set output '" << base << ".svg'\n"
               << "set title '" << result.spec.name << ": " << label << ", p = " << p
               << " (serial: 1)' noenhanced\n"
               << "set xlabel 'block time (us)'\nset ylabel 'fraction of blocks'\n"
               << "set logscale x\nset key bottom right\nset grid\nset yrange [0:1]\nplot ";
            for (std::size_t i = 0; i < shown.size(); ++i) {
                gp << (i == 0 ? "'" + base + ".dat'" : std::string(", ''")) << " index " << i
                   << " using 1:2 with steps " << style(shown[i]) << " lw 1.5 title '"
                   << prettyName(shown[i]) << "'";
            }
            gp << '\n';
            gp.close();
            if (runGnuplot(base + ".gp", log)) {
                drawn.push_back(base + ".svg");
            }
        }
    }

    if (wants("executors") && !labels.empty()) {
        const std::string base = stem + "-executors";
        std::ofstream data(base + ".dat");
        std::uint32_t farthest = p;
        for (const ResultRow& row : result.rows) {
            farthest = std::max(farthest, row.workers);
        }
        // Columns: case index, then per executor the measured p50 at p and simulated at the
        // largest simulated worker count (us).
        data << "# case";
        for (ExecutorKind e : result.spec.executors) {
            data << ' ' << executorName(e) << "@" << p << ' ' << executorName(e) << "@sim"
                 << farthest;
        }
        data << '\n';
        for (std::size_t i = 0; i < labels.size(); ++i) {
            data << i << " \"" << labels[i] << '"';
            for (ExecutorKind e : result.spec.executors) {
                const ResultRow* measured = find(result, labels[i], e, p);
                const ResultRow* far = find(result, labels[i], e, farthest, false);
                data << ' ' << (measured ? std::to_string(measured->block.p50 / 1000.0) : "NaN")
                     << ' '
                     << (far && far->simulatedP50 ? std::to_string(*far->simulatedP50 / 1000.0)
                                                  : "NaN");
            }
            data << '\n';
        }
        data.close();
        std::ofstream gp(base + ".gp");
        gp << "set terminal svg size 720,360 dynamic font 'sans,11' background '#ffffff'\n"
           << "set output '" << base << ".svg'\n"
           << "set title '" << result.spec.name << ": p50 block time' noenhanced\n"
           << "set ylabel 'block time (us)'\nset logscale y\nset grid\n"
           << "set key outside right top font ',10'\nset bmargin 5\n"
           << "set xtics rotate by -30 noenhanced\nset offsets 0.3, 0.3, 0, 0\nplot ";
        for (std::size_t i = 0; i < result.spec.executors.size(); ++i) {
            const ExecutorKind e = result.spec.executors[i];
            const std::size_t column = 3 + 2 * i;
            gp << (i == 0 ? "'" + base + ".dat'" : std::string(", ''")) << " using 1:" << column
               << ":xtic(2) with linespoints " << points(e) << " title '" << prettyName(e)
               << (e == ExecutorKind::serial ? "" : ", p=" + std::to_string(p)) << "'";
            if (e != ExecutorKind::serial && farthest > p) {
                gp << ", '' using 1:" << column + 1 << " with linespoints dt 2 " << points(e)
                   << " title '" << prettyName(e) << ", p=" << farthest << " (sim.)'";
            }
        }
        gp << '\n';
        gp.close();
        if (runGnuplot(base + ".gp", log)) {
            drawn.push_back(base + ".svg");
        }
    }
    return drawn;
}

} // namespace fluxforge::tool
