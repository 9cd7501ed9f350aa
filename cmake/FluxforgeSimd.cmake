# SIMD kernels: one translation unit per instruction set, the best one picked at run time.
#
# The baseline TU is compiled with the host's flags (SSE2 on any x86-64, NEON on AArch64), so a default
# build runs on every CPU of its architecture. On x86 the AVX2 and AVX-512 variants are compiled too and
# selected by CPUID when the CPU and the OS support them.

option(FLUXFORGE_SIMD_DISPATCH "Compile AVX2/AVX-512 kernel variants and pick one at run time" ON)

set(FLUXFORGE_SIMD_VARIANTS "")
if(FLUXFORGE_SIMD_DISPATCH AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|i[3-6]86|x86)$")
    if(MSVC)
        set(FLUXFORGE_SIMD_FLAGS_avx2 /arch:AVX2)
        set(FLUXFORGE_SIMD_FLAGS_avx512 /arch:AVX512)
    else()
        set(FLUXFORGE_SIMD_FLAGS_avx2 -mavx2)
        set(FLUXFORGE_SIMD_FLAGS_avx512 -mavx512f)
    endif()
    set(FLUXFORGE_SIMD_VARIANTS avx2 avx512)
endif()

# Kernels must give the same bits in their vector body and their scalar tail, or output would depend
# on where a block boundary falls; so no FMA contraction in kernel code.
if(MSVC)
    set(FLUXFORGE_KERNEL_FP_FLAGS /fp:precise)
else()
    set(FLUXFORGE_KERNEL_FP_FLAGS -ffp-contract=off)
endif()
