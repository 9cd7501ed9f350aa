// Callbacks tied to the transport: ff.every runs ahead of the playhead by its look-ahead (a
// script writing the next bar's automation), ff.at once, ff.cancel stops one; a jump back
// restarts the grid.
#include "control/script_fixture.hpp"

namespace fluxforge {
namespace {

class TransportCallbacksTest : public ::testing::TestWithParam<test::AudioFormat> {};

TEST_P(TransportCallbacksTest, EveryBarIsWrittenBeforeThePlayheadGetsThere) {
    test::ScriptHarness harness(GetParam());
    const FrameCount block = GetParam().block;
    const FrameCount bar = block * 4;
    Script& script = harness.run(std::string(test::kToneGraph) +
                                 "local bar = " + std::to_string(bar) + "\n" + R"lua(
        local tone = ff.find("tone")
        ff.every(bar, bar, function(position)
            -- the bar starting at `position`: while the playhead is still before it
            local now = ff.position()
            print(position, now)
            local note = 200 + (position // bar) * 10
            tone:automate("frequency", { {position, note, "step"}, {position + bar, note} })
        end)
        ff.transport.play()
    )lua");
    const int bars = 5;
    harness.render(static_cast<int>(bars * 4));
    script.stop();
    const auto lines = harness.lines();
    ASSERT_GE(lines.size(), static_cast<std::size_t>(bars));
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto tab = lines[i].find('\t');
        const long long position = std::stoll(lines[i].substr(0, tab));
        const long long now = std::stoll(lines[i].substr(tab + 1));
        EXPECT_EQ(position, static_cast<long long>(i * bar)); // each bar once, in order
        EXPECT_LE(now, position) << "bar " << i << " written after the playhead reached it";
        EXPECT_GE(now + static_cast<long long>(bar), position); // within the look-ahead
    }
    EXPECT_EQ(script.state(), ScriptState::stopped);
}

TEST_P(TransportCallbacksTest, AtRunsOnceAndCancelStopsACallback) {
    test::ScriptHarness harness(GetParam());
    const FrameCount block = GetParam().block;
    Script& script = harness.run(std::string(test::kToneGraph) +
                                 "local block = " + std::to_string(block) + "\n" + R"lua(
        ff.at(3 * block, 0, function(p) print("at", p) end)
        local count = 0
        local id
        id = ff.every(block, 0, function(p)
            count = count + 1
            print("every", p)
            if count == 2 then ff.cancel(id) end
        end)
        ff.transport.play()
    )lua");
    harness.render(8);
    EXPECT_TRUE(script.waitUntilDone(5s)); // nothing left to wait for: it finishes
    EXPECT_EQ(script.state(), ScriptState::finished) << script.error();
    const auto lines = harness.lines();
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "every\t0");
    EXPECT_EQ(lines[1], "every\t" + std::to_string(block));
    EXPECT_EQ(lines[2], "at\t" + std::to_string(3 * block));
}

TEST_P(TransportCallbacksTest, AJumpBackRestartsThePeriodicGrid) {
    test::ScriptHarness harness(GetParam());
    const FrameCount block = GetParam().block;
    Script& script = harness.run(std::string(test::kToneGraph) +
                                 "local block = " + std::to_string(block) + "\n" + R"lua(
        ff.every(2 * block, 0, function(p) print(p) end)
        ff.transport.play()
    )lua");
    harness.render(4); // positions 0, 2b (and 4b, if it reads the playhead before the locate)
    Script& locate = harness.runToEnd("ff.transport.locate(0)");
    ASSERT_EQ(locate.state(), ScriptState::finished);
    harness.render(4);
    script.stop();
    const auto lines = harness.lines();
    ASSERT_GE(lines.size(), 3u);
    EXPECT_EQ(lines[0], "0");
    EXPECT_EQ(lines[1], std::to_string(2 * block));
    // After the locate the grid continues from the new playhead (the next multiple of 2b after
    // it), rather than waiting for the old one's next position.
    bool restarted = false;
    for (std::size_t i = 2; i < lines.size(); ++i) {
        const long long now = std::stoll(lines[i]);
        const long long before = std::stoll(lines[i - 1]);
        restarted = restarted || (now < before && now % (2 * block) == 0);
    }
    EXPECT_TRUE(restarted) << lines.back();
}

INSTANTIATE_TEST_SUITE_P(Formats, TransportCallbacksTest,
                         ::testing::Values(test::AudioFormat{48000.0, 64},
                                           test::AudioFormat{44100.0, 128}),
                         test::formatName);

} // namespace
} // namespace fluxforge
