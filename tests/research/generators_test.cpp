// The research generators: each shape's structure, the cost models, seeds that reproduce the same
// graph (and other seeds another), and the checks on bad parameters.
#include <fluxforge/core/error.hpp>
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/research/generators.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace fluxforge {
namespace {

using Edge = std::pair<std::uint32_t, std::uint32_t>;

std::vector<Edge> edgesOf(const Graph& graph) {
    std::vector<Edge> edges;
    for (const Connection& c : graph.connections()) {
        edges.emplace_back(c.source.node.value, c.destination.node.value);
    }
    return edges;
}

std::map<std::uint32_t, std::size_t> inDegrees(const Graph& graph) {
    std::map<std::uint32_t, std::size_t> degrees;
    for (const Connection& c : graph.connections()) {
        ++degrees[c.destination.node.value];
    }
    return degrees;
}

std::map<std::uint32_t, std::size_t> outDegrees(const Graph& graph) {
    std::map<std::uint32_t, std::size_t> degrees;
    for (const Connection& c : graph.connections()) {
        ++degrees[c.source.node.value];
    }
    return degrees;
}

GeneratorSpec spec(GeneratorKind kind) {
    GeneratorSpec s;
    s.kind = kind;
    s.cost.kind = CostKind::trivial;
    return s;
}

TEST(GeneratorsTest, ChainIsOneLineBesideIndependentNodes) {
    GeneratorSpec s = spec(GeneratorKind::chain);
    s.nodes = 10;
    s.beside = 5;
    const GeneratedGraph g = generateGraph(s);
    EXPECT_EQ(g.nodes, 15u);
    EXPECT_EQ(g.connections, 9u);
    EXPECT_EQ(g.graph->nodeCount(), 17u); // and the two endpoints
    for (const auto& [node, degree] : inDegrees(*g.graph)) {
        EXPECT_EQ(degree, 1u) << "node " << node;
    }
    for (const auto& [node, degree] : outDegrees(*g.graph)) {
        EXPECT_EQ(degree, 1u) << "node " << node;
    }
}

TEST(GeneratorsTest, FanFeedsEveryBranchFromOneSourceAndJoinsThem) {
    GeneratorSpec s = spec(GeneratorKind::fan);
    s.width = 40;
    s.join = true;
    const GeneratedGraph g = generateGraph(s);
    EXPECT_EQ(g.nodes, 42u);
    EXPECT_EQ(g.connections, 80u);
    const auto out = outDegrees(*g.graph);
    const auto in = inDegrees(*g.graph);
    EXPECT_TRUE(std::any_of(out.begin(), out.end(), [](auto& d) { return d.second == 40; }));
    EXPECT_TRUE(std::any_of(in.begin(), in.end(), [](auto& d) { return d.second == 40; }));
    // The join sums more than 16 inputs: the compiler gives it partial sums.
    const auto plan = compile(*g.graph, {48000.0, 64});
    EXPECT_GT(plan->numTasks(), g.nodes + 2);
}

TEST(GeneratorsTest, LayeredNodesDrawTheirInputsFromTheLayerBeforeWithinTheLimits) {
    GeneratorSpec s = spec(GeneratorKind::layered);
    s.nodes = 120;
    s.layers = 6;
    s.fanIn = 3;
    s.fanOut = 2;
    const GeneratedGraph g = generateGraph(s);
    // Node i (ids after the two endpoints) lies on layer i * layers / nodes.
    const auto layerOf = [&](std::uint32_t id) { return (id - 3) * s.layers / s.nodes; };
    for (const auto& [from, to] : edgesOf(*g.graph)) {
        EXPECT_EQ(layerOf(to), layerOf(from) + 1) << from << " -> " << to;
    }
    const auto in = inDegrees(*g.graph);
    for (std::uint32_t id = 3; id < 3 + s.nodes; ++id) {
        const std::size_t degree = in.count(id) != 0 ? in.at(id) : 0;
        EXPECT_LE(degree, s.fanIn);
        if (layerOf(id) == 0) {
            EXPECT_EQ(degree, 0u);
        }
    }
    for (const auto& [node, degree] : outDegrees(*g.graph)) {
        EXPECT_LE(degree, s.fanOut) << "node " << node;
    }
}

TEST(GeneratorsTest, SeriesParallelHasExactlyTheNodesAndOneSourceAndOneSink) {
    for (std::uint64_t seed : {1u, 2u, 3u, 17u}) {
        GeneratorSpec s = spec(GeneratorKind::seriesParallel);
        s.nodes = 57;
        s.maxBranch = 4;
        s.seed = seed;
        const GeneratedGraph g = generateGraph(s);
        EXPECT_EQ(g.nodes, 57u);
        std::set<std::uint32_t> hasInput;
        std::set<std::uint32_t> hasOutput;
        for (const auto& [from, to] : edgesOf(*g.graph)) {
            hasOutput.insert(from);
            hasInput.insert(to);
        }
        std::size_t sources = 0;
        std::size_t sinks = 0;
        for (std::uint32_t id = 3; id < 3 + 57; ++id) {
            sources += hasInput.count(id) == 0 ? 1 : 0;
            sinks += hasOutput.count(id) == 0 ? 1 : 0;
        }
        EXPECT_EQ(sources, 1u) << "seed " << seed;
        EXPECT_EQ(sinks, 1u) << "seed " << seed;
        EXPECT_NO_THROW(static_cast<void>(compile(*g.graph, {48000.0, 64}))); // acyclic
    }
}

TEST(GeneratorsTest, DawSessionHasTracksBusesSendsSidechainsAndLatentNodes) {
    GeneratorSpec s = spec(GeneratorKind::dawSession);
    s.tracks = 12;
    s.effects = 3;
    s.buses = 3;
    s.busEffects = 2;
    s.returns = 2;
    s.sidechains = 2;
    s.latentNodes = 2;
    s.latentFrames = 512;
    s.cost.kind = CostKind::fixed;
    s.cost.a = 100.0;
    const GeneratedGraph g = generateGraph(s);
    // master + buses x inserts + returns + tracks x (source, inserts, sends) + latent nodes
    EXPECT_EQ(g.nodes, 1 + 3 * 2 + 2 + 12 * (1 + 3 + 2) + 2);
    std::size_t sidechainInputs = 0;
    for (const Connection& c : g.graph->connections()) {
        sidechainInputs += c.destination.port == 1 ? 1 : 0;
    }
    EXPECT_EQ(sidechainInputs, 2u);
    const auto plan = compile(*g.graph, {48000.0, 64});
    EXPECT_EQ(plan->outputLatency(), 512u);
}

TEST(GeneratorsTest, DawSessionOfBuiltinNodesUsesRealNodes) {
    GeneratorSpec s = spec(GeneratorKind::dawSession);
    s.tracks = 4;
    s.returns = 1;
    s.sidechains = 1;
    s.latentNodes = 1;
    s.cost.kind = CostKind::builtin;
    const GeneratedGraph g = generateGraph(s);
    EXPECT_EQ(g.graph->config().outputChannels, 2u);
    const auto plan = compile(*g.graph, {48000.0, 64});
    EXPECT_EQ(plan->outputLatency(), 2048u); // the latent insert is a look-ahead limiter
}

TEST(GeneratorsTest, ReferenceSessionIsTheDefaultSession) {
    GeneratorSpec s;
    s.kind = GeneratorKind::referenceSession;
    s.tracks = 64;
    s.buses = 8;
    s.returns = 2;
    const GeneratedGraph g = generateGraph(s);
    EXPECT_EQ(g.nodes + 2, 622u);
    EXPECT_EQ(g.connections, 749u);
}

TEST(GeneratorsTest, TheSameSeedGivesTheSameGraphAndAnotherSeedAnother) {
    for (GeneratorKind kind : {GeneratorKind::layered, GeneratorKind::seriesParallel}) {
        GeneratorSpec s = spec(kind);
        s.nodes = 80;
        s.seed = 11;
        const auto a = edgesOf(*generateGraph(s).graph);
        const auto b = edgesOf(*generateGraph(s).graph);
        s.seed = 12;
        const auto c = edgesOf(*generateGraph(s).graph);
        EXPECT_EQ(a, b) << generatorKindName(kind);
        EXPECT_NE(a, c) << generatorKindName(kind);
    }
}

TEST(GeneratorsTest, DrawnCostsFollowTheSeedAndStayInTheirRange) {
    CostModel model;
    model.kind = CostKind::uniform;
    model.a = 1000.0;
    model.b = 3000.0;
    ResearchRandom first(5);
    ResearchRandom second(5);
    double sum = 0.0;
    for (int i = 0; i < 2000; ++i) {
        const double cost = drawCost(model, first);
        EXPECT_EQ(cost, drawCost(model, second));
        EXPECT_GE(cost, 1000.0);
        EXPECT_LE(cost, 3000.0);
        sum += cost;
    }
    EXPECT_NEAR(sum / 2000.0, expectedCost(model), 50.0);
    model.kind = CostKind::lognormal;
    model.a = 2000.0;
    model.b = 0.5;
    EXPECT_NEAR(expectedCost(model), 2000.0 * std::exp(0.125), 1e-9);
}

TEST(GeneratorsTest, RedrawnCostsDependOnTheBlockAlone) {
    CostNode::Config config;
    config.cost.kind = CostKind::uniform;
    config.cost.a = 0.0;
    config.cost.b = 1000.0;
    config.cost.redrawEachBlock = true;
    const CostNode a(config);
    const CostNode b(config);
    EXPECT_EQ(a.costOfBlock(640, 64), b.costOfBlock(640, 64));
    EXPECT_NE(a.costOfBlock(0, 64), a.costOfBlock(64, 64));
    config.cost.redrawEachBlock = false;
    const CostNode fixedCost(config);
    EXPECT_EQ(fixedCost.costOfBlock(0, 64), fixedCost.costOfBlock(64, 64));
}

TEST(GeneratorsTest, BadParametersAreNamed) {
    GeneratorSpec s = spec(GeneratorKind::layered);
    s.nodes = 4;
    s.layers = 8;
    try {
        static_cast<void>(generateGraph(s));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("layers"), std::string::npos) << e.what();
    }
    GeneratorSpec d = spec(GeneratorKind::dawSession);
    d.buses = 2;
    d.sidechains = 2;
    EXPECT_THROW(static_cast<void>(generateGraph(d)), Error);
    EXPECT_THROW(static_cast<void>(parseGeneratorKind("ring")), Error);
    EXPECT_THROW(static_cast<void>(parseCostKind("gaussian")), Error);
    EXPECT_THROW(static_cast<void>(makeBuiltinNode("phaser", 2, 1)), Error);
}

} // namespace
} // namespace fluxforge
