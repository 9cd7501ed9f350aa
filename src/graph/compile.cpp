// compile(): the plan compiler's table of contents. Each pass is a file in src/graph/compile/;
// passes.hpp lists them with what each reads and writes.
#include "compile/passes.hpp"

#include <fluxforge/graph/compile.hpp>

#include <sstream>

namespace fluxforge {

void validateSettings(const CompileSettings& settings) {
    if (!(settings.sampleRate >= kMinSampleRate && settings.sampleRate <= kMaxSampleRate)) {
        std::ostringstream message;
        message << "sample rate " << settings.sampleRate << " Hz is outside the supported range "
                << kMinSampleRate << ".." << kMaxSampleRate << " Hz";
        throw Error(message.str());
    }
    if (settings.maxBlockSize == 0) {
        throw Error("block size 0 is invalid: a block has 1.." +
                    std::to_string(kMaxBlockSizeLimit) + " frames");
    }
    if (settings.maxBlockSize > kMaxBlockSizeLimit) {
        throw Error("block size " + std::to_string(settings.maxBlockSize) +
                    " is above the maximum of " + std::to_string(kMaxBlockSizeLimit) + " frames");
    }
}

namespace detail {

class PlanBuilder {
public:
    static std::unique_ptr<Plan> build(const Graph& graph, const CompileSettings& settings,
                                       CompensationDelayPool& delays) {
        validateSettings(settings);
        // Read and check the graph; nothing is changed before this has passed.
        NodeTable nodes = collectNodes(graph);
        std::vector<Link> links = validateConnections(graph, nodes);
        splitWideInputs(settings.maxSumFanIn, nodes, links);
        const Adjacency adjacency = buildAdjacency(nodes.ids.size(), links);
        const TopologicalOrder order = sortTopologically(graph, nodes, adjacency);

        // The task graph and its schedule hints.
        std::unique_ptr<Plan> plan(new Plan);
        plan->settings_ = settings;
        plan->tasks_ = buildTasks(graph, nodes, order);
        plan->edges_ = buildEdges(adjacency, order);
        plan->ranks_ = rankTasks(plan->edges_, nodes, order, settings.maxBlockSize);

        // Where every port reads and writes, and how late.
        InputPlan inputs = planInputPorts(nodes, order, links);
        LatencyPlan latency =
            compensateLatency(graph, nodes, order, plan->tasks_, inputs.ports, inputs.leaves);
        const std::vector<std::uint32_t> leafDelaySlots =
            assignSlots(plan->tasks_, plan->edges_, nodes, order, inputs.leaves, latency.leafDelays,
                        inputs.ports);
        plan->compensation_ =
            planDelays(plan->tasks_, inputs.ports, nodes, order, inputs.leaves, std::move(latency),
                       leafDelaySlots, settings.maxBlockSize, delays);

        // Past this point nothing throws for a bad graph: prepare and allocate.
        prepareNodes(plan->tasks_, settings);
        plan->buffers_ = allocateBuffers(inputs.ports, nodes, order, inputs.leaves.maxInputChannels,
                                         settings.maxBlockSize);
        plan->ports_ = std::move(inputs.ports);
        delays.releaseUnused();
        return plan;
    }
};

} // namespace detail

std::unique_ptr<Plan> compile(const Graph& graph, const CompileSettings& settings,
                              CompensationDelayPool* delays) {
    if (delays != nullptr) {
        return detail::PlanBuilder::build(graph, settings, *delays);
    }
    CompensationDelayPool local;
    return detail::PlanBuilder::build(graph, settings, local);
}

} // namespace fluxforge
