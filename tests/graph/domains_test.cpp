// assignDomains and splitByDomain (docs/prefetch.md): what renders live, what is prefetched, and
// the two graphs the engine compiles from them.
#include "support/test_nodes.hpp"

#include <fluxforge/graph/domains.hpp>
#include <fluxforge/graph/endpoint_nodes.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace fluxforge {
namespace {

using test::ConstantSource;
using test::MixNode;

/// A source that says it must run live (a hardware control, say).
class HardwareSource final : public Node {
protected:
    NodeProperties describe() const override {
        NodeProperties props = NodeProperties::source(1, 1.0);
        props.mustRunLive = true;
        return props;
    }
    void onProcess(const ProcessContext&) noexcept override {}
};

struct Chains {
    Graph graph{GraphConfig{1, 1}};
    NodeId a, a2, b, b2, bus;
    Chains() {
        a = graph.add(std::make_shared<ConstantSource>(1.0f), "a");
        a2 = graph.add(std::make_shared<MixNode>(1, 1), "a2");
        b = graph.add(std::make_shared<ConstantSource>(2.0f), "b");
        b2 = graph.add(std::make_shared<MixNode>(1, 1), "b2");
        bus = graph.add(std::make_shared<MixNode>(1, 1), "bus");
        graph.connect(a, a2);
        graph.connect(b, b2);
        graph.connect(a2, bus);
        graph.connect(b2, bus);
        graph.connect(bus, graph.output());
    }
};

TEST(DomainsTest, WithNothingLiveEverythingButTheEndpointsIsPrefetched) {
    Chains chains;
    const DomainAssignment domains = assignDomains(chains.graph);
    EXPECT_EQ(domains.prefetchedNodes, 5u);
    EXPECT_EQ(domains.of(chains.graph.output()), Domain::live);
    EXPECT_EQ(domains.of(chains.graph.input()), Domain::live);
    ASSERT_EQ(domains.boundary.size(), 1u);
    EXPECT_EQ(domains.boundary[0], (OutputPort{chains.bus, 0}));
}

TEST(DomainsTest, AMonitoredNodeMakesEverythingDownstreamLiveToTheOutput) {
    Chains chains;
    chains.graph.setLiveMonitoring(chains.a2, LiveMonitoring::on);
    const DomainAssignment domains = assignDomains(chains.graph);
    EXPECT_EQ(domains.of(chains.a), Domain::prefetch);
    EXPECT_EQ(domains.of(chains.a2), Domain::live);
    EXPECT_EQ(domains.of(chains.bus), Domain::live); // past the join, too
    EXPECT_EQ(domains.of(chains.b2), Domain::prefetch);
    const std::vector<OutputPort> expected{{chains.a, 0}, {chains.b2, 0}};
    EXPECT_EQ(domains.boundary, expected);
}

TEST(DomainsTest, InputReadersAndNodesThatMustRunLiveAreLive) {
    Chains chains;
    const NodeId fromInput = chains.graph.add(std::make_shared<MixNode>(1, 1), "from input");
    chains.graph.connect(chains.graph.input(), fromInput);
    chains.graph.connect(fromInput, chains.b2);
    const NodeId hardware = chains.graph.add(std::make_shared<HardwareSource>(), "hw");
    const NodeId afterHardware = chains.graph.add(std::make_shared<MixNode>(1, 1), "after hw");
    chains.graph.connect(hardware, afterHardware);
    const DomainAssignment domains = assignDomains(chains.graph);
    EXPECT_EQ(domains.of(fromInput), Domain::live);
    EXPECT_EQ(domains.of(chains.b2), Domain::live);
    EXPECT_EQ(domains.of(chains.bus), Domain::live);
    EXPECT_EQ(domains.of(hardware), Domain::live);
    EXPECT_EQ(domains.of(afterHardware), Domain::live);
    EXPECT_EQ(domains.of(chains.a2), Domain::prefetch);
    EXPECT_EQ(domains.of(chains.b), Domain::prefetch);
}

TEST(DomainsTest, SplitKeepsIdsReplacesBoundaryNodesAndAddsOneWriterPerPort) {
    Chains chains;
    chains.graph.setLiveMonitoring(chains.a2, LiveMonitoring::on);
    const DomainAssignment domains = assignDomains(chains.graph);
    std::vector<NodeId> readers;
    std::vector<OutputPort> writers;
    const DomainGraphs graphs = splitByDomain(
        chains.graph, domains,
        [&](NodeId id) -> std::shared_ptr<Node> {
            readers.push_back(id);
            return std::make_shared<ConstantSource>(0.0f);
        },
        [&](OutputPort port, ChannelCount channels) -> std::shared_ptr<Node> {
            writers.push_back(port);
            EXPECT_EQ(channels, 1u);
            return std::make_shared<MixNode>(1, 0);
        });
    EXPECT_EQ(readers, (std::vector<NodeId>{chains.a, chains.b2}));
    EXPECT_EQ(writers, domains.boundary);
    // Live: the readers stand at the ids of the nodes they replace, the live nodes are the same
    // objects, the prefetched nodes behind the boundary are gone.
    EXPECT_NE(graphs.live.node(chains.a), chains.graph.node(chains.a));
    EXPECT_EQ(graphs.live.node(chains.a2), chains.graph.node(chains.a2));
    EXPECT_FALSE(graphs.live.contains(chains.b));
    EXPECT_EQ(graphs.live.node(chains.graph.output()), chains.graph.node(chains.graph.output()));
    // Prefetch: the prefetched nodes, new endpoints, the writers.
    EXPECT_EQ(graphs.prefetch.node(chains.b), chains.graph.node(chains.b));
    EXPECT_FALSE(graphs.prefetch.contains(chains.a2));
    EXPECT_NE(graphs.prefetch.node(chains.graph.output()),
              chains.graph.node(chains.graph.output()));
    EXPECT_EQ(graphs.prefetch.nodeCount(), 2u + 3u + 2u); // endpoints, a, b, b2, writers
}

} // namespace
} // namespace fluxforge
