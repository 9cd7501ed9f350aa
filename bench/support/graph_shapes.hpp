// Graph shapes of trivial nodes for engine and scheduler benchmarks.
#pragma once

#include "trivial_nodes.hpp"

#include <fluxforge/graph/graph.hpp>

#include <memory>
#include <random>
#include <vector>

namespace fluxforge::bench {

/// source -> n-1 nodes in series. Returns the nodes in order (source first).
inline std::vector<std::shared_ptr<Node>> buildChain(Graph& graph, std::size_t n) {
    std::vector<std::shared_ptr<Node>> nodes;
    nodes.push_back(std::make_shared<TrivialSource>());
    NodeId previous = graph.add(nodes.back());
    for (std::size_t i = 1; i < n; ++i) {
        nodes.push_back(std::make_shared<TrivialNode>());
        const NodeId next = graph.add(nodes.back());
        graph.connect(previous, next);
        previous = next;
    }
    return nodes;
}

/// one source feeding n-1 independent nodes (all could run at once).
inline std::vector<std::shared_ptr<Node>> buildWide(Graph& graph, std::size_t n) {
    std::vector<std::shared_ptr<Node>> nodes;
    nodes.push_back(std::make_shared<TrivialSource>());
    const NodeId source = graph.add(nodes.back());
    for (std::size_t i = 1; i < n; ++i) {
        nodes.push_back(std::make_shared<TrivialNode>());
        graph.connect(source, graph.add(nodes.back()));
    }
    return nodes;
}

/// Random layered DAG: `layers` layers, each node of layer > 0 fed by up to `fanIn` nodes of the
/// previous layer (each feeding a port of its own would change the work; here one port, so
/// several sources are summed).
inline std::vector<std::shared_ptr<Node>> buildLayered(Graph& graph, std::size_t n,
                                                       std::size_t layers, std::size_t fanIn,
                                                       unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::shared_ptr<Node>> nodes;
    std::vector<std::vector<NodeId>> byLayer(layers);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t layer = i * layers / n;
        if (layer == 0) {
            nodes.push_back(std::make_shared<TrivialSource>());
        } else {
            nodes.push_back(std::make_shared<TrivialNode>());
        }
        const NodeId id = graph.add(nodes.back());
        if (layer > 0) {
            const auto& previous = byLayer[layer - 1];
            const std::size_t count = 1 + rng() % fanIn;
            std::vector<NodeId> chosen;
            for (std::size_t k = 0; k < count; ++k) {
                const NodeId from = previous[rng() % previous.size()];
                if (std::find(chosen.begin(), chosen.end(), from) == chosen.end()) {
                    chosen.push_back(from);
                    graph.connect(from, id);
                }
            }
        }
        byLayer[layer].push_back(id);
    }
    return nodes;
}

} // namespace fluxforge::bench
