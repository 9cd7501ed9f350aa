// Hostile scripts are stopped with an error naming the script, the line and the reason, while the
// engine keeps playing and a well-behaved script keeps running beside them.
#include "control/script_fixture.hpp"

namespace fluxforge {
namespace {

struct Hostile {
    const char* name;
    const char* source;
    const char* expected; // in the error
};

class HostileScriptsTest : public ::testing::Test {
protected:
    void SetUp() override {
        Script& tone = harness_.runToEnd(test::kToneGraph, "tone.lua");
        ASSERT_EQ(tone.state(), ScriptState::finished) << tone.error();
        // A well-behaved script that keeps changing the tone all along.
        harness_.run(R"lua(
            local tone = ff.find("tone")
            local step = 0
            ff.spawn(function()
                while true do
                    step = step + 1
                    tone:set("frequency", 300 + step % 200)
                    ff.sleep(0.001)
                end
            end)
        )lua",
                     "good.lua");
        harness_.startAudio();
        harness_.waitBlocks(20);
    }

    void expectStopped(const Hostile& hostile, ScriptLimits limits = {}) {
        const std::uint64_t before = harness_.soundingBlocks();
        Script& script = harness_.run(hostile.source, hostile.name, limits);
        ASSERT_TRUE(script.waitUntilDone(30s)) << hostile.name << " was not stopped";
        EXPECT_EQ(script.state(), ScriptState::failed);
        EXPECT_NE(script.error().find(hostile.expected), std::string::npos)
            << hostile.name << ": " << script.error();
        harness_.waitBlocks(20);
        EXPECT_GT(harness_.soundingBlocks(), before) << "audio stopped during " << hostile.name;
    }

    test::ScriptHarness harness_;
};

TEST_F(HostileScriptsTest, AnEndlessLoopHitsTheInstructionBudget) {
    expectStopped({"loop.lua", "local x = 0\nwhile true do\n  x = x + 1\nend",
                   "loop.lua:3: instruction budget exceeded"});
}

TEST_F(HostileScriptsTest, AMemoryBombHitsTheMemoryBudget) {
    ScriptLimits limits;
    limits.memoryBytes = 4 << 20;
    limits.instructionsPerRun = 1'000'000'000;
    expectStopped({"bomb.lua", "local t = {}\nfor i = 1, 1e9 do\n  t[i] = {i, i, i}\nend",
                   "bomb.lua:3: memory budget of 4194304 bytes exceeded"},
                  limits);
}

TEST_F(HostileScriptsTest, AHugeStringRepHitsTheMemoryBudget) {
    expectStopped({"rep.lua", "local s = 'x'\nlocal big = string.rep(s, 100000000)",
                   "rep.lua:2: memory budget"});
}

TEST_F(HostileScriptsTest, DeepRecursionIsStopped) {
    // Either limit may come first: Lua's stack limit or the memory budget.
    Script& script =
        harness_.run("local function f(n)\n  return f(n + 1) + 1\nend\nf(1)", "deep.lua");
    ASSERT_TRUE(script.waitUntilDone(30s));
    EXPECT_EQ(script.state(), ScriptState::failed);
    const std::string error = script.error();
    EXPECT_TRUE(error.find("deep.lua:2: stack overflow") != std::string::npos ||
                error.find("deep.lua:2: memory budget") != std::string::npos)
        << error;
}

TEST_F(HostileScriptsTest, OsIoRequireAndBytecodeAreNotThere) {
    expectStopped({"os.lua", "os.execute('rm -rf /')",
                   "os.lua:1: attempt to index a nil value "
                   "(global 'os')"});
    expectStopped({"io.lua", "local f = io.open('/etc/passwd')",
                   "io.lua:1: attempt to index a "
                   "nil value (global 'io')"});
    expectStopped({"require.lua", "local socket = require('socket')",
                   "require.lua:1: 'require' is not available"});
    expectStopped(
        {"bytecode.lua", "local f = assert(load('\\27Lua'))", "attempt to load a binary chunk"});
}

TEST_F(HostileScriptsTest, EditingANodeAnotherScriptRemovedIsAClearError) {
    // victim.lua holds the tone and a draft taken while it existed; remover.lua removes it.
    Script& victim = harness_.run(R"lua(
        local tone = ff.find("tone")
        local g = ff.graph()
        local pan = g:add("gainPan", {name = "pan"})
        ff.spawn(function()
            while ff.find("tone") do ff.sleep(0.001) end
            local ok, message = pcall(tone.set, tone, "frequency", 500)
            print(message)
            g:connect(tone, pan) -- the draft, taken before the removal, still has the tone
            g:commit()           -- the replay onto the current graph finds it gone
        end)
    )lua",
                                  "victim.lua");
    ASSERT_TRUE(victim.waitUntilCaughtUp(10s)); // its draft is taken
    Script& remover = harness_.runToEnd(R"lua(
        local g = ff.graph()
        g:remove(ff.find("tone"))
        g:commit()
    )lua",
                                        "remover.lua");
    ASSERT_EQ(remover.state(), ScriptState::finished) << remover.error();
    ASSERT_TRUE(victim.waitUntilDone(10s));
    EXPECT_EQ(victim.state(), ScriptState::failed);
    EXPECT_NE(
        victim.error().find("victim.lua:10: commit (connect): node 'tone' is not in the graph"),
        std::string::npos)
        << victim.error();
    const auto lines = harness_.lines();
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(
        lines.back().find(
            "node 'tone' is not in the committed graph: another script or the host removed it"),
        std::string::npos)
        << lines.back();
    EXPECT_EQ(harness_.session().findNamed("pan"), nullptr); // the failed commit changed nothing
}

TEST_F(HostileScriptsTest, StopInterruptsARunningScript) {
    ScriptLimits limits;
    limits.instructionsPerRun = std::uint64_t{1} << 40;
    Script& script = harness_.run("while true do end", "spin.lua", limits);
    harness_.waitBlocks(10);
    script.stop();
    EXPECT_EQ(script.state(), ScriptState::stopped);
}

} // namespace
} // namespace fluxforge
