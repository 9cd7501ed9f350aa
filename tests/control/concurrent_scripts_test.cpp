// Several scripts and a host thread commit to one session at the same time while audio plays:
// every commit lands whole, none is lost, and nothing races (run under ThreadSanitizer too).
#include "control/script_fixture.hpp"

#include <fluxforge/control/node_factory.hpp>

namespace fluxforge {
namespace {

TEST(ConcurrentScriptsTest, ScriptsAndAHostThreadCommitAtOnce) {
    test::ScriptHarness harness;
    harness.runToEnd(R"lua(
        local g = ff.graph()
        g:connect(g:add("mixer", {name = "bus", inputs = 4, channels = 1}), g:output())
        g:commit()
    )lua");
    harness.startAudio();
    constexpr int kScripts = 3;
    constexpr int kRounds = 20;
    std::vector<Script*> scripts;
    for (int s = 0; s < kScripts; ++s) {
        const std::string source = "local me = " + std::to_string(s) +
                                   "\nlocal rounds = " + std::to_string(kRounds) + "\n" + R"lua(
            local g = ff.graph()
            for i = 1, rounds do
                local name = "s" .. me .. "_" .. i
                local osc = g:add("sine", {name = name, amplitude = 0.01})
                g:connect(osc, ff.find("bus") or g:find("bus"), me)
                g:commit()
                assert(ff.find(name), name .. " missing after its commit")
                ff.find(name):set("frequency", 100 + i)
                if i % 2 == 0 then
                    g:disconnect(osc, g:find("bus"), me)
                    g:remove(osc)
                    g:commit()
                end
            end
        )lua";
        scripts.push_back(&harness.run(source, "s" + std::to_string(s) + ".lua"));
    }
    // The host's UI thread edits the same session meanwhile.
    for (int i = 0; i < kRounds; ++i) {
        harness.session().edit([&](Graph& graph) {
            graph.add(makeBuiltinNode("meter", {{"channels", 1.0}}, {48000.0, 64}),
                      "ui" + std::to_string(i));
        });
    }
    for (Script* script : scripts) {
        ASSERT_TRUE(script->waitUntilDone(60s));
        EXPECT_EQ(script->state(), ScriptState::finished) << script->error();
    }
    harness.waitBlocks(5);
    harness.stopAudio();
    // Each script kept its odd-numbered oscillators; the host kept its meters.
    const Graph graph = harness.session().snapshot().graph;
    EXPECT_EQ(graph.nodeCount(), 3u + kScripts * kRounds / 2 + kRounds);
    EXPECT_EQ(harness.session().versionApprox(), 1u + kScripts * (kRounds + kRounds / 2) + kRounds);
}

} // namespace
} // namespace fluxforge
