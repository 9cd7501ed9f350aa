// Every SIMD kernel variant against plain scalar arithmetic written here, over lengths 0..4099
// and misaligned starts, without touching memory outside the range it was given.
#include <fluxforge/core/kernels.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace fluxforge {
namespace {

using kernels::InstructionSet;
using kernels::KernelTable;

constexpr FrameCount kMaxLength = 4099;
constexpr std::size_t kMaxOffset = 17; // floats: every alignment a 64-byte line allows, and more
constexpr std::size_t kGuard = 32;     // canary floats on each side of the range
constexpr float kCanary = 12345.0f;

// A source of seeded random samples in [-1, 1] with room for offsets and guards.
struct Arena {
    std::vector<float> dst;
    std::vector<float> src;
    std::vector<float> expected;

    Arena() {
        const std::size_t size = kGuard + kMaxOffset + kMaxLength + kGuard;
        dst.resize(size);
        src.resize(size);
        expected.resize(size);
        std::mt19937 rng(1234);
        std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
        for (float& x : src) {
            x = dist(rng);
        }
    }

    // Fills dst and expected with the same random contents and canaries around [offset, +n).
    void reset(std::size_t offset, FrameCount n, unsigned seed) {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
        for (std::size_t i = 0; i < dst.size(); ++i) {
            const bool inside = i >= kGuard + offset && i < kGuard + offset + n;
            dst[i] = inside ? dist(rng) : kCanary;
        }
        expected = dst;
    }

    float* dstAt(std::size_t offset) { return dst.data() + kGuard + offset; }
    float* expectedAt(std::size_t offset) { return expected.data() + kGuard + offset; }
    // The source is read at a different misalignment than the destination.
    const float* srcAt(std::size_t offset) const {
        return src.data() + kGuard + (offset * 7) % kMaxOffset;
    }
};

// The (length, offset) pairs a test sweeps: every length at two alignments, and every offset
// over the short lengths where tail handling lives.
template <typename Fn>
void forEachShape(Fn&& fn) {
    for (FrameCount n = 0; n <= kMaxLength; ++n) {
        fn(n, std::size_t{0});
        fn(n, std::size_t{3});
    }
    for (std::size_t offset = 0; offset <= kMaxOffset; ++offset) {
        for (FrameCount n = 0; n <= 130; ++n) {
            fn(n, offset);
        }
    }
}

class KernelTest : public ::testing::TestWithParam<InstructionSet> {
protected:
    void SetUp() override {
        table_ = kernels::kernelTable(GetParam());
        if (table_ == nullptr) {
            GTEST_SKIP() << "this CPU or build has no " << kernels::instructionSetKey(GetParam())
                         << " kernels";
        }
    }

    // Runs `kernel` (on dst) and `reference` (on expected) for every shape and requires
    // bit-identical results, canaries included.
    template <typename Kernel, typename Reference>
    void expectMatchesReference(Kernel kernel, Reference reference) {
        int failures = 0;
        forEachShape([&](FrameCount n, std::size_t offset) {
            if (failures > 5) {
                return;
            }
            arena_.reset(offset, n, n * 31u + static_cast<unsigned>(offset));
            kernel(arena_.dstAt(offset), arena_.srcAt(offset), n);
            reference(arena_.expectedAt(offset), arena_.srcAt(offset), n);
            if (std::memcmp(arena_.dst.data(), arena_.expected.data(),
                            arena_.dst.size() * sizeof(float)) != 0) {
                ++failures;
                ADD_FAILURE() << table_->name << ": mismatch at length " << n << ", offset "
                              << offset;
            }
        });
    }

    const KernelTable* table_ = nullptr;
    Arena arena_;
};

TEST_P(KernelTest, ClearZeroesExactlyTheRange) {
    expectMatchesReference([&](float* d, const float*, FrameCount n) { table_->clear(d, n); },
                           [](float* e, const float*, FrameCount n) {
                               for (FrameCount i = 0; i < n; ++i)
                                   e[i] = 0.0f;
                           });
}

TEST_P(KernelTest, CopyMatchesScalar) {
    expectMatchesReference([&](float* d, const float* s, FrameCount n) { table_->copy(d, s, n); },
                           [](float* e, const float* s, FrameCount n) {
                               for (FrameCount i = 0; i < n; ++i)
                                   e[i] = s[i];
                           });
}

TEST_P(KernelTest, GainMatchesScalar) {
    const float g = 0.7071f;
    expectMatchesReference(
        [&](float* d, const float* s, FrameCount n) { table_->gain(d, s, g, n); },
        [&](float* e, const float* s, FrameCount n) {
            for (FrameCount i = 0; i < n; ++i)
                e[i] = s[i] * g;
        });
}

TEST_P(KernelTest, GainInPlaceMatchesScalar) {
    const float g = -1.5f;
    expectMatchesReference([&](float* d, const float*, FrameCount n) { table_->gain(d, d, g, n); },
                           [&](float* e, const float*, FrameCount n) {
                               for (FrameCount i = 0; i < n; ++i)
                                   e[i] = e[i] * g;
                           });
}

TEST_P(KernelTest, GainRampMatchesScalar) {
    const float start = 0.25f;
    const float end = 1.75f;
    expectMatchesReference(
        [&](float* d, const float* s, FrameCount n) { table_->gainRamp(d, s, start, end, n); },
        [&](float* e, const float* s, FrameCount n) {
            if (n == 0)
                return;
            const float step = (end - start) / static_cast<float>(n);
            for (FrameCount i = 0; i < n; ++i) {
                e[i] = s[i] * (start + step * static_cast<float>(i));
            }
        });
}

TEST_P(KernelTest, GainRampStartsAtStartAndApproachesEnd) {
    std::vector<float> ones(1000, 1.0f);
    std::vector<float> out(1000);
    table_->gainRamp(out.data(), ones.data(), 1.0f, 0.0f, 1000);
    EXPECT_EQ(out[0], 1.0f);
    EXPECT_NEAR(out[500], 0.5f, 1e-6f);
    EXPECT_NEAR(out[999], 0.001f, 1e-6f);
}

TEST_P(KernelTest, MixAddMatchesScalar) {
    expectMatchesReference([&](float* d, const float* s, FrameCount n) { table_->mixAdd(d, s, n); },
                           [](float* e, const float* s, FrameCount n) {
                               for (FrameCount i = 0; i < n; ++i)
                                   e[i] = e[i] + s[i];
                           });
}

TEST_P(KernelTest, MixAddWithGainMatchesScalar) {
    const float g = 0.3f;
    expectMatchesReference(
        [&](float* d, const float* s, FrameCount n) { table_->mixAddWithGain(d, s, g, n); },
        [&](float* e, const float* s, FrameCount n) {
            for (FrameCount i = 0; i < n; ++i) {
                const float product = s[i] * g; // rounded on its own: no fused multiply-add
                e[i] = e[i] + product;
            }
        });
}

TEST_P(KernelTest, PeakEqualsLargestMagnitude) {
    forEachShape([&](FrameCount n, std::size_t offset) {
        const float* s = arena_.srcAt(offset);
        float expected = 0.0f;
        for (FrameCount i = 0; i < n; ++i)
            expected = std::max(expected, std::fabs(s[i]));
        ASSERT_EQ(table_->peak(s, n), expected) << "length " << n << ", offset " << offset;
    });
}

TEST_P(KernelTest, PeakFindsASpikeAnywhere) {
    std::vector<float> quiet(777, 0.01f);
    for (std::size_t at : {std::size_t{0}, std::size_t{15}, std::size_t{64}, std::size_t{776}}) {
        quiet[at] = -0.9f;
        EXPECT_EQ(table_->peak(quiet.data(), 777), 0.9f) << "spike at " << at;
        quiet[at] = 0.01f;
    }
}

TEST_P(KernelTest, RmsMatchesDoublePrecisionWithinFloatRounding) {
    forEachShape([&](FrameCount n, std::size_t offset) {
        const float* s = arena_.srcAt(offset);
        double sum = 0.0;
        for (FrameCount i = 0; i < n; ++i)
            sum += double{s[i]} * double{s[i]};
        const double expected = n == 0 ? 0.0 : std::sqrt(sum / n);
        // Summing n floats in any order is within about n * 2^-24 relative of the exact sum.
        const double tolerance = 1e-7 * (n + 16) * expected + 1e-12;
        ASSERT_NEAR(table_->rms(s, n), expected, tolerance)
            << "length " << n << ", offset " << offset;
    });
}

TEST_P(KernelTest, RmsOfFullScaleSineIsOneOverSquareRootOfTwo) {
    std::vector<float> sine(4800);
    for (std::size_t i = 0; i < sine.size(); ++i) {
        sine[i] = static_cast<float>(std::sin(2.0 * std::numbers::pi * 100.0 * i / 48000.0));
    }
    EXPECT_NEAR(table_->rms(sine.data(), 4800), 1.0 / std::sqrt(2.0), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(EveryInstructionSet, KernelTest,
                         ::testing::Values(InstructionSet::scalar, InstructionSet::baseline,
                                           InstructionSet::avx2, InstructionSet::avx512),
                         [](const auto& paramInfo) {
                             return std::string(kernels::instructionSetKey(paramInfo.param));
                         });

TEST(KernelDispatchTest, ScalarAndBaselineAreAlwaysAvailable) {
    ASSERT_NE(kernels::kernelTable(InstructionSet::scalar), nullptr);
    ASSERT_NE(kernels::kernelTable(InstructionSet::baseline), nullptr);
}

TEST(KernelDispatchTest, ActiveVariantIsTheBestSupportedOneByDefault) {
    if (std::getenv("FLUXFORGE_SIMD") != nullptr) {
        GTEST_SKIP() << "FLUXFORGE_SIMD pins the variant in this run";
    }
    InstructionSet best = InstructionSet::baseline;
    for (InstructionSet set : {InstructionSet::avx2, InstructionSet::avx512}) {
        if (kernels::kernelTable(set) != nullptr)
            best = set;
    }
    EXPECT_EQ(kernels::activeKernelTable().instructionSet, best);
}

TEST(KernelDispatchTest, PinningAVariantRoutesTheFreeFunctionsThroughIt) {
    const InstructionSet before = kernels::activeKernelTable().instructionSet;
    ASSERT_TRUE(kernels::trySetInstructionSet(InstructionSet::scalar));
    EXPECT_EQ(kernels::activeKernelTable().instructionSet, InstructionSet::scalar);
    std::vector<float> data{1.0f, -2.0f, 3.0f};
    kernels::gain(data.data(), data.data(), 2.0f, 3);
    EXPECT_EQ(data, (std::vector<float>{2.0f, -4.0f, 6.0f}));
    EXPECT_EQ(kernels::peak(data.data(), 3), 6.0f);
    ASSERT_TRUE(kernels::trySetInstructionSet(before));
}

TEST(KernelDispatchTest, PinningAnUnsupportedVariantChangesNothing) {
    const InstructionSet before = kernels::activeKernelTable().instructionSet;
    for (InstructionSet set : {InstructionSet::avx2, InstructionSet::avx512}) {
        if (kernels::kernelTable(set) == nullptr) {
            EXPECT_FALSE(kernels::trySetInstructionSet(set));
            EXPECT_EQ(kernels::activeKernelTable().instructionSet, before);
        }
    }
}

} // namespace
} // namespace fluxforge
