// Simulated LevelBarrierExecutor: each level's tasks, most urgent first, claimed by whichever
// worker is free first; the worker finishing a level's last task opens the barrier, the others
// see it notifyNs later. Helpers join wakeNs after the block starts. Claims go through the level's
// shared cursor one at a time, each holding it for taskNs.
#include <fluxforge/research/schedule_simulator.hpp>

#include <algorithm>

namespace fluxforge::detail {

SimResult simulateLevelBarrier(const SimGraph& graph, std::span<const double> costs,
                               std::uint32_t participants, const SimOverheads& overheads) {
    SimResult result;
    const std::size_t n = graph.numTasks();
    result.start.resize(n);
    result.worker.resize(n);
    std::vector<double> freeAt(participants, overheads.wakeNs);
    freeAt[0] = 0.0;
    double end = 0.0;
    double cursorFree = 0.0;
    for (const auto& level : graph.levels) {
        double levelEnd = 0.0;
        std::uint32_t opener = 0;
        for (TaskIndex task : level) {
            const auto w = static_cast<std::uint32_t>(
                std::min_element(freeAt.begin(), freeAt.end()) - freeAt.begin());
            const double start = std::max(freeAt[w], cursorFree);
            cursorFree = start + overheads.taskNs;
            result.start[task] = start;
            result.worker[task] = w;
            freeAt[w] = start + simulatedDuration(graph, costs, result, task, w, overheads);
            if (freeAt[w] >= levelEnd) {
                levelEnd = freeAt[w];
                opener = w;
            }
        }
        const double open = levelEnd + overheads.levelNs;
        for (std::uint32_t w = 0; w < participants; ++w) {
            freeAt[w] = w == opener ? open : std::max(freeAt[w], open + overheads.notifyNs);
        }
        end = open;
    }
    result.blockNs = end + overheads.blockNs;
    return result;
}

} // namespace fluxforge::detail
