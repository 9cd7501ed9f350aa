// Pass prepareNodes: every node not yet prepared for these settings is prepared (the first pass
// that changes anything outside the plan; every check has passed by now).
#include "passes.hpp"

namespace fluxforge::detail {

void prepareNodes(const PlanTasks& tasks, const CompileSettings& settings) {
    const PrepareContext context{settings.sampleRate, settings.maxBlockSize};
    for (Node* node : tasks.nodes) {
        if (node == nullptr) {
            continue; // a partial sum
        }
        const auto& prepared = node->preparedFor();
        if (!prepared || prepared->sampleRate != context.sampleRate ||
            prepared->maxBlockSize != context.maxBlockSize) {
            node->prepare(context);
        }
    }
}

} // namespace fluxforge::detail
