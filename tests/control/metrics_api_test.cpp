// ff.metrics() and ff.sampleRate(): what the engine reports, read from Lua.
#include "control/script_fixture.hpp"

namespace fluxforge {
namespace {

TEST(MetricsApiTest, ScriptsReadWhatTheEngineReports) {
    test::ScriptHarness harness({44100.0, 128});
    harness.runToEnd(test::kToneGraph);
    harness.render(5);
    Script& script = harness.runToEnd(R"lua(
        local m = ff.metrics()
        print(m.framesRendered, m.planSwaps, m.sampleRate, m.maxBlockSize, m.workers,
              m.outputLatency, m.playing, m.helpersLastBlock, m.commandsApplied,
              m.commandsLate, m.commandsUnrouted, m.memoryUsed > 0, ff.sampleRate())
    )lua");
    ASSERT_EQ(script.state(), ScriptState::finished) << script.error();
    ASSERT_EQ(harness.lines().size(), 1u);
    const Engine& engine = harness.engine();
    const ControlStats stats = engine.controlStatsApprox();
    const std::string expected = std::to_string(engine.framesRenderedApprox()) + "\t" +
                                 std::to_string(engine.planSwapsApprox()) + "\t44100.0\t128\t" +
                                 std::to_string(engine.workerCountApprox()) + "\t0\tfalse\t" +
                                 std::to_string(engine.lastBlockHelpersApprox()) + "\t" +
                                 std::to_string(stats.commandsApplied) + "\t" +
                                 std::to_string(stats.commandsLate) + "\t" +
                                 std::to_string(stats.commandsUnrouted) + "\ttrue\t44100.0";
    EXPECT_EQ(harness.lines()[0], expected);
}

TEST(MetricsApiTest, ScriptsReadTheLoadAndTheNodesOfTheSnapshot) {
    test::ScriptHarness harness({48000.0, 64});
    harness.runToEnd(test::kToneGraph);
    harness.render(20);
    Script& script = harness.runToEnd(R"lua(
        local m = ff.metrics()
        local names = {}
        for i, node in ipairs(m.nodes) do
            assert(node.average >= 0 and node.worst >= node.average and node.share >= 0)
            names[#names + 1] = node.name
        end
        print(#m.nodes, table.concat(names, ","), m.load > 0, m.peakLoad >= m.averageLoad,
              m.p99Load >= m.p50Load, m.deadlineMisses >= 0, m.longestBlockSeconds > 0,
              m.deviceXruns, m.prefetchUnderruns)
    )lua");
    ASSERT_EQ(script.state(), ScriptState::finished) << script.error();
    const MetricsSnapshot snapshot = harness.engine().metrics();
    std::string names;
    for (const NodeMetrics& node : snapshot.nodes) {
        names += (names.empty() ? "" : ",") + node.name;
    }
    ASSERT_FALSE(snapshot.nodes.empty());
    EXPECT_EQ(harness.lines().back(), std::to_string(snapshot.nodes.size()) + "\t" + names +
                                          "\ttrue\ttrue\ttrue\ttrue\ttrue\t0\t0");
}

TEST(MetricsApiTest, TheClockIsMonotonic) {
    test::ScriptHarness harness;
    Script& script = harness.runToEnd(R"lua(
        local a = ff.clock()
        local x = 0
        for i = 1, 100000 do x = x + i end
        local b = ff.clock()
        print(b >= a, b - a < 10)
    )lua");
    ASSERT_EQ(script.state(), ScriptState::finished) << script.error();
    EXPECT_EQ(harness.lines().back(), "true\ttrue");
}

} // namespace
} // namespace fluxforge
