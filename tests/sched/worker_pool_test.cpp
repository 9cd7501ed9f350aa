#include <fluxforge/sched/worker_pool.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

namespace fluxforge {
namespace {

// Counts calls per worker index and spins until `needed` workers have joined (or a deadline).
class CountingJob final : public ParallelJob {
public:
    explicit CountingJob(std::uint32_t needed)
        : needed_(needed) {}
    void work(std::uint32_t worker) noexcept override {
        calls_[worker].fetch_add(1);
        joined_.fetch_add(1);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (joined_.load() < needed_ && std::chrono::steady_clock::now() < deadline) {
        }
    }
    std::uint32_t callsOf(std::uint32_t worker) const { return calls_[worker].load(); }
    std::uint32_t joined() const { return joined_.load(); }

private:
    std::uint32_t needed_;
    std::atomic<std::uint32_t> calls_[64]{};
    std::atomic<std::uint32_t> joined_{0};
};

WorkerPoolConfig quietConfig(std::uint32_t helpers) {
    WorkerPoolConfig config;
    config.helpers = helpers;
    config.realtimePriority = false;
    return config;
}

TEST(WorkerPoolTest, HelpersJoinTheJobWithDistinctIndices) {
    WorkerPool pool(quietConfig(3));
    EXPECT_EQ(pool.helperCountApprox(), 3u);
    CountingJob job(4);
    pool.run(job, 3);
    EXPECT_EQ(job.joined(), 4u);
    for (std::uint32_t w = 0; w < 4; ++w)
        EXPECT_EQ(job.callsOf(w), 1u) << "worker " << w;
}

TEST(WorkerPoolTest, NoMoreHelpersThanWantedJoin) {
    WorkerPool pool(quietConfig(3));
    for (int i = 0; i < 50; ++i) {
        CountingJob job(2);
        pool.run(job, 1);
        EXPECT_EQ(job.callsOf(0), 1u);
        EXPECT_LE(job.joined(), 2u);
        EXPECT_EQ(job.callsOf(2) + job.callsOf(3), 0u);
    }
}

TEST(WorkerPoolTest, SleepingHelpersAreWokenForANewJob) {
    WorkerPoolConfig config = quietConfig(2);
    config.spinBeforeSleeping = std::chrono::microseconds(10);
    WorkerPool pool(config);
    std::this_thread::sleep_for(std::chrono::milliseconds(20)); // let them fall asleep
    CountingJob job(3);
    pool.run(job, 2);
    EXPECT_EQ(job.joined(), 3u);
}

TEST(WorkerPoolTest, ZeroHelpersRunsTheJobOnTheCaller) {
    WorkerPool pool(quietConfig(0));
    CountingJob job(1);
    pool.run(job, 4);
    EXPECT_EQ(job.callsOf(0), 1u);
    EXPECT_EQ(job.joined(), 1u);
}

TEST(WorkerPoolTest, ResizingWhileJobsRunKeepsJobsComplete) {
    WorkerPool pool(quietConfig(1));
    std::atomic<bool> stop{false};
    std::atomic<int> jobs{0};
    std::thread audio([&] {
        while (!stop.load()) {
            CountingJob job(1);
            pool.run(job, 4);
            if (job.callsOf(0) != 1)
                std::abort();
            jobs.fetch_add(1);
        }
    });
    for (std::uint32_t helpers : {3u, 0u, 2u, 5u, 1u}) {
        pool.setHelperCount(helpers);
        EXPECT_EQ(pool.helperCountApprox(), helpers);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    stop = true;
    audio.join();
    EXPECT_GT(jobs.load(), 0);
}

} // namespace
} // namespace fluxforge
