// SIMD kernels on planar sample arrays, dispatched at run time to the best instruction set.
//
// Every kernel takes raw pointers and a length; pointers need no particular alignment. Where a
// kernel has both `dst` and `src`, they may be the same pointer (in place) but must not otherwise
// overlap. Element-wise kernels give bit-identical results on every instruction set and for every
// split of a buffer into pieces, which the engine's determinism guarantee relies on; `rms` sums in
// a different order per instruction set and agrees to within float rounding.
//
// All kernels: Thread: any. Real-time safe: yes. Allocates: no.
#pragma once

#include <fluxforge/core/types.hpp>

#include <string_view>

namespace fluxforge::kernels {

/// dst[i] = 0
void clear(float* dst, FrameCount n) noexcept;

/// dst[i] = src[i]
void copy(float* dst, const float* src, FrameCount n) noexcept;

/// dst[i] = src[i] * gain
void gain(float* dst, const float* src, float gain, FrameCount n) noexcept;

/// dst[i] = src[i] * (startGain + (endGain - startGain) / n * i): a linear ramp that starts at
/// startGain and would reach endGain at sample n (so consecutive ramps join without a step).
void gainRamp(float* dst, const float* src, float startGain, float endGain, FrameCount n) noexcept;

/// dst[i] += src[i]
void mixAdd(float* dst, const float* src, FrameCount n) noexcept;

/// dst[i] += src[i] * gain
void mixAddWithGain(float* dst, const float* src, float gain, FrameCount n) noexcept;

/// max |src[i]|, 0 when n == 0.
[[nodiscard]] float peak(const float* src, FrameCount n) noexcept;

/// sqrt(sum src[i]^2 / n), 0 when n == 0.
[[nodiscard]] float rms(const float* src, FrameCount n) noexcept;

// ---- Instruction-set selection -----------------------------------------------------------------

/// The kernel variants a build may hold. `baseline` is compiled with the build's own flags (SSE2
/// on x86-64, NEON on AArch64); `avx2` and `avx512` exist on x86 builds with
/// FLUXFORGE_SIMD_DISPATCH; `scalar` is the plain one-sample-at-a-time reference with compiler
/// auto-vectorisation off.
enum class InstructionSet { scalar, baseline, avx2, avx512 };

/// The short key of a variant: "scalar", "baseline", "avx2" or "avx512" (what FLUXFORGE_SIMD
/// takes).
[[nodiscard]] std::string_view instructionSetKey(InstructionSet set) noexcept;

/// Function table of one kernel variant; what the free functions above dispatch through.
struct KernelTable {
    InstructionSet instructionSet;
    std::string_view name; // e.g. "sse2", "avx2", "avx512f", "neon64", "scalar"
    void (*clear)(float*, FrameCount) noexcept;
    void (*copy)(float*, const float*, FrameCount) noexcept;
    void (*gain)(float*, const float*, float, FrameCount) noexcept;
    void (*gainRamp)(float*, const float*, float, float, FrameCount) noexcept;
    void (*mixAdd)(float*, const float*, FrameCount) noexcept;
    void (*mixAddWithGain)(float*, const float*, float, FrameCount) noexcept;
    float (*peak)(const float*, FrameCount) noexcept;
    float (*rms)(const float*, FrameCount) noexcept;
};

/// The table of `set` if this build holds it and this CPU and OS can run it, else nullptr.
[[nodiscard]] const KernelTable* kernelTable(InstructionSet set) noexcept;

/// The table the free functions use now. On first use it is the best supported variant, unless
/// the environment variable FLUXFORGE_SIMD names another one (scalar, baseline, avx2, avx512).
[[nodiscard]] const KernelTable& activeKernelTable() noexcept;

/// Makes `set` the active variant for the whole process; returns false (and changes nothing) when
/// it is not supported here. Meant for tests, benchmarks and hosts that must pin one variant.
/// Thread: any; takes effect for kernel calls that start afterwards. Real-time safe: yes.
bool trySetInstructionSet(InstructionSet set) noexcept;

} // namespace fluxforge::kernels
