// Kernels for the instruction set the build's own flags allow: SSE2 on x86-64, NEON on AArch64,
// or whatever -march the host chose. Falls back to the scalar table where xsimd has no SIMD
// architecture for the target.
#include "kernel_tables.hpp"
#include "simd_kernels.hpp"

namespace fluxforge::kernels::detail {

#if XSIMD_WITH_SSE2 || XSIMD_WITH_NEON || XSIMD_WITH_NEON64
namespace {
using Arch = xsimd::default_arch;
constexpr KernelTable kTable = SimdKernels<Arch>::table(InstructionSet::baseline, Arch::name());
} // namespace

const KernelTable& baselineKernelTable() noexcept {
    return kTable;
}
#else
const KernelTable& baselineKernelTable() noexcept {
    return scalarKernelTable();
}
#endif

} // namespace fluxforge::kernels::detail
