// The nodes at the boundary between a graph's prefetched and live parts: a writer at the end of
// the prefetched part copies a boundary port into its ring; a reader in the live part, at the id
// of the prefetched node it stands for, plays the ring back at the current position. Private to
// src/engine/.
#pragma once

#include "prefetch_rings.hpp"

#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/graph/node.hpp>

#include <memory>
#include <utility>
#include <vector>

namespace fluxforge::detail {

/// Sink of the prefetched part: one input port, copied into ring `ring` at the block's time.
class RingWriterNode final : public Node {
public:
    RingWriterNode(std::shared_ptr<PrefetchRings> rings, std::size_t ring)
        : rings_(std::move(rings))
        , ring_(ring) {}

protected:
    NodeProperties describe() const override {
        NodeProperties props;
        props.inputs.push_back({"ring", rings_->channels(ring_)});
        props.estimatedCostPerFrame = 0.05;
        return props;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        rings_->write(ring_, context.inputs[0], context.blockStart);
    }

private:
    std::shared_ptr<PrefetchRings> rings_;
    std::size_t ring_;
};

/// Source of the live part standing for a prefetched node: the node's output ports, those on the
/// boundary read from their rings (the engine has made sure the frames are there), the others
/// silent. Its latency is the path latency the whole graph gives the node's output, so the live
/// part compensates exactly as the whole graph would.
class RingReaderNode final : public Node {
public:
    /// `rings[p]`: the ring of output port p, or npos when that port is not on the boundary.
    static constexpr std::size_t npos = ~std::size_t{0};

    RingReaderNode(std::shared_ptr<PrefetchRings> rings, std::vector<PortInfo> outputs,
                   std::vector<std::size_t> ringOfPort, FrameCount pathLatency)
        : rings_(std::move(rings))
        , outputs_(std::move(outputs))
        , ringOfPort_(std::move(ringOfPort))
        , latency_(pathLatency) {}

protected:
    NodeProperties describe() const override {
        NodeProperties props;
        props.outputs = outputs_;
        props.latency = latency_;
        props.estimatedCostPerFrame = 0.05;
        return props;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        for (std::size_t p = 0; p < context.outputs.size(); ++p) {
            if (ringOfPort_[p] != npos) {
                rings_->read(ringOfPort_[p], context.outputs[p], context.blockStart);
            } else {
                clear(context.outputs[p]);
            }
        }
    }

private:
    std::shared_ptr<PrefetchRings> rings_;
    std::vector<PortInfo> outputs_;
    std::vector<std::size_t> ringOfPort_;
    FrameCount latency_;
};

} // namespace fluxforge::detail
