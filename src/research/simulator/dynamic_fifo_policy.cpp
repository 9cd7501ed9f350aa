// Simulated DynamicFifoExecutor: one shared queue in the order tasks became ready; a free worker
// takes its head. A task its own worker made ready is visible to that worker at once and to the
// others notifyNs later. Helpers join wakeNs after the block starts. Claims go through the
// queue's shared head one at a time: each holds it for taskNs (the cache line moving between
// cores), so with many workers the queue, not the work, can set the pace.
#include <fluxforge/research/schedule_simulator.hpp>

#include <functional>
#include <limits>
#include <queue>
#include <tuple>

namespace fluxforge::detail {

SimResult simulateDynamicFifo(const SimGraph& graph, std::span<const double> costs,
                              std::uint32_t participants, const SimOverheads& overheads) {
    constexpr std::uint32_t kAnyone = ~std::uint32_t{0};
    constexpr double kNever = std::numeric_limits<double>::infinity();
    SimResult result;
    const std::size_t n = graph.numTasks();
    result.start.resize(n);
    result.worker.resize(n);
    std::vector<std::uint32_t> pending = graph.predecessorCount;

    struct Entry {
        TaskIndex task;
        double ready;
        std::uint32_t producer;
    };
    std::vector<Entry> queue;
    queue.reserve(n);
    for (TaskIndex source : graph.sources) {
        queue.push_back({source, 0.0, kAnyone});
    }
    std::size_t head = 0;
    std::vector<double> freeAt(participants, overheads.wakeNs);
    freeAt[0] = 0.0;
    std::vector<bool> busy(participants, false);
    using Completion = std::tuple<double, std::uint32_t, TaskIndex>;
    std::priority_queue<Completion, std::vector<Completion>, std::greater<>> completions;
    std::size_t done = 0;
    double end = 0.0;
    double headFree = 0.0; // when the queue's head can be claimed again
    while (done < n) {
        double bestStart = kNever;
        std::uint32_t best = kAnyone;
        if (head < queue.size()) {
            const Entry& e = queue[head];
            for (std::uint32_t w = 0; w < participants; ++w) {
                if (busy[w]) {
                    continue;
                }
                const double seen =
                    e.ready + (e.producer == w || e.producer == kAnyone ? 0.0 : overheads.notifyNs);
                const double start = std::max(freeAt[w], seen);
                if (start < bestStart) {
                    bestStart = start;
                    best = w;
                }
            }
            bestStart = std::max(bestStart, headFree);
        }
        if (!completions.empty() && std::get<0>(completions.top()) <= bestStart) {
            const auto [finish, w, task] = completions.top();
            completions.pop();
            busy[w] = false;
            freeAt[w] = finish;
            end = std::max(end, finish);
            ++done;
            for (TaskIndex s : graph.successors[task]) {
                if (--pending[s] == 0) {
                    queue.push_back({s, finish, w});
                }
            }
            continue;
        }
        if (best == kAnyone) {
            break; // nothing ready and nothing running: a malformed graph
        }
        const TaskIndex task = queue[head++].task;
        result.start[task] = bestStart;
        result.worker[task] = best;
        busy[best] = true;
        headFree = bestStart + overheads.taskNs;
        completions.emplace(
            bestStart + simulatedDuration(graph, costs, result, task, best, overheads), best, task);
    }
    result.blockNs = end + overheads.blockNs;
    return result;
}

} // namespace fluxforge::detail
