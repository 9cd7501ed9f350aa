// BusyNode: a node of known cost. It spins for a fixed time in every process() call, then sums its
// inputs into its output, so the metrics and the trace have figures to be checked against.
#pragma once

#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/graph/node.hpp>

#include <chrono>
#include <cstdint>

namespace fluxforge::test {

class BusyNode final : public Node {
public:
    explicit BusyNode(std::chrono::microseconds busy, std::uint32_t inputs = 1)
        : busy_(busy)
        , inputs_(inputs) {}

protected:
    NodeProperties describe() const override {
        NodeProperties p;
        for (std::uint32_t i = 0; i < inputs_; ++i) {
            p.inputs.push_back({"in " + std::to_string(i), 1});
        }
        p.outputs.push_back({"out", 1});
        // Costs ranked like the spins, so the critical-path order matches the real one.
        p.estimatedCostPerFrame = static_cast<double>(busy_.count()) + 1.0;
        return p;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        // steady_clock reads the vDSO clock: no system call, no lock, fine on the audio thread.
        const auto until = std::chrono::steady_clock::now() + busy_;
        while (std::chrono::steady_clock::now() < until) {
        }
        float* out = context.outputs[0].channel(0);
        for (FrameCount f = 0; f < context.numFrames; ++f) {
            out[f] = 0.0f;
        }
        for (const ConstBufferView& in : context.inputs) {
            const float* source = in.channel(0);
            for (FrameCount f = 0; f < context.numFrames; ++f) {
                out[f] += source[f];
            }
        }
    }

private:
    std::chrono::microseconds busy_;
    std::uint32_t inputs_;
};

} // namespace fluxforge::test
