// Pass planInputPorts: each input port is silence, a direct view of one source, or a sum over its
// sources sorted by (source node id, source port); and every output port's distinct readers,
// which assignSlots needs to know when a slot is free again.
#include "passes.hpp"

#include <fluxforge/core/csr.hpp>

#include <algorithm>
#include <tuple>

namespace fluxforge::detail {

InputPlan planInputPorts(const NodeTable& nodes, const TopologicalOrder& order,
                         std::span<const Link> links) {
    const std::size_t n = order.order.size();
    // Links bucketed by destination task, then each bucket, which is small, sorted by
    // (port, order): the documented summing order.
    std::vector<std::uint32_t> bucketOffsets;
    std::vector<Link> sorted;
    countingSortIntoRows(
        n,
        [&](auto&& emit) {
            for (const Link& link : links) {
                emit(order.taskOfIndex[link.to], link);
            }
        },
        bucketOffsets, sorted);
    for (std::size_t t = 0; t < n; ++t) {
        std::sort(sorted.begin() + bucketOffsets[t], sorted.begin() + bucketOffsets[t + 1],
                  [](const Link& a, const Link& b) {
                      return std::tie(a.toPort, a.order) < std::tie(b.toPort, b.order);
                  });
    }

    InputPlan result;
    PlanPorts& ports = result.ports;
    Leaves& leaves = result.leaves;
    ports.inputPortOffsets.assign(n + 1, 0);
    ports.outputPortOffsets.assign(n + 1, 0);
    for (TaskIndex t = 0; t < n; ++t) {
        const NodeProperties& props = nodes.properties[order.order[t]];
        ports.inputPortOffsets[t + 1] =
            ports.inputPortOffsets[t] + static_cast<std::uint32_t>(props.inputs.size());
        ports.outputPortOffsets[t + 1] =
            ports.outputPortOffsets[t] + static_cast<std::uint32_t>(props.outputs.size());
    }
    ports.inputPorts.resize(ports.inputPortOffsets[n]);
    ports.outputSlots.assign(ports.outputPortOffsets[n], kNoSlot);
    leaves.sources.reserve(sorted.size());
    leaves.readers.reserve(sorted.size());
    leaves.sourceTasks.reserve(sorted.size());

    std::size_t next = 0;
    for (TaskIndex t = 0; t < n; ++t) {
        const NodeProperties& props = nodes.properties[order.order[t]];
        for (PortIndex port = 0; port < props.inputs.size(); ++port) {
            InputPortPlan& plan = ports.inputPorts[ports.inputPortOffsets[t] + port];
            plan.channels = props.inputs[port].channels;
            plan.firstLeaf = static_cast<std::uint32_t>(leaves.sources.size());
            while (next < sorted.size() && order.taskOfIndex[sorted[next].to] == t &&
                   sorted[next].toPort == port) {
                const Link& link = sorted[next++];
                const TaskIndex source = order.taskOfIndex[link.from];
                leaves.sources.push_back(ports.outputPortOffsets[source] + link.fromPort);
                leaves.sourceTasks.push_back(source);
                leaves.readers.push_back(t);
            }
            plan.numLeaves = static_cast<std::uint32_t>(leaves.sources.size()) - plan.firstLeaf;
            leaves.maxInputChannels = std::max(leaves.maxInputChannels, plan.channels);
        }
    }

    // Readers of each output port (distinct tasks). Leaves come in task order, so each output's
    // readers arrive sorted: duplicates (one task reading an output on two ports) are adjacent.
    const std::size_t outputs = ports.outputSlots.size();
    std::vector<std::uint32_t>& offsets = leaves.readerOffsets;
    std::vector<TaskIndex>& readers = leaves.distinctReaders;
    countingSortIntoRows(
        outputs,
        [&](auto&& emit) {
            for (std::size_t i = 0; i < leaves.sources.size(); ++i) {
                emit(leaves.sources[i], leaves.readers[i]);
            }
        },
        offsets, readers);
    std::uint32_t write = 0;
    for (std::size_t o = 0; o < outputs; ++o) {
        const std::uint32_t begin = offsets[o];
        const std::uint32_t end = offsets[o + 1];
        offsets[o] = write;
        for (std::uint32_t r = begin; r < end; ++r) {
            if (write == offsets[o] || readers[write - 1] != readers[r]) {
                readers[write++] = readers[r];
            }
        }
    }
    offsets[outputs] = write;
    readers.resize(write);
    return result;
}

} // namespace fluxforge::detail
