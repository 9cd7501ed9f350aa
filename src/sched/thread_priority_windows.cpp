// Real-time priority on Windows: the Multimedia Class Scheduler Service (MMCSS) task "Pro Audio",
// which is what ASIO and WASAPI exclusive-mode hosts use. Link with avrt.
#include <fluxforge/sched/thread_priority.hpp>

#if defined(_WIN32)

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
// avrt.h needs the types windows.h declares.
#include <avrt.h>

namespace fluxforge {
namespace {

constexpr const char* kMmcss = "MMCSS Pro Audio";
// ERROR_INVALID_TASK_NAME in the Windows SDK's winerror.h (missing from some MinGW headers).
constexpr DWORD kErrorInvalidTaskName = 1550;

// The MMCSS registration of this thread, kept to revert it; one per thread.
thread_local HANDLE tlsMmcssTask = nullptr;
thread_local DWORD tlsMmcssTaskIndex = 0;

} // namespace

ThreadPriorityResult currentThreadPriority() noexcept {
    ThreadPriorityResult result;
    if (tlsMmcssTask != nullptr) {
        result.status = ThreadPriorityStatus::realtime;
        result.mechanism = kMmcss;
        result.priority = static_cast<int>(tlsMmcssTaskIndex);
        return result;
    }
    const int priority = GetThreadPriority(GetCurrentThread());
    result.mechanism = "thread priority";
    result.priority = priority;
    result.status = priority >= THREAD_PRIORITY_TIME_CRITICAL ? ThreadPriorityStatus::realtime
                                                              : ThreadPriorityStatus::normal;
    return result;
}

ThreadPriorityResult trySetCurrentThreadRealtime(const RealtimeThreadRequest& request) noexcept {
    (void)request; // MMCSS schedules by task class; period and priority do not apply.
    ThreadPriorityResult result;
    result.mechanism = kMmcss;
    if (tlsMmcssTask != nullptr) {
        result.status = ThreadPriorityStatus::alreadyRealtime;
        result.priority = static_cast<int>(tlsMmcssTaskIndex);
        return result;
    }
    DWORD taskIndex = 0;
    HANDLE task = AvSetMmThreadCharacteristicsW(L"Pro Audio", &taskIndex);
    if (task == nullptr) {
        const DWORD error = GetLastError();
        result.systemError = static_cast<int>(error);
        if (error == ERROR_ACCESS_DENIED) {
            result.status = ThreadPriorityStatus::notPermitted;
            result.reason = "MMCSS refused the thread";
        } else {
            result.status = ThreadPriorityStatus::failed;
            result.reason = error == kErrorInvalidTaskName
                                ? "no MMCSS task named 'Pro Audio' (is the MMCSS service running?)"
                                : "AvSetMmThreadCharacteristicsW failed";
        }
        return result;
    }
    // Within the task, ask for the high end of its priority range.
    AvSetMmThreadPriority(task, AVRT_PRIORITY_HIGH);
    tlsMmcssTask = task;
    tlsMmcssTaskIndex = taskIndex;
    result.status = ThreadPriorityStatus::realtime;
    result.priority = static_cast<int>(taskIndex);
    return result;
}

ThreadPriorityResult resetCurrentThreadPriority() noexcept {
    ThreadPriorityResult result;
    result.mechanism = kMmcss;
    result.status = ThreadPriorityStatus::normal;
    if (tlsMmcssTask != nullptr) {
        if (AvRevertMmThreadCharacteristics(tlsMmcssTask) == FALSE) {
            result.status = ThreadPriorityStatus::failed;
            result.systemError = static_cast<int>(GetLastError());
            result.reason = "AvRevertMmThreadCharacteristics failed";
        }
        tlsMmcssTask = nullptr;
        tlsMmcssTaskIndex = 0;
    }
    return result;
}

} // namespace fluxforge

#endif // _WIN32
