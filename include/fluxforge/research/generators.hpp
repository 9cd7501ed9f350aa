// Graph generators of the research harness: chains, fans, random layered DAGs, series-parallel
// graphs, DAW sessions and the reference session, seeded, with node cost models.
#pragma once

#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/research/cost_model.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace fluxforge {

/// The generators (docs/research.md, "Generators").
enum class GeneratorKind {
    chain,          ///< `nodes` in series, optionally beside `beside` independent nodes
    fan,            ///< one source feeding `width` independent nodes, optionally joined
    layered,        ///< random layered DAG: `nodes` in `layers`, fan-in <= fanIn, fan-out <= fanOut
    seriesParallel, ///< random series-parallel DAG of exactly `nodes` nodes
    dawSession,     ///< tracks -> buses -> master, sends to returns, sidechains, latent nodes
    referenceSession, ///< the reference session (docs/reference-session.md) of real nodes
};

/// "chain", "fan", "layered", "series-parallel", "daw-session", "reference-session";
/// parseGeneratorKind is the inverse and throws fluxforge::Error on an unknown name.
/// Thread: any. Real-time safe: yes (name). Allocates: no (name), on error (parse).
[[nodiscard]] std::string_view generatorKindName(GeneratorKind kind) noexcept;
[[nodiscard]] GeneratorKind parseGeneratorKind(std::string_view name);

/// What to generate. Each kind reads the fields its comment names; the rest are ignored.
struct GeneratorSpec {
    GeneratorKind kind = GeneratorKind::layered;
    std::uint64_t seed = 1; ///< every random choice (structure and costs)
    CostModel cost{};       ///< the nodes' cost (DAW sessions: every node)

    // chain, layered, series-parallel
    std::size_t nodes = 100;
    // chain: independent nodes beside the chain, with their own cost
    std::size_t beside = 0;
    CostModel besideCost{};
    // fan
    std::size_t width = 99;
    bool join = false; ///< a node summing every branch after them
    // layered (the bench's algorithm: a node of layer l > 0 draws 1..fanIn inputs from layer l-1)
    std::size_t layers = 8;
    std::size_t fanIn = 3;
    std::size_t fanOut = 0; ///< most successors per node; 0: no limit
    // series-parallel
    std::size_t maxBranch = 3;      ///< parts per series or parallel composition, 2..
    double seriesProbability = 0.5; ///< chance that a composition is series rather than parallel
    // DAW session, and the reference session (tracks, buses, returns, latentFrames)
    std::size_t tracks = 16;
    std::size_t effects = 4;     ///< inserts per track after its source
    std::size_t buses = 4;       ///< 0: tracks feed the master
    std::size_t busEffects = 1;  ///< inserts per bus
    std::size_t returns = 0;     ///< effect returns, each fed by a send from every track
    std::size_t sidechains = 0;  ///< bus b's last insert keyed by bus b+1, for b < sidechains
    std::size_t latentNodes = 0; ///< tracks 0..latentNodes-1 carry a latent insert
    FrameCount latentFrames = 2048;
};

/// A generated graph and what it holds.
struct GeneratedGraph {
    std::unique_ptr<Graph> graph;
    std::size_t nodes = 0;       ///< nodes added (endpoints not counted)
    std::size_t connections = 0; ///< connections made (to the graph output included)
};

/// Builds the graph `spec` describes, its nodes made for blocks of up to `maxBlock` frames.
/// Throws fluxforge::Error naming a bad field (no nodes, layers > nodes, fanIn 0, maxBranch < 2,
/// more sidechains than buses - 1, more latent nodes than tracks, ...).
/// Thread: control. Real-time safe: no. Allocates: yes.
[[nodiscard]] GeneratedGraph generateGraph(const GeneratorSpec& spec, FrameCount maxBlock = 64);

} // namespace fluxforge
