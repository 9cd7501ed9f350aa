// GraphSession: edits apply whole or not at all, and what the session holds is what plays.
#include "control/script_fixture.hpp"

#include <fluxforge/control/node_factory.hpp>
#include <fluxforge/core/error.hpp>

namespace fluxforge {
namespace {

TEST(GraphSessionTest, AnEditIsCommittedAndBecomesTheCurrentGraph) {
    test::ScriptHarness harness;
    GraphSession& session = harness.session();
    EXPECT_EQ(session.versionApprox(), 0u);
    const auto sine = makeBuiltinNode("sine", {{"amplitude", 0.5}}, {48000.0, 64});
    const std::uint64_t version =
        session.edit([&](Graph& graph) { graph.connect(graph.add(sine, "tone"), graph.output()); });
    EXPECT_EQ(version, 1u);
    EXPECT_TRUE(session.find(*sine).isValid());
    EXPECT_EQ(session.findNamed("tone"), sine);
    EXPECT_EQ(session.nameOf(*sine), "tone");
    EXPECT_EQ(harness.engine().planSwapsApprox(), 0u); // published, not yet taken
    harness.render(2);
    EXPECT_EQ(harness.engine().planSwapsApprox(), 1u);
    EXPECT_NE(harness.lastBlock().channel(0)[10], 0.0f);
}

TEST(GraphSessionTest, AFailedEditChangesNothing) {
    test::ScriptHarness harness;
    GraphSession& session = harness.session();
    const auto sine = makeBuiltinNode("sine", {}, {48000.0, 64});
    session.edit([&](Graph& graph) { graph.connect(graph.add(sine, "tone"), graph.output()); });
    EXPECT_THROW(session.edit([&](Graph& graph) {
        graph.remove(graph.find(*sine));
        throw Error("changed my mind");
    }),
                 Error);
    EXPECT_EQ(session.versionApprox(), 1u);
    EXPECT_TRUE(session.find(*sine).isValid());
    // A graph that does not compile (a cycle) is refused by the engine: nothing changes either.
    EXPECT_THROW(session.edit([&](Graph& graph) {
        const auto a = graph.add(makeBuiltinNode("delay", {{"channels", 1.0}}, {48000.0, 64}));
        const auto b = graph.add(makeBuiltinNode("delay", {{"channels", 1.0}}, {48000.0, 64}));
        graph.connect(a, b);
        graph.connect(b, a);
    }),
                 Error);
    EXPECT_EQ(session.versionApprox(), 1u);
    EXPECT_EQ(session.snapshot().graph.nodeCount(), 3u);
}

} // namespace
} // namespace fluxforge
