// Nodes that do almost nothing, so that a benchmark of them measures the engine's own cost.
#pragma once

#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/graph/node.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

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

/// Spinning on the cycle counter for `ticks` overshoots by about one counter read and a loop turn
/// (20-35 ns on the 2-core VMs this project measures on, 2-5% of a 0.7 us node), so a node asked to
/// work 0.7 us would really work more, and every block time would be compared with a bound from
/// work the nodes do not do. The overshoot is measured once (median of many spins) and taken off.
class CalibratedSpin {
public:
    /// Spins until `ticks` minus the overshoot have passed. Thread: any. Real-time safe: yes.
    static void spin(std::uint64_t ticks) noexcept {
        const std::uint64_t overshoot = overshootTicks();
        spinRaw(ticks > overshoot ? ticks - overshoot : 0);
    }

    /// The median time spin(ticks) takes, measured over `runs` spins, in nanoseconds: what a node
    /// built on it really costs on this machine. Thread: control. Real-time safe: no.
    static double medianNanoseconds(std::uint64_t ticks, int runs = 2001) {
        std::vector<std::uint64_t> taken(static_cast<std::size_t>(runs));
        for (auto& t : taken) {
            const std::uint64_t start = CycleClock::now();
            spin(ticks);
            t = CycleClock::now() - start;
        }
        std::nth_element(taken.begin(), taken.begin() + runs / 2, taken.end());
        return CycleClock::toNanoseconds(static_cast<double>(taken[runs / 2]));
    }

private:
    static void spinRaw(std::uint64_t ticks) noexcept {
        const std::uint64_t until = CycleClock::now() + ticks;
        while (CycleClock::now() < until) {
        }
    }
    static std::uint64_t overshootTicks() noexcept {
        static const std::uint64_t overshoot = [] {
            const auto target =
                static_cast<std::uint64_t>(1000.0 * CycleClock::ticksPerNanosecond());
            std::vector<std::uint64_t> over(2001);
            for (auto& o : over) {
                const std::uint64_t start = CycleClock::now();
                spinRaw(target);
                const std::uint64_t taken = CycleClock::now() - start;
                o = taken > target ? taken - target : 0;
            }
            std::nth_element(over.begin(), over.begin() + over.size() / 2, over.end());
            return over[over.size() / 2];
        }();
        return overshoot;
    }
};

/// A node that works for a set time: it spins on the cycle counter (CalibratedSpin), so its cost is
/// real CPU time, known in advance and independent of the data. With CostHint::exact its estimated
/// cost tells the scheduler the truth; with none it declares nothing, like a new user's custom
/// node.
class BusyNode final : public Node {
public:
    BusyNode(double nanoseconds, std::uint32_t inputs, FrameCount maxBlock,
             CostHint hint = CostHint::exact)
        : nanoseconds_(nanoseconds)
        , inputs_(inputs)
        , maxBlock_(maxBlock)
        , hint_(hint) {}

    [[nodiscard]] double nanoseconds() const noexcept { return nanoseconds_; }
    /// What its work really takes here, alone (median; see CalibratedSpin). Thread: control.
    [[nodiscard]] double measuredNanoseconds() const {
        return CalibratedSpin::medianNanoseconds(
            static_cast<std::uint64_t>(nanoseconds_ * CycleClock::ticksPerNanosecond()));
    }

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
        CalibratedSpin::spin(ticks_);
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
