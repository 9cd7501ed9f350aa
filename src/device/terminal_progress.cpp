#include <fluxforge/device/terminal_progress.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#if defined(_WIN32)
#include <io.h>
#define FLUXFORGE_ISATTY(fd) _isatty(fd)
#define FLUXFORGE_FILENO(stream) _fileno(stream)
#else
#include <unistd.h>
#define FLUXFORGE_ISATTY(fd) isatty(fd)
#define FLUXFORGE_FILENO(stream) fileno(stream)
#endif

namespace fluxforge {

TerminalProgressBar::TerminalProgressBar(std::FILE* stream, SampleRate sampleRate, int width)
    : stream_(stream)
    , sampleRate_(sampleRate)
    , width_(std::max(width, 1))
    , enabled_(stream != nullptr && FLUXFORGE_ISATTY(FLUXFORGE_FILENO(stream)) != 0) {}

TerminalProgressBar::~TerminalProgressBar() {
    finish();
}

bool TerminalProgressBar::update(const RenderProgress& progress) {
    if (!enabled_) {
        return true;
    }
    const std::string text = format(progress, sampleRate_, width_);
    std::fprintf(stream_, "\r%s", text.c_str());
    std::fflush(stream_);
    drawn_ = true;
    return true;
}

void TerminalProgressBar::finish() {
    if (drawn_) {
        std::fputc('\n', stream_);
        std::fflush(stream_);
        drawn_ = false;
    }
}

ProgressCallback TerminalProgressBar::callback() {
    return [this](const RenderProgress& progress) { return update(progress); };
}

std::string TerminalProgressBar::format(const RenderProgress& progress, SampleRate sampleRate,
                                        int width) {
    const double fraction = std::clamp(progress.fraction(), 0.0, 1.0);
    const int filled = static_cast<int>(std::floor(fraction * width));
    std::string text = "[";
    text.append(static_cast<std::size_t>(filled), '#');
    text.append(static_cast<std::size_t>(width - filled), '.');
    char tail[64];
    std::snprintf(tail, sizeof tail, "] %3d%%", static_cast<int>(std::floor(fraction * 100.0)));
    text += tail;
    if (const double speed = progress.speedFactor(sampleRate); speed > 0.0) {
        std::snprintf(tail, sizeof tail, "  %.1fx real time", speed);
        text += tail;
    }
    return text;
}

} // namespace fluxforge
