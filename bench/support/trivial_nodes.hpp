// Nodes that do almost nothing, so that a benchmark of them measures the engine's own cost.
#pragma once

#include <fluxforge/graph/node.hpp>

namespace fluxforge::bench {

/// A source that writes one sample: the least work a node can do and still produce output.
class TrivialSource final : public Node {
protected:
    NodeProperties describe() const override {
        NodeProperties p;
        p.outputs.push_back({"out", 1});
        return p;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        context.outputs[0].channel(0)[0] = 1.0f;
    }
};

/// One input, one output; writes one sample derived from its input.
class TrivialNode final : public Node {
protected:
    NodeProperties describe() const override {
        NodeProperties p;
        p.inputs.push_back({"in", 1});
        p.outputs.push_back({"out", 1});
        return p;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        context.outputs[0].channel(0)[0] = context.inputs[0].channel(0)[0] + 1.0f;
    }
};

} // namespace fluxforge::bench
