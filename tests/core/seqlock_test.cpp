// Seqlock: a reader on another thread never sees a half-written value.
#include <fluxforge/core/seqlock.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>

namespace fluxforge {
namespace {

// Odd-sized on purpose (not a whole number of words), every field a function of one counter.
struct Fields {
    std::uint64_t a = 0;
    std::uint32_t b = 0;
    double c = 0.0;
    std::uint8_t d = 0;
};

Fields fieldsOf(std::uint64_t i) {
    return {i, static_cast<std::uint32_t>(i * 3), static_cast<double>(i) * 0.5,
            static_cast<std::uint8_t>(i & 0xff)};
}

bool consistent(const Fields& f) {
    const Fields expected = fieldsOf(f.a);
    return f.b == expected.b && f.c == expected.c && f.d == expected.d;
}

TEST(SeqlockTest, LoadReturnsWhatWasStored) {
    Seqlock<Fields> lock;
    EXPECT_EQ(lock.load().a, 0u);
    lock.store(fieldsOf(41));
    const Fields read = lock.load();
    EXPECT_EQ(read.a, 41u);
    EXPECT_TRUE(consistent(read));
}

TEST(SeqlockTest, ConcurrentReadersNeverSeeATornValue) {
    Seqlock<Fields> lock(fieldsOf(0));
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> torn{0};
    std::atomic<std::uint64_t> reads{0};
    std::thread reader([&] {
        std::uint64_t last = 0;
        while (!done.load(std::memory_order_acquire)) {
            const Fields f = lock.load();
            if (!consistent(f) || f.a < last) {
                torn.fetch_add(1);
            }
            last = f.a;
            reads.fetch_add(1, std::memory_order_relaxed);
        }
    });
    constexpr std::uint64_t kWrites = 200000;
    for (std::uint64_t i = 1; i <= kWrites; ++i) {
        lock.store(fieldsOf(i));
    }
    // Keep writing until the reader has had a fair chance to overlap some writes.
    for (std::uint64_t i = kWrites + 1; reads.load() < 1000; ++i) {
        lock.store(fieldsOf(i));
    }
    done.store(true, std::memory_order_release);
    reader.join();
    EXPECT_EQ(torn.load(), 0u);
    EXPECT_GE(lock.load().a, kWrites);
}

TEST(SeqlockTest, WordsCarryPartialUpdatesOfALargerRecord) {
    SeqlockWords words(8);
    const std::uint64_t values[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    words.beginWrite();
    words.store(0, values, sizeof values);
    words.endWrite();
    const std::uint64_t changed = 42;
    words.beginWrite();
    words.store(5, &changed, sizeof changed); // only what changed
    words.endWrite();
    std::uint64_t read[8] = {};
    for (;;) {
        const std::uint32_t sequence = words.beginRead();
        words.load(0, read, sizeof read);
        if (words.validRead(sequence)) {
            break;
        }
    }
    EXPECT_EQ(read[4], 5u);
    EXPECT_EQ(read[5], 42u);
    EXPECT_EQ(read[7], 8u);
    EXPECT_EQ(words.writesApprox(), 2u);
}

} // namespace
} // namespace fluxforge
