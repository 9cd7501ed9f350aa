// Trace: the recorded schedule of known graphs, its Chrome Trace Event JSON checked against the
// format (parsed here), the SVG schedule parsed as XML, and tracing switched while blocks run.
#include "support/busy_node.hpp"
#include "support/json_reader.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/engine/trace_export.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace fluxforge {
namespace {

using namespace std::chrono_literals;
using test::BusyNode;
using test::JsonReader;
using test::JsonValue;

EngineConfig config(std::uint32_t workers, ExecutorKind executor) {
    EngineConfig c;
    c.sampleRate = 48000.0;
    c.maxBlockSize = 128;
    c.workers = workers;
    c.maxWorkers = 4;
    c.executor = executor;
    c.parallel.minimumWorkNanoseconds = 0.0;
    c.parallel.minimumStealNanoseconds = 0.0;
    c.parallel.limitToParallelism = false;
    c.trace.blocks = 32;
    c.trace.eventsPerWorker = 1024;
    return c;
}

// A -> B -> D and A -> C -> D, B the long branch: the critical path is A, B, D.
struct Diamond {
    Graph graph{GraphConfig{1, 1}};
    NodeId a, b, c, d;
    Diamond() {
        a = graph.add(std::make_shared<BusyNode>(100us), "A");
        b = graph.add(std::make_shared<BusyNode>(400us), "B \"long\" <branch>");
        c = graph.add(std::make_shared<BusyNode>(20us), "C");
        d = graph.add(std::make_shared<BusyNode>(50us, 2), "D");
        graph.connect(graph.input(), a);
        graph.connect(a, b);
        graph.connect(a, c);
        graph.connect(OutputPort{b, 0}, InputPort{d, 0});
        graph.connect(OutputPort{c, 0}, InputPort{d, 1});
        graph.connect(d, graph.output());
    }
};

void render(Engine& engine, std::size_t blocks) {
    AudioBuffer out(1, 128);
    for (std::size_t i = 0; i < blocks; ++i) {
        engine.process({}, out.view());
    }
}

std::string nameOf(const TraceCapture& trace, const TraceTask& task) {
    return trace.taskName(task);
}

class TraceTest : public ::testing::TestWithParam<ExecutorKind> {};

TEST_P(TraceTest, RecordsEveryTaskOfEveryBlockAndMarksTheCriticalPath) {
    Engine engine(config(2, GetParam()));
    Diamond diamond;
    engine.commit(diamond.graph);
    render(engine, 3); // not traced: off by default
    EXPECT_TRUE(engine.captureTrace().blocks.empty());
    engine.setTracing(true);
    render(engine, 5);
    const TraceCapture trace = engine.captureTrace();
    ASSERT_EQ(trace.blocks.size(), 5u);
    ASSERT_EQ(trace.plans.size(), 1u);
    const std::size_t tasks = trace.plans[0].numTasks();
    EXPECT_EQ(trace.tasks.size(), 5 * tasks);
    for (const TraceBlock& block : trace.blocks) {
        EXPECT_GE(block.index, 3u);
        EXPECT_GE(block.endNanoseconds, block.startNanoseconds);
        EXPECT_GE(block.workNanoseconds, 570e3);
        EXPECT_GE(block.criticalPathNanoseconds, 550e3);
        EXPECT_LE(block.criticalPathNanoseconds, block.workNanoseconds);
        EXPECT_GE(block.boundNanoseconds(), block.criticalPathNanoseconds);
        std::set<std::string> critical;
        std::map<std::string, double> took;
        for (const TraceTask& task : trace.tasks) {
            if (task.block == block.index) {
                EXPECT_GE(task.startNanoseconds, block.startNanoseconds);
                EXPECT_LE(task.endNanoseconds, block.endNanoseconds);
                took[nameOf(trace, task)] +=
                    static_cast<double>(task.endNanoseconds - task.startNanoseconds);
                if (task.critical) {
                    critical.insert(nameOf(trace, task));
                }
            }
        }
        // The path follows the measured times: B (400 us) unless C (20 us) was preempted for
        // longer than that, which a loaded machine under ThreadSanitizer does now and then.
        const bool bIsLonger = took["B \"long\" <branch>"] >= took["C"];
        EXPECT_EQ(critical.count("A"), 1u);
        EXPECT_EQ(critical.count("B \"long\" <branch>"), bIsLonger ? 1u : 0u);
        EXPECT_EQ(critical.count("D"), 1u);
        EXPECT_EQ(critical.count("C"), bIsLonger ? 0u : 1u);
    }
    // Tasks of one worker do not overlap.
    for (std::size_t i = 1; i < trace.tasks.size(); ++i) {
        if (trace.tasks[i].worker == trace.tasks[i - 1].worker) {
            EXPECT_GE(trace.tasks[i].startNanoseconds, trace.tasks[i - 1].endNanoseconds);
        }
    }
    engine.setTracing(false);
    render(engine, 2);
    EXPECT_EQ(engine.captureTrace().blocks.size(), 5u); // nothing new recorded
}

INSTANTIATE_TEST_SUITE_P(Executors, TraceTest,
                         ::testing::Values(ExecutorKind::serial, ExecutorKind::levelBarrier,
                                           ExecutorKind::dynamicFifo, ExecutorKind::criticalPath),
                         [](const auto& param) {
                             std::string name(executorName(param.param));
                             name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                             return name;
                         });

// The diamond traced for 6 blocks on the audio thread alone, `eventsPerWorker` events kept.
TraceCapture traceSixBlocks(std::uint32_t eventsPerWorker) {
    EngineConfig c = config(1, ExecutorKind::serial);
    c.trace.eventsPerWorker = eventsPerWorker;
    Engine engine(c);
    Diamond diamond;
    engine.commit(diamond.graph);
    engine.setTracing(true);
    render(engine, 6);
    return engine.captureTrace();
}

TEST(TraceRingTest, KeepsOnlyCompleteBlocksWhenTheRingsWrap) {
    const TraceCapture trace = traceSixBlocks(16); // 6 tasks a block: two blocks and a bit
    ASSERT_FALSE(trace.blocks.empty());
    const std::size_t tasks = trace.plans.at(0).numTasks();
    EXPECT_LE(trace.blocks.size() * tasks, 16u);
    EXPECT_EQ(trace.tasks.size(), trace.blocks.size() * tasks);
    EXPECT_EQ(trace.blocks.back().index, 5u);
}

TEST(TraceRingTest, EventsPerWorkerIsRoundedUpToAPowerOfTwo) {
    const TraceCapture trace = traceSixBlocks(20); // held as 32
    const std::size_t tasks = trace.plans.at(0).numTasks();
    // The block the oldest of the last 32 events belongs to is incomplete; those after it are not.
    const std::size_t lost = 6 * tasks - 32;
    const std::size_t complete = 6 - (lost + tasks - 1) / tasks;
    EXPECT_GT(complete, 6 - (6 * tasks - 20 + tasks - 1) / tasks); // more than 20 events hold
    EXPECT_EQ(trace.blocks.size(), complete);
    EXPECT_EQ(trace.tasks.size(), complete * tasks);
}

// Events carry no block index: the capture gives each task the block running when it started.
TEST(TraceRingTest, BlocksTracedApartKeepTheirOwnTasks) {
    Engine engine(config(2, ExecutorKind::criticalPath));
    Diamond diamond;
    engine.commit(diamond.graph);
    engine.setTracing(true);
    render(engine, 2); // blocks 0, 1
    engine.setTracing(false);
    render(engine, 2);
    engine.setTracing(true);
    render(engine, 2); // blocks 4, 5
    const TraceCapture trace = engine.captureTrace();
    ASSERT_EQ(trace.blocks.size(), 4u);
    const std::size_t tasks = trace.plans.at(0).numTasks();
    const std::uint64_t expected[] = {0, 1, 4, 5};
    for (std::size_t b = 0; b < 4; ++b) {
        const TraceBlock& block = trace.blocks[b];
        EXPECT_EQ(block.index, expected[b]);
        std::set<TaskIndex> seen;
        for (const TraceTask& task : trace.tasks) {
            if (task.block == block.index) {
                EXPECT_GE(task.startNanoseconds, block.startNanoseconds);
                EXPECT_LE(task.endNanoseconds, block.endNanoseconds);
                seen.insert(task.task);
            }
        }
        EXPECT_EQ(seen.size(), tasks) << "block " << block.index;
    }
    EXPECT_EQ(trace.tasks.size(), 4 * tasks);
}

// The event's packed word: duration, origin and task survive; what does not fit is said.
TEST(TaskEventTest, PackedWordKeepsDurationOriginAndTask) {
    const TaskView task{12345, TaskOrigin::stolen, 1000000000000ull, 1000000000000ull + 777};
    const TaskView back = TaskEventRing::unpack(task.startTicks, TaskEventRing::pack(task));
    EXPECT_EQ(back.task, task.task);
    EXPECT_EQ(back.origin, TaskOrigin::stolen);
    EXPECT_EQ(back.startTicks, task.startTicks);
    EXPECT_EQ(back.endTicks, task.endTicks);
    for (TaskOrigin origin : {TaskOrigin::taken, TaskOrigin::continued}) {
        EXPECT_EQ(TaskEventRing::unpack(0, TaskEventRing::pack({7, origin, 0, 1})).origin, origin);
    }
    // Longer than 2^32 ticks: saturated; an end read before the start (another core): zero.
    const TaskView longTask{1, TaskOrigin::taken, 10, 10 + (std::uint64_t{1} << 40)};
    EXPECT_EQ(TaskEventRing::unpack(10, TaskEventRing::pack(longTask)).endTicks,
              10 + TaskEventRing::kMaxDurationTicks);
    const TaskView backwards{1, TaskOrigin::taken, 100, 98};
    EXPECT_EQ(TaskEventRing::unpack(100, TaskEventRing::pack(backwards)).endTicks, 100u);
    // Task indices are kept modulo 2^30.
    const TaskView high{(1u << 30) + 5, TaskOrigin::continued, 0, 3};
    const TaskView highBack = TaskEventRing::unpack(0, TaskEventRing::pack(high));
    EXPECT_EQ(highBack.task, 5u);
    EXPECT_EQ(highBack.origin, TaskOrigin::continued);
    EXPECT_EQ(highBack.endTicks, 3u);
}

TEST(TaskEventTest, RingOverwritesTheOldestEvent) {
    std::atomic<std::uint64_t> words[4 * TaskEventRing::kWords] = {};
    TaskEventRing ring;
    ring.words = words;
    ring.mask = 3;
    for (std::uint64_t i = 0; i < 6; ++i) {
        ring.write(100 * i, TaskEventRing::pack({static_cast<TaskIndex>(i), TaskOrigin::taken,
                                                 100 * i, 100 * i + 10}));
    }
    EXPECT_EQ(ring.head.load(), 6u);
    for (std::uint64_t i = 2; i < 6; ++i) { // events 0 and 1 were overwritten by 4 and 5
        const std::uint64_t slot = (i % 4) * TaskEventRing::kWords;
        const TaskView e = TaskEventRing::unpack(words[slot].load(), words[slot + 1].load());
        EXPECT_EQ(e.task, i);
        EXPECT_EQ(e.startTicks, 100 * i);
        EXPECT_EQ(e.endTicks, 100 * i + 10);
    }
}

// Checks a Chrome Trace Event document: every event has ph, ts, pid and tid; complete events a
// duration; every thread with events is named; the complete events of one thread nest.
void checkChromeTrace(const JsonValue& document, std::size_t& completeEvents) {
    ASSERT_TRUE(document.has("traceEvents"));
    const JsonValue& events = document.at("traceEvents");
    ASSERT_EQ(events.kind, JsonValue::Kind::array);
    std::set<double> named;
    std::map<double, std::vector<std::pair<double, double>>> slices;
    bool counter = false;
    completeEvents = 0;
    for (const JsonValue& event : events.array) {
        ASSERT_EQ(event.kind, JsonValue::Kind::object);
        for (const char* key : {"ph", "ts", "pid", "tid", "name"}) {
            ASSERT_TRUE(event.has(key)) << "an event lacks " << key;
        }
        const std::string& ph = event.at("ph").string;
        ASSERT_EQ(event.at("ts").kind, JsonValue::Kind::number);
        if (ph == "M" && event.at("name").string == "thread_name") {
            EXPECT_FALSE(event.at("args").at("name").string.empty());
            named.insert(event.at("tid").number);
        } else if (ph == "X") {
            ASSERT_TRUE(event.has("dur"));
            EXPECT_GE(event.at("dur").number, 0.0);
            const double ts = event.at("ts").number;
            slices[event.at("tid").number].push_back({ts, ts + event.at("dur").number});
            ++completeEvents;
        } else if (ph == "C") {
            counter = true;
            EXPECT_TRUE(event.has("args"));
        } else {
            EXPECT_EQ(ph, "M") << "unexpected phase";
        }
    }
    EXPECT_TRUE(counter);
    for (auto& [tid, list] : slices) {
        EXPECT_EQ(named.count(tid), 1u) << "thread " << tid << " has no thread_name";
        std::sort(list.begin(), list.end(), [](const auto& x, const auto& y) {
            return x.first != y.first ? x.first < y.first : x.second > y.second;
        });
        // Times are whole nanoseconds written as microseconds with three decimals; ts + dur in
        // doubles may miss the next slice's ts by a rounding error where two tasks touch (a task
        // starts where the worker's last one ended): compare to within half a nanosecond.
        constexpr double kHalfNanosecond = 0.0005;
        std::vector<double> open; // ends of the enclosing slices
        for (const auto& [start, end] : list) {
            while (!open.empty() && open.back() <= start + kHalfNanosecond) {
                open.pop_back();
            }
            if (!open.empty()) {
                EXPECT_LE(end, open.back() + kHalfNanosecond)
                    << "slices of thread " << tid << " overlap";
            }
            open.push_back(end);
        }
    }
}

TEST(ChromeTraceTest, ExportFollowsTheTraceEventFormat) {
    Engine engine(config(2, ExecutorKind::criticalPath));
    Diamond diamond;
    engine.commit(diamond.graph);
    engine.setTracing(true);
    render(engine, 4);
    const TraceCapture trace = engine.captureTrace();
    std::ostringstream json;
    writeChromeTrace(trace, json);
    JsonValue document;
    ASSERT_NO_THROW(document = JsonReader::parse(json.str())) << json.str();
    std::size_t complete = 0;
    checkChromeTrace(document, complete);
    std::size_t critical = 0;
    for (const TraceTask& task : trace.tasks) {
        critical += task.critical ? 1 : 0;
    }
    // Tasks, their copies on the critical-path track, and one event per block.
    EXPECT_EQ(complete, trace.tasks.size() + critical + trace.blocks.size());
    EXPECT_NE(json.str().find("\"B \\\"long\\\" <branch>\""), std::string::npos);
}

TEST(ScheduleSvgTest, PictureIsWellFormedXml) {
    Engine engine(config(2, ExecutorKind::criticalPath));
    Diamond diamond;
    engine.commit(diamond.graph);
    engine.setTracing(true);
    render(engine, 3);
    std::ostringstream svg;
    writeScheduleSvg(engine.captureTrace(), svg, {2, 900.0});
    const std::string text = svg.str();
    EXPECT_NE(text.find("<svg"), std::string::npos);
    EXPECT_NE(text.find("max(W/p, D)"), std::string::npos);
    EXPECT_NE(text.find("&lt;branch&gt;"), std::string::npos);
    const std::string xmllint = FLUXFORGE_TEST_XMLLINT;
    if (xmllint.empty()) {
        GTEST_SKIP() << "xmllint (libxml2-utils) not found";
    }
    const std::string path = ::testing::TempDir() + "fluxforge_schedule_test.svg";
    std::ofstream(path) << text;
    EXPECT_EQ(std::system((xmllint + " --noout " + path).c_str()), 0) << text;
    std::remove(path.c_str());
}

TEST(TraceSwitchTest, TracingSwitchesWhileBlocksRun) {
    Engine engine(config(2, ExecutorKind::criticalPath));
    Graph graph(GraphConfig{1, 1});
    for (int i = 0; i < 6; ++i) {
        const NodeId id = graph.add(std::make_shared<BusyNode>(2us), "n" + std::to_string(i));
        graph.connect(graph.input(), id);
        graph.connect(id, graph.output());
    }
    engine.commit(graph);
    std::atomic<bool> done{false};
    std::atomic<int> captures{0};
    std::thread control([&] {
        for (int i = 0; !done.load(); ++i) {
            engine.setTracing(i % 2 == 0);
            const TraceCapture trace = engine.captureTrace();
            for (const TraceTask& task : trace.tasks) {
                if (task.endNanoseconds < task.startNanoseconds) {
                    ADD_FAILURE() << "a torn event";
                }
            }
            captures.fetch_add(1);
            std::this_thread::sleep_for(1ms);
        }
    });
    AudioBuffer out(1, 128);
    for (int b = 0; b < 300 || captures.load() < 10; ++b) {
        engine.process({}, out.view());
    }
    done.store(true);
    control.join();
    EXPECT_GE(captures.load(), 10);
}

} // namespace
} // namespace fluxforge
