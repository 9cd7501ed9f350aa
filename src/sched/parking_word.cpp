#include <fluxforge/sched/parking_word.hpp>

#include <climits>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace fluxforge {

#if defined(__linux__)
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

void ParkingWord::wake(std::uint32_t count) noexcept {
    if (count > 0) {
        const int wake =
            count > static_cast<std::uint32_t>(INT_MAX) ? INT_MAX : static_cast<int>(count);
        syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word_), FUTEX_WAKE_PRIVATE, wake,
                nullptr, nullptr, 0);
    }
}

void ParkingWord::waitWhileEquals(std::uint32_t expected) noexcept {
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word_), FUTEX_WAIT_PRIVATE, expected,
            nullptr, nullptr, 0);
}
#else
void ParkingWord::wake(std::uint32_t count) noexcept {
    if (count == 1) {
        word_.notify_one();
    } else if (count > 1) {
        word_.notify_all();
    }
}

void ParkingWord::waitWhileEquals(std::uint32_t expected) noexcept {
    word_.wait(expected, std::memory_order_seq_cst);
}
#endif

} // namespace fluxforge
