// AVX-512F kernels (16 floats per batch). Compiled with -mavx512f; called only when CPUID says so.
// GCC 12's avx512fintrin.h initialises _mm512_undefined_ps() from itself, which -O3 reports as
// use of an uninitialised value once the intrinsics are inlined (GCC bug 105593); not our code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernel_tables.hpp"
#include "simd_kernels.hpp"

namespace fluxforge::kernels::detail {

namespace {
constexpr KernelTable kTable =
    SimdKernels<xsimd::avx512f>::table(InstructionSet::avx512, "avx512f");
}

const KernelTable& avx512KernelTable() noexcept {
    return kTable;
}

} // namespace fluxforge::kernels::detail
