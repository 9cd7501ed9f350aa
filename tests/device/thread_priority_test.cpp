// Real-time priority shim (sched/thread_priority.hpp) on Linux: real time where permitted, a
// clear report and normal priority where not, never a hard failure.
#include <fluxforge/sched/thread_priority.hpp>

#include <gtest/gtest.h>

#include <string>
#include <thread>

#if defined(__linux__)
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace fluxforge {
namespace {

#if defined(__linux__)

/// Runs `body` on a fresh thread (priorities are per thread; the test's own stays untouched).
template <typename Body>
void onFreshThread(Body&& body) {
    std::thread thread(std::forward<Body>(body));
    thread.join();
}

int currentPolicy() {
    int policy = -1;
    sched_param param{};
    pthread_getschedparam(pthread_self(), &policy, &param);
    return policy;
}

/// Drops CAP_SYS_NICE from the calling thread's effective capabilities (capabilities are per
/// thread on Linux), so that only RLIMIT_RTPRIO decides.
void dropSysNice() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    ASSERT_EQ(syscall(SYS_capget, &header, data), 0);
    data[CAP_SYS_NICE / 32].effective &= ~(1u << (CAP_SYS_NICE % 32));
    ASSERT_EQ(syscall(SYS_capset, &header, data), 0);
}

TEST(ThreadPriorityTest, AskingForRealTimeNeverFailsHard) {
    onFreshThread([] {
        const ThreadPriorityResult result = trySetCurrentThreadRealtime();
        EXPECT_TRUE(result.status == ThreadPriorityStatus::realtime ||
                    result.status == ThreadPriorityStatus::notPermitted)
            << result.message();
        EXPECT_FALSE(result.message().empty());
        if (result.status == ThreadPriorityStatus::realtime) {
            EXPECT_EQ(currentPolicy(), SCHED_FIFO);
            EXPECT_EQ(currentThreadPriority().priority, result.priority);
            EXPECT_EQ(result.priority, kDefaultFifoPriority);
        } else {
            EXPECT_EQ(currentPolicy(), SCHED_OTHER);
        }
        EXPECT_EQ(resetCurrentThreadPriority().status, ThreadPriorityStatus::normal);
        EXPECT_EQ(currentPolicy(), SCHED_OTHER);
        EXPECT_EQ(currentThreadPriority().status, ThreadPriorityStatus::normal);
    });
}

TEST(ThreadPriorityTest, WithoutThePermissionTheThreadKeepsNormalPriorityAndSaysHowToAllowIt) {
    onFreshThread([] {
        dropSysNice();
        rlimit limit{};
        getrlimit(RLIMIT_RTPRIO, &limit);
        const ThreadPriorityResult result = trySetCurrentThreadRealtime();
        if (limit.rlim_cur == 0) {
            EXPECT_EQ(result.status, ThreadPriorityStatus::notPermitted) << result.message();
            EXPECT_EQ(currentPolicy(), SCHED_OTHER);
            EXPECT_NE(result.message().find("rtprio"), std::string::npos) << result.message();
            EXPECT_NE(result.message().find("normal priority"), std::string::npos);
        } else {
            // An rtprio limit: real time, at no more than the limit.
            EXPECT_EQ(result.status, ThreadPriorityStatus::realtime) << result.message();
            EXPECT_LE(static_cast<rlim_t>(result.priority), limit.rlim_cur);
            (void)resetCurrentThreadPriority();
        }
    });
}

TEST(ThreadPriorityTest, AThreadThatIsAlreadyRealTimeIsLeftAlone) {
    onFreshThread([] {
        sched_param param{};
        param.sched_priority = 5;
        if (pthread_setschedparam(pthread_self(), SCHED_RR, &param) != 0) {
            GTEST_SKIP() << "SCHED_RR not permitted here";
        }
        const ThreadPriorityResult result = trySetCurrentThreadRealtime();
        EXPECT_EQ(result.status, ThreadPriorityStatus::alreadyRealtime);
        EXPECT_EQ(result.priority, 5);
        EXPECT_EQ(currentPolicy(), SCHED_RR);
        (void)resetCurrentThreadPriority();
    });
}

TEST(ThreadPriorityTest, AnOutOfRangePriorityIsClamped) {
    onFreshThread([] {
        RealtimeThreadRequest request;
        request.priority = 1000;
        const ThreadPriorityResult result = trySetCurrentThreadRealtime(request);
        if (result.status == ThreadPriorityStatus::realtime) {
            EXPECT_EQ(result.priority, sched_get_priority_max(SCHED_FIFO));
            (void)resetCurrentThreadPriority();
        }
    });
}

#endif // __linux__

TEST(ThreadPriorityTest, MessagesSayWhatHappened) {
    ThreadPriorityResult result;
    result.status = ThreadPriorityStatus::notPermitted;
    result.mechanism = "SCHED_FIFO";
    result.systemError = 1;
    result.reason = "add an rtprio limit";
    EXPECT_EQ(result.message(), "real-time scheduling not permitted; the thread keeps its normal "
                                "priority (SCHED_FIFO, error 1): add an rtprio limit");
    EXPECT_FALSE(result.isRealtime());
    result.status = ThreadPriorityStatus::realtime;
    result.priority = 70;
    result.systemError = 0;
    result.reason = "";
    EXPECT_EQ(result.message(), "real-time scheduling set (SCHED_FIFO, priority 70)");
    EXPECT_TRUE(result.isRealtime());
}

} // namespace
} // namespace fluxforge
