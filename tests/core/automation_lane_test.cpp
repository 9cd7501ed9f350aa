// AutomationLane on its own: curves against their analytic formulas, flat stretches reported as
// constants, cursor playback agreeing with binary search after any jump, and validation.
#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/core/error.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace fluxforge {
namespace {

// The curves, written out independently of the library's formulas.
double expectedValue(const std::vector<Breakpoint>& points, SampleTime t) {
    if (t < points.front().time) {
        return points.front().value;
    }
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
        const Breakpoint& a = points[i];
        const Breakpoint& b = points[i + 1];
        if (t >= b.time) {
            continue;
        }
        const double u = static_cast<double>(t - a.time) / static_cast<double>(b.time - a.time);
        const double v0 = a.value;
        const double v1 = b.value;
        switch (a.curve) {
        case CurveShape::step:
            return v0;
        case CurveShape::linear:
            return v0 + (v1 - v0) * u;
        case CurveShape::exponential:
            return v0 * std::pow(v1 / v0, u);
        case CurveShape::sCurve:
            return v0 + (v1 - v0) * (3.0 * u * u - 2.0 * u * u * u);
        }
    }
    return points.back().value;
}

const std::vector<Breakpoint> kMixed{
    {-100, 0.5f, CurveShape::linear},      {0, 1.0f, CurveShape::step},
    {1000, 3.0f, CurveShape::exponential}, {3000, 300.0f, CurveShape::sCurve},
    {3100, -50.0f, CurveShape::linear},    {5000, -50.0f, CurveShape::linear},
    {5001, 7.0f, CurveShape::exponential}, {9000, 0.007f, CurveShape::step}};

TEST(AutomationLaneTest, EveryCurveMatchesItsFormula) {
    const AutomationLane lane(kMixed);
    for (SampleTime t = -500; t < 10000; ++t) {
        const double expected = expectedValue(kMixed, t);
        ASSERT_NEAR(lane.valueAt(t), expected, 1e-6 * std::max(1.0, std::abs(expected)))
            << "time " << t;
    }
}

TEST(AutomationLaneTest, BreakpointValuesAreExactAtTheirTimes) {
    const AutomationLane lane(kMixed);
    for (const Breakpoint& point : kMixed) {
        EXPECT_EQ(lane.valueAt(point.time), point.value) << "time " << point.time;
    }
    EXPECT_EQ(lane.valueAt(-kMaxTimelinePosition), 0.5f) << "before the first: its value";
    EXPECT_EQ(lane.valueAt(kMaxTimelinePosition), 0.007f) << "after the last: its value";
    EXPECT_EQ(lane.valueAt(999), 1.0f) << "a step holds until the next breakpoint";
    EXPECT_EQ(lane.minValue(), -50.0f);
    EXPECT_EQ(lane.maxValue(), 300.0f);
}

TEST(AutomationLaneTest, SCurveIsFlatAtBothEndsAndSymmetric) {
    const AutomationLane lane({{0, 0.0f, CurveShape::sCurve}, {1000, 1.0f}});
    EXPECT_NEAR(lane.valueAt(500), 0.5, 1e-7);
    EXPECT_NEAR(lane.valueAt(1) - lane.valueAt(0), 0.0, 1e-5);
    EXPECT_NEAR(lane.valueAt(250) + lane.valueAt(750), 1.0, 1e-6);
}

TEST(AutomationLaneTest, ExponentialKeepsAConstantRatioPerFrame) {
    const AutomationLane lane({{0, 100.0f, CurveShape::exponential}, {1000, 10000.0f}});
    EXPECT_NEAR(lane.valueAt(500), 1000.0, 1e-3);
    const double ratio = lane.valueAt(101) / static_cast<double>(lane.valueAt(100));
    EXPECT_NEAR(lane.valueAt(801) / static_cast<double>(lane.valueAt(800)), ratio, 1e-6);
}

TEST(AutomationLaneTest, FlatStretchesRenderAsConstants) {
    const AutomationLane lane({{0, 1.0f, CurveShape::step},
                               {1000, 2.0f, CurveShape::linear},
                               {2000, 2.0f, CurveShape::linear},
                               {3000, 4.0f, CurveShape::linear}});
    AutomationLane::Cursor cursor;
    std::vector<float> buffer(64);
    float constant = 0.0f;
    EXPECT_TRUE(lane.render(cursor, -5000, 64, buffer.data(), constant));
    EXPECT_EQ(constant, 1.0f) << "before the first breakpoint";
    EXPECT_TRUE(lane.render(cursor, 500, 64, buffer.data(), constant));
    EXPECT_EQ(constant, 1.0f) << "inside a step segment";
    EXPECT_FALSE(lane.render(cursor, 980, 64, buffer.data(), constant))
        << "the step at 1000 lies inside the block";
    EXPECT_EQ(buffer[19], 1.0f);
    EXPECT_EQ(buffer[20], 2.0f);
    EXPECT_TRUE(lane.render(cursor, 1500, 64, buffer.data(), constant));
    EXPECT_EQ(constant, 2.0f) << "a linear segment between equal values is flat";
    EXPECT_FALSE(lane.render(cursor, 2000, 64, buffer.data(), constant)) << "a moving segment";
    EXPECT_TRUE(lane.render(cursor, 3000, 64, buffer.data(), constant));
    EXPECT_EQ(constant, 4.0f) << "after the last breakpoint";
}

// Renders the lane in random blocks with random jumps (locates, loop wraps): the cursor must
// give exactly what a fresh binary search gives for every frame.
TEST(AutomationLaneTest, CursorPlaybackAgreesWithBinarySearchAcrossJumps) {
    const AutomationLane lane(kMixed);
    std::mt19937 random(7);
    std::uniform_int_distribution<FrameCount> size(1, 700);
    std::uniform_int_distribution<int> jump(0, 9);
    std::uniform_int_distribution<SampleTime> where(-300, 9500);
    AutomationLane::Cursor cursor;
    std::vector<float> buffer(700);
    SampleTime position = -200;
    for (int block = 0; block < 3000; ++block) {
        if (jump(random) == 0) {
            position = where(random);
        }
        const FrameCount n = size(random);
        float constant = 0.0f;
        const bool flat = lane.render(cursor, position, n, buffer.data(), constant);
        for (FrameCount i = 0; i < n; ++i) {
            const float value = flat ? constant : buffer[i];
            ASSERT_EQ(value, lane.valueAt(position + i))
                << "block " << block << " at " << position << " frame " << i;
        }
        position += n;
    }
}

TEST(AutomationLaneTest, EmptyLaneHasNoPoints) {
    const AutomationLane lane;
    EXPECT_TRUE(lane.empty());
    EXPECT_EQ(lane.valueAt(0), 0.0f);
    EXPECT_TRUE(AutomationLane(std::vector<Breakpoint>{}).empty());
}

// Each bad lane throws an Error whose message names the breakpoint and the problem.
void expectRejected(const std::vector<Breakpoint>& points, const std::string& mentions) {
    try {
        const AutomationLane lane(points);
        ADD_FAILURE() << "accepted a bad lane (expected an error mentioning '" << mentions << "')";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find(mentions), std::string::npos)
            << "message: " << error.what();
    }
}

TEST(AutomationLaneValidationTest, UnsortedTimesAreRejected) {
    expectRejected({{0, 0.0f}, {200, 1.0f}, {100, 0.5f}}, "must be sorted by time");
    expectRejected({{0, 0.0f}, {200, 1.0f}, {100, 0.5f}}, "breakpoint 2 (time 100)");
}

TEST(AutomationLaneValidationTest, DuplicateTimesAreRejected) {
    expectRejected({{0, 0.0f}, {100, 1.0f}, {100, 0.5f}}, "share the time 100");
}

TEST(AutomationLaneValidationTest, NaNAndInfiniteValuesAreRejected) {
    expectRejected({{0, 0.0f}, {10, std::nanf("")}}, "must be finite");
    expectRejected({{0, std::numeric_limits<float>::infinity()}}, "must be finite");
    expectRejected({{0, -std::numeric_limits<float>::infinity()}}, "breakpoint 0 (time 0)");
}

TEST(AutomationLaneValidationTest, ExponentialSegmentsThroughZeroAreRejected) {
    expectRejected({{0, 1.0f, CurveShape::exponential}, {10, 0.0f}}, "same sign");
    expectRejected({{0, -1.0f, CurveShape::exponential}, {10, 1.0f}}, "exponential");
    // The last breakpoint's curve leads nowhere, so it may be anything.
    EXPECT_NO_THROW(AutomationLane({{0, 0.0f}, {10, 0.0f, CurveShape::exponential}}));
}

TEST(AutomationLaneValidationTest, TimesBeyondTheTimelineAndUnknownCurvesAreRejected) {
    expectRejected({{kMaxTimelinePosition + 1, 0.0f}}, "timeline limit");
    expectRejected({{0, 0.0f, static_cast<CurveShape>(42)}}, "unknown curve");
}

} // namespace
} // namespace fluxforge
