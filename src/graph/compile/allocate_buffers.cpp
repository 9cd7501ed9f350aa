// Pass allocateBuffers: one allocation for every slot plus the shared silence, each channel on a
// cache line of its own, and the input and output views every task reads and writes.
#include "passes.hpp"

namespace fluxforge::detail {

PlanBuffers allocateBuffers(const PlanPorts& ports, const NodeTable& nodes,
                            const TopologicalOrder& order, ChannelCount silenceChannels,
                            FrameCount maxBlockSize) {
    PlanBuffers buffers;
    constexpr std::size_t lineFloats = kBufferAlignment / sizeof(float);
    const std::size_t stride =
        (std::size_t{maxBlockSize} + lineFloats - 1) / lineFloats * lineFloats;
    // The silence slot comes after the others (it is not one of Plan::numBufferSlots()).
    const auto silenceSlot = static_cast<std::uint32_t>(ports.slotChannels.size());
    const auto channelsOf = [&](std::uint32_t slot) {
        return slot == silenceSlot ? silenceChannels : ports.slotChannels[slot];
    };

    std::size_t totalChannels = 0;
    buffers.slotFirstChannel.resize(ports.slotChannels.size() + 1);
    for (std::uint32_t s = 0; s <= silenceSlot; ++s) {
        buffers.slotFirstChannel[s] = static_cast<std::uint32_t>(totalChannels);
        totalChannels += channelsOf(s);
    }
    buffers.storageFloats = totalChannels * stride;
    if (buffers.storageFloats > 0) {
        buffers.storage.reset(
            new (std::align_val_t{kBufferAlignment}) float[buffers.storageFloats]());
    }
    buffers.channelPointers.resize(totalChannels);
    for (std::size_t c = 0; c < totalChannels; ++c) {
        buffers.channelPointers[c] = buffers.storage.get() + c * stride;
    }

    const FrameCount frames = maxBlockSize;
    buffers.viewFrames = frames;
    // Output views carry the port's channel count, which may be fewer than its slot's.
    buffers.outputViews.reserve(ports.outputSlots.size());
    for (TaskIndex t = 0; t + 1 < ports.outputPortOffsets.size(); ++t) {
        const NodeProperties& props = nodes.properties[order.order[t]];
        for (PortIndex port = 0; port < props.outputs.size(); ++port) {
            const std::uint32_t slot = ports.outputSlots[ports.outputPortOffsets[t] + port];
            buffers.outputViews.emplace_back(buffers.channelPointers.data() +
                                                 buffers.slotFirstChannel[slot],
                                             props.outputs[port].channels, frames);
        }
    }
    buffers.inputViews.reserve(ports.inputPorts.size());
    for (const InputPortPlan& port : ports.inputPorts) {
        std::uint32_t slot = silenceSlot;
        if (port.gatherSlot != kNoSlot) {
            slot = port.gatherSlot;
        } else if (port.numLeaves == 1) {
            slot = ports.leaves[port.firstLeaf];
        }
        buffers.inputViews.emplace_back(
            buffers.channelPointers.data() + buffers.slotFirstChannel[slot], port.channels, frames);
    }
    return buffers;
}

} // namespace fluxforge::detail
