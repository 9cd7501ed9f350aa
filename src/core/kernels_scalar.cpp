// The scalar kernels: one sample at a time, the way a plain loop is written. They are the
// reference the SIMD variants are tested and benchmarked against, and the fallback on targets
// without SIMD. The build compiles this file with auto-vectorisation and memset/memcpy idiom
// recognition turned off (src/CMakeLists.txt), so "scalar" really means scalar.
#include "kernel_tables.hpp"

#include <cmath>

namespace fluxforge::kernels::detail {
namespace {

void clearScalar(float* dst, FrameCount n) noexcept {
    for (FrameCount i = 0; i < n; ++i) {
        dst[i] = 0.0f;
    }
}

void copyScalar(float* dst, const float* src, FrameCount n) noexcept {
    for (FrameCount i = 0; i < n; ++i) {
        dst[i] = src[i];
    }
}

void gainScalar(float* dst, const float* src, float g, FrameCount n) noexcept {
    for (FrameCount i = 0; i < n; ++i) {
        dst[i] = src[i] * g;
    }
}

void gainRampScalar(float* dst, const float* src, float startGain, float endGain,
                    FrameCount n) noexcept {
    if (n == 0) {
        return;
    }
    const float step = (endGain - startGain) / static_cast<float>(n);
    for (FrameCount i = 0; i < n; ++i) {
        dst[i] = src[i] * (startGain + step * static_cast<float>(i));
    }
}

void mixAddScalar(float* dst, const float* src, FrameCount n) noexcept {
    for (FrameCount i = 0; i < n; ++i) {
        dst[i] = dst[i] + src[i];
    }
}

void mixAddWithGainScalar(float* dst, const float* src, float g, FrameCount n) noexcept {
    for (FrameCount i = 0; i < n; ++i) {
        dst[i] = dst[i] + src[i] * g;
    }
}

float peakScalar(const float* src, FrameCount n) noexcept {
    float m = 0.0f;
    for (FrameCount i = 0; i < n; ++i) {
        const float a = std::fabs(src[i]);
        m = a > m ? a : m;
    }
    return m;
}

float rmsScalar(const float* src, FrameCount n) noexcept {
    if (n == 0) {
        return 0.0f;
    }
    float sum = 0.0f;
    for (FrameCount i = 0; i < n; ++i) {
        sum += src[i] * src[i];
    }
    return std::sqrt(sum / static_cast<float>(n));
}

constexpr KernelTable kTable{
    InstructionSet::scalar, "scalar",      &clearScalar,          &copyScalar, &gainScalar,
    &gainRampScalar,        &mixAddScalar, &mixAddWithGainScalar, &peakScalar, &rmsScalar};

} // namespace

const KernelTable& scalarKernelTable() noexcept {
    return kTable;
}

} // namespace fluxforge::kernels::detail
