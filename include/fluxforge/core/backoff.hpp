// Spin-wait helpers: cpuRelax() and Backoff.
#pragma once

#include <cstdint>
#include <thread>

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
#include <immintrin.h>
#endif

namespace fluxforge {

/// Tells the CPU this is a spin-wait: on x86 `pause` (saves power and frees the sibling
/// hyper-thread), on ARM `yield`. Thread: any. Real-time safe: yes. Allocates: no.
inline void cpuRelax() noexcept {
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
    _mm_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

/// Waiting for another thread that is expected to finish very soon: spin with cpuRelax() first,
/// then also yield the processor, so that when there are more busy threads than cores the thread
/// being waited for can run. sched_yield never blocks; under SCHED_FIFO it only lets threads of
/// the same priority run, so real-time workers do not hand their core to the rest of the system.
///
/// Thread: the waiting thread. Real-time safe: yes. Allocates: no.
class Backoff {
public:
    void pause() noexcept {
        if (spins_ < kSpinsBeforeYielding) {
            ++spins_;
            cpuRelax();
        } else {
            std::this_thread::yield();
        }
    }
    void reset() noexcept { spins_ = 0; }

private:
    static constexpr std::uint32_t kSpinsBeforeYielding = 256;
    std::uint32_t spins_ = 0;
};

} // namespace fluxforge
