// The reference session: the DAW-like graph that benchmarks and acceptance checks share, built
// from a seed (docs/reference-session.md).
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/nodes/biquad.hpp>
#include <fluxforge/nodes/compressor.hpp>
#include <fluxforge/nodes/fdn_reverb.hpp>
#include <fluxforge/nodes/gain_pan.hpp>
#include <fluxforge/nodes/latency_test_node.hpp>
#include <fluxforge/nodes/limiter.hpp>
#include <fluxforge/nodes/noise_source.hpp>
#include <fluxforge/nodes/saw_oscillator.hpp>
#include <fluxforge/nodes/sine_oscillator.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fluxforge {

/// Whether bus 1's compressor is keyed by bus 2.
enum class SessionSidechain { off, on };

/// What stands in for the latent plugin (a linear-phase EQ).
enum class LatentNodeKind {
    latencyTestNode, ///< a LatencyTestNode: an exact delay
    limiter,         ///< a Limiter with that look-ahead (ceiling 0 dB): real work, same latency
};

/// The shape of a reference session. The defaults are the session of DESIGN.md: 64 stereo
/// tracks, 8 group buses, 2 effect returns, one sidechain, one 2048-frame latent node and a
/// limited master.
struct ReferenceSessionConfig {
    /// Every choice the generator makes (sources, frequencies, EQ, dynamics, levels, pans) comes
    /// from this seed, through a generator of its own: the same seed gives the same session on
    /// every platform.
    std::uint64_t seed = 1;
    /// Tracks: source -> EQ -> compressor -> gain/pan -> bus, and sends to every effect return.
    std::size_t tracks = 64;
    /// Group buses (EQ -> compressor -> master); track k feeds bus k mod buses. 0: tracks feed
    /// the master directly.
    std::size_t buses = 8;
    /// Effect returns (FDN reverbs) fed by a send from every track. 0: no sends.
    std::size_t effectReturns = 2;
    /// Biquads per EQ (tracks and buses): a low shelf, peaks, a high shelf.
    std::size_t eqBands = 4;
    /// Bus 1's compressor keyed by bus 2's output (needs at least 2 buses).
    SessionSidechain sidechain = SessionSidechain::on;
    /// Latency of the latent node, in frames; 0 leaves it out.
    FrameCount latentFrames = 2048;
    /// The track whose EQ is followed by the latent node.
    std::size_t latentTrack = 0;
    LatentNodeKind latentKind = LatentNodeKind::latencyTestNode;
    /// Look-ahead of the master limiter, in frames (240: 5 ms at 48 kHz).
    FrameCount masterLookAheadFrames = 240;
    /// Delay lines of each effect return's FDN.
    std::size_t reverbLines = 8;
    /// The settings the nodes are prepared for while their parameters are set. Give the engine's
    /// (EngineConfig::sampleRate and maxBlockSize) to spare a second prepare when it compiles.
    PrepareContext prepare{};
};

/// One track's nodes.
struct ReferenceTrack {
    NodeId source;             ///< SineOscillator, SawOscillator or NoiseSource, stereo
    std::vector<NodeId> eq;    ///< the Biquads, in signal order
    NodeId latent;             ///< the latent node (invalid unless this is the latent track)
    NodeId compressor;         ///< Compressor
    NodeId fader;              ///< GainPan (stereo input, balance): the track's level and pan
    std::vector<NodeId> sends; ///< GainPan per effect return: the send levels (post-fader)
    std::size_t bus = 0;       ///< index into ReferenceSession::buses (when there are buses)
};

/// One group bus's nodes.
struct ReferenceBus {
    std::vector<NodeId> eq; ///< Biquads; the first one's input sums the bus's tracks
    NodeId compressor;      ///< Compressor (keyed by the sidechain for bus 1)
};

/// The node ids of a generated session, for tests and benchmarks to find their way in.
struct ReferenceSession {
    std::vector<ReferenceTrack> tracks;
    std::vector<ReferenceBus> buses;
    std::vector<NodeId> returns; ///< FdnReverb per effect return; its input sums the sends
    NodeId sidechainCompressor;  ///< bus 1's compressor (its port 1 is the key), or invalid
    NodeId sidechainKey;         ///< bus 2's compressor, whose output is the key, or invalid
    NodeId latent;               ///< the latent node, or invalid
    NodeId master;               ///< the master Limiter; its input sums buses and returns
    /// What plugin delay compensation makes the engine report as its output latency: the latent
    /// node's frames plus the master limiter's look-ahead.
    FrameCount outputLatency = 0;

    /// Every track's fader, in track order. Thread: any. Real-time safe: no. Allocates: yes.
    [[nodiscard]] std::vector<NodeId> faders() const;
};

/// Adds a reference session to `graph` (whose output must be stereo) and connects the master to
/// the graph's output. Node names say where each node sits ("track12.eq3", "bus2.comp",
/// "fx1.reverb", "master.limiter"). Throws fluxforge::Error naming the setting at fault for: no
/// tracks, 0 EQ bands, a sidechain with fewer than 2 buses, a latent track beyond the tracks, a
/// graph output that is not stereo; the graph is unchanged then.
/// Thread: control. Real-time safe: no. Allocates: yes.
ReferenceSession buildReferenceSession(Graph& graph, const ReferenceSessionConfig& config = {});

namespace detail {

/// SplitMix64 (Steele, Lea and Flood), with doubles from its top 53 bits: small, fast, and the
/// same numbers everywhere (std's distributions are not specified bit for bit).
class SessionRandom {
public:
    explicit SessionRandom(std::uint64_t seed) noexcept
        : state_(seed) {}

    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Uniform in [low, high).
    double uniform(double low, double high) noexcept {
        return low + (high - low) * static_cast<double>(next() >> 11) * 0x1.0p-53;
    }
    /// Log-uniform in [low, high): even odds per octave, as frequencies want.
    double logUniform(double low, double high) noexcept {
        return low * std::pow(high / low, uniform(0.0, 1.0));
    }
    /// Uniform over 0 .. count - 1.
    std::size_t below(std::size_t count) noexcept {
        return static_cast<std::size_t>(uniform(0.0, static_cast<double>(count)));
    }

private:
    std::uint64_t state_;
};

} // namespace detail

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline std::vector<NodeId> ReferenceSession::faders() const {
    std::vector<NodeId> result;
    result.reserve(tracks.size());
    for (const ReferenceTrack& track : tracks) {
        result.push_back(track.fader);
    }
    return result;
}

namespace detail {

inline void validateSessionConfig(const Graph& graph, const ReferenceSessionConfig& config) {
    if (config.tracks == 0) {
        throw Error("ReferenceSessionConfig::tracks must be at least 1");
    }
    if (config.eqBands == 0) {
        throw Error("ReferenceSessionConfig::eqBands must be at least 1");
    }
    if (config.sidechain == SessionSidechain::on && config.buses < 2) {
        throw Error("ReferenceSessionConfig::sidechain needs at least 2 buses (bus 1 is keyed by "
                    "bus 2), but buses is " +
                    std::to_string(config.buses));
    }
    if (config.latentFrames > 0 && config.latentTrack >= config.tracks) {
        throw Error("ReferenceSessionConfig::latentTrack " + std::to_string(config.latentTrack) +
                    " is beyond the " + std::to_string(config.tracks) + " tracks");
    }
    if (graph.config().outputChannels != 2) {
        throw Error("buildReferenceSession: the graph's output must be stereo, it has " +
                    std::to_string(graph.config().outputChannels) + " channel(s)");
    }
}

/// Adds an EQ of `bands` biquads in series with seeded settings; returns their ids.
inline std::vector<NodeId> addSessionEq(Graph& graph, SessionRandom& random, std::size_t bands,
                                        const std::string& prefix, const PrepareContext& context) {
    std::vector<NodeId> ids;
    for (std::size_t b = 0; b < bands; ++b) {
        BiquadType type = BiquadType::peak;
        double frequency = random.logUniform(200.0, 5000.0);
        if (bands > 1 && b == 0) {
            type = BiquadType::lowShelf;
            frequency = random.logUniform(80.0, 250.0);
        } else if (bands > 1 && b == bands - 1) {
            type = BiquadType::highShelf;
            frequency = random.logUniform(3000.0, 12000.0);
        }
        auto eq = std::make_shared<Biquad>(BiquadConfig{.type = type, .channels = 2});
        const NodeId id = graph.add(eq, prefix + ".eq" + std::to_string(b + 1));
        // setParameter needs the parameter list, which a node gets from its first prepare.
        eq->prepare(context);
        eq->setParameter(Biquad::kFrequency, static_cast<float>(frequency));
        eq->setParameter(Biquad::kQ, static_cast<float>(random.uniform(0.5, 2.0)));
        eq->setParameter(Biquad::kGain, static_cast<float>(random.uniform(-6.0, 6.0)));
        if (!ids.empty()) {
            graph.connect(ids.back(), id);
        }
        ids.push_back(id);
    }
    return ids;
}

inline std::shared_ptr<Compressor> makeSessionCompressor(SessionRandom& random,
                                                         CompressorSidechain sidechain,
                                                         const PrepareContext& context) {
    auto compressor =
        std::make_shared<Compressor>(CompressorConfig{.channels = 2, .sidechain = sidechain});
    compressor->prepare(context);
    compressor->setParameter(Compressor::kThreshold, static_cast<float>(random.uniform(-30, -10)));
    compressor->setParameter(Compressor::kRatio, static_cast<float>(random.uniform(2.0, 6.0)));
    compressor->setParameter(Compressor::kAttack, static_cast<float>(random.uniform(2.0, 30.0)));
    compressor->setParameter(Compressor::kRelease, static_cast<float>(random.uniform(50, 300)));
    compressor->setParameter(Compressor::kMakeup, static_cast<float>(random.uniform(0.0, 4.0)));
    return compressor;
}

inline std::shared_ptr<Node> makeSessionSource(SessionRandom& random, std::uint64_t seed,
                                               const PrepareContext& context) {
    const auto amplitude = static_cast<float>(random.uniform(0.05, 0.3));
    switch (random.below(3)) {
    case 0: {
        auto sine = std::make_shared<SineOscillator>(SineOscillatorConfig{.channels = 2});
        sine->prepare(context);
        sine->setParameter(SineOscillator::kFrequency,
                           static_cast<float>(random.logUniform(55.0, 880.0)));
        sine->setParameter(SineOscillator::kAmplitude, amplitude);
        return sine;
    }
    case 1: {
        auto saw = std::make_shared<SawOscillator>(SawOscillatorConfig{.channels = 2});
        saw->prepare(context);
        saw->setParameter(SawOscillator::kFrequency,
                          static_cast<float>(random.logUniform(40.0, 440.0)));
        saw->setParameter(SawOscillator::kAmplitude, amplitude);
        return saw;
    }
    default: {
        auto noise = std::make_shared<NoiseSource>(NoiseSourceConfig{.seed = seed, .channels = 2});
        noise->prepare(context);
        noise->setParameter(NoiseSource::kAmplitude, amplitude);
        return noise;
    }
    }
}

inline std::shared_ptr<GainPan> makeSessionGainPan(float gainDecibels, float pan,
                                                   const PrepareContext& context) {
    auto node = std::make_shared<GainPan>(GainPanConfig{.input = PanInput::stereo});
    node->prepare(context);
    node->setParameter(GainPan::kGain, gainDecibels);
    node->setParameter(GainPan::kPan, pan);
    return node;
}

} // namespace detail

inline ReferenceSession buildReferenceSession(Graph& graph, const ReferenceSessionConfig& config) {
    detail::validateSessionConfig(graph, config);
    // Built in a copy, so that a failure part-way (out of memory) leaves the graph unchanged.
    Graph built = graph;
    detail::SessionRandom random(config.seed);
    const PrepareContext& context = config.prepare;
    ReferenceSession session;

    // Master: every bus and return (or every track, without buses) sums into the limiter's input.
    auto limiter = std::make_shared<Limiter>(
        LimiterConfig{.lookAheadFrames = config.masterLookAheadFrames, .channels = 2});
    session.master = built.add(limiter, "master.limiter");
    built.connect(session.master, built.output());
    session.outputLatency = config.masterLookAheadFrames;

    // Effect returns.
    for (std::size_t r = 0; r < config.effectReturns; ++r) {
        auto reverb = std::make_shared<FdnReverb>(FdnReverbConfig{.lines = config.reverbLines});
        reverb->prepare(context);
        reverb->setParameter(FdnReverb::kDecay, static_cast<float>(random.uniform(1.2, 3.5)));
        reverb->setParameter(FdnReverb::kDamping, static_cast<float>(random.uniform(0.3, 0.7)));
        const NodeId id = built.add(reverb, "fx" + std::to_string(r + 1) + ".reverb");
        built.connect(id, session.master);
        session.returns.push_back(id);
    }

    // Buses.
    for (std::size_t b = 0; b < config.buses; ++b) {
        const std::string prefix = "bus" + std::to_string(b + 1);
        ReferenceBus bus;
        bus.eq = detail::addSessionEq(built, random, config.eqBands, prefix, context);
        const bool keyed = b == 0 && config.sidechain == SessionSidechain::on;
        bus.compressor = built.add(
            detail::makeSessionCompressor(
                random, keyed ? CompressorSidechain::external : CompressorSidechain::none, context),
            prefix + ".comp");
        built.connect(bus.eq.back(), bus.compressor);
        built.connect(bus.compressor, session.master);
        session.buses.push_back(std::move(bus));
    }
    if (config.sidechain == SessionSidechain::on) {
        session.sidechainCompressor = session.buses[0].compressor;
        session.sidechainKey = session.buses[1].compressor;
        built.connect(OutputPort{session.sidechainKey, 0},
                      InputPort{session.sidechainCompressor, Compressor::kSidechainInput});
    }

    // Tracks.
    for (std::size_t t = 0; t < config.tracks; ++t) {
        const std::string prefix = "track" + std::to_string(t + 1);
        ReferenceTrack track;
        track.source =
            built.add(detail::makeSessionSource(random, config.seed * 1000003u + t, context),
                      prefix + ".source");
        track.eq = detail::addSessionEq(built, random, config.eqBands, prefix, context);
        built.connect(track.source, track.eq.front());
        NodeId last = track.eq.back();
        if (config.latentFrames > 0 && t == config.latentTrack) {
            std::shared_ptr<Node> latent;
            if (config.latentKind == LatentNodeKind::limiter) {
                auto stand = std::make_shared<Limiter>(
                    LimiterConfig{.lookAheadFrames = config.latentFrames, .channels = 2});
                stand->prepare(context);
                stand->setParameter(Limiter::kCeiling, 0.0f);
                latent = stand;
            } else {
                latent = std::make_shared<LatencyTestNode>(
                    LatencyTestNodeConfig{.latency = config.latentFrames,
                                          .channels = 2,
                                          .maxLatency = 2 * config.latentFrames});
            }
            track.latent = built.add(latent, prefix + ".latent");
            built.connect(last, track.latent);
            last = track.latent;
            session.latent = track.latent;
            session.outputLatency += config.latentFrames;
        }
        track.compressor =
            built.add(detail::makeSessionCompressor(random, CompressorSidechain::none, context),
                      prefix + ".comp");
        built.connect(last, track.compressor);
        track.fader = built.add(
            detail::makeSessionGainPan(static_cast<float>(random.uniform(-12.0, -3.0)),
                                       static_cast<float>(random.uniform(-0.8, 0.8)), context),
            prefix + ".fader");
        built.connect(track.compressor, track.fader);
        if (config.buses > 0) {
            track.bus = t % config.buses;
            built.connect(track.fader, session.buses[track.bus].eq.front());
        } else {
            built.connect(track.fader, session.master);
        }
        for (std::size_t r = 0; r < config.effectReturns; ++r) {
            const NodeId send =
                built.add(detail::makeSessionGainPan(
                              static_cast<float>(random.uniform(-30.0, -12.0)), 0.0f, context),
                          prefix + ".send" + std::to_string(r + 1));
            built.connect(track.fader, send);
            built.connect(send, session.returns[r]);
            track.sends.push_back(send);
        }
        session.tracks.push_back(std::move(track));
    }
    graph = std::move(built);
    return session;
}

} // namespace fluxforge
