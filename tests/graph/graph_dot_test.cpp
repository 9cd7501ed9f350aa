// DOT pictures of a graph and its plan: what they say (names, ports, latencies, compensation
// delays, ranks) and that Graphviz renders them.
#include "support/test_nodes.hpp"

#include <fluxforge/graph/compile.hpp>
#include <fluxforge/graph/graph_dot.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace fluxforge {
namespace {

using test::LatentRecorder;
using test::MixNode;

// input -> latent (256) -> mix.in0, input -> dry -> mix.in1: the dry edge gets 256 frames.
struct LatentGraph {
    Graph graph{GraphConfig{1, 1}};
    NodeId latent, dry, mix;
    LatentGraph() {
        latent = graph.add(std::make_shared<LatentRecorder>(1, 256, 16), "look-ahead");
        dry = graph.add(std::make_shared<LatentRecorder>(1, 0, 16), "dry | path");
        mix = graph.add(std::make_shared<MixNode>(2, 1), "mix");
        graph.connect(graph.input(), latent);
        graph.connect(graph.input(), dry);
        graph.connect(OutputPort{latent, 0}, InputPort{mix, 0});
        graph.connect(OutputPort{dry, 0}, InputPort{mix, 1});
        graph.connect(mix, graph.output());
    }
};

// Renders DOT with `dot -Tsvg`; returns the SVG, or "" when Graphviz is not installed.
std::string render(const std::string& dot, const std::string& stem) {
    const std::string program = FLUXFORGE_TEST_DOT;
    if (program.empty()) {
        return {};
    }
    const std::string in = ::testing::TempDir() + stem + ".dot";
    const std::string out = ::testing::TempDir() + stem + ".svg";
    std::ofstream(in) << dot;
    const int status = std::system((program + " -Tsvg " + in + " -o " + out).c_str());
    EXPECT_EQ(status, 0) << dot;
    std::ifstream file(out);
    std::stringstream svg;
    svg << file.rdbuf();
    std::remove(in.c_str());
    std::remove(out.c_str());
    return svg.str();
}

TEST(GraphDotTest, GraphShowsNamesPortsLatenciesAndDelays) {
    LatentGraph g;
    const auto plan = compile(g.graph, CompileSettings{48000.0, 64});
    std::ostringstream dot;
    writeGraphDot(g.graph, dot, plan.get());
    const std::string text = dot.str();
    EXPECT_NE(text.find("look-ahead\\nlatency 256"), std::string::npos) << text;
    EXPECT_NE(text.find("dry \\| path"), std::string::npos) << text; // record syntax escaped
    EXPECT_NE(text.find("path latency 256"), std::string::npos);
    EXPECT_NE(text.find("rank"), std::string::npos);
    // The dry connection into the mix is the one delayed, by the look-ahead's latency.
    const std::string dryEdge = "n" + std::to_string(g.dry.value) + ":o0 -> n" +
                                std::to_string(g.mix.value) + ":i1 [label=\"delay 256\"";
    EXPECT_NE(text.find(dryEdge), std::string::npos) << text;
    const std::string latentEdge =
        "n" + std::to_string(g.latent.value) + ":o0 -> n" + std::to_string(g.mix.value) + ":i0;";
    EXPECT_NE(text.find(latentEdge), std::string::npos) << text;

    const std::string svg = render(text, "fluxforge_graph_dot_test");
    if (svg.empty() && std::string(FLUXFORGE_TEST_DOT).empty()) {
        GTEST_SKIP() << "Graphviz (dot) not found";
    }
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("look&#45;ahead"), std::string::npos);
}

TEST(GraphDotTest, PlanShowsTasksLevelsRanksAndDelays) {
    LatentGraph g;
    const auto plan = compile(g.graph, CompileSettings{48000.0, 64});
    std::ostringstream dot;
    writePlanDot(*plan, dot);
    const std::string text = dot.str();
    EXPECT_NE(text.find("rank=same"), std::string::npos);
    EXPECT_NE(text.find("delay 256"), std::string::npos);
    for (TaskIndex t = 0; t < plan->numTasks(); ++t) {
        EXPECT_NE(text.find("t" + std::to_string(t) + " [label="), std::string::npos);
    }
    const std::string svg = render(text, "fluxforge_plan_dot_test");
    if (svg.empty() && std::string(FLUXFORGE_TEST_DOT).empty()) {
        GTEST_SKIP() << "Graphviz (dot) not found";
    }
    EXPECT_NE(svg.find("<svg"), std::string::npos);
}

} // namespace
} // namespace fluxforge
