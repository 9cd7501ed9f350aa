// ErrorMailbox: hands error messages from threads that must not block or allocate (RtAudio's
// audio and shutdown threads, libjack's) to the device's notification thread. A fixed set of
// slots with fixed-size text; a message that finds no free slot is counted as dropped.
// Private to the device library.
#pragma once

#include <fluxforge/device/device.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fluxforge::detail {

class ErrorMailbox {
public:
    /// Posts a message; truncated to the slot size. Lock-free, no allocation.
    /// Thread: any. Real-time safe: yes. Allocates: no.
    void post(DeviceErrorKind kind, std::string_view text) noexcept {
        for (Slot& slot : slots_) {
            std::uint32_t expected = kEmpty;
            if (slot.state.compare_exchange_strong(expected, kWriting, std::memory_order_acquire)) {
                const std::size_t length = text.size() < kTextSize ? text.size() : kTextSize;
                for (std::size_t i = 0; i < length; ++i) {
                    slot.text[i] = text[i];
                }
                slot.length = length;
                slot.kind = kind;
                slot.sequence = nextSequence_.fetch_add(1, std::memory_order_relaxed);
                slot.state.store(kFull, std::memory_order_release);
                return;
            }
        }
        dropped_.fetch_add(1, std::memory_order_relaxed);
    }

    /// Takes every posted message, oldest first.
    /// Thread: the one consumer. Real-time safe: no. Allocates: yes.
    [[nodiscard]] std::vector<DeviceError> takeAll() {
        std::vector<std::pair<std::uint64_t, DeviceError>> taken;
        for (Slot& slot : slots_) {
            if (slot.state.load(std::memory_order_acquire) == kFull) {
                taken.emplace_back(
                    slot.sequence,
                    DeviceError{slot.kind, std::string(slot.text.data(), slot.length)});
                slot.state.store(kEmpty, std::memory_order_release);
            }
        }
        std::sort(taken.begin(), taken.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<DeviceError> errors;
        errors.reserve(taken.size() + 1);
        for (auto& entry : taken) {
            errors.push_back(std::move(entry.second));
        }
        if (const std::uint64_t lost = dropped_.exchange(0, std::memory_order_relaxed); lost > 0) {
            errors.push_back({DeviceErrorKind::backendWarning,
                              std::to_string(lost) + " further backend message(s) dropped"});
        }
        return errors;
    }

private:
    static constexpr std::size_t kSlots = 8;
    static constexpr std::size_t kTextSize = 240;
    static constexpr std::uint32_t kEmpty = 0;
    static constexpr std::uint32_t kWriting = 1;
    static constexpr std::uint32_t kFull = 2;

    struct Slot {
        std::atomic<std::uint32_t> state{kEmpty};
        DeviceErrorKind kind = DeviceErrorKind::backendError;
        std::uint64_t sequence = 0;
        std::size_t length = 0;
        std::array<char, kTextSize> text{};
    };

    std::array<Slot, kSlots> slots_;
    std::atomic<std::uint64_t> nextSequence_{0};
    std::atomic<std::uint64_t> dropped_{0};
};

} // namespace fluxforge::detail
