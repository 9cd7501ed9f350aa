// RealtimeScope: marks a stretch of code that must be real-time safe.
//
// In a RealtimeSanitizer build (FLUXFORGE_ENABLE_RTSAN defined, see docs/realtime-safety.md) the
// scope tells the sanitizer's runtime that the thread is real-time: any malloc, free, lock,
// blocking system call or file I/O inside it stops the program with a stack trace. In every other
// build it compiles to nothing. The engine opens one around each block it renders and around each
// worker's run; a host may open its own around its callback.
#pragma once

#if defined(FLUXFORGE_ENABLE_RTSAN)
extern "C" void __rtsan_realtime_enter();
extern "C" void __rtsan_realtime_exit();
#endif

namespace fluxforge {

/// Thread: the real-time thread it guards. Real-time safe: yes. Allocates: no.
class RealtimeScope {
public:
#if defined(FLUXFORGE_ENABLE_RTSAN)
    RealtimeScope() noexcept {
        __rtsan_realtime_enter();
    }
    ~RealtimeScope() {
        __rtsan_realtime_exit();
    }
#else
    // User-provided (not defaulted), so a scope object never draws an unused-variable warning.
    RealtimeScope() noexcept {} // NOLINT(modernize-use-equals-default)
    ~RealtimeScope() {}         // NOLINT(modernize-use-equals-default)
#endif
    RealtimeScope(const RealtimeScope&) = delete;
    RealtimeScope& operator=(const RealtimeScope&) = delete;

    /// True in a RealtimeSanitizer build.
    static constexpr bool isChecking() noexcept {
#if defined(FLUXFORGE_ENABLE_RTSAN)
        return true;
#else
        return false;
#endif
    }
};

} // namespace fluxforge
