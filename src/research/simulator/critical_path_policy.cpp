// Simulated CriticalPathExecutor: per-worker ready sets ordered by critical-path priority. The
// sources go to the workers' sets by their placement (placeSources; the most urgent source's share
// to worker 0), when any is worth moving
// (ParallelPolicy::minimumStealNanoseconds), else all to worker 0; a thief steals only when what it
// would take holds a task worth moving, but worker 0 anything once it has waited that long. A
// worker finishing a task continues at once with the most urgent successor it made ready and puts
// the others in its own set; a worker with an empty set steals the most urgent entry another
// worker's set shows (those the owner put there notifyNs ago or earlier), victims tried in the
// executor's order, together with half of the other entries of that entry's 64-entry word. Helpers
// join wakeNs late.
#include <fluxforge/research/schedule_simulator.hpp>
#include <fluxforge/sched/source_placement.hpp>

#include <functional>
#include <limits>
#include <map>
#include <queue>
#include <tuple>

namespace fluxforge::detail {

SimResult simulateCriticalPath(const SimGraph& graph, std::span<const double> costs,
                               std::uint32_t participants, const SimOverheads& overheads,
                               double minimumMoveNs) {
    constexpr std::uint32_t kNobody = ~std::uint32_t{0};
    constexpr double kNever = std::numeric_limits<double>::infinity();
    constexpr double kAlways = -std::numeric_limits<double>::infinity();
    SimResult result;
    const std::size_t n = graph.numTasks();
    result.start.resize(n);
    result.worker.resize(n);
    std::vector<std::uint32_t> pending = graph.predecessorCount;

    // Each set: priority -> the time its entry was put there.
    std::vector<std::map<std::uint32_t, double>> sets(participants);
    {
        // Dealt out only when some source is worth moving; else all to worker 0.
        bool anyMovable = false;
        for (const TaskIndex source : graph.sources) {
            anyMovable = anyMovable || costs[source] >= minimumMoveNs;
        }
        const std::uint32_t dealt = anyMovable ? participants : 1;
        // The most urgent source's share to worker 0 (the audio thread), as the executor does.
        std::uint32_t first = dealt;
        for (std::uint32_t priority = 0; priority < n; ++priority) {
            const TaskIndex task = graph.byPriority[priority];
            if (graph.predecessorCount[task] == 0) {
                const std::uint32_t placed = placedWorker(graph.placement[task], dealt);
                first = first == dealt ? placed : first;
                sets[(placed + dealt - first) % dealt].emplace(priority, kAlways);
            }
        }
    }
    const auto visibleAt = [&](double put) {
        return put == kAlways ? 0.0 : put + overheads.notifyNs;
    };
    // The most urgent entry of `victim`'s set that another worker sees at time `t` (end if none).
    const auto topAt = [&](std::uint32_t victim, double t) {
        auto it = sets[victim].begin();
        while (it != sets[victim].end() && visibleAt(it->second) > t) {
            ++it;
        }
        return it;
    };
    // What a steal from `victim` at time `t` takes: the most urgent entry seen and the most
    // urgent half of the others of its 64-entry word seen then.
    const auto stealAt = [&](std::uint32_t victim, double t) {
        std::vector<std::uint32_t> taken;
        const auto top = topAt(victim, t);
        if (top == sets[victim].end()) {
            return taken;
        }
        taken.push_back(top->first);
        std::vector<std::uint32_t> rest;
        for (auto it = sets[victim].begin(); it != sets[victim].end(); ++it) {
            if (it != top && it->first / 64 == top->first / 64 && visibleAt(it->second) <= t) {
                rest.push_back(it->first);
            }
        }
        taken.insert(taken.end(), rest.begin(), rest.begin() + rest.size() / 2);
        return taken;
    };
    // The earliest time from `from` on at which worker `thief` may steal from `victim`: when a
    // steal would take a task worth moving (ParallelPolicy::minimumStealNanoseconds), or, for the
    // audio thread (worker 0), anything once it has waited minimumMoveNs with nothing to do.
    const auto stealableFrom = [&](std::uint32_t thief, std::uint32_t victim, double from) {
        double earliest = kNever;
        for (const auto& [priority, put] : sets[victim]) {
            const double t = std::max(from, visibleAt(put));
            for (const std::uint32_t p : stealAt(victim, t)) {
                if (costs[graph.byPriority[p]] >= minimumMoveNs) {
                    earliest = std::min(earliest, t);
                    break;
                }
            }
            if (thief == 0) {
                earliest = std::min(earliest, std::max(from + minimumMoveNs, visibleAt(put)));
            }
        }
        return earliest;
    };

    std::vector<double> freeAt(participants, overheads.wakeNs);
    freeAt[0] = 0.0;
    std::vector<bool> busy(participants, false);
    using Completion = std::tuple<double, std::uint32_t, TaskIndex>;
    std::priority_queue<Completion, std::vector<Completion>, std::greater<>> completions;
    const auto begin = [&](TaskIndex task, std::uint32_t w, double at) {
        result.start[task] = at;
        result.worker[task] = w;
        busy[w] = true;
        completions.emplace(at + simulatedDuration(graph, costs, result, task, w, overheads), w,
                            task);
    };

    std::size_t done = 0;
    double end = 0.0;
    while (done < n) {
        // The free worker that can start something first.
        double bestStart = kNever;
        std::uint32_t best = kNobody;
        for (std::uint32_t w = 0; w < participants; ++w) {
            if (busy[w]) {
                continue;
            }
            double start = kNever;
            if (!sets[w].empty()) {
                start = freeAt[w];
            } else {
                for (std::uint32_t v = 0; v < participants; ++v) {
                    if (v != w) {
                        start = std::min(start, stealableFrom(w, v, freeAt[w]));
                    }
                }
            }
            if (start < bestStart) {
                bestStart = start;
                best = w;
            }
        }
        if (!completions.empty() && std::get<0>(completions.top()) <= bestStart) {
            const auto [finish, w, task] = completions.top();
            completions.pop();
            end = std::max(end, finish);
            ++done;
            TaskIndex next = kNoTask;
            for (TaskIndex s : graph.successors[task]) {
                if (--pending[s] == 0) {
                    const std::uint32_t priority = graph.priorityOf[s];
                    if (next == kNoTask || priority < graph.priorityOf[next]) {
                        if (next != kNoTask) {
                            sets[w].emplace(graph.priorityOf[next], finish);
                        }
                        next = s;
                    } else {
                        sets[w].emplace(priority, finish);
                    }
                }
            }
            busy[w] = false;
            freeAt[w] = finish;
            if (next != kNoTask) {
                begin(next, w, finish); // the continuation
            }
            continue;
        }
        if (best == kNobody) {
            break; // nothing ready and nothing running: a malformed graph
        }
        if (!sets[best].empty()) {
            const auto first = sets[best].begin();
            const TaskIndex task = graph.byPriority[first->first];
            sets[best].erase(first);
            begin(task, best, bestStart);
            continue;
        }
        // Steal: the first victim in the executor's order that may be stolen from at bestStart.
        for (std::uint32_t k = 1; k < participants; ++k) {
            const std::uint32_t victim = (best + k) % participants;
            auto& set = sets[victim];
            if (stealableFrom(best, victim, freeAt[best]) > bestStart) {
                continue;
            }
            const auto first = topAt(victim, bestStart);
            const std::uint32_t taken = first->first;
            const std::uint32_t word = taken / 64;
            std::vector<std::uint32_t> rest;
            for (auto it = set.begin(); it != set.end(); ++it) {
                if (it != first && it->first / 64 == word && visibleAt(it->second) <= bestStart) {
                    rest.push_back(it->first);
                }
            }
            set.erase(first);
            // The most urgent half of the others go with it (rest is in priority order).
            for (std::size_t i = 0; i < rest.size() / 2; ++i) {
                set.erase(rest[i]);
                sets[best].emplace(rest[i], bestStart);
            }
            ++result.steals;
            begin(graph.byPriority[taken], best, bestStart);
            break;
        }
    }
    result.blockNs = end + overheads.blockNs;
    return result;
}

} // namespace fluxforge::detail
