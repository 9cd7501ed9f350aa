// The simulator's shared part: the task graph, the helper rule, and the choice of policy. The
// policies themselves live one per file beside this one.
#include <fluxforge/research/schedule_simulator.hpp>
#include <fluxforge/sched/source_placement.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fluxforge {

SimGraph SimGraph::fromEdges(std::size_t tasks,
                             std::span<const std::pair<TaskIndex, TaskIndex>> edges,
                             std::span<const double> estimatedCosts) {
    SimGraph g;
    g.successors.resize(tasks);
    g.predecessorCount.assign(tasks, 0);
    g.predecessors.resize(tasks);
    auto& predecessors = g.predecessors;
    for (const auto& [from, to] : edges) {
        g.successors[from].push_back(to);
        predecessors[to].push_back(from);
        ++g.predecessorCount[to];
    }
    // Ranks and levels as the compiler and ScheduledPlan compute them.
    std::vector<double> rank(tasks, 0.0);
    for (std::size_t i = tasks; i-- > 0;) {
        double below = 0.0;
        for (TaskIndex s : g.successors[i]) {
            below = std::max(below, rank[s]);
        }
        rank[i] = estimatedCosts[i] + below;
    }
    std::vector<std::uint32_t> level(tasks, 0);
    std::uint32_t deepest = 0;
    for (std::size_t t = 0; t < tasks; ++t) {
        for (TaskIndex p : predecessors[t]) {
            level[t] = std::max(level[t], level[p] + 1);
        }
        deepest = std::max(deepest, level[t]);
        g.estimatedWork += estimatedCosts[t];
        g.estimatedCriticalPath = std::max(g.estimatedCriticalPath, rank[t]);
        if (g.predecessorCount[t] == 0) {
            g.sources.push_back(static_cast<TaskIndex>(t));
        }
    }
    const auto moreUrgent = [&](TaskIndex a, TaskIndex b) {
        return rank[a] != rank[b] ? rank[a] > rank[b] : a < b;
    };
    g.levels.resize(tasks == 0 ? 0 : deepest + 1);
    for (std::size_t t = 0; t < tasks; ++t) {
        g.levels[level[t]].push_back(static_cast<TaskIndex>(t));
    }
    for (auto& tasksOfLevel : g.levels) {
        std::sort(tasksOfLevel.begin(), tasksOfLevel.end(), moreUrgent);
    }
    g.byPriority.resize(tasks);
    std::iota(g.byPriority.begin(), g.byPriority.end(), TaskIndex{0});
    std::sort(g.byPriority.begin(), g.byPriority.end(), moreUrgent);
    g.priorityOf.resize(tasks);
    for (std::uint32_t i = 0; i < tasks; ++i) {
        g.priorityOf[g.byPriority[i]] = i;
    }
    g.placement = placeSources(
        static_cast<std::uint32_t>(tasks),
        [&](TaskIndex t) -> const auto& { return predecessors[t]; },
        [&](TaskIndex t) -> const auto& { return g.successors[t]; }, estimatedCosts);
    return g;
}

SimGraph SimGraph::fromPlan(const ScheduledPlan& scheduled) {
    const Plan& plan = scheduled.plan();
    const std::uint32_t n = scheduled.numTasks();
    SimGraph g;
    g.successors.resize(n);
    g.predecessors.resize(n);
    g.predecessorCount.resize(n);
    for (TaskIndex t = 0; t < n; ++t) {
        const auto successors = plan.successors(t);
        g.successors[t].assign(successors.begin(), successors.end());
        g.predecessorCount[t] = plan.initialDependencies(t);
        const auto predecessors = plan.predecessors(t);
        g.predecessors[t].assign(predecessors.begin(), predecessors.end());
    }
    const auto sources = plan.sourceTasks();
    g.sources.assign(sources.begin(), sources.end());
    g.levels.resize(scheduled.numLevels());
    for (std::size_t l = 0; l < scheduled.numLevels(); ++l) {
        const auto tasks = scheduled.levelTasks(l);
        g.levels[l].assign(tasks.begin(), tasks.end());
    }
    g.byPriority.resize(n);
    g.priorityOf.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        g.byPriority[i] = scheduled.taskAtPriority(i);
        g.priorityOf[g.byPriority[i]] = i;
    }
    // The plan's own placements, from the costs of the order in use.
    g.placement.assign(n, 0.0f);
    const auto sourcePriorities = scheduled.sourcePriorities();
    for (std::size_t i = 0; i < sourcePriorities.size(); ++i) {
        g.placement[g.byPriority[sourcePriorities[i]]] = scheduled.sourcePlacements()[i];
    }
    g.estimatedWork = scheduled.totalWork();
    g.estimatedCriticalPath = scheduled.criticalPath();
    return g;
}

std::uint32_t simulatedHelpers(const SimGraph& graph, const SimSettings& settings,
                               ExecutorKind policy) noexcept {
    if (policy == ExecutorKind::serial || settings.workers <= 1 || graph.numTasks() <= 1 ||
        graph.estimatedWork < settings.policy.minimumWorkNanoseconds) {
        return 0;
    }
    std::uint32_t helpers = settings.workers - 1;
    if (settings.policy.limitToParallelism && graph.estimatedCriticalPath > 0.0) {
        const double parallelism = graph.estimatedWork / graph.estimatedCriticalPath;
        helpers =
            std::min(helpers, static_cast<std::uint32_t>(std::ceil(parallelism - 1.0 - 1e-9)));
    }
    return helpers;
}

double detail::simulatedDuration(const SimGraph& graph, std::span<const double> costs,
                                 const SimResult& schedule, TaskIndex task, std::uint32_t w,
                                 const SimOverheads& overheads) noexcept {
    double duration = costs[task] + overheads.taskNs;
    if (overheads.remoteNs != 0.0) {
        for (TaskIndex p : graph.predecessors[task]) {
            duration += schedule.worker[p] != w ? overheads.remoteNs : 0.0;
        }
    }
    return duration;
}

SimResult simulateBlock(ExecutorKind policy, const SimGraph& graph, std::span<const double> costs,
                        const SimSettings& settings) {
    std::uint32_t helpers = simulatedHelpers(graph, settings, policy);
    // No task may move between workers: a helper could only watch (ParallelExecutor).
    const double largest = costs.empty() ? 0.0 : *std::max_element(costs.begin(), costs.end());
    if (largest < settings.policy.minimumStealNanoseconds) {
        helpers = 0;
    }
    SimResult result;
    switch (helpers == 0 ? ExecutorKind::serial : policy) {
    case ExecutorKind::serial:
        result = detail::simulateSerial(graph, costs, settings.serial);
        break;
    case ExecutorKind::levelBarrier:
        result = detail::simulateLevelBarrier(graph, costs, helpers + 1, settings.parallel);
        break;
    case ExecutorKind::dynamicFifo:
        result = detail::simulateDynamicFifo(graph, costs, helpers + 1, settings.parallel);
        break;
    case ExecutorKind::criticalPath:
        result = detail::simulateCriticalPath(graph, costs, helpers + 1, settings.parallel,
                                              settings.policy.minimumStealNanoseconds);
        break;
    }
    result.helpers = helpers;
    return result;
}

} // namespace fluxforge
