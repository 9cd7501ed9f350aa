// Pass prepareNodes: every node not yet prepared for these settings is prepared (the first pass
// that changes anything outside the plan; every check has passed by now).
#include "passes.hpp"

namespace fluxforge::detail {

void prepareNodes(const PlanTasks& tasks, const CompileSettings& settings) {
    const PrepareContext context{settings.sampleRate, settings.maxBlockSize};
    for (TaskIndex t = 0; t < tasks.nodes.size(); ++t) {
        Node* node = tasks.nodes[t];
        if (node == nullptr) {
            continue; // a partial sum
        }
        const auto& prepared = node->preparedFor();
        if (!prepared || prepared->sampleRate != context.sampleRate ||
            prepared->maxBlockSize != context.maxBlockSize) {
            try {
                node->prepare(context);
            } catch (const Error& error) {
                // The node's own message cannot name it; the graph can.
                throw Error("preparing node '" + tasks.names[t] + "' (#" +
                            std::to_string(tasks.ids[t].value) + "): " + error.what());
            }
        }
    }
}

} // namespace fluxforge::detail
