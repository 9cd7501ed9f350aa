// TerminalProgressBar: a one-line progress bar for offline renders, drawn only when the stream
// is a terminal, so that logs and pipes stay clean.
#pragma once

#include <fluxforge/device/offline_device.hpp>

#include <cstdio>
#include <string>

namespace fluxforge {

/// Draws "[#########...........]  45%  12.3x real time" on one line, redrawn in place.
///
/// Thread: the rendering thread. Real-time safe: no. Allocates: yes.
class TerminalProgressBar {
public:
    /// Draws to `stream` (stdout by default) if it is a terminal (isatty); otherwise does
    /// nothing at all.
    explicit TerminalProgressBar(std::FILE* stream = stdout, SampleRate sampleRate = 48000.0,
                                 int width = 40);
    /// Ends the line if something was drawn.
    ~TerminalProgressBar();

    TerminalProgressBar(const TerminalProgressBar&) = delete;
    TerminalProgressBar& operator=(const TerminalProgressBar&) = delete;

    /// Whether the stream is a terminal (and so whether anything is drawn).
    [[nodiscard]] bool enabled() const noexcept { return enabled_; }

    /// Redraws the bar. Returns true, so it can serve as a ProgressCallback directly.
    bool update(const RenderProgress& progress);

    /// Ends the line (once).
    void finish();

    /// A ProgressCallback that updates this bar; the bar must outlive the render.
    [[nodiscard]] ProgressCallback callback();

    /// The text of the bar for `progress`, without the leading carriage return.
    [[nodiscard]] static std::string format(const RenderProgress& progress, SampleRate sampleRate,
                                            int width);

private:
    std::FILE* stream_;
    SampleRate sampleRate_;
    int width_;
    bool enabled_;
    bool drawn_ = false;
};

} // namespace fluxforge
