// TerminalProgressBar: drawn on a terminal, silent anywhere else.
#include <fluxforge/device/terminal_progress.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace fluxforge {
namespace {

TEST(TerminalProgressBarTest, FormatsTheBarThePercentageAndTheSpeed) {
    RenderProgress progress;
    progress.framesDone = 24000;
    progress.framesTotal = 96000;
    progress.elapsedSeconds = 0.05; // 0.5 s of audio in 50 ms
    EXPECT_EQ(TerminalProgressBar::format(progress, 48000.0, 8),
              "[##......]  25%  10.0x real time");
    progress.elapsedSeconds = 0.0;
    progress.framesDone = 96000;
    EXPECT_EQ(TerminalProgressBar::format(progress, 48000.0, 4), "[####] 100%");
}

TEST(TerminalProgressBarTest, DrawsNothingWhenTheStreamIsNotATerminal) {
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    {
        TerminalProgressBar bar(file);
        EXPECT_FALSE(bar.enabled());
        EXPECT_TRUE(bar.update({10, 100, 0.1}));
        EXPECT_TRUE(bar.callback()({100, 100, 0.2}));
    }
    EXPECT_EQ(std::ftell(file), 0L);
    std::fclose(file);
}

TEST(TerminalProgressBarTest, RedrawsInPlaceOnATerminal) {
    const int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        GTEST_SKIP() << "no pseudo-terminal available";
    }
    std::FILE* terminal = std::fopen(ptsname(master), "w");
    ASSERT_NE(terminal, nullptr);
    {
        TerminalProgressBar bar(terminal, 48000.0, 10);
        EXPECT_TRUE(bar.enabled());
        bar.update({50, 100, 0.0});
        bar.finish();
    }
    std::fclose(terminal);
    char buffer[256] = {};
    const ssize_t n = read(master, buffer, sizeof buffer - 1);
    close(master);
    ASSERT_GT(n, 0);
    const std::string drawn(buffer, static_cast<std::size_t>(n));
    EXPECT_NE(drawn.find("\r[#####.....]  50%"), std::string::npos) << drawn;
}

} // namespace
} // namespace fluxforge
