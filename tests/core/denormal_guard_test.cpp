#include <fluxforge/core/denormal_guard.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace fluxforge {
namespace {

// Computed at run time through a volatile so the compiler cannot fold it away.
float halveSmallestNormal() {
    volatile float smallest = std::numeric_limits<float>::min();
    volatile float half = 0.5f;
    return smallest * half;
}

TEST(DenormalGuardTest, FlushesDenormalResultsToZeroInsideTheScope) {
    if (!DenormalGuard::isSupported())
        GTEST_SKIP() << "no flush-to-zero control on this CPU";
    {
        DenormalGuard guard;
        EXPECT_EQ(halveSmallestNormal(), 0.0f);
    }
}

TEST(DenormalGuardTest, RestoresThePreviousModeWhenItEnds) {
    if (!DenormalGuard::isSupported())
        GTEST_SKIP() << "no flush-to-zero control on this CPU";
    { DenormalGuard guard; }
    const float result = halveSmallestNormal();
    EXPECT_NE(result, 0.0f);
    EXPECT_EQ(std::fpclassify(result), FP_SUBNORMAL);
}

TEST(DenormalGuardTest, NestedGuardsRestoreInOrder) {
    if (!DenormalGuard::isSupported())
        GTEST_SKIP() << "no flush-to-zero control on this CPU";
    {
        DenormalGuard outer;
        {
            DenormalGuard inner;
            EXPECT_EQ(halveSmallestNormal(), 0.0f);
        }
        EXPECT_EQ(halveSmallestNormal(), 0.0f);
    }
    EXPECT_NE(halveSmallestNormal(), 0.0f);
}

} // namespace
} // namespace fluxforge
