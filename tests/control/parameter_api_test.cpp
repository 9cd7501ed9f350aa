// Parameters from Lua: node:set/param:set now, setAt a timeline position, automation lanes,
// clearing them, reading values and ranges; errors for bad values and names.
#include "control/script_fixture.hpp"

namespace fluxforge {
namespace {

using test::ScriptHarness;

class ParameterApiTest : public ::testing::TestWithParam<test::AudioFormat> {};

// The value a node rendered its last frame with (Engine::parameterValueApprox).
float valueOf(ScriptHarness& harness, const char* node, const char* parameter) {
    const auto id = harness.session().find(*harness.session().findNamed(node));
    return harness.engine().parameterValueApprox(harness.engine().parameter(id, parameter));
}

TEST_P(ParameterApiTest, SetNowReachesTheNodeAfterTheSmoothingTime) {
    ScriptHarness harness(GetParam());
    Script& script = harness.run(std::string(test::kToneGraph) + R"lua(
        local tone = ff.find("tone")
        tone:set("frequency", 220)
        local amplitude = tone:param("amplitude")
        amplitude:set(0.125)
        local low, high = amplitude:range()
        print(amplitude:id(), low, high, tostring(amplitude))
    )lua");
    ASSERT_TRUE(script.waitUntilDone(10s));
    ASSERT_EQ(script.state(), ScriptState::finished) << script.error();
    const double smoothing = harness.engine().config().parameterSmoothingSeconds;
    harness.render(2 + static_cast<int>(smoothing * GetParam().rate / GetParam().block));
    EXPECT_FLOAT_EQ(valueOf(harness, "tone", "frequency"), 220.0f);
    EXPECT_FLOAT_EQ(valueOf(harness, "tone", "amplitude"), 0.125f);
    ASSERT_EQ(harness.lines().size(), 1u);
    EXPECT_EQ(harness.lines()[0].substr(0, 16), "amplitude\t0.0\t1.");
}

TEST_P(ParameterApiTest, SetAtATimelinePositionIsSampleAccurate) {
    ScriptHarness harness(GetParam());
    const FrameCount block = GetParam().block;
    Script& script = harness.runToEnd(std::string(test::kToneGraph) + R"lua(
        ff.transport.play()
        ff.find("tone"):setAt("amplitude", )lua" +
                                      std::to_string(block * 3 + 5) +
                                      R"lua(, 0.0)
        ff.find("tone"):param("amplitude"):setAt()lua" +
                                      std::to_string(block * 6) +
                                      R"lua(, 0.5, 0)
    )lua");
    ASSERT_EQ(script.state(), ScriptState::finished) << script.error();
    harness.render(4);
    // Block 3 (frames 3b .. 4b-1): sound until frame 3b+5, silence from there.
    const AudioBuffer& out = harness.lastBlock();
    EXPECT_NE(out.channel(0)[4], 0.0f);
    for (FrameCount i = 5; i < block; ++i) {
        ASSERT_EQ(out.channel(0)[i], 0.0f) << i;
    }
    harness.render(3);
    EXPECT_NE(harness.lastBlock().channel(0)[block / 2], 0.0f);
}

TEST_P(ParameterApiTest, AutomationLanesAreWrittenAndCleared) {
    ScriptHarness harness(GetParam());
    const FrameCount block = GetParam().block;
    Script& script = harness.runToEnd(std::string(test::kToneGraph) + R"lua(
        ff.transport.play()
        local tone = ff.find("tone")
        tone:automate("amplitude", { {0, 0.0, "step"}, {)lua" +
                                      std::to_string(2 * block) +
                                      R"lua(, 0.5} })
        print(tone:value("amplitude"))
    )lua");
    ASSERT_EQ(script.state(), ScriptState::finished) << script.error();
    harness.render(2);
    for (FrameCount i = 0; i < block; ++i) {
        ASSERT_EQ(harness.lastBlock().channel(0)[i], 0.0f); // the step holds 0 until 2 blocks
    }
    harness.render(2);
    EXPECT_FLOAT_EQ(valueOf(harness, "tone", "amplitude"), 0.5f);
    Script& clear = harness.runToEnd(R"lua(ff.find("tone"):clearAutomation("amplitude"))lua");
    ASSERT_EQ(clear.state(), ScriptState::finished) << clear.error();
    Script& param = harness.runToEnd(R"lua(
        local p = ff.find("tone"):param("frequency")
        p:automate({ {0, 100}, {1000, 200, "exponential"} })
        p:clear()
    )lua");
    ASSERT_EQ(param.state(), ScriptState::finished) << param.error();
}

TEST_P(ParameterApiTest, BadValuesAndNamesAreErrorsAtTheirLine) {
    ScriptHarness harness(GetParam());
    harness.runToEnd(test::kToneGraph);
    Script& range = harness.runToEnd("local t = ff.find('tone')\nt:set('amplitude', 7)\n", "r.lua");
    EXPECT_NE(range.error().find("r.lua:2:"), std::string::npos) << range.error();
    EXPECT_NE(range.error().find("range"), std::string::npos) << range.error();
    Script& name = harness.runToEnd("ff.find('tone'):set('colour', 1)", "n.lua");
    EXPECT_NE(name.error().find("n.lua:1:"), std::string::npos) << name.error();
    EXPECT_NE(name.error().find("colour"), std::string::npos) << name.error();
    Script& lane =
        harness.runToEnd("ff.find('tone'):automate('amplitude', {{10, 0}, {5, 1}})", "l.lua");
    EXPECT_NE(lane.error().find("l.lua:1: automate 'amplitude'"), std::string::npos)
        << lane.error();
    Script& uncommitted = harness.runToEnd(
        "local g = ff.graph()\nlocal s = g:add('sine')\ns:set('frequency', 100)\n", "u.lua");
    EXPECT_NE(uncommitted.error().find("u.lua:3:"), std::string::npos) << uncommitted.error();
    EXPECT_NE(uncommitted.error().find("not in the committed graph"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Formats, ParameterApiTest,
                         ::testing::Values(test::AudioFormat{48000.0, 64},
                                           test::AudioFormat{96000.0, 128}),
                         test::formatName);

} // namespace
} // namespace fluxforge
