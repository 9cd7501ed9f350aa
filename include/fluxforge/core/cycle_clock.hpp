// CycleClock: a tick counter cheap enough to time every node of a block.
#pragma once

#include <chrono>
#include <cstdint>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <x86intrin.h>
#define FLUXFORGE_CYCLE_CLOCK_TSC 1
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <intrin.h>
#define FLUXFORGE_CYCLE_CLOCK_TSC 1
#endif

namespace fluxforge {

/// Monotonic ticks: the CPU's time-stamp counter on x86 (invariant on every x86-64 CPU of the last
/// fifteen years), the virtual counter on AArch64, the steady clock elsewhere. Reading it costs a
/// few nanoseconds, a tenth of a clock_gettime call.
class CycleClock {
public:
    /// Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] static std::uint64_t now() noexcept {
#if defined(FLUXFORGE_CYCLE_CLOCK_TSC)
        return __rdtsc();
#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
        std::uint64_t value;
        __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(value));
        return value;
#else
        return static_cast<std::uint64_t>(
            std::chrono::steady_clock::now().time_since_epoch().count());
#endif
    }

    /// Ticks per nanosecond, measured against the steady clock the first time it is asked for
    /// (that call spins for about 5 ms). Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] static double ticksPerNanosecond() noexcept {
        static const double ratio = measureTicksPerNanosecond();
        return ratio;
    }

    /// Converts ticks to nanoseconds. Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] static double toNanoseconds(double ticks) noexcept {
        return ticks / ticksPerNanosecond();
    }

private:
    static double measureTicksPerNanosecond() noexcept {
        using Clock = std::chrono::steady_clock;
        const auto wallStart = Clock::now();
        const std::uint64_t tickStart = now();
        while (Clock::now() - wallStart < std::chrono::milliseconds(5)) {
        }
        const std::uint64_t ticks = now() - tickStart;
        const double nanoseconds =
            std::chrono::duration<double, std::nano>(Clock::now() - wallStart).count();
        return ticks > 0 && nanoseconds > 0.0 ? static_cast<double>(ticks) / nanoseconds : 1.0;
    }
};

} // namespace fluxforge
