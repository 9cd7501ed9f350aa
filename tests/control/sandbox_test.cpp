// The sandbox: only base, table, string, math and utf8; no io, os, package, debug, dofile,
// loadfile, require; load accepts text only; each script has its own state.
#include "control/script_fixture.hpp"

namespace fluxforge {
namespace {

TEST(SandboxTest, OnlyTheAllowedLibrariesAreThere) {
    test::ScriptHarness harness;
    Script& script = harness.runToEnd(R"lua(
        print(type(table), type(string), type(math), type(utf8), type(coroutine))
        print(type(io), type(os), type(package), type(debug))
        print(math.floor(2.5), string.format("%03d", 7), utf8.char(72, 105), #table.pack(1, 2))
        local f = load("return 1 + 2")
        print(f())
    )lua");
    ASSERT_EQ(script.state(), ScriptState::finished) << script.error();
    const auto lines = harness.lines();
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0], "table\ttable\ttable\ttable\tnil");
    EXPECT_EQ(lines[1], "nil\tnil\tnil\tnil");
    EXPECT_EQ(lines[2], "2\t007\tHi\t2");
    EXPECT_EQ(lines[3], "3");
}

TEST(SandboxTest, FilesModulesAndBytecodeAreRefused) {
    test::ScriptHarness harness;
    struct Case {
        const char* source;
        const char* expected;
    };
    const Case cases[] = {
        {"dofile('/etc/passwd')", "s.lua:1: 'dofile' is not available"},
        {"loadfile('/etc/passwd')", "s.lua:1: 'loadfile' is not available"},
        {"require('socket')", "s.lua:1: 'require' is not available"},
        {"load(string.dump(function() end), 'x', 'b')", "s.lua:1: load: binary chunks"},
        {"assert(load(string.dump(function() end)))", "attempt to load a binary chunk"},
    };
    for (const Case& c : cases) {
        Script& script = harness.runToEnd(c.source, "s.lua");
        EXPECT_EQ(script.state(), ScriptState::failed) << c.source;
        EXPECT_NE(script.error().find(c.expected), std::string::npos)
            << c.source << " -> " << script.error();
    }
}

TEST(SandboxTest, EachScriptHasItsOwnState) {
    test::ScriptHarness harness;
    Script& a = harness.runToEnd("shared = 42\nstring.custom = 1");
    ASSERT_EQ(a.state(), ScriptState::finished) << a.error();
    Script& b = harness.runToEnd("print(shared, string.custom)");
    ASSERT_EQ(b.state(), ScriptState::finished) << b.error();
    EXPECT_EQ(harness.lines().back(), "nil\tnil");
}

} // namespace
} // namespace fluxforge
