// Counts heap allocations and mutex locks made by threads that declared themselves real-time.
//
// Link tests/support/allocation_counter.cpp into a test executable (not in sanitizer builds: the
// sanitizers replace the same functions). It defines malloc, free, calloc, realloc and the aligned
// variants, forwarding to glibc's __libc_* functions, and pthread_mutex_lock / trylock, forwarding
// to glibc's __pthread_mutex_*; calls made while the calling thread is inside a
// CountedRealtimeScope are counted. This is the portable cross-check of the RealtimeSanitizer
// build.
#pragma once

#include <cstdint>

namespace fluxforge::test {

struct RealtimeViolations {
    std::uint64_t allocations = 0; ///< malloc, calloc, realloc, aligned allocations
    std::uint64_t deallocations = 0;
    std::uint64_t locks = 0; ///< pthread_mutex_lock / trylock
};

/// Totals since the program started, over all threads.
RealtimeViolations realtimeViolations() noexcept;

/// Whether the counting functions are linked into this program.
bool allocationCounterInstalled() noexcept;

/// Marks the current thread as real-time for the scope's lifetime (nestable).
class CountedRealtimeScope {
public:
    CountedRealtimeScope() noexcept;
    ~CountedRealtimeScope();
    CountedRealtimeScope(const CountedRealtimeScope&) = delete;
    CountedRealtimeScope& operator=(const CountedRealtimeScope&) = delete;
};

} // namespace fluxforge::test
