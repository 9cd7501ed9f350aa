// Graph shapes of trivial nodes for engine and scheduler benchmarks.
#pragma once

#include "trivial_nodes.hpp"

#include <fluxforge/graph/graph.hpp>

#include <memory>
#include <random>
#include <string>
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
inline std::vector<std::shared_ptr<Node>>
buildLayered(Graph& graph, std::size_t n, std::size_t layers, std::size_t fanIn, unsigned seed) {
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

/// A DAW-shaped graph of trivial nodes: `tracks` tracks of (source -> `effects` effects), their
/// tracks summed into `buses` buses (tracks split evenly), the buses into a master node, the
/// master into the graph output (which must be mono).
inline std::vector<std::shared_ptr<Node>> buildDawSession(Graph& graph, std::size_t tracks,
                                                          std::size_t effects, std::size_t buses) {
    std::vector<std::shared_ptr<Node>> nodes;
    auto add = [&](std::shared_ptr<Node> node, const std::string& name) {
        nodes.push_back(std::move(node));
        return graph.add(nodes.back(), name);
    };
    const NodeId master = add(std::make_shared<TrivialNode>(), "master");
    graph.connect(master, graph.output());
    std::vector<NodeId> busIds;
    for (std::size_t b = 0; b < buses; ++b) {
        busIds.push_back(add(std::make_shared<TrivialNode>(), "bus" + std::to_string(b)));
        graph.connect(busIds.back(), master);
    }
    for (std::size_t t = 0; t < tracks; ++t) {
        NodeId previous = add(std::make_shared<TrivialSource>(), "track" + std::to_string(t));
        for (std::size_t e = 0; e < effects; ++e) {
            const NodeId fx = add(std::make_shared<TrivialNode>(),
                                  "track" + std::to_string(t) + "fx" + std::to_string(e));
            graph.connect(previous, fx);
            previous = fx;
        }
        graph.connect(previous, busIds[t * buses / tracks]);
    }
    return nodes;
}

} // namespace fluxforge::bench
