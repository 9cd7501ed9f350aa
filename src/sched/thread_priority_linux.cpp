// Real-time priority on Linux (and other POSIX systems with SCHED_FIFO): SCHED_FIFO at a
// configurable priority, lowered to RLIMIT_RTPRIO where that is what the user is allowed.
#include <fluxforge/sched/thread_priority.hpp>

#include <algorithm>
#include <cerrno>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>

namespace fluxforge {
namespace {

constexpr const char* kFifo = "SCHED_FIFO";

constexpr const char* kHowToAllow =
    "allow it with an rtprio limit (e.g. '@audio - rtprio 95' in /etc/security/limits.d/ and the "
    "user in group audio), CAP_SYS_NICE, or RLIMIT_RTPRIO for the process; inside a container, "
    "the container also needs CAP_SYS_NICE";

bool isRealtimePolicy(int policy) noexcept {
    return policy == SCHED_FIFO || policy == SCHED_RR;
}

int setFifo(int priority) noexcept {
    sched_param param{};
    param.sched_priority = priority;
    return pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
}

} // namespace

ThreadPriorityResult currentThreadPriority() noexcept {
    ThreadPriorityResult result;
    int policy = SCHED_OTHER;
    sched_param param{};
    if (const int error = pthread_getschedparam(pthread_self(), &policy, &param); error != 0) {
        result.status = ThreadPriorityStatus::failed;
        result.systemError = error;
        result.mechanism = kFifo;
        result.reason = "pthread_getschedparam failed";
        return result;
    }
    if (isRealtimePolicy(policy)) {
        result.status = ThreadPriorityStatus::realtime;
        result.priority = param.sched_priority;
        result.mechanism = policy == SCHED_FIFO ? kFifo : "SCHED_RR";
    } else {
        result.status = ThreadPriorityStatus::normal;
        result.mechanism = "SCHED_OTHER";
    }
    return result;
}

ThreadPriorityResult trySetCurrentThreadRealtime(const RealtimeThreadRequest& request) noexcept {
    ThreadPriorityResult current = currentThreadPriority();
    if (current.status == ThreadPriorityStatus::realtime) {
        current.status = ThreadPriorityStatus::alreadyRealtime;
        return current;
    }

    ThreadPriorityResult result;
    result.mechanism = kFifo;
    const int lowest = sched_get_priority_min(SCHED_FIFO);
    const int highest = sched_get_priority_max(SCHED_FIFO);
    const int wanted =
        std::clamp(request.priority > 0 ? request.priority : kDefaultFifoPriority, lowest, highest);

    int error = setFifo(wanted);
    int granted = wanted;
    if (error == EPERM) {
        // Without CAP_SYS_NICE, RLIMIT_RTPRIO is the highest priority this process may take.
        rlimit limit{};
        if (getrlimit(RLIMIT_RTPRIO, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
            limit.rlim_cur >= static_cast<rlim_t>(lowest) &&
            limit.rlim_cur < static_cast<rlim_t>(wanted)) {
            granted = static_cast<int>(limit.rlim_cur);
            error = setFifo(granted);
        }
    }

    if (error == 0) {
        result.status = ThreadPriorityStatus::realtime;
        result.priority = granted;
        return result;
    }
    result.systemError = error;
    result.priority = 0;
    if (error == EPERM) {
        result.status = ThreadPriorityStatus::notPermitted;
        result.reason = kHowToAllow;
    } else {
        result.status = ThreadPriorityStatus::failed;
        result.reason = "pthread_setschedparam(SCHED_FIFO) failed";
    }
    return result;
}

ThreadPriorityResult resetCurrentThreadPriority() noexcept {
    sched_param param{};
    param.sched_priority = 0;
    ThreadPriorityResult result;
    result.mechanism = "SCHED_OTHER";
    if (const int error = pthread_setschedparam(pthread_self(), SCHED_OTHER, &param); error != 0) {
        result.status = ThreadPriorityStatus::failed;
        result.systemError = error;
        result.reason = "pthread_setschedparam(SCHED_OTHER) failed";
        return result;
    }
    result.status = ThreadPriorityStatus::normal;
    return result;
}

} // namespace fluxforge
