// FLUXFORGE_ASSERT: the one contract check of the library, overridable by the host.
//
// Define FLUXFORGE_ASSERT(condition, message) before including any FluxForge header to route
// contract violations into your own handler. By default the check is active unless NDEBUG is
// defined, and a failure prints the condition and message and aborts: a broken contract on the
// audio thread cannot be recovered from by throwing, so it is never turned into an exception.
#pragma once

#ifndef FLUXFORGE_ASSERT

#include <cstdio>
#include <cstdlib>

namespace fluxforge::detail {

/// Reports a failed assertion and aborts. Any thread; not real-time safe (it ends the program).
[[noreturn]] inline void assertionFailed(const char* condition, const char* message,
                                         const char* file, int line) noexcept {
    std::fprintf(stderr, "fluxforge: assertion failed: %s (%s) at %s:%d\n", message, condition,
                 file, line);
    std::abort();
}

} // namespace fluxforge::detail

#ifdef NDEBUG
#define FLUXFORGE_ASSERT(condition, message) ((void)0)
#else
#define FLUXFORGE_ASSERT(condition, message)                                                       \
    ((condition) ? (void)0                                                                         \
                 : ::fluxforge::detail::assertionFailed(#condition, message, __FILE__, __LINE__))
#endif

#endif // FLUXFORGE_ASSERT
