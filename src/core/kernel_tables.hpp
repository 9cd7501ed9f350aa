// The kernel tables each instruction-set translation unit defines. Private to the library.
#pragma once

#include <fluxforge/core/kernels.hpp>

namespace fluxforge::kernels::detail {

const KernelTable& scalarKernelTable() noexcept;
const KernelTable& baselineKernelTable() noexcept;
#if FLUXFORGE_HAVE_KERNELS_AVX2
const KernelTable& avx2KernelTable() noexcept;
#endif
#if FLUXFORGE_HAVE_KERNELS_AVX512
const KernelTable& avx512KernelTable() noexcept;
#endif

} // namespace fluxforge::kernels::detail
