// The graph API: ff.graph drafts (add, connect, disconnect, remove, find, nodes, input, output,
// commit), ff.find, node handles (name, latency, parameters, inGraph).
#include "control/script_fixture.hpp"

namespace fluxforge {
namespace {

using test::ScriptHarness;

class GraphApiTest : public ::testing::TestWithParam<test::AudioFormat> {};

TEST_P(GraphApiTest, AScriptBuildsAGraphThatPlays) {
    ScriptHarness harness(GetParam());
    Script& script = harness.runToEnd(test::kToneGraph);
    ASSERT_EQ(script.state(), ScriptState::finished) << script.error();
    harness.render(3);
    float peak = 0.0f;
    for (FrameCount i = 0; i < harness.block(); ++i) {
        peak = std::max(peak, std::abs(harness.lastBlock().channel(0)[i]));
    }
    EXPECT_GT(peak, 0.1f);
    EXPECT_LE(peak, 0.5f + 1e-6f);
    EXPECT_NE(harness.session().findNamed("tone"), nullptr);
}

TEST_P(GraphApiTest, EditsChangeNothingUntilCommitted) {
    ScriptHarness harness(GetParam());
    Script& script = harness.runToEnd(R"lua(
        local g = ff.graph()
        local tone = g:add("sine", {name = "tone"})
        g:connect(tone, g:output())
        assert(ff.find("tone") == nil, "visible before commit")
        assert(g:find("tone") == tone)
        local version = g:commit()
        assert(version == 1, "version " .. tostring(version))
        assert(ff.find("tone") == tone)
        assert(tone:inGraph())
        -- disconnect and remove, committed in one go
        g:disconnect(tone, g:output())
        g:remove(tone)
        assert(tone:inGraph(), "removed before commit")
        g:commit()
        assert(not tone:inGraph())
        assert(ff.find("tone") == nil)
        local names = g:nodes()
        assert(#names == 2, "endpoints only, got " .. #names)
        print(g:input():name(), g:output():name())
    )lua");
    ASSERT_EQ(script.state(), ScriptState::finished) << script.error();
    EXPECT_EQ(harness.session().versionApprox(), 2u);
    ASSERT_EQ(harness.lines().size(), 1u);
    EXPECT_NE(harness.lines()[0].find('\t'), std::string::npos);
}

TEST_P(GraphApiTest, PortsByIndexOrNameAndLatencies) {
    ScriptHarness harness(GetParam());
    Script& script = harness.runToEnd(R"lua(
        local g = ff.graph()
        local a = g:add("sine", {name = "a"})
        local b = g:add("sine", {name = "b"})
        local late = g:add("latency", {name = "late", latency = 300, channels = 1})
        local mix = g:add("mixer", {name = "mix", inputs = 2, channels = 1})
        g:connect(a, late)
        g:connect(late, mix, 0)
        g:connect(b, "out", mix, "in1")
        g:connect(mix, g:output())
        g:commit()
        print(late:latency(), mix:latency(), a:latency())
        local p = mix:parameters()
        print(p[1], p[2], p[3])
    )lua");
    ASSERT_EQ(script.state(), ScriptState::finished) << script.error();
    ASSERT_EQ(harness.lines().size(), 2u);
    EXPECT_EQ(harness.lines()[0], "300\t300\t0");
    EXPECT_EQ(harness.lines()[1], "master\tgain0\tgain1");
    EXPECT_EQ(harness.engine().outputLatency(), 300u);
}

TEST_P(GraphApiTest, MistakesNameTheScriptTheLineAndTheProblem) {
    ScriptHarness harness(GetParam());
    Script& bad = harness.runToEnd("local g = ff.graph()\n"
                                   "local a = g:add('sine', {name = 'a'})\n"
                                   "g:connect(a, 'nope', g:output(), 0)\n",
                                   "ports.lua");
    EXPECT_EQ(bad.state(), ScriptState::failed);
    EXPECT_NE(bad.error().find("ports.lua:3:"), std::string::npos) << bad.error();
    EXPECT_NE(bad.error().find("no output port 'nope'"), std::string::npos) << bad.error();

    Script& type = harness.runToEnd("ff.graph():add('theremin')", "type.lua");
    EXPECT_NE(type.error().find("type.lua:1: unknown node type 'theremin'"), std::string::npos)
        << type.error();

    Script& duplicate = harness.runToEnd(
        "local g = ff.graph()\ng:add('sine', {name = 'x'})\ng:add('sine', {name = 'x'})\n",
        "dup.lua");
    EXPECT_NE(duplicate.error().find("dup.lua:3:"), std::string::npos) << duplicate.error();
    EXPECT_NE(duplicate.error().find("named 'x' already"), std::string::npos);

    // A cycle: the commit fails, the draft and the engine stay as they were.
    Script& cycle = harness.runToEnd(R"lua(
        local g = ff.graph()
        local a = g:add("delay", {channels = 1})
        local b = g:add("delay", {channels = 1})
        g:connect(a, b)
        g:connect(b, a)
        local ok, message = pcall(g.commit, g)
        assert(not ok)
        print(message)
    )lua",
                                     "cycle.lua");
    ASSERT_EQ(cycle.state(), ScriptState::finished) << cycle.error();
    EXPECT_NE(harness.lines().back().find("cycle"), std::string::npos) << harness.lines().back();
    EXPECT_EQ(harness.session().versionApprox(), 0u);
}

TEST_P(GraphApiTest, TwoDraftsFromDifferentScriptsBothLand) {
    ScriptHarness harness(GetParam());
    // Both drafts are taken before either commits: the second replays its edits onto the first's.
    Script& first = harness.runToEnd(test::kToneGraph, "first.lua");
    ASSERT_EQ(first.state(), ScriptState::finished) << first.error();
    Script& both = harness.runToEnd(R"lua(
        local g1 = ff.graph()
        local g2 = ff.graph()
        local a = g1:add("saw", {name = "saw"})
        g1:connect(a, g1:output())
        local b = g2:add("noise", {name = "noise"})
        g2:connect(b, g2:output())
        g1:commit()
        g2:commit()
        assert(ff.find("saw") and ff.find("noise") and ff.find("tone"))
    )lua");
    ASSERT_EQ(both.state(), ScriptState::finished) << both.error();
    EXPECT_EQ(harness.session().snapshot().graph.nodeCount(), 5u);
}

INSTANTIATE_TEST_SUITE_P(Formats, GraphApiTest,
                         ::testing::Values(test::AudioFormat{48000.0, 64},
                                           test::AudioFormat{44100.0, 256}),
                         test::formatName);

} // namespace
} // namespace fluxforge
