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
extern "C" void __rtsan_off();
extern "C" void __rtsan_on();
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

/// Lifts the real-time rule inside a RealtimeScope, for code that is allowed to block there by
/// design (a worker parking when there is no work). Use sparingly and say why at each use.
class RealtimeScopeExemption {
public:
#if defined(FLUXFORGE_ENABLE_RTSAN)
    RealtimeScopeExemption() noexcept {
        __rtsan_off();
    }
    ~RealtimeScopeExemption() {
        __rtsan_on();
    }
#else
    RealtimeScopeExemption() noexcept {} // NOLINT(modernize-use-equals-default)
    ~RealtimeScopeExemption() {}         // NOLINT(modernize-use-equals-default)
#endif
    RealtimeScopeExemption(const RealtimeScopeExemption&) = delete;
    RealtimeScopeExemption& operator=(const RealtimeScopeExemption&) = delete;
};

} // namespace fluxforge
