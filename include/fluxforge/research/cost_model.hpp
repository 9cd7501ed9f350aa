// Node cost models of the research generators: how long each generated node works per block.
#pragma once

#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/graph/node.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace fluxforge {

/// Where a generated node's cost comes from (docs/research.md, "Cost models").
enum class CostKind {
    trivial,   ///< no work: writes one sample (what a scheduler's own overhead is measured on)
    fixed,     ///< spins `a` ns every block
    uniform,   ///< spins a cost drawn from [a, b] ns
    normal,    ///< mean a ns, standard deviation b ns (clamped at 0)
    lognormal, ///< median a ns, sigma b (of the logarithm)
    builtin,   ///< a real built-in node type (`builtin`: "biquad", "compressor", ...)
};

/// A cost model. The random kinds draw one cost per node from the generator's seed; with
/// `redrawEachBlock` every block draws again (from the seed, the node and the block's position),
/// so two runs of the same graph see the same costs block for block.
struct CostModel {
    CostKind kind = CostKind::fixed;
    double a = 10000.0;
    double b = 0.0;
    bool redrawEachBlock = false;
    /// For CostKind::builtin: "biquad", "compressor", "gain-pan", "limiter", "fdn-reverb".
    std::string builtin = "biquad";
};

/// "trivial", "fixed", "uniform", "normal", "lognormal", "builtin"; parseCostKind is its inverse
/// and throws fluxforge::Error naming an unknown kind. Thread: any. Real-time safe: yes (the
/// name), no (parse). Allocates: no (the name), on error (parse).
[[nodiscard]] std::string_view costKindName(CostKind kind) noexcept;
[[nodiscard]] CostKind parseCostKind(std::string_view name);

/// SplitMix64: the research layer's random numbers, the same bits on every platform.
/// Thread: any (one object per thread). Real-time safe: yes. Allocates: no.
class ResearchRandom {
public:
    explicit ResearchRandom(std::uint64_t seed) noexcept
        : state_(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1).
    double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Uniform in [0, n); n > 0.
    std::size_t below(std::size_t n) noexcept { return static_cast<std::size_t>(next() % n); }
    /// Standard normal (Box-Muller; one of the pair).
    double gaussian() noexcept {
        const double u = std::max(unit(), 1e-300);
        const double v = unit();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
    }

private:
    std::uint64_t state_;
};

/// Draws one cost in nanoseconds from a (non-builtin) model. Thread: any. Real-time safe: yes.
/// Allocates: no.
[[nodiscard]] double drawCost(const CostModel& model, ResearchRandom& random) noexcept;

/// The mean cost of a model in nanoseconds (what the scheduler is told to expect).
/// Thread: any. Real-time safe: yes. Allocates: no.
[[nodiscard]] double expectedCost(const CostModel& model) noexcept;

/// A node that works (spins on the cycle counter) for the cost its model gives, sums its inputs
/// into its output, and may report a latency. Its estimated cost is the model's mean, so the
/// critical-path ranks tell the truth on average. `inputs` ports of `channels` channels each, one
/// output port.
///
/// Construction: Thread: control. Real-time safe: no. Allocates: yes.
class CostNode final : public Node {
public:
    struct Config {
        CostModel cost;
        std::uint32_t inputs = 1;
        ChannelCount channels = 1;
        FrameCount latency = 0;
        std::uint64_t seed = 1; ///< this node's own seed (the generator derives one per node)
        FrameCount maxBlock = 64;
    };
    explicit CostNode(const Config& config);

    /// The cost of the block starting at `blockStart` (frames) with `numFrames` frames, in ns.
    /// Thread: any. Real-time safe: yes. Allocates: no.
    [[nodiscard]] double costOfBlock(SampleTime blockStart, FrameCount numFrames) const noexcept;

protected:
    NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;

private:
    Config config_;
    double fixedCost_ = 0.0; // drawn once (when not redrawn each block)
    double ticksPerNanosecond_ = 1.0;
};

/// A real built-in node for a cost model of kind builtin, `channels` wide (a biquad peak, a
/// compressor, a gain/pan, a limiter with a 64-frame look-ahead, or an FDN reverb; the last two
/// are stereo). Throws fluxforge::Error naming an unknown type.
/// Thread: control. Real-time safe: no. Allocates: yes.
[[nodiscard]] std::shared_ptr<Node> makeBuiltinNode(std::string_view type, ChannelCount channels,
                                                    std::uint64_t seed);

} // namespace fluxforge
