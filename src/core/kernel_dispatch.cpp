// Run-time choice of the kernel variant: the best one this CPU and OS support, unless the
// environment or the host pins another.
#include "kernel_tables.hpp"

#include <atomic>
#include <cstdlib>
#include <string_view>

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <immintrin.h>
#include <intrin.h>
#endif

namespace fluxforge::kernels {
namespace {

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
// MSVC has no __builtin_cpu_supports: read CPUID, and XGETBV to see that the OS saves the wide
// registers (a CPU with AVX-512 under an OS that does not enable it must not use it).
bool msvcSupports(InstructionSet set) noexcept {
    int regs[4];
    __cpuidex(regs, 1, 0);
    const bool osxsave = (regs[2] >> 27) & 1;
    const bool avx = (regs[2] >> 28) & 1;
    if (!osxsave || !avx) {
        return false;
    }
    const unsigned long long xcr0 = _xgetbv(0);
    __cpuidex(regs, 7, 0);
    if (set == InstructionSet::avx2) {
        return (xcr0 & 0x6) == 0x6 && ((regs[1] >> 5) & 1);
    }
    return (xcr0 & 0xE6) == 0xE6 && ((regs[1] >> 16) & 1);
}
#endif

bool cpuSupports(InstructionSet set) noexcept {
    switch (set) {
    case InstructionSet::scalar:
    case InstructionSet::baseline:
        return true;
    case InstructionSet::avx2:
#if FLUXFORGE_HAVE_KERNELS_AVX2 && defined(_MSC_VER)
        return msvcSupports(set);
#elif FLUXFORGE_HAVE_KERNELS_AVX2
        return __builtin_cpu_supports("avx2") != 0;
#else
        return false;
#endif
    case InstructionSet::avx512:
#if FLUXFORGE_HAVE_KERNELS_AVX512 && defined(_MSC_VER)
        return msvcSupports(set);
#elif FLUXFORGE_HAVE_KERNELS_AVX512
        return __builtin_cpu_supports("avx512f") != 0;
#else
        return false;
#endif
    }
    return false;
}

const KernelTable& bestTable() noexcept {
    for (InstructionSet set : {InstructionSet::avx512, InstructionSet::avx2}) {
        if (const KernelTable* table = kernelTable(set)) {
            return *table;
        }
    }
    return detail::baselineKernelTable();
}

// FLUXFORGE_SIMD=scalar|baseline|avx2|avx512 pins a variant; an unknown or unsupported name is
// ignored (the best variant is used, and activeKernelTable().name tells which).
const KernelTable& initialTable() noexcept {
    if (const char* requested = std::getenv("FLUXFORGE_SIMD")) {
        const std::string_view name(requested);
        for (InstructionSet set : {InstructionSet::scalar, InstructionSet::baseline,
                                   InstructionSet::avx2, InstructionSet::avx512}) {
            const KernelTable* table = kernelTable(set);
            if (table != nullptr && (name == table->name || name == instructionSetKey(set))) {
                return *table;
            }
        }
    }
    return bestTable();
}

std::atomic<const KernelTable*> activeTable{nullptr};

// Choose at static-initialisation time, so the first kernel call on an audio thread finds the
// table ready (and the environment is never read there).
[[maybe_unused]] const bool chosenAtStartup = (static_cast<void>(activeKernelTable()), true);

} // namespace

std::string_view instructionSetKey(InstructionSet set) noexcept {
    switch (set) {
    case InstructionSet::scalar:
        return "scalar";
    case InstructionSet::baseline:
        return "baseline";
    case InstructionSet::avx2:
        return "avx2";
    case InstructionSet::avx512:
        return "avx512";
    }
    return "unknown";
}

const KernelTable* kernelTable(InstructionSet set) noexcept {
    if (!cpuSupports(set)) {
        return nullptr;
    }
    switch (set) {
    case InstructionSet::scalar:
        return &detail::scalarKernelTable();
    case InstructionSet::baseline:
        return &detail::baselineKernelTable();
    case InstructionSet::avx2:
#if FLUXFORGE_HAVE_KERNELS_AVX2
        return &detail::avx2KernelTable();
#else
        return nullptr;
#endif
    case InstructionSet::avx512:
#if FLUXFORGE_HAVE_KERNELS_AVX512
        return &detail::avx512KernelTable();
#else
        return nullptr;
#endif
    }
    return nullptr;
}

const KernelTable& activeKernelTable() noexcept {
    const KernelTable* table = activeTable.load(std::memory_order_acquire);
    if (table == nullptr) {
        const KernelTable* chosen = &initialTable();
        // Another thread may have chosen (or pinned) first; keep its choice.
        if (activeTable.compare_exchange_strong(table, chosen, std::memory_order_acq_rel)) {
            table = chosen;
        }
    }
    return *table;
}

bool trySetInstructionSet(InstructionSet set) noexcept {
    const KernelTable* table = kernelTable(set);
    if (table == nullptr) {
        return false;
    }
    activeTable.store(table, std::memory_order_release);
    return true;
}

void clear(float* dst, FrameCount n) noexcept {
    activeKernelTable().clear(dst, n);
}

void copy(float* dst, const float* src, FrameCount n) noexcept {
    activeKernelTable().copy(dst, src, n);
}

void gain(float* dst, const float* src, float g, FrameCount n) noexcept {
    activeKernelTable().gain(dst, src, g, n);
}

void gainRamp(float* dst, const float* src, float startGain, float endGain, FrameCount n) noexcept {
    activeKernelTable().gainRamp(dst, src, startGain, endGain, n);
}

void mixAdd(float* dst, const float* src, FrameCount n) noexcept {
    activeKernelTable().mixAdd(dst, src, n);
}

void mixAddWithGain(float* dst, const float* src, float g, FrameCount n) noexcept {
    activeKernelTable().mixAddWithGain(dst, src, g, n);
}

float peak(const float* src, FrameCount n) noexcept {
    return activeKernelTable().peak(src, n);
}

float rms(const float* src, FrameCount n) noexcept {
    return activeKernelTable().rms(src, n);
}

} // namespace fluxforge::kernels
