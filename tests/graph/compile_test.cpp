// compile(): the plan's structure, and every validation error it reports.
#include "support/random_dag.hpp"
#include "support/test_nodes.hpp"

#include <fluxforge/graph/compile.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>

namespace fluxforge {
namespace {

using test::ConstantSource;
using test::MixNode;

template <typename Fn>
std::string errorOf(Fn&& statement) {
    try {
        statement();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

bool contains(const std::string& text, const std::string& fragment) {
    return text.find(fragment) != std::string::npos;
}

TEST(CompileTest, PlanListsEveryNodeInTopologicalOrder) {
    Graph graph(GraphConfig{0, 1});
    test::buildRandomDag(graph, {.nodes = 200, .layers = 12, .maxFanIn = 5, .seed = 3});
    const auto plan = compile(graph, {48000.0, 512, 0}); // no partial sums: one task per node
    ASSERT_EQ(plan->numTasks(), graph.nodeCount());
    std::set<NodeId> seen;
    for (TaskIndex t = 0; t < plan->numTasks(); ++t) {
        seen.insert(plan->nodeId(t));
        EXPECT_EQ(plan->taskOf(plan->nodeId(t)), t);
        if (plan->isPartialSum(t))
            continue;
        EXPECT_EQ(&plan->node(t), graph.node(plan->nodeId(t)).get());
        EXPECT_EQ(plan->nodeName(t), graph.name(plan->nodeId(t)));
        for (TaskIndex p : plan->predecessors(t))
            EXPECT_LT(p, t);
        for (TaskIndex s : plan->successors(t))
            EXPECT_GT(s, t);
    }
    EXPECT_EQ(seen.size(), graph.nodeCount());
    // Each connection is an edge from its source's task to its destination's task.
    for (const Connection& c : graph.connections()) {
        const TaskIndex from = plan->taskOf(c.source.node);
        const TaskIndex to = plan->taskOf(c.destination.node);
        const auto succ = plan->successors(from);
        const auto pred = plan->predecessors(to);
        EXPECT_NE(std::find(succ.begin(), succ.end(), to), succ.end());
        EXPECT_NE(std::find(pred.begin(), pred.end(), from), pred.end());
    }
}

TEST(CompileTest, DependencyCountsAndSourcesFollowTheEdges) {
    Graph graph(GraphConfig{0, 1});
    const NodeId a = graph.add(std::make_shared<ConstantSource>(1.0f));
    const NodeId b = graph.add(std::make_shared<ConstantSource>(2.0f));
    const NodeId m = graph.add(std::make_shared<MixNode>(2, 1));
    graph.connect(OutputPort{a, 0}, InputPort{m, 0});
    graph.connect(OutputPort{a, 0}, InputPort{m, 1}); // two ports, one dependency
    graph.connect(OutputPort{b, 0}, InputPort{m, 1});
    graph.connect(m, graph.output());
    const auto plan = compile(graph, {});
    EXPECT_EQ(plan->initialDependencies(plan->taskOf(m)), 2u);
    EXPECT_EQ(plan->initialDependencies(plan->taskOf(graph.output())), 1u);
    EXPECT_EQ(plan->initialDependencies(plan->taskOf(a)), 0u);
    std::set<NodeId> sources;
    for (TaskIndex t : plan->sourceTasks())
        sources.insert(plan->nodeId(t));
    EXPECT_EQ(sources, (std::set<NodeId>{graph.input(), a, b}));
}

TEST(CompileTest, RankIsCostPlusTheLongestPathAfter) {
    Graph graph(GraphConfig{0, 1});
    const NodeId a = graph.add(std::make_shared<ConstantSource>(1.0f));
    NodeId previous = a;
    for (int i = 0; i < 3; ++i) {
        const NodeId next = graph.add(std::make_shared<MixNode>(1, 1));
        graph.connect(previous, next);
        previous = next;
    }
    graph.connect(previous, graph.output());
    const NodeId lone = graph.add(std::make_shared<ConstantSource>(2.0f));
    const auto plan = compile(graph, {});
    for (TaskIndex t = 0; t < plan->numTasks(); ++t) {
        double longest = 0.0;
        for (TaskIndex s : plan->successors(t))
            longest = std::max(longest, plan->rank(s));
        EXPECT_DOUBLE_EQ(plan->rank(t), plan->cost(t) + longest);
    }
    EXPECT_GT(plan->rank(plan->taskOf(a)), plan->rank(plan->taskOf(lone)));
}

TEST(CompileTest, CycleIsRejectedAndListsItsNodes) {
    Graph graph(GraphConfig{0, 1});
    const NodeId src = graph.add(std::make_shared<ConstantSource>(1.0f), "src");
    const NodeId x = graph.add(std::make_shared<MixNode>(2, 1), "x");
    const NodeId y = graph.add(std::make_shared<MixNode>(1, 1), "y");
    const NodeId z = graph.add(std::make_shared<MixNode>(1, 1), "z");
    graph.connect(OutputPort{src, 0}, InputPort{x, 0});
    graph.connect(x, y);
    graph.connect(y, z);
    graph.connect(OutputPort{z, 0}, InputPort{x, 1});
    graph.connect(z, graph.output());
    const std::string message = errorOf([&] { (void)compile(graph, {}); });
    EXPECT_TRUE(contains(message, "cycle")) << message;
    for (const char* name : {"'x'", "'y'", "'z'"})
        EXPECT_TRUE(contains(message, name)) << message;
    EXPECT_FALSE(contains(message, "'src'")) << message;
}

TEST(CompileTest, ChannelCountChangedAfterConnectingIsRejected) {
    Graph graph(GraphConfig{0, 1});
    auto node = std::make_shared<MixNode>(1, 1, 1);
    const NodeId src = graph.add(std::make_shared<ConstantSource>(1.0f), "src");
    const NodeId m = graph.add(node, "resizable");
    graph.connect(src, m);
    graph.connect(m, graph.output());
    node->setChannels(2);
    const std::string message = errorOf([&] { (void)compile(graph, {}); });
    EXPECT_TRUE(contains(message, "channel mismatch")) << message;
    EXPECT_TRUE(contains(message, "'resizable'")) << message;
}

TEST(CompileTest, PortRemovedAfterConnectingIsRejected) {
    Graph graph(GraphConfig{0, 1});
    auto node = std::make_shared<MixNode>(1, 1, 1);
    const NodeId src = graph.add(std::make_shared<ConstantSource>(1.0f), "src");
    const NodeId m = graph.add(node, "shrinking");
    graph.connect(src, m);
    graph.connect(m, graph.output());
    node->setPortCounts(0, 1); // same object, now without input ports
    const std::string message = errorOf([&] { (void)compile(graph, {}); });
    EXPECT_TRUE(contains(message, "'shrinking'")) << message;
    EXPECT_TRUE(contains(message, "no input port 0")) << message;
}

TEST(CompileTest, BadSettingsAreRejectedWithTheValue) {
    Graph graph;
    EXPECT_TRUE(contains(errorOf([&] { (void)compile(graph, {48000.0, 0}); }), "block size 0"));
    EXPECT_TRUE(contains(errorOf([&] {
                             (void)compile(graph, {48000.0, kMaxBlockSizeLimit + 1});
                         }),
                         "block size 16385 is above the maximum of 16384"));
    EXPECT_TRUE(contains(errorOf([&] {
                             (void)compile(graph, {7999.0, 64});
                         }),
                         "sample rate 7999 Hz is outside"));
    EXPECT_TRUE(contains(errorOf([&] {
                             (void)compile(graph, {768001.0, 64});
                         }),
                         "sample rate 768001 Hz"));
    EXPECT_TRUE(contains(errorOf([&] {
                             (void)compile(graph, {std::numeric_limits<double>::quiet_NaN(), 64});
                         }),
                         "sample rate"));
    EXPECT_NO_THROW((void)compile(graph, {8000.0, 1}));
    EXPECT_NO_THROW((void)compile(graph, {768000.0, kMaxBlockSizeLimit}));
}

TEST(CompileTest, NodesArePreparedForTheSettings) {
    Graph graph(GraphConfig{0, 1});
    auto node = std::make_shared<MixNode>(1, 1);
    const NodeId m = graph.add(node);
    graph.connect(m, graph.output());
    EXPECT_FALSE(node->preparedFor().has_value());
    (void)compile(graph, {96000.0, 256});
    ASSERT_TRUE(node->preparedFor().has_value());
    EXPECT_EQ(node->preparedFor()->sampleRate, 96000.0);
    EXPECT_EQ(node->preparedFor()->maxBlockSize, 256u);
}

TEST(CompileTest, RejectedCompilePreparesNothing) {
    Graph graph(GraphConfig{0, 1});
    auto node = std::make_shared<MixNode>(1, 1);
    const NodeId a = graph.add(node);
    const NodeId b = graph.add(std::make_shared<MixNode>(1, 1));
    graph.connect(a, b);
    graph.connect(b, a);
    EXPECT_THROW((void)compile(graph, {}), Error);
    EXPECT_FALSE(node->preparedFor().has_value());
}

TEST(CompileTest, BufferSlotsAreReusedAlongAChain) {
    Graph graph(GraphConfig{0, 1});
    NodeId previous = graph.add(std::make_shared<ConstantSource>(1.0f));
    for (int i = 0; i < 100; ++i) {
        const NodeId next = graph.add(std::make_shared<MixNode>(1, 1));
        graph.connect(previous, next);
        previous = next;
    }
    graph.connect(previous, graph.output());
    const auto plan = compile(graph, {48000.0, 64});
    EXPECT_LE(plan->numBufferSlots(), 4u); // ping-pong, not one per node
}

// Two tasks that may run at the same time (neither reaches the other) never touch the same slot
// when one of them writes it: on any executor and any number of workers, no data race.
TEST(CompileTest, TasksThatMayRunConcurrentlyNeverShareASlotTheyWrite) {
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
        Graph graph(GraphConfig{0, 1});
        test::buildRandomDag(graph, {.nodes = 150, .layers = 8, .maxFanIn = 40, .seed = seed});
        const auto plan = compile(graph, {48000.0, 32});
        const std::size_t n = plan->numTasks();
        // reach[a][b]: a path from a to b.
        std::vector<std::vector<bool>> reach(n, std::vector<bool>(n, false));
        for (TaskIndex t = static_cast<TaskIndex>(n); t-- > 0;) {
            for (TaskIndex s : plan->successors(t)) {
                reach[t][s] = true;
                for (std::size_t k = 0; k < n; ++k) {
                    if (reach[s][k])
                        reach[t][k] = true;
                }
            }
        }
        struct Access {
            TaskIndex task;
            bool writes;
        };
        std::map<std::uint32_t, std::vector<Access>> accesses;
        for (TaskIndex t = 0; t < n; ++t) {
            for (PortIndex p = 0; p < plan->numOutputPorts(t); ++p) {
                accesses[plan->outputSlot(t, p)].push_back({t, true});
            }
            for (PortIndex p = 0; p < plan->numInputPorts(t); ++p) {
                const std::uint32_t slot = plan->inputSlot(t, p);
                if (slot != Plan::kSilenceSlot) {
                    accesses[slot].push_back({t, plan->sumsInput(t, p)});
                }
            }
        }
        for (const auto& [slot, list] : accesses) {
            for (const Access& a : list) {
                for (const Access& b : list) {
                    if (a.task == b.task || !(a.writes || b.writes))
                        continue;
                    ASSERT_TRUE(reach[a.task][b.task] || reach[b.task][a.task])
                        << "seed " << seed << ": slot " << slot << " shared by concurrent tasks "
                        << plan->nodeName(a.task) << " and " << plan->nodeName(b.task);
                }
            }
        }
    }
}

} // namespace
} // namespace fluxforge
