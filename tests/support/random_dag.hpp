// Seeded random graphs of test nodes, for tests that must hold on any graph shape.
#pragma once

#include "test_nodes.hpp"

#include <fluxforge/graph/graph.hpp>

#include <algorithm>
#include <random>
#include <vector>

namespace fluxforge::test {

struct RandomDagOptions {
    std::uint32_t nodes = 100;  ///< nodes besides the endpoints
    std::uint32_t layers = 10;  ///< nodes are spread over this many layers
    std::uint32_t maxFanIn = 4; ///< connections into a node (into its one input port)
    std::uint32_t seed = 1;
    ChannelCount channels = 1;
};

/// A layered DAG: layer 0 holds ConstantSources with distinct values; every later node is a
/// MixNode (1 input port, 1 output port, gain 0.5, bias = its index) fed by 1..maxFanIn nodes of
/// earlier layers; nodes that feed nothing are connected to the graph output. Every path carries
/// a distinct, exactly representable value pattern, so wrong wiring changes the output.
inline std::vector<NodeId> buildRandomDag(Graph& graph, const RandomDagOptions& options) {
    std::mt19937 rng(options.seed);
    std::vector<std::vector<NodeId>> layers(std::max(1u, options.layers));
    std::vector<NodeId> all;
    std::vector<bool> feeds;
    const std::uint32_t sources = std::max(1u, options.nodes / std::max(1u, options.layers));
    for (std::uint32_t i = 0; i < options.nodes; ++i) {
        const std::uint32_t layer =
            i < sources ? 0
                        : 1 + static_cast<std::uint32_t>(rng() % std::max(1u, options.layers - 1));
        NodeId id;
        if (layer == 0) {
            id = graph.add(std::make_shared<ConstantSource>(static_cast<float>(i % 7) - 3.0f,
                                                            options.channels),
                           "src" + std::to_string(i));
        } else {
            id = graph.add(
                std::make_shared<MixNode>(1, 1, options.channels, 0.5f, static_cast<float>(i % 5)),
                "mix" + std::to_string(i));
        }
        layers[layer].push_back(id);
        all.push_back(id);
    }
    std::vector<NodeId> earlier;
    for (std::size_t l = 0; l < layers.size(); ++l) {
        if (l > 0 && !earlier.empty()) {
            for (NodeId id : layers[l]) {
                const std::uint32_t fanIn =
                    1 + static_cast<std::uint32_t>(rng() % options.maxFanIn);
                std::vector<NodeId> chosen;
                for (std::uint32_t k = 0; k < fanIn; ++k) {
                    const NodeId from = earlier[rng() % earlier.size()];
                    if (std::find(chosen.begin(), chosen.end(), from) == chosen.end()) {
                        chosen.push_back(from);
                        graph.connect(from, id);
                    }
                }
            }
        }
        earlier.insert(earlier.end(), layers[l].begin(), layers[l].end());
    }
    // Sinks (nodes with no outgoing connection) feed the graph output.
    std::vector<bool> hasOutgoing(graph.maxId() + 1, false);
    for (const Connection& c : graph.connections())
        hasOutgoing[c.source.node.value] = true;
    for (NodeId id : all) {
        if (!hasOutgoing[id.value] && options.channels == graph.config().outputChannels) {
            graph.connect(id, graph.output());
        }
    }
    return all;
}

} // namespace fluxforge::test
