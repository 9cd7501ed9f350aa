// Source placement: a block's sources start on the worker their work meets downstream on (the
// tracks of one bus together), in shares of about equal work.
#include "../support/test_nodes.hpp"

#include <fluxforge/graph/compile.hpp>
#include <fluxforge/sched/priority_order.hpp>
#include <fluxforge/sched/source_placement.hpp>

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

namespace fluxforge {
namespace {

using test::MixNode;

constexpr int kBuses = 4;
constexpr int kTracksPerBus = 8;

// kBuses x kTracksPerBus tracks (a source and two effects) -> their bus -> master -> output.
// Returns each track source's bus.
std::map<NodeId, int> buildSession(Graph& graph) {
    std::map<NodeId, int> busOfSource;
    const NodeId master = graph.add(std::make_shared<MixNode>(1, 1));
    graph.connect(master, graph.output());
    for (int b = 0; b < kBuses; ++b) {
        const NodeId bus = graph.add(std::make_shared<MixNode>(1, 1));
        graph.connect(bus, master);
        for (int t = 0; t < kTracksPerBus; ++t) {
            const NodeId source = graph.add(std::make_shared<MixNode>(0, 1));
            busOfSource[source] = b;
            NodeId previous = source;
            for (int e = 0; e < 2; ++e) {
                const NodeId effect = graph.add(std::make_shared<MixNode>(1, 1));
                graph.connect(previous, effect);
                previous = effect;
            }
            graph.connect(previous, bus);
        }
    }
    return busOfSource;
}

// For p workers: the workers each bus's track sources start on.
std::map<int, std::set<std::uint32_t>> workersOfBuses(const Plan& plan, const PriorityOrder& order,
                                                      const std::map<NodeId, int>& busOfSource,
                                                      std::uint32_t p) {
    std::map<int, std::set<std::uint32_t>> workers;
    const auto sources = order.sourcePriorities();
    for (std::size_t i = 0; i < sources.size(); ++i) {
        const TaskIndex task = order.byPriority()[sources[i]];
        const auto bus = busOfSource.find(plan.nodeId(task));
        if (bus != busOfSource.end()) {
            workers[bus->second].insert(placedWorker(order.sourcePlacements()[i], p));
        }
    }
    return workers;
}

TEST(SourcePlacement, TheTracksOfOneBusStartOnOneWorker) {
    for (const double rate : {44100.0, 96000.0}) {
        for (const FrameCount block : {FrameCount{32}, FrameCount{256}}) {
            SCOPED_TRACE(testing::Message() << rate << " Hz, " << block << " frames");
            Graph graph(GraphConfig{0, 1});
            const auto busOfSource = buildSession(graph);
            const auto plan = compile(graph, {rate, block});
            std::vector<double> costs(plan->numTasks());
            for (TaskIndex t = 0; t < plan->numTasks(); ++t) {
                costs[t] = plan->cost(t);
            }
            const PriorityOrder order(*plan, costs);
            ASSERT_EQ(order.sourcePlacements().size(), order.sourcePriorities().size());

            // Two workers: two whole buses each. Four: one bus each.
            for (const std::uint32_t p : {2u, 4u}) {
                const auto workers = workersOfBuses(*plan, order, busOfSource, p);
                ASSERT_EQ(workers.size(), std::size_t{kBuses});
                std::map<std::uint32_t, int> busesOnWorker;
                for (const auto& [bus, on] : workers) {
                    EXPECT_EQ(on.size(), 1u) << "bus " << bus << " split over workers, p = " << p;
                    ++busesOnWorker[*on.begin()];
                }
                EXPECT_EQ(busesOnWorker.size(), std::size_t{p}) << "p = " << p;
                for (const auto& [worker, buses] : busesOnWorker) {
                    EXPECT_EQ(buses, kBuses / static_cast<int>(p)) << "worker " << worker;
                }
            }
        }
    }
}

TEST(SourcePlacement, IndependentTasksAreDealtInSharesOfEqualWork) {
    // 40 independent tasks of uneven cost: each worker's share is within one task of W / p.
    std::vector<double> costs;
    for (int i = 0; i < 40; ++i) {
        costs.push_back(1.0 + (i * 7) % 5);
    }
    const auto n = static_cast<std::uint32_t>(costs.size());
    const std::vector<std::vector<std::uint32_t>> none(n);
    const auto placement = placeSources(
        n, [&](std::uint32_t t) -> const auto& { return none[t]; },
        [&](std::uint32_t t) -> const auto& { return none[t]; }, costs);
    double total = 0.0;
    for (const double c : costs) {
        total += c;
    }
    for (const std::uint32_t p : {2u, 3u, 5u}) {
        std::vector<double> share(p, 0.0);
        for (std::uint32_t t = 0; t < n; ++t) {
            share[placedWorker(placement[t], p)] += costs[t];
        }
        for (std::uint32_t w = 0; w < p; ++w) {
            EXPECT_NEAR(share[w], total / p, 5.0) << "worker " << w << " of " << p;
        }
    }
}

TEST(SourcePlacement, EverySourceNamesAWorkerOfTheBlock) {
    // A chain, a fan-in of two sources and a lone task of no cost: placements lie in [0, 1) and
    // name one of the p workers for any p, the last included; sources whose outputs meet sit
    // side by side, after the chain, in the order the walk from the sinks finds them.
    const std::vector<std::vector<std::uint32_t>> predecessors = {{}, {0}, {1}, {}, {}, {3, 4}, {}};
    const std::vector<std::vector<std::uint32_t>> successors = {{1}, {2}, {}, {5}, {5}, {}, {}};
    const std::vector<double> costs = {5.0, 5.0, 5.0, 1.0, 1.0, 2.0, 0.0};
    const auto placement = placeSources(
        7, [&](std::uint32_t t) -> const auto& { return predecessors[t]; },
        [&](std::uint32_t t) -> const auto& { return successors[t]; }, costs);
    ASSERT_EQ(placement.size(), 7u);
    for (const std::uint32_t source : {0u, 3u, 4u, 6u}) {
        EXPECT_GE(placement[source], 0.0f);
        EXPECT_LT(placement[source], 1.0f);
        for (std::uint32_t p = 1; p <= 8; ++p) {
            EXPECT_LT(placedWorker(placement[source], p), p);
        }
    }
    // The chain's source carries the chain (15 of 19): its middle is 7.5 / 19. Sources 3 and 4
    // share the fan-in: 2 each, at (15 + 1) / 19 and (15 + 3) / 19.
    EXPECT_NEAR(placement[0], 7.5 / 19.0, 1e-6);
    EXPECT_NEAR(placement[3], 16.0 / 19.0, 1e-6);
    EXPECT_NEAR(placement[4], 18.0 / 19.0, 1e-6);
    EXPECT_EQ(placedWorker(1.0f, 4), 3u);
}

} // namespace
} // namespace fluxforge
