// Real-time priority on macOS: the Mach thread time-constraint policy, sized from the audio
// period, and audio workgroups (macOS 11+) for threads that help the audio thread.
// Written against Apple's documented API (mach/thread_policy.h, os/workgroup.h); compiled only on
// Apple platforms.
#include <fluxforge/sched/thread_priority.hpp>

#if defined(__APPLE__)

#include <cerrno>
#include <cstdint>
#include <mach/mach.h>
#include <mach/mach_time.h>
#include <mach/thread_policy.h>
#include <pthread.h>

namespace fluxforge {
namespace {

constexpr const char* kTimeConstraint = "THREAD_TIME_CONSTRAINT_POLICY";
constexpr std::chrono::nanoseconds kAssumedPeriod = std::chrono::milliseconds(5);

/// Nanoseconds to Mach absolute-time units (which are not nanoseconds on Apple silicon).
std::uint32_t toAbsoluteTime(std::chrono::nanoseconds duration) noexcept {
    mach_timebase_info_data_t timebase{};
    mach_timebase_info(&timebase);
    const auto ns = static_cast<std::uint64_t>(duration.count());
    const std::uint64_t ticks = ns * timebase.denom / timebase.numer;
    return static_cast<std::uint32_t>(ticks > UINT32_MAX ? UINT32_MAX : ticks);
}

} // namespace

ThreadPriorityResult currentThreadPriority() noexcept {
    ThreadPriorityResult result;
    result.mechanism = kTimeConstraint;
    thread_time_constraint_policy_data_t policy{};
    mach_msg_type_number_t count = THREAD_TIME_CONSTRAINT_POLICY_COUNT;
    boolean_t isDefault = TRUE;
    const kern_return_t error =
        thread_policy_get(pthread_mach_thread_np(pthread_self()), THREAD_TIME_CONSTRAINT_POLICY,
                          reinterpret_cast<thread_policy_t>(&policy), &count, &isDefault);
    if (error != KERN_SUCCESS) {
        result.status = ThreadPriorityStatus::failed;
        result.systemError = error;
        result.reason = "thread_policy_get failed";
    } else {
        result.status = isDefault ? ThreadPriorityStatus::normal : ThreadPriorityStatus::realtime;
    }
    return result;
}

ThreadPriorityResult trySetCurrentThreadRealtime(const RealtimeThreadRequest& request) noexcept {
    ThreadPriorityResult current = currentThreadPriority();
    if (current.status == ThreadPriorityStatus::realtime) {
        current.status = ThreadPriorityStatus::alreadyRealtime;
        return current;
    }

    const std::chrono::nanoseconds period =
        request.period.count() > 0 ? request.period : kAssumedPeriod;
    std::chrono::nanoseconds computation =
        request.computation.count() > 0 ? request.computation : period / 2;
    if (computation > period) {
        computation = period;
    }

    // Apple's guidance for audio threads: the period is the buffer duration, the computation the
    // processing time needed within it, the constraint the deadline (the period again), and the
    // thread may be preempted.
    thread_time_constraint_policy_data_t policy{};
    policy.period = toAbsoluteTime(period);
    policy.computation = toAbsoluteTime(computation);
    policy.constraint = toAbsoluteTime(period);
    policy.preemptible = TRUE;

    ThreadPriorityResult result;
    result.mechanism = kTimeConstraint;
    const kern_return_t error = thread_policy_set(
        pthread_mach_thread_np(pthread_self()), THREAD_TIME_CONSTRAINT_POLICY,
        reinterpret_cast<thread_policy_t>(&policy), THREAD_TIME_CONSTRAINT_POLICY_COUNT);
    if (error == KERN_SUCCESS) {
        result.status = ThreadPriorityStatus::realtime;
    } else {
        result.status = ThreadPriorityStatus::failed;
        result.systemError = error;
        result.reason = "thread_policy_set rejected the time constraints (computation must be "
                        "at least 50 us and no more than the period)";
    }
    return result;
}

ThreadPriorityResult resetCurrentThreadPriority() noexcept {
    thread_standard_policy_data_t policy{};
    ThreadPriorityResult result;
    result.mechanism = "THREAD_STANDARD_POLICY";
    const kern_return_t error =
        thread_policy_set(pthread_mach_thread_np(pthread_self()), THREAD_STANDARD_POLICY,
                          reinterpret_cast<thread_policy_t>(&policy), THREAD_STANDARD_POLICY_COUNT);
    if (error == KERN_SUCCESS) {
        result.status = ThreadPriorityStatus::normal;
    } else {
        result.status = ThreadPriorityStatus::failed;
        result.systemError = error;
        result.reason = "thread_policy_set(THREAD_STANDARD_POLICY) failed";
    }
    return result;
}

#if defined(FLUXFORGE_HAVE_OS_WORKGROUP)

AudioWorkgroupMembership::~AudioWorkgroupMembership() {
    leave();
}

ThreadPriorityResult AudioWorkgroupMembership::join(os_workgroup_t workgroup) noexcept {
    leave();
    ThreadPriorityResult result;
    result.mechanism = "os_workgroup_join";
    if (workgroup == nullptr) {
        result.status = ThreadPriorityStatus::failed;
        result.reason = "no workgroup given";
        return result;
    }
    if (__builtin_available(macOS 11.0, iOS 14.0, *)) {
        const int error = os_workgroup_join(workgroup, &token_);
        if (error == 0) {
            workgroup_ = workgroup;
            result.status = ThreadPriorityStatus::realtime;
        } else {
            result.status = ThreadPriorityStatus::failed;
            result.systemError = error;
            result.reason = error == EINVAL ? "the workgroup was cancelled (its device stopped)"
                                            : "os_workgroup_join failed";
        }
    } else {
        result.status = ThreadPriorityStatus::unsupported;
        result.reason = "audio workgroups need macOS 11 or iOS 14";
    }
    return result;
}

void AudioWorkgroupMembership::leave() noexcept {
    if (workgroup_ == nullptr) {
        return;
    }
    if (__builtin_available(macOS 11.0, iOS 14.0, *)) {
        os_workgroup_leave(workgroup_, &token_);
    }
    workgroup_ = nullptr;
}

#endif // FLUXFORGE_HAVE_OS_WORKGROUP

} // namespace fluxforge

#endif // __APPLE__
