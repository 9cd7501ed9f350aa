// A random DAG of probe nodes that check, while they run, that the executor respects the graph:
// every node runs exactly once per block, after all of its inputs; and whose output is a
// deterministic function of the graph, so that executors can be compared bit for bit.
#pragma once

#include <fluxforge/graph/graph.hpp>

#include <atomic>
#include <memory>
#include <random>
#include <vector>

namespace fluxforge::test {

/// Counts what probes saw. Shared by all probes of one graph.
struct ProbeLog {
    std::atomic<std::uint64_t> runs{0};
    std::atomic<std::uint64_t> ranTwice{0};        ///< a node ran twice in one block
    std::atomic<std::uint64_t> ranBeforeInputs{0}; ///< a node ran before one of its inputs
};

/// One input port (summed), one output port, `channels` channels. Output = 0.5 * input + bias,
/// then a little arithmetic per frame so that the result depends on every input sample.
class ProbeNode final : public Node {
public:
    ProbeNode(ProbeLog& log, float bias, ChannelCount channels, bool isSource)
        : log_(log)
        , bias_(bias)
        , channels_(channels)
        , isSource_(isSource) {}

    void addInput(const ProbeNode* input) { inputs_.push_back(input); }

    [[nodiscard]] SampleTime lastBlockApprox() const noexcept {
        return lastBlock_.load(std::memory_order_acquire);
    }

protected:
    NodeProperties describe() const override {
        NodeProperties p;
        if (!isSource_) {
            p.inputs.push_back({"in", channels_});
        }
        p.outputs.push_back({"out", channels_});
        return p;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        // Block ids start at 1: blockStart + 1 is unique per block of one engine.
        const SampleTime block = context.blockStart + 1;
        for (const ProbeNode* input : inputs_) {
            if (input->lastBlockApprox() != block) {
                log_.ranBeforeInputs.fetch_add(1, std::memory_order_relaxed);
            }
        }
        if (lastBlock_.load(std::memory_order_relaxed) == block) {
            log_.ranTwice.fetch_add(1, std::memory_order_relaxed);
        }
        for (ChannelCount c = 0; c < channels_; ++c) {
            float* out = context.outputs[0].channel(c);
            for (FrameCount i = 0; i < context.numFrames; ++i) {
                // Sources depend on the frame's place in its block only, so that renders of the
                // same block sizes can be compared whatever the engine clock says.
                const float in = isSource_ ? static_cast<float>((i * 7 + c) % 97) * 0.01f
                                           : context.inputs[0].channel(c)[i];
                out[i] = 0.5f * in + bias_ + 0.001f * static_cast<float>(c);
            }
        }
        log_.runs.fetch_add(1, std::memory_order_relaxed);
        lastBlock_.store(block, std::memory_order_release);
    }

private:
    ProbeLog& log_;
    float bias_;
    ChannelCount channels_;
    bool isSource_;
    std::vector<const ProbeNode*> inputs_;
    std::atomic<SampleTime> lastBlock_{0};
};

struct ProbeDagOptions {
    std::uint32_t nodes = 200;
    std::uint32_t layers = 12;
    std::uint32_t maxFanIn = 8;
    std::uint32_t seed = 1;
    ChannelCount channels = 2; ///< must equal the graph's output channels
};

/// Builds a layered random DAG of probes; nodes that feed nothing feed the graph output.
/// Fan-out is unbounded (a node may feed many); fan-in is 1..maxFanIn.
inline std::vector<std::shared_ptr<ProbeNode>> buildProbeDag(Graph& graph, ProbeLog& log,
                                                             const ProbeDagOptions& options) {
    std::mt19937 rng(options.seed);
    const std::uint32_t layers = std::max(2u, options.layers);
    std::vector<std::vector<std::size_t>> byLayer(layers);
    std::vector<std::shared_ptr<ProbeNode>> nodes;
    std::vector<NodeId> ids;
    for (std::uint32_t i = 0; i < options.nodes; ++i) {
        const std::uint32_t layer =
            i < std::max(1u, options.nodes / layers) ? 0 : 1 + rng() % (layers - 1);
        nodes.push_back(std::make_shared<ProbeNode>(log, static_cast<float>(i % 13) * 0.125f,
                                                    options.channels, layer == 0));
        ids.push_back(graph.add(nodes.back(), "p" + std::to_string(i)));
        byLayer[layer].push_back(i);
    }
    std::vector<bool> feeds(nodes.size(), false);
    std::vector<std::size_t> earlier(byLayer[0]);
    for (std::uint32_t l = 1; l < layers; ++l) {
        for (std::size_t i : byLayer[l]) {
            const std::uint32_t fanIn = 1 + rng() % options.maxFanIn;
            std::vector<std::size_t> chosen;
            for (std::uint32_t k = 0; k < fanIn; ++k) {
                const std::size_t from = earlier[rng() % earlier.size()];
                if (std::find(chosen.begin(), chosen.end(), from) == chosen.end()) {
                    chosen.push_back(from);
                    graph.connect(ids[from], ids[i]);
                    nodes[i]->addInput(nodes[from].get());
                    feeds[from] = true;
                }
            }
        }
        earlier.insert(earlier.end(), byLayer[l].begin(), byLayer[l].end());
    }
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (!feeds[i]) {
            graph.connect(ids[i], graph.output());
        }
    }
    return nodes;
}

} // namespace fluxforge::test
