#include <fluxforge/core/error.hpp>
#include <fluxforge/nodes/compressor.hpp>
#include <fluxforge/nodes/gain_pan.hpp>
#include <fluxforge/nodes/limiter.hpp>
#include <fluxforge/nodes/noise_source.hpp>
#include <fluxforge/research/generators.hpp>
#include <fluxforge/research/reference_session.hpp>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

namespace fluxforge {

std::string_view generatorKindName(GeneratorKind kind) noexcept {
    switch (kind) {
    case GeneratorKind::chain:
        return "chain";
    case GeneratorKind::fan:
        return "fan";
    case GeneratorKind::layered:
        return "layered";
    case GeneratorKind::seriesParallel:
        return "series-parallel";
    case GeneratorKind::dawSession:
        return "daw-session";
    case GeneratorKind::referenceSession:
        return "reference-session";
    }
    return "unknown";
}

GeneratorKind parseGeneratorKind(std::string_view name) {
    for (GeneratorKind kind : {GeneratorKind::chain, GeneratorKind::fan, GeneratorKind::layered,
                               GeneratorKind::seriesParallel, GeneratorKind::dawSession,
                               GeneratorKind::referenceSession}) {
        if (generatorKindName(kind) == name) {
            return kind;
        }
    }
    throw Error("unknown generator '" + std::string(name) +
                "' (chain, fan, layered, series-parallel, daw-session or reference-session)");
}

namespace {

// Adds nodes of the spec's cost model and counts what it adds. Builtin models make real nodes
// (stereo); the others make CostNodes (mono).
class Builder {
public:
    Builder(const GeneratorSpec& spec, FrameCount maxBlock)
        : spec_(spec)
        , maxBlock_(maxBlock)
        , channels_(spec.cost.kind == CostKind::builtin ? 2 : 1) {
        result_.graph = std::make_unique<Graph>(GraphConfig{0, channels_});
    }

    Graph& graph() { return *result_.graph; }
    bool builtin() const { return spec_.cost.kind == CostKind::builtin; }

    NodeId add(std::shared_ptr<Node> node, std::string name) {
        ++result_.nodes;
        return result_.graph->add(std::move(node), std::move(name));
    }

    // A worker node of the model: `inputs` ports (builtin nodes have one), or a source.
    NodeId work(const std::string& name, std::uint32_t inputs, const CostModel& cost,
                FrameCount latency = 0) {
        const std::uint64_t seed = nodeSeed();
        if (cost.kind == CostKind::builtin) {
            if (latency > 0) {
                LimiterConfig config;
                config.lookAheadFrames = latency;
                config.channels = channels_;
                return add(std::make_shared<Limiter>(config), name);
            }
            return add(inputs == 0 ? makeBuiltinNode("noise", channels_, seed)
                                   : makeBuiltinNode(cost.builtin, channels_, seed),
                       name);
        }
        CostNode::Config config;
        config.cost = cost;
        config.inputs = inputs;
        config.channels = channels_;
        config.latency = latency;
        config.seed = seed;
        config.maxBlock = maxBlock_;
        return add(std::make_shared<CostNode>(config), name);
    }
    NodeId work(const std::string& name, std::uint32_t inputs) {
        return work(name, inputs, spec_.cost);
    }

    void connect(NodeId from, NodeId to, PortIndex port = 0) {
        ++result_.connections;
        result_.graph->connect(OutputPort{from, 0}, InputPort{to, port});
    }

    GeneratedGraph finish() { return std::move(result_); }

private:
    std::uint64_t nodeSeed() {
        return spec_.seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull * (++seeds_);
    }

    const GeneratorSpec& spec_;
    FrameCount maxBlock_;
    ChannelCount channels_;
    GeneratedGraph result_;
    std::uint64_t seeds_ = 0;
};

void require(bool ok, const std::string& message) {
    if (!ok) {
        throw Error("generator: " + message);
    }
}

void buildChain(Builder& b, const GeneratorSpec& spec) {
    require(spec.nodes >= 1, "a chain needs 'nodes' >= 1");
    NodeId previous = b.work("chain0", 0);
    for (std::size_t i = 1; i < spec.nodes; ++i) {
        const NodeId next = b.work("chain" + std::to_string(i), 1);
        b.connect(previous, next);
        previous = next;
    }
    for (std::size_t i = 0; i < spec.beside; ++i) {
        static_cast<void>(b.work("beside" + std::to_string(i), 0, spec.besideCost));
    }
}

void buildFan(Builder& b, const GeneratorSpec& spec) {
    require(spec.width >= 1, "a fan needs 'width' >= 1");
    const NodeId source = b.work("source", 0);
    const NodeId join = spec.join ? b.work("join", 1) : NodeId{};
    for (std::size_t i = 0; i < spec.width; ++i) {
        const NodeId branch = b.work("branch" + std::to_string(i), 1);
        b.connect(source, branch);
        if (spec.join) {
            b.connect(branch, join);
        }
    }
}

// The bench's layered algorithm (bench/support/graph_shapes.hpp), with mt19937, whose output the
// standard fixes, so the same seed gives the same graph as the benchmark, plus a fan-out limit.
void buildLayered(Builder& b, const GeneratorSpec& spec) {
    require(spec.nodes >= 1, "a layered graph needs 'nodes' >= 1");
    require(spec.layers >= 1 && spec.layers <= spec.nodes,
            "a layered graph needs 1 <= 'layers' <= 'nodes'");
    require(spec.fanIn >= 1, "a layered graph needs 'fanIn' >= 1");
    std::mt19937 rng(static_cast<std::mt19937::result_type>(spec.seed));
    std::vector<std::vector<NodeId>> byLayer(spec.layers);
    std::vector<std::size_t> fanOut(spec.nodes + 8, 0);
    for (std::size_t i = 0; i < spec.nodes; ++i) {
        const std::size_t layer = i * spec.layers / spec.nodes;
        const NodeId id = b.work("n" + std::to_string(i), layer == 0 ? 0 : 1);
        if (layer > 0) {
            const auto& previous = byLayer[layer - 1];
            const std::size_t count = 1 + rng() % spec.fanIn;
            std::vector<NodeId> chosen;
            for (std::size_t k = 0; k < count; ++k) {
                const NodeId from = previous[rng() % previous.size()];
                const bool full = spec.fanOut != 0 && fanOut[from.value] >= spec.fanOut;
                if (!full && std::find(chosen.begin(), chosen.end(), from) == chosen.end()) {
                    chosen.push_back(from);
                    ++fanOut[from.value];
                    b.connect(from, id);
                }
            }
        }
        byLayer[layer].push_back(id);
    }
}

// A random composition: n == 1 is one node; otherwise series (k parts in a row) or parallel (a
// fork node, k parts side by side, a join node), k in 2..maxBranch, parts of random sizes.
struct Terminals {
    NodeId entry;
    NodeId exit;
};

Terminals buildSeriesParallelPart(Builder& b, const GeneratorSpec& spec, ResearchRandom& random,
                                  std::size_t n, bool first) {
    if (n == 1) {
        const NodeId node = b.work("task", first ? 0 : 1);
        return {node, node};
    }
    const bool series = n < 4 || random.unit() < spec.seriesProbability;
    const std::size_t inner = series ? n : n - 2;
    const std::size_t parts = std::min<std::size_t>(
        inner, 2 + random.below(std::max<std::size_t>(1, spec.maxBranch - 1)));
    // Sizes: one node each, the rest spread at random.
    std::vector<std::size_t> sizes(parts, 1);
    for (std::size_t left = inner - parts; left > 0; --left) {
        ++sizes[random.below(parts)];
    }
    if (series) {
        Terminals whole{};
        for (std::size_t i = 0; i < parts; ++i) {
            const Terminals part =
                buildSeriesParallelPart(b, spec, random, sizes[i], first && i == 0);
            if (i == 0) {
                whole.entry = part.entry;
            } else {
                b.connect(whole.exit, part.entry);
            }
            whole.exit = part.exit;
        }
        return whole;
    }
    const NodeId fork = b.work("fork", first ? 0 : 1);
    const NodeId join = b.work("join", 1);
    for (std::size_t i = 0; i < parts; ++i) {
        const Terminals part = buildSeriesParallelPart(b, spec, random, sizes[i], false);
        b.connect(fork, part.entry);
        b.connect(part.exit, join);
    }
    return {fork, join};
}

void buildSeriesParallel(Builder& b, const GeneratorSpec& spec) {
    require(spec.nodes >= 1, "a series-parallel graph needs 'nodes' >= 1");
    require(spec.maxBranch >= 2, "a series-parallel graph needs 'maxBranch' >= 2");
    ResearchRandom random(spec.seed);
    static_cast<void>(buildSeriesParallelPart(b, spec, random, spec.nodes, true));
}

void buildDawSession(Builder& b, const GeneratorSpec& spec) {
    require(spec.tracks >= 1, "a DAW session needs 'tracks' >= 1");
    require(spec.buses == 0 || spec.busEffects >= 1, "buses need 'busEffects' >= 1");
    require(spec.sidechains == 0 || spec.sidechains < spec.buses,
            "'sidechains' must be below 'buses' (bus b is keyed by bus b+1)");
    require(spec.latentNodes <= spec.tracks, "'latentNodes' must not exceed 'tracks'");
    Graph& graph = b.graph();
    const NodeId master = b.work("master", 1);
    b.connect(master, graph.output());

    // Buses: a chain of inserts; the last one of bus b < sidechains has a key input from bus b+1.
    std::vector<NodeId> busIn(spec.buses);
    std::vector<NodeId> busOut(spec.buses);
    for (std::size_t k = 0; k < spec.buses; ++k) {
        const std::size_t bus = spec.buses - 1 - k; // keys (higher buses) exist first
        const std::string name = "bus" + std::to_string(bus);
        NodeId previous{};
        for (std::size_t e = 0; e < spec.busEffects; ++e) {
            const bool keyed = bus < spec.sidechains && e + 1 == spec.busEffects;
            NodeId node;
            if (keyed && b.builtin()) {
                node = b.add(std::make_shared<Compressor>(
                                 CompressorConfig{2, CompressorSidechain::external}),
                             name + ".fx" + std::to_string(e));
            } else {
                node = b.work(name + ".fx" + std::to_string(e), keyed ? 2 : 1);
            }
            if (e == 0) {
                busIn[bus] = node;
            } else {
                b.connect(previous, node);
            }
            if (keyed) {
                b.connect(busOut[bus + 1], node, 1);
            }
            previous = node;
        }
        busOut[bus] = previous;
        b.connect(previous, master);
    }
    std::vector<NodeId> returns;
    for (std::size_t r = 0; r < spec.returns; ++r) {
        CostModel model = spec.cost;
        model.builtin = "fdn-reverb";
        returns.push_back(b.work("return" + std::to_string(r), 1, model));
        b.connect(returns.back(), master);
    }
    for (std::size_t t = 0; t < spec.tracks; ++t) {
        const std::string name = "track" + std::to_string(t);
        NodeId previous = b.work(name, 0);
        for (std::size_t e = 0; e < spec.effects; ++e) {
            const NodeId fx = b.work(name + ".fx" + std::to_string(e), 1);
            b.connect(previous, fx);
            previous = fx;
            if (e == 0 && t < spec.latentNodes) {
                const NodeId latent = b.work(name + ".latent", 1, spec.cost, spec.latentFrames);
                b.connect(previous, latent);
                previous = latent;
            }
        }
        b.connect(previous, spec.buses == 0 ? master : busIn[t * spec.buses / spec.tracks]);
        for (std::size_t r = 0; r < spec.returns; ++r) {
            CostModel model = spec.cost;
            model.builtin = "gain-pan";
            const NodeId send = b.work(name + ".send" + std::to_string(r), 1, model);
            b.connect(previous, send);
            b.connect(send, returns[r]);
        }
    }
}

void buildReference(Builder& b, const GeneratorSpec& spec, FrameCount maxBlock) {
    ReferenceSessionConfig config;
    config.seed = spec.seed;
    config.tracks = spec.tracks;
    config.buses = spec.buses;
    config.effectReturns = spec.returns;
    config.latentFrames = spec.latentFrames;
    config.sidechain = spec.buses >= 2 ? SessionSidechain::on : SessionSidechain::off;
    config.prepare = {48000.0, maxBlock};
    static_cast<void>(buildReferenceSession(b.graph(), config));
}

} // namespace

GeneratedGraph generateGraph(const GeneratorSpec& spec, FrameCount maxBlock) {
    if (spec.kind == GeneratorKind::referenceSession) {
        GeneratorSpec stereo = spec;
        stereo.cost.kind = CostKind::builtin; // its nodes are real
        Builder b(stereo, maxBlock);
        buildReference(b, stereo, maxBlock);
        GeneratedGraph result = b.finish();
        result.nodes = result.graph->nodeCount() - 2;
        result.connections = result.graph->connections().size();
        return result;
    }
    Builder b(spec, maxBlock);
    switch (spec.kind) {
    case GeneratorKind::chain:
        buildChain(b, spec);
        break;
    case GeneratorKind::fan:
        buildFan(b, spec);
        break;
    case GeneratorKind::layered:
        buildLayered(b, spec);
        break;
    case GeneratorKind::seriesParallel:
        buildSeriesParallel(b, spec);
        break;
    case GeneratorKind::dawSession:
        buildDawSession(b, spec);
        break;
    case GeneratorKind::referenceSession:
        break;
    }
    return b.finish();
}

} // namespace fluxforge
