#include <fluxforge/sched/priority_ready_set.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <bit>
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
    // The last takes may leave their words' summary bits set (a take never clears one); the next
    // scan that finds nothing clears them.
    EXPECT_EQ(set.tryTakeMostUrgent(), PriorityReadySet::kNone);
    EXPECT_TRUE(set.emptyApprox());
}

} // namespace
} // namespace fluxforge

namespace fluxforge {
namespace {

TEST(PriorityReadySetTest, StealingTakesTheMostUrgentAndHalfOfItsWord) {
    PriorityReadySet set(200);
    for (std::uint32_t p = 64; p < 72; ++p)
        set.insert(p); // eight entries in word 1
    set.insert(150);
    std::uint64_t extra = 0;
    std::uint32_t word = 0;
    EXPECT_EQ(set.tryStealHalf(extra, word), 64u);
    EXPECT_EQ(word, 1u);
    EXPECT_EQ(std::popcount(extra), 3); // half of the seven others
    EXPECT_EQ(extra & 1u, 0u);          // not the one returned
    // What is left: the four least urgent of the word, then 150.
    for (std::uint32_t expected : {68u, 69u, 70u, 71u, 150u}) {
        EXPECT_EQ(set.tryTakeMostUrgent(), expected);
    }
    EXPECT_EQ(set.tryStealHalf(extra, word), PriorityReadySet::kNone);
}

TEST(PriorityReadySetTest, PeekingAStealShowsWhatTheStealTakesAndTakesNothing) {
    PriorityReadySet set(200);
    for (std::uint32_t p = 64; p < 72; ++p)
        set.insert(p);
    set.insert(150);
    std::uint32_t peekedWord = 0;
    const std::uint64_t peeked = set.peekStealApprox(peekedWord);
    EXPECT_EQ(peekedWord, 1u);
    EXPECT_EQ(std::popcount(peeked), 4); // 64 and the most urgent half of the other seven
    EXPECT_EQ(peeked, std::uint64_t{0xF});
    std::uint64_t extra = 0;
    std::uint32_t word = 0;
    const std::uint32_t first = set.tryStealHalf(extra, word);
    EXPECT_EQ(word, peekedWord);
    EXPECT_EQ((std::uint64_t{1} << (first % 64)) | extra, peeked);
    std::uint32_t emptyWord = 0;
    PriorityReadySet empty(64);
    EXPECT_EQ(empty.peekStealApprox(emptyWord), 0u);
}

// Adverts are hints a thief reads before it looks at a set's entries (critical-path executor).
TEST(PriorityReadySetTest, AnAdvertIsUpUntilWithdrawn) {
    PriorityReadySet set(64);
    EXPECT_FALSE(set.advertisesMovableApprox());
    set.advertiseMovable();
    set.advertiseMovable();
    EXPECT_TRUE(set.advertisesMovableApprox());
    set.withdrawMovable();
    EXPECT_FALSE(set.advertisesMovableApprox());
}

TEST(PriorityReadySetTest, InsertWordAddsEveryBit) {
    PriorityReadySet set(128);
    set.insertWord(1, (std::uint64_t{1} << 3) | (std::uint64_t{1} << 40));
    EXPECT_EQ(set.tryTakeMostUrgent(), 67u);
    EXPECT_EQ(set.tryTakeMostUrgent(), 104u);
    EXPECT_EQ(set.tryTakeMostUrgent(), PriorityReadySet::kNone);
}

// Thieves stealing halves and the owner taking singles, concurrently, with inserts: every entry
// handed out exactly once.
TEST(PriorityReadySetTest, ConcurrentStealsAndTakesHandEachEntryOutOnce) {
    constexpr std::uint32_t kEntries = 20000;
    PriorityReadySet victim(kEntries);
    std::vector<std::atomic<int>> taken(kEntries);
    std::atomic<std::uint32_t> takenCount{0};
    std::thread producer([&] {
        for (std::uint32_t p = 0; p < kEntries; p += 64) {
            std::uint64_t bits = 0;
            for (std::uint32_t k = 0; k < 64 && p + k < kEntries; ++k)
                bits |= std::uint64_t{1} << k;
            victim.insertWord(p / 64, bits);
        }
    });
    std::vector<std::thread> thieves;
    for (int t = 0; t < 3; ++t) {
        thieves.emplace_back([&, t] {
            PriorityReadySet own(kEntries);
            while (takenCount.load() < kEntries) {
                std::uint32_t p = own.tryTakeMostUrgent();
                if (p == PriorityReadySet::kNone) {
                    std::uint64_t extra = 0;
                    std::uint32_t word = 0;
                    p = t == 0 ? victim.tryTakeMostUrgent() : victim.tryStealHalf(extra, word);
                    if (extra != 0)
                        own.insertWord(word, extra);
                }
                if (p != PriorityReadySet::kNone) {
                    taken[p].fetch_add(1);
                    takenCount.fetch_add(1);
                }
            }
        });
    }
    producer.join();
    for (auto& thief : thieves)
        thief.join();
    for (std::uint32_t p = 0; p < kEntries; ++p)
        ASSERT_EQ(taken[p].load(), 1) << "entry " << p;
}

// An insert into a word whose summary bit is still set (stale, from an entry taken since) sets no
// summary bit itself: the entry must still be found, by take and by steal.
TEST(PriorityReadySetTest, EntriesOfAWordWithAStaleSummaryBitAreFound) {
    PriorityReadySet set(200);
    set.insert(70);
    set.insert(71);
    EXPECT_EQ(set.tryTakeMostUrgent(), 70u);
    EXPECT_EQ(set.tryTakeMostUrgent(), 71u); // the word is empty, its summary bit maybe not
    set.insert(100);
    EXPECT_EQ(set.tryTakeMostUrgent(), 100u);
    set.insert(65);
    std::uint64_t extra = 0;
    std::uint32_t word = 0;
    EXPECT_EQ(set.tryStealHalf(extra, word), 65u);
    EXPECT_EQ(extra, 0u);
    EXPECT_EQ(set.tryTakeMostUrgent(), PriorityReadySet::kNone);
}

// Seeding a set nobody shares yet, word by word, gives the same set as inserting.
TEST(PriorityReadySetTest, UnsharedInsertOfAWordAddsEveryBit) {
    PriorityReadySet set(300);
    set.insertWordUnshared(0, (std::uint64_t{1} << 3) | (std::uint64_t{1} << 40));
    set.insertWordUnshared(4, std::uint64_t{1} << 1);
    set.insertWordUnshared(0, std::uint64_t{1} << 2);
    for (std::uint32_t expected : {2u, 3u, 40u, 257u}) {
        EXPECT_EQ(set.tryTakeMostUrgent(), expected);
    }
    EXPECT_EQ(set.tryTakeMostUrgent(), PriorityReadySet::kNone);
}

} // namespace
} // namespace fluxforge
