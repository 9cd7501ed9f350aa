// DenormalGuard: flush denormals to zero on the current thread for the guard's lifetime.
//
// Denormal floats (tiny values left in filter and reverb tails) take up to a hundred times longer
// per operation on x86; an audio thread that meets them can miss its deadline. The guard sets
// FTZ and DAZ in MXCSR (x86) or FZ in FPCR (AArch64) and restores the previous mode when it ends.
#pragma once

#include <cstdint>

#if defined(__SSE__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 1)
#include <xmmintrin.h>
#define FLUXFORGE_DENORMALS_X86 1
#elif defined(__aarch64__) || defined(_M_ARM64)
#define FLUXFORGE_DENORMALS_AARCH64 1
#endif

namespace fluxforge {

/// Scoped flush-to-zero for the calling thread. Create one at the top of every audio callback
/// and worker loop. Not copyable or movable: the mode belongs to the thread that set it.
///
/// Thread: the thread whose mode it changes. Real-time safe: yes. Allocates: no.
class DenormalGuard {
public:
    DenormalGuard() noexcept;
    ~DenormalGuard();

    DenormalGuard(const DenormalGuard&) = delete;
    DenormalGuard& operator=(const DenormalGuard&) = delete;

    /// Whether this platform lets the guard flush denormals (false where it is a no-op).
    [[nodiscard]] static constexpr bool isSupported() noexcept;

private:
    [[maybe_unused]] std::uint64_t saved_ = 0;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

constexpr bool DenormalGuard::isSupported() noexcept {
#if defined(FLUXFORGE_DENORMALS_X86) || defined(FLUXFORGE_DENORMALS_AARCH64)
    return true;
#else
    return false;
#endif
}

inline DenormalGuard::DenormalGuard() noexcept {
#if defined(FLUXFORGE_DENORMALS_X86)
    constexpr unsigned kFlushToZero = 0x8000;    // MXCSR.FTZ: denormal results become zero
    constexpr unsigned kDenormalsAreZero = 0x40; // MXCSR.DAZ: denormal inputs read as zero
    const unsigned mxcsr = _mm_getcsr();
    saved_ = mxcsr;
    _mm_setcsr(mxcsr | kFlushToZero | kDenormalsAreZero);
#elif defined(FLUXFORGE_DENORMALS_AARCH64) && (defined(__GNUC__) || defined(__clang__))
    std::uint64_t fpcr = 0;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
    saved_ = fpcr;
    constexpr std::uint64_t kFlushToZero = std::uint64_t{1} << 24; // FPCR.FZ
    __asm__ __volatile__("msr fpcr, %0" : : "r"(fpcr | kFlushToZero));
#endif
}

inline DenormalGuard::~DenormalGuard() {
#if defined(FLUXFORGE_DENORMALS_X86)
    _mm_setcsr(static_cast<unsigned>(saved_));
#elif defined(FLUXFORGE_DENORMALS_AARCH64) && (defined(__GNUC__) || defined(__clang__))
    __asm__ __volatile__("msr fpcr, %0" : : "r"(saved_));
#endif
}

} // namespace fluxforge
