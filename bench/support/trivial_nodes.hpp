// Nodes that do almost nothing, so that a benchmark of them measures the engine's own cost.
#pragma once

#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/graph/node.hpp>

#include <cstdint>

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

/// A TrivialNode that reports a latency (and does not actually delay: the benchmark measures the
/// engine's compensation, not the node).
class LatentTrivialNode final : public Node {
public:
    explicit LatentTrivialNode(FrameCount latency, std::uint32_t inputs = 1)
        : latency_(latency)
        , inputs_(inputs) {}

protected:
    NodeProperties describe() const override {
        NodeProperties p;
        for (std::uint32_t i = 0; i < inputs_; ++i) {
            p.inputs.push_back({"in", 1});
        }
        p.outputs.push_back({"out", 1});
        p.latency = latency_;
        return p;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        float sum = 1.0f;
        for (const ConstBufferView& in : context.inputs) {
            sum += in.channel(0)[0];
        }
        context.outputs[0].channel(0)[0] = sum;
    }

private:
    FrameCount latency_;
    std::uint32_t inputs_;
};

/// Whether a BusyNode tells the scheduler its cost.
enum class CostHint { exact, none };

/// A node that works for a set time: it spins on the cycle counter, so its cost is real CPU time,
/// known in advance and independent of the data. With CostHint::exact its estimated cost tells the
/// scheduler the truth; with none it declares nothing, like a new user's custom node.
class BusyNode final : public Node {
public:
    BusyNode(double nanoseconds, std::uint32_t inputs, FrameCount maxBlock,
             CostHint hint = CostHint::exact)
        : nanoseconds_(nanoseconds)
        , inputs_(inputs)
        , maxBlock_(maxBlock)
        , hint_(hint) {}

    [[nodiscard]] double nanoseconds() const noexcept { return nanoseconds_; }

protected:
    NodeProperties describe() const override {
        NodeProperties p;
        for (std::uint32_t i = 0; i < inputs_; ++i) {
            p.inputs.push_back({"in", 1});
        }
        p.outputs.push_back({"out", 1});
        if (hint_ == CostHint::exact) {
            p.estimatedCostPerFrame = nanoseconds_ / static_cast<double>(maxBlock_);
        }
        return p;
    }
    void onPrepare(const PrepareContext&) override {
        ticks_ = static_cast<std::uint64_t>(nanoseconds_ * CycleClock::ticksPerNanosecond());
    }
    void onProcess(const ProcessContext& context) noexcept override {
        const std::uint64_t until = CycleClock::now() + ticks_;
        while (CycleClock::now() < until) {
        }
        float sum = 1.0f;
        for (const ConstBufferView& in : context.inputs) {
            sum += in.channel(0)[0];
        }
        context.outputs[0].channel(0)[0] = sum;
    }

private:
    double nanoseconds_;
    std::uint32_t inputs_;
    FrameCount maxBlock_;
    CostHint hint_;
    std::uint64_t ticks_ = 0;
};

} // namespace fluxforge::bench
