// Editing a Graph: ids, connections, and the errors edits report.
#include "support/test_nodes.hpp"

#include <fluxforge/graph/graph.hpp>

#include <gtest/gtest.h>

#include <string>

namespace fluxforge {
namespace {

using test::ConstantSource;
using test::MixNode;

// Expects `statement` to throw fluxforge::Error whose message contains every given fragment.
template <typename Fn>
void expectError(Fn&& statement, std::initializer_list<std::string> fragments) {
    try {
        statement();
        ADD_FAILURE() << "expected fluxforge::Error";
    } catch (const Error& e) {
        const std::string message = e.what();
        for (const std::string& fragment : fragments) {
            EXPECT_NE(message.find(fragment), std::string::npos)
                << "message '" << message << "' lacks '" << fragment << "'";
        }
    }
}

TEST(GraphEditingTest, NewGraphHasOnlyItsEndpoints) {
    Graph graph(GraphConfig{1, 2});
    EXPECT_EQ(graph.nodeCount(), 2u);
    EXPECT_TRUE(graph.contains(graph.input()));
    EXPECT_TRUE(graph.contains(graph.output()));
    EXPECT_NE(graph.input(), graph.output());
    EXPECT_EQ(graph.node(graph.output())->properties().inputs.at(0).channels, 2u);
    EXPECT_EQ(graph.node(graph.input())->properties().outputs.at(0).channels, 1u);
    EXPECT_TRUE(graph.connections().empty());
}

TEST(GraphEditingTest, IdsAreStableAndNeverReused) {
    Graph graph;
    const NodeId a = graph.add(std::make_shared<ConstantSource>(1.0f), "a");
    const NodeId b = graph.add(std::make_shared<ConstantSource>(2.0f), "b");
    graph.remove(a);
    const NodeId c = graph.add(std::make_shared<ConstantSource>(3.0f), "c");
    EXPECT_NE(c, a);
    EXPECT_NE(c, b);
    EXPECT_FALSE(graph.contains(a));
    EXPECT_TRUE(graph.contains(b));
    EXPECT_EQ(graph.name(b), "b");
    EXPECT_EQ(graph.name(c), "c");
    EXPECT_EQ(graph.nodeCount(), 4u);
    EXPECT_EQ(graph.nodeIds(), (std::vector<NodeId>{graph.input(), graph.output(), b, c}));
}

TEST(GraphEditingTest, UnnamedNodesGetAName) {
    Graph graph;
    const NodeId a = graph.add(std::make_shared<ConstantSource>(1.0f));
    EXPECT_EQ(graph.name(a), "node" + std::to_string(a.value));
}

TEST(GraphEditingTest, FindMapsANodeObjectToItsId) {
    Graph graph;
    auto node = std::make_shared<ConstantSource>(1.0f);
    const NodeId id = graph.add(node);
    EXPECT_EQ(graph.find(*node), id);
    EXPECT_EQ(graph.nodeAs<ConstantSource>(id), node);
    ConstantSource other(2.0f);
    EXPECT_FALSE(graph.find(other).isValid());
    expectError([&] { (void)graph.nodeAs<MixNode>(id); }, {"is not of the requested type"});
}

TEST(GraphEditingTest, ConnectAndDisconnect) {
    Graph graph(GraphConfig{0, 1});
    const NodeId a = graph.add(std::make_shared<ConstantSource>(1.0f));
    const NodeId m = graph.add(std::make_shared<MixNode>(2, 1));
    graph.connect(OutputPort{a, 0}, InputPort{m, 1});
    graph.connect(m, graph.output());
    ASSERT_EQ(graph.connections().size(), 2u);
    EXPECT_EQ(graph.connections()[0], (Connection{{a, 0}, {m, 1}}));
    graph.disconnect(OutputPort{a, 0}, InputPort{m, 1});
    ASSERT_EQ(graph.connections().size(), 1u);
    EXPECT_EQ(graph.connections()[0].source.node, m);
}

TEST(GraphEditingTest, RemovingANodeRemovesItsConnections) {
    Graph graph(GraphConfig{0, 1});
    const NodeId a = graph.add(std::make_shared<ConstantSource>(1.0f));
    const NodeId m = graph.add(std::make_shared<MixNode>(1, 1));
    graph.connect(a, m);
    graph.connect(m, graph.output());
    graph.remove(m);
    EXPECT_TRUE(graph.connections().empty());
    EXPECT_TRUE(graph.contains(a));
}

TEST(GraphEditingTest, EditsNameUnknownAndRemovedNodes) {
    Graph graph(GraphConfig{0, 1});
    const NodeId a = graph.add(std::make_shared<ConstantSource>(1.0f), "osc");
    const NodeId gone = graph.add(std::make_shared<MixNode>(1, 1), "filter");
    graph.remove(gone);
    expectError([&] { graph.connect(a, gone); }, {"'filter'", "was removed"});
    expectError([&] { graph.connect(a, NodeId{999}); }, {"unknown node id #999"});
    expectError([&] { graph.remove(gone); }, {"'filter'", "removed"});
    expectError([&] { (void)graph.node(NodeId{0}); }, {"unknown node id #0"});
}

TEST(GraphEditingTest, ConnectRejectsBadPortIndices) {
    Graph graph(GraphConfig{0, 1});
    const NodeId a = graph.add(std::make_shared<ConstantSource>(1.0f), "osc");
    const NodeId m = graph.add(std::make_shared<MixNode>(2, 1), "mixer");
    expectError(
        [&] {
            graph.connect(OutputPort{a, 1}, InputPort{m, 0});
        },
        {"'osc'", "no output port 1", "1 output port"});
    expectError(
        [&] {
            graph.connect(OutputPort{a, 0}, InputPort{m, 2});
        },
        {"'mixer'", "no input port 2", "2 input ports"});
    EXPECT_TRUE(graph.connections().empty());
}

TEST(GraphEditingTest, ConnectRejectsChannelMismatch) {
    Graph graph(GraphConfig{0, 2});
    const NodeId mono = graph.add(std::make_shared<ConstantSource>(1.0f, 1), "mono");
    expectError([&] { graph.connect(mono, graph.output()); },
                {"channel mismatch", "1 channel(s)", "has 2"});
}

TEST(GraphEditingTest, ConnectRejectsDuplicatesAndSelfLoops) {
    Graph graph(GraphConfig{0, 1});
    const NodeId a = graph.add(std::make_shared<ConstantSource>(1.0f));
    const NodeId m = graph.add(std::make_shared<MixNode>(1, 1), "loop");
    graph.connect(a, m);
    expectError([&] { graph.connect(a, m); }, {"already connected"});
    expectError([&] { graph.connect(m, m); }, {"'loop'", "cannot feed itself"});
    EXPECT_EQ(graph.connections().size(), 1u);
}

TEST(GraphEditingTest, EndpointsCannotBeRemoved) {
    Graph graph;
    expectError([&] { graph.remove(graph.output()); }, {"endpoint"});
    expectError([&] { graph.remove(graph.input()); }, {"endpoint"});
}

TEST(GraphEditingTest, DisconnectingWhatIsNotConnectedIsAnError) {
    Graph graph(GraphConfig{0, 1});
    const NodeId a = graph.add(std::make_shared<ConstantSource>(1.0f), "osc");
    expectError([&] { graph.disconnect(a, graph.output()); }, {"no connection", "'osc'"});
}

TEST(GraphEditingTest, TheSameNodeObjectCannotBeAddedTwice) {
    Graph graph;
    auto node = std::make_shared<ConstantSource>(1.0f);
    graph.add(node, "first");
    expectError([&] { graph.add(node); }, {"already in the graph", "'first'"});
    expectError([&] { graph.add(nullptr); }, {"null"});
}

} // namespace
} // namespace fluxforge
