// The transport from Lua: play, stop, locate, loop, clearLoop, state, position.
#include "control/script_fixture.hpp"

namespace fluxforge {
namespace {

TEST(TransportApiTest, ScriptsDriveAndReadTheTransport) {
    test::ScriptHarness harness;
    const FrameCount block = harness.block();
    Script& play = harness.runToEnd(std::string(test::kToneGraph) + R"lua(
        ff.transport.locate(1000)
        ff.transport.play()
    )lua");
    ASSERT_EQ(play.state(), ScriptState::finished) << play.error();
    harness.render(3);
    TransportSnapshot now = harness.engine().transportApprox();
    EXPECT_EQ(now.playState, PlayState::playing);
    EXPECT_EQ(now.position, static_cast<SampleTime>(1000 + 3 * block));

    Script& read = harness.runToEnd(R"lua(
        local s = ff.transport.state()
        print(s.playing, s.position, ff.position(), s.looping)
        ff.transport.loop(0, 4096)
    )lua");
    ASSERT_EQ(read.state(), ScriptState::finished) << read.error();
    EXPECT_EQ(harness.lines().back(), "true\t" + std::to_string(1000 + 3 * block) + "\t" +
                                          std::to_string(1000 + 3 * block) + "\tfalse");
    harness.render(1);
    EXPECT_EQ(harness.engine().transportApprox().loopMode, LoopMode::on);

    Script& stop = harness.runToEnd("ff.transport.clearLoop()\nff.transport.stop()");
    ASSERT_EQ(stop.state(), ScriptState::finished) << stop.error();
    harness.render(1);
    now = harness.engine().transportApprox();
    EXPECT_EQ(now.playState, PlayState::stopped);
    EXPECT_EQ(now.loopMode, LoopMode::off);

    Script& bad = harness.runToEnd("ff.transport.loop(10, 5)", "loop.lua");
    EXPECT_NE(bad.error().find("loop.lua:1: loop:"), std::string::npos) << bad.error();
}

} // namespace
} // namespace fluxforge
