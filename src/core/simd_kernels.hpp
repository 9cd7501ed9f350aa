// The kernel bodies, written once over an xsimd architecture tag and compiled once per
// instruction set (kernels_<isa>.cpp). Private to the library.
//
// Everything here has internal linkage (anonymous namespace): each instruction-set translation
// unit gets its own copy, so the linker can never merge an AVX-512 body into code that runs on a
// CPU without AVX-512.
#pragma once

#include <fluxforge/core/kernels.hpp>

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <math.h>

namespace fluxforge::kernels::detail {
namespace {

// Scalar helpers of our own rather than std::fabs / std::sqrt: those are inline functions with
// external linkage, so an unoptimised build would emit them here, compiled for this instruction
// set, and the linker could pick this copy for callers anywhere in the program.
inline float absoluteValue(float x) noexcept {
    return x < 0.0f ? -x : x;
}

inline float squareRoot(float x) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_sqrtf(x);
#else
    return ::sqrtf(x); // the C library's function, not compiled in this unit
#endif
}

template <class Arch>
struct SimdKernels {
    using Batch = xsimd::batch<float, Arch>;
    static constexpr std::size_t kWidth = Batch::size;
    static constexpr std::size_t kUnroll = 4; // independent batches per step: hides op latency

    // dst[i] = op(src[i]); `op` is called with a Batch and with a float and must give the same
    // bits for both (it is the same expression), which keeps body and tail consistent.
    template <class Op>
    static void unary(float* dst, const float* src, std::size_t n, Op op) noexcept {
        std::size_t i = 0;
        for (; i + kUnroll * kWidth <= n; i += kUnroll * kWidth) {
            const Batch a = Batch::load_unaligned(src + i);
            const Batch b = Batch::load_unaligned(src + i + kWidth);
            const Batch c = Batch::load_unaligned(src + i + 2 * kWidth);
            const Batch d = Batch::load_unaligned(src + i + 3 * kWidth);
            op(a).store_unaligned(dst + i);
            op(b).store_unaligned(dst + i + kWidth);
            op(c).store_unaligned(dst + i + 2 * kWidth);
            op(d).store_unaligned(dst + i + 3 * kWidth);
        }
        for (; i + kWidth <= n; i += kWidth) {
            op(Batch::load_unaligned(src + i)).store_unaligned(dst + i);
        }
        for (; i < n; ++i) {
            dst[i] = op(src[i]);
        }
    }

    // dst[i] = op(dst[i], src[i])
    template <class Op>
    static void binary(float* dst, const float* src, std::size_t n, Op op) noexcept {
        std::size_t i = 0;
        for (; i + kUnroll * kWidth <= n; i += kUnroll * kWidth) {
            const Batch s0 = Batch::load_unaligned(src + i);
            const Batch s1 = Batch::load_unaligned(src + i + kWidth);
            const Batch s2 = Batch::load_unaligned(src + i + 2 * kWidth);
            const Batch s3 = Batch::load_unaligned(src + i + 3 * kWidth);
            op(Batch::load_unaligned(dst + i), s0).store_unaligned(dst + i);
            op(Batch::load_unaligned(dst + i + kWidth), s1).store_unaligned(dst + i + kWidth);
            op(Batch::load_unaligned(dst + i + 2 * kWidth), s2)
                .store_unaligned(dst + i + 2 * kWidth);
            op(Batch::load_unaligned(dst + i + 3 * kWidth), s3)
                .store_unaligned(dst + i + 3 * kWidth);
        }
        for (; i + kWidth <= n; i += kWidth) {
            op(Batch::load_unaligned(dst + i), Batch::load_unaligned(src + i))
                .store_unaligned(dst + i);
        }
        for (; i < n; ++i) {
            dst[i] = op(dst[i], src[i]);
        }
    }

    static void clear(float* dst, FrameCount n) noexcept {
        const Batch zero(0.0f);
        std::size_t i = 0;
        for (; i + kWidth <= n; i += kWidth) {
            zero.store_unaligned(dst + i);
        }
        for (; i < n; ++i) {
            dst[i] = 0.0f;
        }
    }

    static void copy(float* dst, const float* src, FrameCount n) noexcept {
        unary(dst, src, n, [](auto x) { return x; });
    }

    static void gain(float* dst, const float* src, float g, FrameCount n) noexcept {
        unary(dst, src, n, [g](auto x) { return x * decltype(x)(g); });
    }

    static void gainRamp(float* dst, const float* src, float startGain, float endGain,
                         FrameCount n) noexcept {
        if (n == 0) {
            return;
        }
        // gain(i) = start + step * i with i converted exactly to float: the vector lanes compute
        // the same expression as the scalar tail, so the result does not depend on the width.
        const float step = (endGain - startGain) / static_cast<float>(n);
        alignas(64) static constexpr float kLaneIndex[16] = {0, 1, 2,  3,  4,  5,  6,  7,
                                                             8, 9, 10, 11, 12, 13, 14, 15};
        static_assert(kWidth <= 16);
        const Batch lane = Batch::load_aligned(kLaneIndex);
        const Batch startB(startGain);
        const Batch stepB(step);
        std::size_t i = 0;
        for (; i + kWidth <= n; i += kWidth) {
            const Batch index = Batch(static_cast<float>(i)) + lane;
            const Batch g = startB + stepB * index;
            (Batch::load_unaligned(src + i) * g).store_unaligned(dst + i);
        }
        for (; i < n; ++i) {
            dst[i] = src[i] * (startGain + step * static_cast<float>(i));
        }
    }

    static void mixAdd(float* dst, const float* src, FrameCount n) noexcept {
        binary(dst, src, n, [](auto d, auto s) { return d + s; });
    }

    static void mixAddWithGain(float* dst, const float* src, float g, FrameCount n) noexcept {
        binary(dst, src, n, [g](auto d, auto s) { return d + s * decltype(s)(g); });
    }

    static float horizontalMax(const Batch& b) noexcept {
        alignas(64) float lanes[kWidth];
        b.store_aligned(lanes);
        float m = lanes[0];
        for (std::size_t k = 1; k < kWidth; ++k) {
            m = lanes[k] > m ? lanes[k] : m;
        }
        return m;
    }

    static float horizontalSum(const Batch& b) noexcept {
        alignas(64) float lanes[kWidth];
        b.store_aligned(lanes);
        float s = 0.0f;
        for (std::size_t k = 0; k < kWidth; ++k) {
            s += lanes[k];
        }
        return s;
    }

    static float peak(const float* src, FrameCount n) noexcept {
        Batch m0(0.0f), m1(0.0f), m2(0.0f), m3(0.0f);
        std::size_t i = 0;
        for (; i + kUnroll * kWidth <= n; i += kUnroll * kWidth) {
            m0 = xsimd::max(m0, xsimd::abs(Batch::load_unaligned(src + i)));
            m1 = xsimd::max(m1, xsimd::abs(Batch::load_unaligned(src + i + kWidth)));
            m2 = xsimd::max(m2, xsimd::abs(Batch::load_unaligned(src + i + 2 * kWidth)));
            m3 = xsimd::max(m3, xsimd::abs(Batch::load_unaligned(src + i + 3 * kWidth)));
        }
        for (; i + kWidth <= n; i += kWidth) {
            m0 = xsimd::max(m0, xsimd::abs(Batch::load_unaligned(src + i)));
        }
        float m = horizontalMax(xsimd::max(xsimd::max(m0, m1), xsimd::max(m2, m3)));
        for (; i < n; ++i) {
            const float a = absoluteValue(src[i]);
            m = a > m ? a : m;
        }
        return m;
    }

    static float rms(const float* src, FrameCount n) noexcept {
        if (n == 0) {
            return 0.0f;
        }
        Batch s0(0.0f), s1(0.0f), s2(0.0f), s3(0.0f);
        std::size_t i = 0;
        for (; i + kUnroll * kWidth <= n; i += kUnroll * kWidth) {
            const Batch a = Batch::load_unaligned(src + i);
            const Batch b = Batch::load_unaligned(src + i + kWidth);
            const Batch c = Batch::load_unaligned(src + i + 2 * kWidth);
            const Batch d = Batch::load_unaligned(src + i + 3 * kWidth);
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += d * d;
        }
        for (; i + kWidth <= n; i += kWidth) {
            const Batch a = Batch::load_unaligned(src + i);
            s0 += a * a;
        }
        float sum = horizontalSum((s0 + s1) + (s2 + s3));
        for (; i < n; ++i) {
            sum += src[i] * src[i];
        }
        return squareRoot(sum / static_cast<float>(n));
    }

    static constexpr KernelTable table(InstructionSet set, std::string_view name) noexcept {
        return KernelTable{set,       name,    &clear,          &copy, &gain,
                           &gainRamp, &mixAdd, &mixAddWithGain, &peak, &rms};
    }
};

} // namespace
} // namespace fluxforge::kernels::detail
