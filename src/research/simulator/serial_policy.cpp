// Simulated SerialExecutor (and every executor on a block without helpers): the tasks in
// topological order on the audio thread.
#include <fluxforge/research/schedule_simulator.hpp>

namespace fluxforge::detail {

SimResult simulateSerial(const SimGraph& graph, std::span<const double> costs,
                         const SimOverheads& overheads) {
    SimResult result;
    const std::size_t n = graph.numTasks();
    result.start.resize(n);
    result.worker.assign(n, 0);
    double now = 0.0;
    for (std::size_t t = 0; t < n; ++t) {
        result.start[t] = now;
        now += costs[t] + overheads.taskNs;
    }
    result.blockNs = now + overheads.blockNs;
    return result;
}

} // namespace fluxforge::detail
