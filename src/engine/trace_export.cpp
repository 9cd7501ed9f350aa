// Chrome Trace Event JSON and the SVG schedule.
#include <fluxforge/engine/trace_export.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fluxforge {

namespace {

constexpr int kProcess = 1;
constexpr std::uint32_t kBlocksTrack = 1000;
constexpr std::uint32_t kCriticalTrack = 1001;

std::string jsonString(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
                out += escaped;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

// Nanoseconds as microseconds with three decimals, exactly: events that touch in nanoseconds
// touch in the file too, so slices of one track nest.
std::string micros(std::int64_t ns) {
    char text[32];
    const char* sign = ns < 0 ? "-" : "";
    const std::int64_t magnitude = ns < 0 ? -ns : ns;
    std::snprintf(text, sizeof text, "%s%lld.%03lld", sign,
                  static_cast<long long>(magnitude / 1000),
                  static_cast<long long>(magnitude % 1000));
    return text;
}

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

std::string workerName(std::uint32_t worker) {
    return worker == 0 ? std::string("audio thread (worker 0)")
                       : "worker " + std::to_string(worker);
}

std::string xml(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string percentText(double share) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f%%", 100.0 * share);
    return text;
}

std::string milliseconds(double ns) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f ms", ns / 1e6);
    return text;
}

// A stable colour per node name, so one node looks the same in every block.
std::string colourOf(std::string_view name) {
    std::uint32_t hash = 2166136261u;
    for (const char c : name) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
    }
    return "hsl(" + std::to_string(hash % 360) + ",45%,72%)";
}

} // namespace

void writeChromeTrace(const TraceCapture& trace, std::ostream& out) {
    std::uint32_t workers = 0;
    for (const TraceTask& task : trace.tasks) {
        workers = std::max(workers, task.worker + 1);
    }
    for (const TraceBlock& block : trace.blocks) {
        workers = std::max(workers, block.workers);
    }
    workers = std::max(workers, 1u);

    out << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
    bool first = true;
    const auto event = [&](const std::string& body) {
        out << (first ? "" : ",\n") << '{' << body << '}';
        first = false;
    };
    const std::string pid = "\"pid\":" + std::to_string(kProcess);
    const auto metadata = [&](std::uint32_t tid, const char* what, const std::string& args) {
        event("\"name\":\"" + std::string(what) + "\",\"ph\":\"M\",\"ts\":0," + pid +
              ",\"tid\":" + std::to_string(tid) + ",\"args\":{" + args + "}");
    };
    metadata(0, "process_name", "\"name\":\"FluxForge engine\"");
    for (std::uint32_t w = 0; w < workers; ++w) {
        metadata(w, "thread_name", "\"name\":" + jsonString(workerName(w)));
        metadata(w, "thread_sort_index", "\"sort_index\":" + std::to_string(w + 2));
    }
    metadata(kBlocksTrack, "thread_name", "\"name\":\"blocks\"");
    metadata(kBlocksTrack, "thread_sort_index", "\"sort_index\":0");
    metadata(kCriticalTrack, "thread_name", "\"name\":\"critical path\"");
    metadata(kCriticalTrack, "thread_sort_index", "\"sort_index\":1");

    for (const TraceBlock& block : trace.blocks) {
        const std::int64_t duration = block.endNanoseconds - block.startNanoseconds;
        event("\"name\":\"block " + std::to_string(block.index) +
              "\",\"cat\":\"block\",\"ph\":\"X\",\"ts\":" + micros(block.startNanoseconds) +
              ",\"dur\":" + micros(duration) + "," + pid +
              ",\"tid\":" + std::to_string(kBlocksTrack) + ",\"args\":{\"frames\":" +
              std::to_string(block.frames) + ",\"load\":" + number(block.load()) + ",\"workers\":" +
              std::to_string(block.workers) + ",\"W_us\":" + number(block.workNanoseconds / 1e3) +
              ",\"D_us\":" + number(block.criticalPathNanoseconds / 1e3) +
              ",\"bound_us\":" + number(block.boundNanoseconds() / 1e3) +
              ",\"plan\":" + std::to_string(block.planGeneration) + "}");
        event("\"name\":\"load\",\"ph\":\"C\",\"ts\":" + micros(block.startNanoseconds) + "," +
              pid + ",\"tid\":0,\"args\":{\"load %\":" + number(100.0 * block.load()) + "}");
        event("\"name\":\"workers\",\"ph\":\"C\",\"ts\":" + micros(block.startNanoseconds) + "," +
              pid + ",\"tid\":0,\"args\":{\"workers\":" + std::to_string(block.workers) + "}");
    }
    for (const TraceTask& task : trace.tasks) {
        const std::string name = jsonString(trace.taskName(task));
        const std::string times = ",\"ts\":" + micros(task.startNanoseconds) +
                                  ",\"dur\":" + micros(task.endNanoseconds - task.startNanoseconds);
        const std::string args = ",\"args\":{\"block\":" + std::to_string(task.block) +
                                 ",\"task\":" + std::to_string(task.task) +
                                 ",\"critical\":" + (task.critical ? "true" : "false") +
                                 ",\"stolen\":" + (task.stolen ? "true" : "false") + "}";
        event("\"name\":" + name + ",\"cat\":\"" + (task.critical ? "task,critical" : "task") +
              "\",\"ph\":\"X\"" + times + "," + pid + ",\"tid\":" + std::to_string(task.worker) +
              args);
        if (task.critical) {
            event("\"name\":" + name + ",\"cat\":\"critical\",\"ph\":\"X\"" + times + "," + pid +
                  ",\"tid\":" + std::to_string(kCriticalTrack) + args);
        }
    }
    out << "\n]}\n";
}

void writeScheduleSvg(const TraceCapture& trace, std::ostream& out,
                      const ScheduleSvgOptions& options) {
    const std::size_t count = std::min(options.maxBlocks, trace.blocks.size());
    const std::size_t firstBlock = trace.blocks.size() - count;
    std::unordered_map<std::uint64_t, std::vector<const TraceTask*>> tasksOf;
    for (const TraceTask& task : trace.tasks) {
        tasksOf[task.block].push_back(&task);
    }

    constexpr double kLabelWidth = 150.0;
    constexpr double kRowHeight = 22.0;
    constexpr double kPanelTitle = 34.0;
    constexpr double kPanelGap = 26.0;
    const double plotWidth = std::max(200.0, options.width - kLabelWidth - 20.0);

    std::vector<std::uint32_t> rows(count, 1);
    double height = 40.0;
    for (std::size_t b = 0; b < count; ++b) {
        const TraceBlock& block = trace.blocks[firstBlock + b];
        rows[b] = std::max(1u, block.workers);
        for (const TraceTask* task : tasksOf[block.index]) {
            rows[b] = std::max(rows[b], task->worker + 1);
        }
        height += kPanelTitle + rows[b] * kRowHeight + kPanelGap;
    }

    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << number(options.width)
        << "\" height=\"" << number(height) << "\" viewBox=\"0 0 " << number(options.width) << ' '
        << number(height) << "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n"
        << "<title>FluxForge schedule</title>\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        << "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Schedule of the last "
        << count << " recorded block(s)</text>\n"
        << "<text x=\"10\" y=\"34\" fill=\"#555\">bars: tasks (hover for node and time); red: "
           "critical path; dashed: lower bound max(W/p, D); grey line: the block's deadline "
           "when it fits</text>\n";
    double y = 44.0;
    for (std::size_t b = 0; b < count; ++b) {
        const TraceBlock& block = trace.blocks[firstBlock + b];
        const double duration = static_cast<double>(block.endNanoseconds - block.startNanoseconds);
        const double bound = block.boundNanoseconds();
        const double span = std::max({duration, bound, 1.0}) * 1.04;
        const double scale = plotWidth / span;
        const auto xOf = [&](double ns) {
            return kLabelWidth + (ns - static_cast<double>(block.startNanoseconds)) * scale;
        };
        out << "<g>\n<text x=\"10\" y=\"" << number(y + 14) << "\" font-weight=\"bold\">block "
            << block.index << ": " << milliseconds(duration) << " of a "
            << milliseconds(block.periodNanoseconds) << " period (" << percentText(block.load())
            << "), p = " << block.workers << ", W = " << milliseconds(block.workNanoseconds)
            << ", D = " << milliseconds(block.criticalPathNanoseconds)
            << ", max(W/p, D) = " << milliseconds(bound) << "</text>\n";
        const double top = y + kPanelTitle - 12.0;
        for (std::uint32_t r = 0; r < rows[b]; ++r) {
            const double rowY = top + r * kRowHeight;
            out << "<rect x=\"" << number(kLabelWidth) << "\" y=\"" << number(rowY) << "\" width=\""
                << number(plotWidth) << "\" height=\"" << number(kRowHeight - 2) << "\" fill=\""
                << (r % 2 == 0 ? "#f4f4f4" : "#ececec") << "\"/>\n"
                << "<text x=\"10\" y=\"" << number(rowY + 14) << "\">" << xml(workerName(r))
                << "</text>\n";
        }
        for (const TraceTask* task : tasksOf[block.index]) {
            const double x = xOf(static_cast<double>(task->startNanoseconds));
            const double w = std::max(
                0.5, static_cast<double>(task->endNanoseconds - task->startNanoseconds) * scale);
            const double rowY = top + task->worker * kRowHeight + 1.0;
            const std::string name = trace.taskName(*task);
            out << "<rect x=\"" << number(x) << "\" y=\"" << number(rowY) << "\" width=\""
                << number(w) << "\" height=\"" << number(kRowHeight - 4) << "\" fill=\""
                << (task->critical ? "#e0524f" : colourOf(name)) << "\" stroke=\""
                << (task->critical ? "#8b1a1a" : "#777") << "\" stroke-width=\"0.5\"><title>"
                << xml(name) << ": "
                << number(static_cast<double>(task->endNanoseconds - task->startNanoseconds) / 1e3)
                << " us" << (task->critical ? " (critical path)" : "")
                << (task->stolen ? " (stolen)" : "") << "</title></rect>\n";
            if (w > 6.0 * static_cast<double>(std::min<std::size_t>(name.size(), 24))) {
                out << "<text x=\"" << number(x + 2) << "\" y=\"" << number(rowY + 13)
                    << "\" font-size=\"10\">" << xml(name.substr(0, 24)) << "</text>\n";
            }
        }
        const double bottom = top + rows[b] * kRowHeight;
        const double boundX = xOf(static_cast<double>(block.startNanoseconds) + bound);
        out << "<line x1=\"" << number(boundX) << "\" y1=\"" << number(top - 4) << "\" x2=\""
            << number(boundX) << "\" y2=\"" << number(bottom + 2)
            << "\" stroke=\"#1f4e9c\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\"><title>"
            << "max(W/p, D) = " << milliseconds(bound) << "</title></line>\n"
            << "<text x=\"" << number(boundX + 3) << "\" y=\"" << number(bottom + 12)
            << "\" fill=\"#1f4e9c\">bound</text>\n";
        if (block.periodNanoseconds > 0.0 && block.periodNanoseconds <= span) {
            const double deadlineX =
                xOf(static_cast<double>(block.startNanoseconds) + block.periodNanoseconds);
            out << "<line x1=\"" << number(deadlineX) << "\" y1=\"" << number(top - 4) << "\" x2=\""
                << number(deadlineX) << "\" y2=\"" << number(bottom + 2)
                << "\" stroke=\"#999\" stroke-width=\"1\"/>\n";
        }
        out << "</g>\n";
        y += kPanelTitle + rows[b] * kRowHeight + kPanelGap;
    }
    out << "</svg>\n";
}

} // namespace fluxforge
