// Pass planDelays: every output port with delayed connections gets a history ring (pooled, sized
// for its longest delay) that its task appends to; each delayed connection becomes a tap its
// consumer reads, into the leaf's delayed-copy slot, before gathering.
#include "passes.hpp"

#include <algorithm>
#include <utility>

namespace fluxforge::detail {

PlanCompensation planDelays(const PlanTasks& tasks, const PlanPorts& ports, const NodeTable& nodes,
                            const TopologicalOrder& order, const Leaves& leaves,
                            LatencyPlan latency, std::span<const std::uint32_t> leafDelaySlots,
                            FrameCount maxBlockSize, CompensationDelayPool& delays) {
    const std::size_t n = order.order.size();
    const std::vector<FrameCount>& leafDelays = latency.leafDelays;
    PlanCompensation pdc;
    pdc.latencies = std::move(latency.latencies);

    std::vector<FrameCount> longest(ports.outputSlots.size(), 0);
    for (std::size_t l = 0; l < leaves.sources.size(); ++l) {
        longest[leaves.sources[l]] = std::max(longest[leaves.sources[l]], leafDelays[l]);
    }
    std::vector<CompensationHistory*> historyOf(ports.outputSlots.size(), nullptr);
    pdc.appendOffsets.assign(n + 1, 0);
    for (TaskIndex t = 0; t < n; ++t) {
        const NodeProperties& props = nodes.properties[order.order[t]];
        for (std::uint32_t output = ports.outputPortOffsets[t];
             output < ports.outputPortOffsets[t + 1]; ++output) {
            if (longest[output] == 0) {
                continue;
            }
            const auto port = static_cast<PortIndex>(output - ports.outputPortOffsets[t]);
            auto history =
                delays.acquire(OutputPort{tasks.ids[t], port}, props.outputs[port].channels,
                               longest[output], maxBlockSize);
            historyOf[output] = history.get();
            pdc.appends.push_back({ports.outputSlots[output], history.get()});
            pdc.histories.push_back(std::move(history));
        }
        pdc.appendOffsets[t + 1] = static_cast<std::uint32_t>(pdc.appends.size());
    }
    pdc.tapOffsets.assign(n + 1, 0);
    for (TaskIndex t = 0; t < n; ++t) {
        for (std::uint32_t port = ports.inputPortOffsets[t]; port < ports.inputPortOffsets[t + 1];
             ++port) {
            const InputPortPlan& plan = ports.inputPorts[port];
            for (std::uint32_t l = plan.firstLeaf; l < plan.firstLeaf + plan.numLeaves; ++l) {
                if (leafDelays[l] > 0) {
                    pdc.taps.push_back(
                        {leafDelaySlots[l], leafDelays[l], historyOf[leaves.sources[l]]});
                }
            }
        }
        pdc.tapOffsets[t + 1] = static_cast<std::uint32_t>(pdc.taps.size());
    }
    return pdc;
}

} // namespace fluxforge::detail
