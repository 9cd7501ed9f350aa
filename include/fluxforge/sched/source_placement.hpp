// Source placement: which worker each source of a block starts on, so that work that meets
// downstream starts on one core.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace fluxforge {

/// For each source of a task graph (a task without predecessors), where it lies, as a fraction in
/// [0, 1) of the graph's work, in a list of the sources that puts those whose outputs meet
/// downstream side by side: dealing a block's sources to p workers by placedWorker(placement, p)
/// then starts the tracks of one bus on one worker, whose consumers read their inputs from their
/// own core's cache, in p shares of about equal work.
///
/// The list is the order in which a depth-first walk from each sink (in task order) back through
/// the predecessors first finishes each source. A source's share of the work is its own cost plus,
/// for each successor, that successor's share divided evenly among its predecessors (so a bus is
/// shared by its tracks, the master by all of them); the shares add up to the graph's work.
/// Tasks with predecessors get 0.
///
/// `predecessorsOf(t)` and `successorsOf(t)` return task t's neighbours (anything sized and
/// indexable); `costs` are the tasks' costs (any unit). Thread: any. Real-time safe: no.
/// Allocates: yes.
template <class PredecessorsOf, class SuccessorsOf>
[[nodiscard]] std::vector<float>
placeSources(std::uint32_t numTasks, PredecessorsOf&& predecessorsOf, SuccessorsOf&& successorsOf,
             std::span<const double> costs) {
    // The walk: every task listed once, after all of its predecessors (a topological order).
    std::vector<std::uint32_t> listed;
    listed.reserve(numTasks);
    std::vector<char> seen(numTasks, 0);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> stack; // task, predecessors visited
    for (std::uint32_t sink = 0; sink < numTasks; ++sink) {
        if (!successorsOf(sink).empty() || seen[sink] != 0) {
            continue;
        }
        stack.push_back({sink, 0});
        seen[sink] = 1;
        while (!stack.empty()) {
            const std::uint32_t task = stack.back().first;
            const auto& predecessors = predecessorsOf(task);
            const std::uint32_t next = stack.back().second;
            if (next < predecessors.size()) {
                ++stack.back().second;
                const std::uint32_t predecessor = predecessors[next];
                if (seen[predecessor] == 0) {
                    seen[predecessor] = 1;
                    stack.push_back({predecessor, 0});
                }
                continue;
            }
            listed.push_back(task);
            stack.pop_back();
        }
    }
    // Shares, consumers before their producers.
    std::vector<double> share(numTasks, 0.0);
    for (auto it = listed.rbegin(); it != listed.rend(); ++it) {
        double own = std::max(costs[*it], 0.0);
        for (const std::uint32_t successor : successorsOf(*it)) {
            own += share[successor] / static_cast<double>(predecessorsOf(successor).size());
        }
        share[*it] = own;
    }
    double total = 0.0;
    for (const std::uint32_t task : listed) {
        total += predecessorsOf(task).empty() ? share[task] : 0.0;
    }
    std::vector<float> placement(numTasks, 0.0f);
    double before = 0.0;
    for (const std::uint32_t task : listed) {
        if (predecessorsOf(task).empty()) {
            const double middle = total > 0.0 ? (before + share[task] / 2.0) / total : 0.0;
            // Below 1 in float too, so that floor(placement * p) < p.
            placement[task] = std::min(static_cast<float>(middle), 0.99999f);
            before += share[task];
        }
    }
    return placement;
}

/// The worker of `workers` that a source placed at `placement` (placeSources) starts on.
/// Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] inline std::uint32_t placedWorker(float placement, std::uint32_t workers) noexcept {
    const auto worker = static_cast<std::uint32_t>(placement * static_cast<float>(workers));
    return worker < workers ? worker : workers - 1;
}

} // namespace fluxforge
