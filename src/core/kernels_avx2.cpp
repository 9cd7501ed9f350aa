// AVX2 kernels (8 floats per batch). Compiled with -mavx2; called only when CPUID says so.
#include "kernel_tables.hpp"
#include "simd_kernels.hpp"

namespace fluxforge::kernels::detail {

namespace {
constexpr KernelTable kTable = SimdKernels<xsimd::avx2>::table(InstructionSet::avx2, "avx2");
}

const KernelTable& avx2KernelTable() noexcept {
    return kTable;
}

} // namespace fluxforge::kernels::detail
