// While scripts edit the graph, set parameters and write automation, the audio thread does
// nothing real-time unsafe: in the RealtimeSanitizer build (preset rtsan) any allocation, lock or
// blocking call inside Engine::process stops this test.
#include "control/script_fixture.hpp"

#include <fluxforge/core/realtime_scope.hpp>

namespace fluxforge {
namespace {

TEST(ScriptsRealtimeTest, TheAudioThreadStaysRealtimeSafeWhileScriptsRun) {
    test::ScriptHarness harness;
    harness.runToEnd(test::kToneGraph);
    harness.startAudio();
    Script& editor = harness.run(R"lua(
        local g = ff.graph()
        for i = 1, 30 do
            local lfo = g:add("saw", {name = "saw" .. i, amplitude = 0.01})
            g:connect(lfo, g:output())
            g:commit()
            g:remove(lfo)
            g:commit()
        end
    )lua",
                                 "editor.lua");
    Script& automator = harness.run(R"lua(
        local tone = ff.find("tone")
        local frequency = tone:param("frequency")
        ff.transport.play()
        ff.every(512, 2048, function(p)
            frequency:automate({ {p, 200, "step"}, {p + 256, 400, "linear"}, {p + 512, 200} })
            tone:set("amplitude", 0.25 + (p // 512) % 2 * 0.25)
        end)
    )lua",
                                    "automator.lua");
    ASSERT_TRUE(editor.waitUntilDone(60s));
    EXPECT_EQ(editor.state(), ScriptState::finished) << editor.error();
    harness.waitBlocks(50);
    automator.stop();
    EXPECT_EQ(automator.state(), ScriptState::stopped) << automator.error();
    harness.stopAudio();
    EXPECT_GT(harness.soundingBlocks(), 40u);
    EXPECT_GT(harness.engine().controlStatsApprox().commandsApplied, 0u);
    if (!RealtimeScope::isChecking()) {
        GTEST_SKIP() << "played and edited; the real-time check itself needs the rtsan preset";
    }
}

} // namespace
} // namespace fluxforge
