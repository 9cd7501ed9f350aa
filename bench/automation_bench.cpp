// Automation cost per 64-frame block for 100 automated parameters, against a straightforward
// evaluator (the baseline) that finds the segment by binary search every block and computes every
// frame of every lane, as an implementation without the cursor and the flat shortcut would.
//
//   parameters/...  the per-node parameter update the engine runs before each node's process():
//                   100 lanes as 25 nodes x 4 parameters and as 100 nodes x 1 parameter, lanes
//                   flat across the block, or with a breakpoint inside every block; "none" is the
//                   same nodes with no automation (live values only).
//   engine/...      Engine::process() of a chain of 25 such nodes (100 parameters), with and
//                   without the lanes: the cost seen from the host, binding and commands included.
//
// Counters: ns_per_lane (time per block / 100), baseline_ns_per_block and speedup (baseline time
// over ours; goal for flat lanes: under 1 us per block for all 100).
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/graph/node.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace fluxforge::bench {
namespace {

constexpr FrameCount kBlock = 64;
constexpr std::size_t kLanes = 100;
// The "breakpoint in every block" lanes repeat after this many blocks; the timeline loops there.
constexpr SampleTime kLoopBlocks = 1024;

enum class Lanes { none, flat, breakpointEveryBlock };

/// One input, one output, `count` parameters; writes one sample, reading the first parameter.
class ParameterNode final : public Node {
public:
    explicit ParameterNode(std::size_t count)
        : count_(count) {}

protected:
    NodeProperties describe() const override {
        NodeProperties props;
        props.inputs.push_back({"in", 1});
        props.outputs.push_back({"out", 1});
        for (std::size_t p = 0; p < count_; ++p) {
            props.parameters.push_back(
                {"p" + std::to_string(p), "P", -100.0f, 100.0f, 0.0f, "", Automatable::yes});
        }
        return props;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        context.outputs[0].channel(0)[0] =
            context.inputs[0].channel(0)[0] + context.parameter(0).at(0);
    }

private:
    std::size_t count_;
};

std::shared_ptr<const AutomationLane> makeLane(Lanes kind, std::size_t index) {
    const auto offset = static_cast<float>(index % 7);
    if (kind == Lanes::flat) {
        // Flat for the whole run: the next breakpoint lies far beyond it.
        return std::make_shared<const AutomationLane>(std::vector<Breakpoint>{
            {0, offset, CurveShape::step}, {SampleTime{1} << 40, offset + 1.0f}});
    }
    // A breakpoint in the middle of every block, alternating values, all four curve shapes.
    std::vector<Breakpoint> points;
    const CurveShape shapes[] = {CurveShape::linear, CurveShape::sCurve, CurveShape::exponential,
                                 CurveShape::step};
    for (SampleTime k = 0; k <= kLoopBlocks; ++k) {
        const float value = (k % 2 == 0 ? 1.0f : 2.0f) + offset;
        points.push_back({k * kBlock + kBlock / 2, value, shapes[(index + k) % 4]});
    }
    return std::make_shared<const AutomationLane>(std::move(points));
}

// Where block `b` lies on the timeline: playing, looping over the lanes' span.
TransportInfo transportFor(std::int64_t block) {
    TransportInfo transport;
    transport.playState = PlayState::playing;
    transport.position = (block % kLoopBlocks) * kBlock;
    return transport;
}

/// The baseline: per lane and block, a binary search for the segment and every frame evaluated
/// with the reference formula (curveValue), into a buffer of its own.
class BaselineEvaluator {
public:
    explicit BaselineEvaluator(const std::vector<std::shared_ptr<const AutomationLane>>& lanes)
        : lanes_(lanes)
        , buffers_(lanes.size() * kBlock) {}

    void block(SampleTime position) noexcept {
        for (std::size_t l = 0; l < lanes_.size(); ++l) {
            const auto points = lanes_[l]->breakpoints();
            float* out = buffers_.data() + l * kBlock;
            auto next = std::upper_bound(
                points.begin(), points.end(), position,
                [](SampleTime t, const Breakpoint& point) { return t < point.time; });
            for (FrameCount i = 0; i < kBlock; ++i) {
                const SampleTime t = position + i;
                while (next != points.end() && next->time <= t) {
                    ++next;
                }
                if (next == points.begin()) {
                    out[i] = points.front().value;
                } else if (next == points.end()) {
                    out[i] = points.back().value;
                } else {
                    const Breakpoint& a = *(next - 1);
                    const double u =
                        static_cast<double>(t - a.time) / static_cast<double>(next->time - a.time);
                    out[i] = static_cast<float>(curveValue(a.curve, a.value, next->value, u));
                }
            }
        }
        benchmark::DoNotOptimize(buffers_.data());
    }

private:
    const std::vector<std::shared_ptr<const AutomationLane>>& lanes_;
    std::vector<float> buffers_;
};

/// `nodes` nodes of kLanes / nodes parameters each, prepared, with a lane bound to every
/// parameter (unless none): the state the engine's audio thread holds.
struct Rig {
    Rig(std::size_t nodeCount, Lanes kind) {
        const std::size_t perNode = kLanes / nodeCount;
        for (std::size_t n = 0; n < nodeCount; ++n) {
            nodes.push_back(std::make_shared<ParameterNode>(perNode));
            nodes.back()->prepare({48000.0, kBlock});
            detail::ParameterRuntime& runtime = detail::NodeParameterAccess::runtime(*nodes.back());
            runtime.beginLaneBinding();
            for (std::size_t p = 0; p < perNode && kind != Lanes::none; ++p) {
                lanes.push_back(makeLane(kind, lanes.size()));
                runtime.setNextLane(p, lanes.back().get());
            }
            runtime.commitLaneBinding(0, 0);
        }
    }

    void block(std::int64_t index) noexcept {
        const TransportInfo transport = transportFor(index);
        for (const auto& node : nodes) {
            benchmark::DoNotOptimize(
                node->updateParameters(kBlock, index * kBlock, transport).data());
        }
    }

    std::vector<std::shared_ptr<ParameterNode>> nodes;
    std::vector<std::shared_ptr<const AutomationLane>> lanes;
};

void parameters(benchmark::State& state, Lanes kind) {
    const auto nodeCount = static_cast<std::size_t>(state.range(0));
    Rig rig(nodeCount, kind);
    std::int64_t index = 0;
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        rig.block(index++);
        benchmark::ClobberMemory();
    }
    const auto end = std::chrono::steady_clock::now();
    const double ours = std::chrono::duration<double, std::nano>(end - start).count() /
                        static_cast<double>(state.iterations());
    state.counters["ns_per_lane"] = ours / static_cast<double>(kLanes);
    state.counters["nodes"] = static_cast<double>(nodeCount);
    if (kind == Lanes::none) {
        return;
    }
    BaselineEvaluator baseline(rig.lanes);
    const std::int64_t iterations = std::max<std::int64_t>(state.iterations(), 1000);
    const auto baselineStart = std::chrono::steady_clock::now();
    for (std::int64_t b = 0; b < iterations; ++b) {
        baseline.block(transportFor(b).position);
        benchmark::ClobberMemory();
    }
    const auto baselineEnd = std::chrono::steady_clock::now();
    const double base =
        std::chrono::duration<double, std::nano>(baselineEnd - baselineStart).count() /
        static_cast<double>(iterations);
    state.counters["baseline_ns_per_block"] = base;
    state.counters["speedup"] = base / ours;
}

void engineProcess(benchmark::State& state, Lanes kind) {
    EngineConfig config;
    config.sampleRate = 48000.0;
    config.maxBlockSize = kBlock;
    config.workers = 1;
    Engine engine(config);
    Graph graph(GraphConfig{0, 1});
    NodeId previous = graph.input();
    std::vector<NodeId> ids;
    constexpr std::size_t kNodes = 25;
    for (std::size_t n = 0; n < kNodes; ++n) {
        ids.push_back(graph.add(std::make_shared<ParameterNode>(kLanes / kNodes)));
        if (n > 0) {
            graph.connect(previous, ids.back());
        }
        previous = ids.back();
    }
    graph.connect(previous, graph.output());
    engine.commit(graph);
    std::size_t laneIndex = 0;
    for (const NodeId id : ids) {
        for (std::size_t p = 0; p < kLanes / kNodes && kind != Lanes::none; ++p) {
            engine.setAutomation(engine.parameter(id, p), makeLane(kind, laneIndex++));
        }
    }
    ControlSender sender = engine.createSender();
    (void)sender.trySetLoop(0, kLoopBlocks * kBlock);
    (void)sender.tryPlay();
    AudioBuffer out(1, kBlock);
    engine.process({}, out.view()); // take the plan, the lanes and the commands
    for (auto _ : state) {
        engine.process({}, out.view());
        benchmark::ClobberMemory();
    }
    state.counters["lanes"] = kind == Lanes::none ? 0.0 : static_cast<double>(kLanes);
}

BENCHMARK_CAPTURE(parameters, none, Lanes::none)->Arg(25)->Arg(100)->ArgName("nodes");
BENCHMARK_CAPTURE(parameters, flat, Lanes::flat)->Arg(25)->Arg(100)->ArgName("nodes");
BENCHMARK_CAPTURE(parameters, breakpointEveryBlock, Lanes::breakpointEveryBlock)
    ->Arg(25)
    ->Arg(100)
    ->ArgName("nodes");
BENCHMARK_CAPTURE(engineProcess, none, Lanes::none);
BENCHMARK_CAPTURE(engineProcess, flat, Lanes::flat);
BENCHMARK_CAPTURE(engineProcess, breakpointEveryBlock, Lanes::breakpointEveryBlock);

} // namespace
} // namespace fluxforge::bench

BENCHMARK_MAIN();
