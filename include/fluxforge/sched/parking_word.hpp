// ParkingWord: a 32-bit counter threads can sleep on until it changes, and wake without a lock.
#pragma once

#include <atomic>
#include <cstdint>

namespace fluxforge {

/// The audio thread bumps the word and wakes sleepers; idle workers sleep until it moves. On Linux
/// both sides are a futex system call: waking takes no lock and never blocks, so it is allowed on
/// the audio thread. Elsewhere C++20 atomic wait/notify is used (WaitOnAddress / __ulock on
/// Windows and macOS, which take no lock either).
///
/// Thread: any. Real-time safe: `bump` and `wake` yes (a system call, no lock, no blocking);
/// `waitWhileEquals` blocks by design and belongs to idle workers only. Allocates: no.
class ParkingWord {
public:
    [[nodiscard]] std::uint32_t load() const noexcept {
        return word_.load(std::memory_order_seq_cst);
    }

    /// Advances the word (so sleepers that have not slept yet will not).
    void bump() noexcept { word_.fetch_add(1, std::memory_order_seq_cst); }

    /// Wakes up to `count` threads sleeping in waitWhileEquals.
    void wake(std::uint32_t count) noexcept;

    /// Sleeps while the word equals `expected` (returns at once if it already differs; may also
    /// return spuriously).
    void waitWhileEquals(std::uint32_t expected) noexcept;

private:
    std::atomic<std::uint32_t> word_{0};
};

} // namespace fluxforge
