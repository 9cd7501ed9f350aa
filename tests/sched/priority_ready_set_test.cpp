#include <fluxforge/sched/priority_ready_set.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>
#include <vector>

namespace fluxforge {
namespace {

TEST(PriorityReadySetTest, TakesTheMostUrgentFirst) {
    PriorityReadySet set(10000);
    EXPECT_EQ(set.tryTakeMostUrgent(), PriorityReadySet::kNone);
    EXPECT_TRUE(set.emptyApprox());
    for (std::uint32_t p : {9999u, 17u, 4096u, 64u, 63u, 5000u})
        set.insert(p);
    for (std::uint32_t expected : {17u, 63u, 64u, 4096u, 5000u, 9999u}) {
        EXPECT_EQ(set.tryTakeMostUrgent(), expected);
    }
    EXPECT_EQ(set.tryTakeMostUrgent(), PriorityReadySet::kNone);
    EXPECT_TRUE(set.emptyApprox());
}

TEST(PriorityReadySetTest, EntriesCanBeInsertedAgainAfterBeingTaken) {
    PriorityReadySet set(130);
    for (int round = 0; round < 3; ++round) {
        for (std::uint32_t p = 0; p < 130; p += 3)
            set.insert(p);
        for (std::uint32_t p = 0; p < 130; p += 3)
            EXPECT_EQ(set.tryTakeMostUrgent(), p);
        EXPECT_EQ(set.tryTakeMostUrgent(), PriorityReadySet::kNone);
    }
}

// Four threads insert disjoint entries while four others take: every entry is taken exactly once.
TEST(PriorityReadySetTest, ConcurrentInsertAndTakeHandEachEntryOutOnce) {
    constexpr std::uint32_t kEntries = 20000;
    PriorityReadySet set(kEntries);
    std::vector<std::atomic<int>> taken(kEntries);
    std::atomic<std::uint32_t> takenCount{0};
    std::vector<std::thread> threads;
    for (std::uint32_t t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            std::vector<std::uint32_t> mine;
            for (std::uint32_t p = t; p < kEntries; p += 4)
                mine.push_back(p);
            std::shuffle(mine.begin(), mine.end(), std::mt19937(t));
            for (std::uint32_t p : mine)
                set.insert(p);
        });
        threads.emplace_back([&] {
            while (takenCount.load() < kEntries) {
                const std::uint32_t p = set.tryTakeMostUrgent();
                if (p != PriorityReadySet::kNone) {
                    taken[p].fetch_add(1);
                    takenCount.fetch_add(1);
                }
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    for (std::uint32_t p = 0; p < kEntries; ++p)
        ASSERT_EQ(taken[p].load(), 1) << "entry " << p;
    EXPECT_TRUE(set.emptyApprox());
}

} // namespace
} // namespace fluxforge
