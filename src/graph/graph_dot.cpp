// DOT pictures of graphs and plans.
#include <fluxforge/graph/graph_dot.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace fluxforge {

namespace {

// Text inside a record label: the record syntax's own characters are escaped.
std::string recordText(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '{' || c == '}' || c == '|' || c == '<' || c == '>' || c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out;
}

// A label already escaped for DOT (its \n line breaks kept), in quotes.
std::string quoted(std::string_view label) {
    return "\"" + std::string(label) + "\"";
}

// A name inside a plain (not record) label.
std::string labelText(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out;
}

std::string microseconds(double ns) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f us", ns / 1e3);
    return text;
}

// The compensation delay on an edge from a task of path latency `source` into a node whose
// inputs align at `aligned` (docs/pdc.md: each counted input is delayed by the difference).
FrameCount delayOf(FrameCount aligned, FrameCount source) {
    return aligned > source ? aligned - source : 0;
}

} // namespace

void writeGraphDot(const Graph& graph, std::ostream& out, const Plan* plan) {
    out << "digraph graph_ {\n"
        << "  rankdir=LR;\n"
        << "  node [shape=record, fontname=\"Helvetica\", fontsize=10];\n"
        << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    const std::vector<NodeId> ids = graph.nodeIds();
    std::vector<FrameCount> aligned(graph.maxId() + 1, 0);
    std::vector<FrameCount> path(graph.maxId() + 1, 0);
    for (NodeId id : ids) {
        const NodeProperties properties = graph.node(id)->properties();
        std::string label = "{{";
        for (std::size_t p = 0; p < properties.inputs.size(); ++p) {
            label += (p == 0 ? "" : "|") +
                     ("<i" + std::to_string(p) + "> " +
                      recordText(properties.inputs[p].name.empty() ? "in " + std::to_string(p)
                                                                   : properties.inputs[p].name));
        }
        label += "}|" + recordText(graph.name(id).empty() ? "#" + std::to_string(id.value)
                                                          : graph.name(id));
        if (properties.latency != 0) {
            label += "\\nlatency " + std::to_string(properties.latency);
        }
        if (plan != nullptr) {
            const TaskIndex task = plan->taskOf(id);
            if (task != kNoTask) {
                const FrameCount own =
                    graph.pdcMode(id) == PdcMode::bypass ? 0 : properties.latency;
                path[id.value] = plan->latency(task);
                aligned[id.value] = plan->latency(task) > own ? plan->latency(task) - own : 0;
                label += "\\npath latency " + std::to_string(plan->latency(task)) + "\\ncost " +
                         microseconds(plan->cost(task)) + ", rank " +
                         microseconds(plan->rank(task));
            }
        }
        label += "|{";
        for (std::size_t p = 0; p < properties.outputs.size(); ++p) {
            label += (p == 0 ? "" : "|") +
                     ("<o" + std::to_string(p) + "> " +
                      recordText(properties.outputs[p].name.empty() ? "out " + std::to_string(p)
                                                                    : properties.outputs[p].name));
        }
        label += "}}";
        out << "  n" << id.value << " [label=" << quoted(label) << "];\n";
    }
    for (const Connection& c : graph.connections()) {
        out << "  n" << c.source.node.value << ":o" << c.source.port << " -> n"
            << c.destination.node.value << ":i" << c.destination.port;
        if (plan != nullptr) {
            const FrameCount delay =
                delayOf(aligned[c.destination.node.value], path[c.source.node.value]);
            if (delay != 0) {
                out << " [label=\"delay " << delay
                    << "\", color=\"#b03030\", fontcolor=\"#b03030\"]";
            }
        }
        out << ";\n";
    }
    out << "}\n";
}

void writePlanDot(const Plan& plan, std::ostream& out) {
    const auto n = static_cast<TaskIndex>(plan.numTasks());
    // Levels: the longest path from a source, as the level-barrier executor runs them.
    std::vector<std::uint32_t> level(n, 0);
    std::uint32_t deepest = 0;
    for (TaskIndex t = 0; t < n; ++t) {
        for (TaskIndex p : plan.predecessors(t)) {
            level[t] = std::max(level[t], level[p] + 1);
        }
        deepest = std::max(deepest, level[t]);
    }
    out << "digraph plan {\n"
        << "  rankdir=LR;\n"
        << "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", "
           "fontname=\"Helvetica\", fontsize=10];\n"
        << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    for (TaskIndex t = 0; t < n; ++t) {
        std::string label = "#" + std::to_string(t) + " " + labelText(plan.nodeName(t)) +
                            "\\ncost " + microseconds(plan.cost(t)) + ", rank " +
                            microseconds(plan.rank(t));
        if (plan.latency(t) != 0) {
            label += "\\npath latency " + std::to_string(plan.latency(t));
        }
        out << "  t" << t << " [label=" << quoted(label)
            << (plan.isPartialSum(t) ? ", fillcolor=\"#f6efe0\"" : "") << "];\n";
    }
    for (std::uint32_t l = 0; l <= deepest && n > 0; ++l) {
        out << "  { rank=same;";
        for (TaskIndex t = 0; t < n; ++t) {
            if (level[t] == l) {
                out << " t" << t << ';';
            }
        }
        out << " }\n";
    }
    for (TaskIndex t = 0; t < n; ++t) {
        FrameCount alignedAt = 0;
        for (TaskIndex p : plan.predecessors(t)) {
            alignedAt = std::max(alignedAt, plan.latency(p));
        }
        for (TaskIndex p : plan.predecessors(t)) {
            out << "  t" << p << " -> t" << t;
            const FrameCount delay = delayOf(alignedAt, plan.latency(p));
            if (delay != 0) {
                out << " [label=\"delay " << delay
                    << "\", color=\"#b03030\", fontcolor=\"#b03030\"]";
            }
            out << ";\n";
        }
    }
    out << "}\n";
}

} // namespace fluxforge
