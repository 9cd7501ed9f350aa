// Real-time scheduling for the calling thread: one small shim per operating system.
//
// Linux: SCHED_FIFO. macOS: the thread time-constraint policy, plus audio workgroups for threads
// that help the audio thread. Windows: the MMCSS "Pro Audio" task. The device layer applies it to
// its audio thread and the scheduler's workers to themselves; docs/devices.md says what each OS
// needs to allow it.
#pragma once

#include <chrono>
#include <string>

#if defined(__APPLE__) && defined(__has_include)
#if __has_include(<os/workgroup.h>)
#include <os/workgroup.h>
#define FLUXFORGE_HAVE_OS_WORKGROUP 1
#endif
#endif

namespace fluxforge {

/// What asking for real-time scheduling came to.
enum class ThreadPriorityStatus {
    realtime,        ///< the thread now runs with real-time scheduling
    alreadyRealtime, ///< it already did (e.g. a JACK client thread of a real-time server);
                     ///< unchanged
    normal,          ///< the thread runs with normal (time-sharing) scheduling
    notPermitted,    ///< the OS refused (no right to it); the thread keeps its normal priority
    unsupported,     ///< this platform has no such mechanism in this build
    failed,          ///< another error; the thread keeps its normal priority
};

/// What the calling thread asks for. Defaults suit an audio thread; workers pass the same period.
struct RealtimeThreadRequest {
    /// The audio period (block duration). macOS sizes the time-constraint policy from it; zero
    /// means unknown (a 5 ms period is assumed).
    std::chrono::nanoseconds period{0};
    /// The processing time needed per period; zero means half the period (macOS only).
    std::chrono::nanoseconds computation{0};
    /// Linux SCHED_FIFO priority (1..99); zero means kDefaultFifoPriority. Lowered to the
    /// process's RLIMIT_RTPRIO when that allows real time but not this priority.
    int priority = 0;
};

/// Linux: the default SCHED_FIFO priority: above the kernel's threaded interrupt handlers (50)
/// and below the sound-card interrupts rtirq raises (80 and up), as JACK and PipeWire setups do.
inline constexpr int kDefaultFifoPriority = 70;

/// The outcome of a priority change. Plain data with static strings, so that an audio thread can
/// produce it without allocating; `message()` formats it on a control thread.
struct ThreadPriorityResult {
    ThreadPriorityStatus status = ThreadPriorityStatus::unsupported;
    /// Linux: the SCHED_FIFO/SCHED_RR priority in effect; Windows: the MMCSS task index.
    int priority = 0;
    /// The OS error (errno, GetLastError(), kern_return_t) when it failed; otherwise 0.
    int systemError = 0;
    /// What was used: "SCHED_FIFO", "THREAD_TIME_CONSTRAINT_POLICY", "MMCSS Pro Audio", ...
    const char* mechanism = "";
    /// Why it is not real time, or how to allow it (a static string; empty on success).
    const char* reason = "";

    /// realtime or alreadyRealtime.
    [[nodiscard]] bool isRealtime() const noexcept;

    /// One sentence: what was asked, what happened, and what to do about it.
    /// Thread: any. Real-time safe: no. Allocates: yes.
    [[nodiscard]] std::string message() const;
};

/// Gives the calling thread real-time scheduling, or reports why not. Never throws and never
/// fails hard: when the OS refuses, the thread simply keeps its normal priority.
/// Thread: the thread to change (audio thread or worker). Real-time safe: yes (a few system calls,
/// no locks). Allocates: no.
[[nodiscard]] ThreadPriorityResult
trySetCurrentThreadRealtime(const RealtimeThreadRequest& request = {}) noexcept;

/// Returns the calling thread to normal (time-sharing) scheduling: status normal, or failed.
/// Thread: the thread to change. Real-time safe: yes. Allocates: no.
ThreadPriorityResult resetCurrentThreadPriority() noexcept;

/// The calling thread's scheduling right now: realtime (with its priority) or normal.
/// Thread: the thread asked about. Real-time safe: yes. Allocates: no.
[[nodiscard]] ThreadPriorityResult currentThreadPriority() noexcept;

#if defined(FLUXFORGE_HAVE_OS_WORKGROUP)
/// macOS 11+: membership of the calling thread in an audio workgroup (os_workgroup_t), so the
/// scheduler knows the thread works towards the audio deadline of the device that owns the
/// workgroup (kAudioOutputUnitProperty_OSWorkgroup, kAudioDevicePropertyIOThreadOSWorkgroup).
/// Worker threads join when they start and leave before they end; leaving happens on
/// destruction too. Not copyable or movable: membership belongs to the thread that joined.
/// Thread: the joining thread only. Real-time safe: yes. Allocates: no.
class AudioWorkgroupMembership {
public:
    AudioWorkgroupMembership() noexcept = default;
    ~AudioWorkgroupMembership();
    AudioWorkgroupMembership(const AudioWorkgroupMembership&) = delete;
    AudioWorkgroupMembership& operator=(const AudioWorkgroupMembership&) = delete;

    /// Joins `workgroup` (leaving a previous one first). status is realtime on success.
    ThreadPriorityResult join(os_workgroup_t workgroup) noexcept;
    /// Leaves the workgroup joined last, if any.
    void leave() noexcept;
    [[nodiscard]] bool isJoined() const noexcept { return workgroup_ != nullptr; }

private:
    os_workgroup_t workgroup_ = nullptr;
    os_workgroup_join_token_s token_{};
};
#endif

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline bool ThreadPriorityResult::isRealtime() const noexcept {
    return status == ThreadPriorityStatus::realtime ||
           status == ThreadPriorityStatus::alreadyRealtime;
}

inline std::string ThreadPriorityResult::message() const {
    std::string text;
    switch (status) {
    case ThreadPriorityStatus::realtime:
        text = "real-time scheduling set";
        break;
    case ThreadPriorityStatus::alreadyRealtime:
        text = "thread already had real-time scheduling; left unchanged";
        break;
    case ThreadPriorityStatus::normal:
        text = "normal scheduling";
        break;
    case ThreadPriorityStatus::notPermitted:
        text = "real-time scheduling not permitted; the thread keeps its normal priority";
        break;
    case ThreadPriorityStatus::unsupported:
        text = "real-time scheduling is not supported here; the thread keeps its normal priority";
        break;
    case ThreadPriorityStatus::failed:
        text = "real-time scheduling failed; the thread keeps its normal priority";
        break;
    }
    if (mechanism[0] != '\0') {
        text += " (";
        text += mechanism;
        if (priority != 0) {
            text += ", priority " + std::to_string(priority);
        }
        if (systemError != 0) {
            text += ", error " + std::to_string(systemError);
        }
        text += ")";
    }
    if (reason[0] != '\0') {
        text += ": ";
        text += reason;
    }
    return text;
}

} // namespace fluxforge
