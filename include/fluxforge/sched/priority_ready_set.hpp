// PriorityReadySet: a lock-free set of ready tasks that hands out the highest-priority one first.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>

namespace fluxforge {

/// A set over priority indices 0..capacity-1 (0 is the most urgent), one bit each, with a summary
/// bit per 64-bit word so that finding the most urgent entry reads a handful of words even for
/// thousands of tasks. Any thread may insert; any thread may take, and an entry is taken exactly
/// once (the bit is claimed with an atomic and-not). The owner takes from its own set first and
/// other workers steal from it when theirs is empty.
///
/// Construction allocates (control thread); everything else: Thread: any. Real-time safe: yes.
/// Allocates: no.
class PriorityReadySet {
public:
    static constexpr std::uint32_t kNone = ~std::uint32_t{0};

    PriorityReadySet() = default;
    explicit PriorityReadySet(std::uint32_t capacity)
        : numWords_((capacity + 63) / 64)
        , numSummaries_((numWords_ + 63) / 64) {
        // One allocation of whole cache lines, summaries first: the sets of different workers
        // never share a line, so an owner's inserts and takes do not slow the other workers down
        // (separate small allocations used to sit side by side on the heap).
        // The first line holds the advert (advertiseMovable) alone.
        const std::uint32_t summaryLines = (numSummaries_ + kPerLine - 1) / kPerLine;
        const std::uint32_t wordLines = (numWords_ + kPerLine - 1) / kPerLine;
        lines_.reset(new Line[1 + summaryLines + wordLines]);
        advert_ = lines_[0].entries;
        summaries_ = lines_[1].entries;
        words_ = lines_[1 + summaryLines].entries;
        for (std::uint32_t l = 0; l < 1 + summaryLines + wordLines; ++l) {
            for (std::atomic<std::uint64_t>& entry : lines_[l].entries) {
                entry.store(0, std::memory_order_relaxed);
            }
        }
    }

    /// Adds an entry. Its data (the task's inputs) must be written before: insert publishes it.
    void insert(std::uint32_t priority) noexcept {
        insertWord(priority / 64, std::uint64_t{1} << (priority % 64));
    }

    /// Adds several entries of one 64-entry word at once: one atomic instead of one per entry.
    /// The summary bit is set only when it looks clear: a scanner that clears it re-reads the word
    /// afterwards (scanWords), and our word update comes before our summary read in the single
    /// order of sequentially consistent operations, so it either sees our entries or we see its
    /// clear. That saves the second atomic read-modify-write of most inserts.
    void insertWord(std::uint32_t word, std::uint64_t bits) noexcept {
        words_[word].fetch_or(bits, std::memory_order_seq_cst);
        std::atomic<std::uint64_t>& summary = summaries_[word / 64];
        const std::uint64_t summaryBit = std::uint64_t{1} << (word % 64);
        if ((summary.load(std::memory_order_seq_cst) & summaryBit) == 0) {
            summary.fetch_or(summaryBit, std::memory_order_seq_cst);
        }
    }

    /// insertWord for a set no other thread can reach yet (seeding a block before its workers
    /// start): plain loads and stores, no read-modify-write.
    void insertWordUnshared(std::uint32_t word, std::uint64_t bits) noexcept {
        words_[word].store(words_[word].load(std::memory_order_relaxed) | bits,
                           std::memory_order_relaxed);
        std::atomic<std::uint64_t>& summary = summaries_[word / 64];
        summary.store(summary.load(std::memory_order_relaxed) | (std::uint64_t{1} << (word % 64)),
                      std::memory_order_relaxed);
    }

    /// Steals from this set: removes and returns the most urgent entry and, in the same atomic
    /// operation, up to half of the other entries of its word, which the thief gets in `extra`
    /// (to insertWord into its own set; `extraWord` says which word). kNone when empty.
    std::uint32_t tryStealHalf(std::uint64_t& extra, std::uint32_t& extraWord) noexcept {
        extra = 0;
        return scanWords([&](std::uint32_t word, std::uint64_t bits) noexcept {
            while (bits != 0) {
                const std::uint64_t mask = stealMask(bits);
                const std::uint64_t before =
                    words_[word].fetch_and(~mask, std::memory_order_seq_cst);
                const std::uint64_t got = before & mask;
                if (got != 0) {
                    const std::uint64_t first = got & (~got + 1);
                    extra = got & ~first;
                    extraWord = word;
                    return word * 64 + static_cast<std::uint32_t>(std::countr_zero(first));
                }
                bits = before; // all taken meanwhile; look again
            }
            return kNone;
        });
    }

    /// Removes and returns the most urgent entry, or kNone when the set is empty.
    std::uint32_t tryTakeMostUrgent() noexcept {
        return scanWords([&](std::uint32_t word, std::uint64_t bits) noexcept {
            while (bits != 0) {
                const std::uint64_t mask = std::uint64_t{1} << std::countr_zero(bits);
                const std::uint64_t before =
                    words_[word].fetch_and(~mask, std::memory_order_seq_cst);
                if ((before & mask) != 0) {
                    return word * 64 + static_cast<std::uint32_t>(std::countr_zero(mask));
                }
                bits = before & ~mask; // someone else took it; try the next bit
            }
            return kNone;
        });
    }

    /// Of a word's entries `bits`, those a steal takes: the most urgent and, after it, half of the
    /// rest (the most urgent half). Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] static std::uint64_t stealMask(std::uint64_t bits) noexcept {
        std::uint64_t mask = bits & (~bits + 1);
        std::uint64_t rest = bits & ~mask;
        for (int k = std::popcount(rest) / 2; k > 0; --k) {
            mask |= rest & (~rest + 1);
            rest &= rest - 1;
        }
        return mask;
    }

    /// What tryStealHalf would take now, without taking it: the priorities are word * 64 + the
    /// positions of the set bits of the result (0 when the set looks empty). Plain loads: a thief
    /// weighs what it would take before it takes it. May be stale.
    [[nodiscard]] std::uint64_t peekStealApprox(std::uint32_t& word) const noexcept {
        for (std::uint32_t s = 0; s < numSummaries_; ++s) {
            std::uint64_t summary = summaries_[s].load(std::memory_order_relaxed);
            while (summary != 0) {
                const std::uint32_t w =
                    s * 64 + static_cast<std::uint32_t>(std::countr_zero(summary));
                const std::uint64_t bits = words_[w].load(std::memory_order_relaxed);
                if (bits != 0) {
                    word = w;
                    return stealMask(bits);
                }
                summary &= summary - 1; // emptied by takes; its summary bit is cleared by a scan
            }
        }
        return 0;
    }

    /// The advert: whether the set may hold an entry worth stealing, in a cache line of its own.
    /// A worker with nothing to do looks at other sets' adverts before it looks at their entries,
    /// because reading the lines a set's owner keeps writing takes them away from the owner (its
    /// next take or insert must win them back). The owner advertises when it inserts an entry
    /// worth moving (writing the line only if the advert is down); a thief withdraws it when it
    /// finds nothing worth taking. A lost advert only leaves work with its owner: it is a hint,
    /// and no entry's fate depends on it. Thread: any. Real-time safe: yes. Allocates: no.
    void advertiseMovable() noexcept {
        if (advert_->load(std::memory_order_relaxed) == 0) {
            advert_->store(1, std::memory_order_relaxed);
        }
    }
    void withdrawMovable() noexcept { advert_->store(0, std::memory_order_relaxed); }
    [[nodiscard]] bool advertisesMovableApprox() const noexcept {
        return advert_->load(std::memory_order_relaxed) != 0;
    }

    /// Whether the set looks empty. May say "not empty" for an empty set: a take leaves its word's
    /// summary bit set, and only a scan that finds the word empty clears it.
    [[nodiscard]] bool emptyApprox() const noexcept {
        for (std::uint32_t s = 0; s < numSummaries_; ++s) {
            if (summaries_[s].load(std::memory_order_relaxed) != 0) {
                return false;
            }
        }
        return true;
    }

private:
    // The one walk over the summaries that take and steal share: visits the non-empty words, most
    // urgent first, and returns the first entry `takeFrom(word, bits)` gets out of one (kNone when
    // the word was emptied meanwhile). A word that looks empty has its summary bit cleared and is
    // then looked at again, because an insert may have set a bit between our read and the clear
    // (it sets the word first).
    template <class TakeFrom>
    std::uint32_t scanWords(TakeFrom&& takeFrom) noexcept {
        for (std::uint32_t s = 0; s < numSummaries_; ++s) {
            std::uint64_t summary = summaries_[s].load(std::memory_order_seq_cst);
            while (summary != 0) {
                const std::uint32_t word =
                    s * 64 + static_cast<std::uint32_t>(std::countr_zero(summary));
                const std::uint32_t got =
                    takeFrom(word, words_[word].load(std::memory_order_seq_cst));
                if (got != kNone) {
                    return got;
                }
                const std::uint64_t summaryBit = std::uint64_t{1} << (word % 64);
                summaries_[s].fetch_and(~summaryBit, std::memory_order_seq_cst);
                if (words_[word].load(std::memory_order_seq_cst) != 0) {
                    summaries_[s].fetch_or(summaryBit, std::memory_order_seq_cst);
                    continue; // retry this word
                }
                summary &= ~summaryBit;
            }
        }
        return kNone;
    }

    static constexpr std::uint32_t kPerLine = 8; // 64-bit entries per 64-byte cache line
    struct alignas(64) Line {
        std::atomic<std::uint64_t> entries[kPerLine];
    };

    std::uint32_t numWords_ = 0;
    std::uint32_t numSummaries_ = 0;
    std::unique_ptr<Line[]> lines_;
    std::atomic<std::uint64_t>* advert_ = nullptr;    // into lines_: the first line, alone
    std::atomic<std::uint64_t>* summaries_ = nullptr; // into lines_
    std::atomic<std::uint64_t>* words_ = nullptr;     // into lines_, after the summaries' lines
};

} // namespace fluxforge
