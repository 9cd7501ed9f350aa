// Seqlock: one writer publishes several fields at once; readers on any thread copy them out
// consistently, and the writer never waits for a reader.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

namespace fluxforge {

/// The sequence protocol of a seqlock over storage held as 64-bit atomic words. The writer makes
/// the sequence odd, stores words, makes it even again; a reader copies words between two reads of
/// an even sequence and keeps the copy only if the sequence did not move. The words are atomics
/// (relaxed), so a reader racing with the writer reads stale or mixed words it then discards, never
/// undefined behaviour, and ThreadSanitizer agrees.
///
/// One writer thread at a time; any number of readers.
/// Writer side: Thread: one writer (the audio thread, say). Real-time safe: yes (wait-free).
/// Allocates: no. Reader side: Thread: any. Real-time safe: no (retries while a write is under
/// way). Allocates: no.
class SeqlockWords {
public:
    /// Storage for `words` 64-bit words, zeroed. Thread: control. Real-time safe: no.
    /// Allocates: yes.
    explicit SeqlockWords(std::size_t words)
        : words_(new std::atomic<std::uint64_t>[words == 0 ? 1 : words])
        , size_(words) {
        for (std::size_t i = 0; i < size_; ++i) {
            words_[i].store(0, std::memory_order_relaxed);
        }
    }

    [[nodiscard]] std::size_t sizeWords() const noexcept { return size_; }

    /// Words needed to hold `bytes` bytes.
    [[nodiscard]] static constexpr std::size_t wordsFor(std::size_t bytes) noexcept {
        return (bytes + sizeof(std::uint64_t) - 1) / sizeof(std::uint64_t);
    }

    // ---- writer --------------------------------------------------------------------------------

    /// Opens a write: readers that overlap it will retry.
    void beginWrite() noexcept {
        const std::uint32_t sequence = sequence_.load(std::memory_order_relaxed);
        sequence_.store(sequence + 1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
    }
    /// Stores `bytes` bytes from `source` at word `offset` (inside a write).
    void store(std::size_t offset, const void* source, std::size_t bytes) noexcept {
        const auto* from = static_cast<const unsigned char*>(source);
        // Whole words first, with a fixed-size copy the compiler turns into one load each (the
        // metrics publish thousands of words on some blocks), then the tail.
        const std::size_t whole = bytes / sizeof(std::uint64_t);
        std::atomic<std::uint64_t>* to = words_.get() + offset;
        for (std::size_t i = 0; i < whole; ++i) {
            std::uint64_t word;
            std::memcpy(&word, from + i * sizeof word, sizeof word);
            to[i].store(word, std::memory_order_relaxed);
        }
        if (const std::size_t rest = bytes % sizeof(std::uint64_t); rest != 0) {
            std::uint64_t word = 0;
            std::memcpy(&word, from + whole * sizeof word, rest);
            to[whole].store(word, std::memory_order_relaxed);
        }
    }
    /// Closes the write: what it stored becomes visible to readers as a whole.
    void endWrite() noexcept {
        sequence_.store(sequence_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }

    // ---- reader --------------------------------------------------------------------------------

    /// Starts a read attempt; returns the sequence to validate with. Waits out a write in progress
    /// (which takes a few stores).
    [[nodiscard]] std::uint32_t beginRead() const noexcept {
        for (;;) {
            const std::uint32_t sequence = sequence_.load(std::memory_order_acquire);
            if ((sequence & 1u) == 0) {
                return sequence;
            }
        }
    }
    /// Copies `bytes` bytes at word `offset` into `destination` (inside a read attempt; the copy
    /// may be torn until validRead() says otherwise).
    void load(std::size_t offset, void* destination, std::size_t bytes) const noexcept {
        auto* to = static_cast<unsigned char*>(destination);
        for (std::size_t i = 0; bytes > 0; ++i) {
            const std::uint64_t word = words_[offset + i].load(std::memory_order_relaxed);
            const std::size_t n = bytes < sizeof word ? bytes : sizeof word;
            std::memcpy(to, &word, n);
            to += n;
            bytes -= n;
        }
    }
    /// Whether everything loaded since beginRead() returned `sequence` is one consistent write.
    [[nodiscard]] bool validRead(std::uint32_t sequence) const noexcept {
        std::atomic_thread_fence(std::memory_order_acquire);
        return sequence_.load(std::memory_order_relaxed) == sequence;
    }

    /// Writes completed so far (each write adds one). Thread: any. May be stale.
    [[nodiscard]] std::uint32_t writesApprox() const noexcept {
        return sequence_.load(std::memory_order_relaxed) / 2;
    }

private:
    std::unique_ptr<std::atomic<std::uint64_t>[]> words_;
    std::size_t size_;
    std::atomic<std::uint32_t> sequence_{0};
};

/// A seqlock around one trivially copyable value: `store` on one writer thread, `load` anywhere.
///
/// store: Thread: one writer. Real-time safe: yes (wait-free). Allocates: no.
/// load: Thread: any. Real-time safe: no (retries while a store is under way). Allocates: no.
/// Construction: Thread: control. Real-time safe: no. Allocates: yes.
template <typename T>
class Seqlock {
    static_assert(std::is_trivially_copyable_v<T>, "a seqlock copies its value word by word");

public:
    Seqlock()
        : words_(SeqlockWords::wordsFor(sizeof(T))) {
        store(T{});
    }
    explicit Seqlock(const T& initial)
        : words_(SeqlockWords::wordsFor(sizeof(T))) {
        store(initial);
    }

    void store(const T& value) noexcept {
        words_.beginWrite();
        words_.store(0, &value, sizeof(T));
        words_.endWrite();
    }

    [[nodiscard]] T load() const noexcept {
        T value;
        for (;;) {
            const std::uint32_t sequence = words_.beginRead();
            words_.load(0, &value, sizeof(T));
            if (words_.validRead(sequence)) {
                return value;
            }
        }
    }

private:
    SeqlockWords words_;
};

} // namespace fluxforge
