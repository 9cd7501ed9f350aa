// Background jobs: ff.spawn runs a function on the script's control thread, between callbacks;
// it gives the thread back with ff.sleep or ff.yield; only a job may wait.
#include "control/script_fixture.hpp"

namespace fluxforge {
namespace {

TEST(JobsTest, JobsInterleaveAndTheScriptEndsWhenTheyDo) {
    test::ScriptHarness harness;
    Script& script = harness.run(R"lua(
        local function worker(name, steps)
            for i = 1, steps do
                print(name, i)
                ff.yield()
            end
        end
        ff.spawn(worker, "a", 3)
        ff.spawn(worker, "b", 2)
        ff.spawn(function()
            ff.sleep(0.2)
            print("slept")
        end)
    )lua");
    ASSERT_TRUE(script.waitUntilDone(10s));
    EXPECT_EQ(script.state(), ScriptState::finished) << script.error();
    const auto lines = harness.lines();
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[0], "a\t1");
    EXPECT_EQ(lines[1], "b\t1");
    EXPECT_EQ(lines[2], "a\t2");
    EXPECT_EQ(lines[3], "b\t2");
    EXPECT_EQ(lines[4], "a\t3");
    EXPECT_EQ(lines[5], "slept");
}

TEST(JobsTest, OnlyJobsMayWaitAndAFailingJobStopsItsScript) {
    test::ScriptHarness harness;
    Script& main = harness.runToEnd("ff.sleep(1)", "main.lua");
    EXPECT_EQ(main.state(), ScriptState::failed);
    EXPECT_NE(main.error().find("main.lua:1: ff.sleep: only a job"), std::string::npos)
        << main.error();
    Script& job =
        harness.runToEnd("ff.spawn(function()\n ff.yield()\n error('boom')\nend)", "job.lua");
    EXPECT_EQ(job.state(), ScriptState::failed);
    EXPECT_NE(job.error().find("job.lua:3: boom"), std::string::npos) << job.error();
}

} // namespace
} // namespace fluxforge
