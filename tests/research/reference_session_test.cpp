// The reference session generator: the shape DESIGN.md describes, seeded and reproducible, every
// kind of edge present, compensated latency, deterministic rendering, and the config checks.
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/research/reference_session.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <string>

namespace fluxforge {
namespace {

std::size_t connectionsInto(const Graph& graph, NodeId node, PortIndex port = 0) {
    return static_cast<std::size_t>(std::count_if(
        graph.connections().begin(), graph.connections().end(), [&](const Connection& c) {
            return c.destination.node == node && c.destination.port == port;
        }));
}

bool connected(const Graph& graph, NodeId from, NodeId to, PortIndex toPort = 0) {
    return std::any_of(graph.connections().begin(), graph.connections().end(),
                       [&](const Connection& c) {
                           return c.source.node == from && c.destination.node == to &&
                                  c.destination.port == toPort;
                       });
}

TEST(ReferenceSessionTest, TheDefaultIsTheSessionOfTheDesign) {
    Graph graph(GraphConfig{0, 2});
    const ReferenceSession session = buildReferenceSession(graph);
    ASSERT_EQ(session.tracks.size(), 64u);
    ASSERT_EQ(session.buses.size(), 8u);
    ASSERT_EQ(session.returns.size(), 2u);
    // 64 tracks x (source, 4 EQ, compressor, fader, 2 sends) + the latent node + 8 buses x
    // (4 EQ, compressor) + 2 returns + the master + the two endpoints.
    EXPECT_EQ(graph.nodeCount(), 64u * 9u + 1u + 8u * 5u + 2u + 1u + 2u);
    for (const ReferenceTrack& track : session.tracks) {
        EXPECT_EQ(track.eq.size(), 4u);
        EXPECT_EQ(track.sends.size(), 2u);
        EXPECT_TRUE(connected(graph, track.fader, session.buses[track.bus].eq.front()));
        for (std::size_t r = 0; r < 2; ++r) {
            EXPECT_TRUE(connected(graph, track.fader, track.sends[r]));
            EXPECT_TRUE(connected(graph, track.sends[r], session.returns[r]));
        }
    }
    // Every return sums a send from every track; every bus 8 tracks; the master 8 buses and
    // 2 returns (a tree sum: the compiler splits the 64-wide ports into partial sums).
    EXPECT_EQ(connectionsInto(graph, session.returns[0]), 64u);
    EXPECT_EQ(connectionsInto(graph, session.buses[3].eq.front()), 8u);
    EXPECT_EQ(connectionsInto(graph, session.master), 10u);
    EXPECT_TRUE(connected(graph, session.master, graph.output()));
    // The sidechain: bus 1's compressor keyed on its port 1 by bus 2's compressor.
    ASSERT_TRUE(session.sidechainCompressor.isValid());
    EXPECT_EQ(session.sidechainCompressor, session.buses[0].compressor);
    EXPECT_EQ(session.sidechainKey, session.buses[1].compressor);
    EXPECT_TRUE(connected(graph, session.sidechainKey, session.sidechainCompressor,
                          Compressor::kSidechainInput));
    EXPECT_TRUE(graph.nodeAs<Compressor>(session.sidechainCompressor)->hasSidechain());
    // The latent node sits on track 1 between its EQ and its compressor.
    ASSERT_TRUE(session.latent.isValid());
    EXPECT_EQ(session.tracks[0].latent, session.latent);
    EXPECT_TRUE(connected(graph, session.tracks[0].eq.back(), session.latent));
    EXPECT_TRUE(connected(graph, session.latent, session.tracks[0].compressor));
    EXPECT_EQ(graph.node(session.latent)->properties().latency, 2048u);
    EXPECT_EQ(session.outputLatency, 2048u + 240u);
    // Names say where a node sits.
    EXPECT_EQ(graph.name(session.tracks[11].eq[2]), "track12.eq3");
    EXPECT_EQ(graph.name(session.buses[1].compressor), "bus2.comp");
    EXPECT_EQ(graph.name(session.returns[0]), "fx1.reverb");
    EXPECT_EQ(graph.name(session.master), "master.limiter");
    EXPECT_EQ(session.faders().size(), 64u);
}

TEST(ReferenceSessionTest, TheEngineCompensatesTheLatentNodeAndTheMasterLookAhead) {
    Graph graph(GraphConfig{0, 2});
    ReferenceSessionConfig config;
    config.prepare = {48000.0, 128};
    const ReferenceSession session = buildReferenceSession(graph, config);
    Engine engine(EngineConfig{.sampleRate = 48000.0, .maxBlockSize = 128, .workers = 1});
    engine.commit(graph);
    EXPECT_EQ(engine.latencyOf(session.latent), 2048u);
    EXPECT_EQ(engine.latencyOf(session.tracks[0].fader), 2048u);
    EXPECT_EQ(engine.latencyOf(session.tracks[1].fader), 0u);
    // Track 1 feeds bus 1 and both returns, so they wait for it; so does the master.
    EXPECT_EQ(engine.latencyOf(session.buses[0].compressor), 2048u);
    EXPECT_EQ(engine.latencyOf(session.returns[1]), 2048u);
    EXPECT_EQ(engine.latencyOf(session.buses[1].compressor), 0u);
    EXPECT_EQ(engine.latencyOf(session.master), 2048u + 240u);
    EXPECT_EQ(engine.outputLatency(), session.outputLatency);
}

TEST(ReferenceSessionTest, TheLimiterCanStandInForTheLatentNode) {
    Graph graph(GraphConfig{0, 2});
    ReferenceSessionConfig config;
    config.tracks = 4;
    config.buses = 2;
    config.latentKind = LatentNodeKind::limiter;
    config.latentTrack = 3;
    const ReferenceSession session = buildReferenceSession(graph, config);
    EXPECT_NE(std::dynamic_pointer_cast<Limiter>(graph.node(session.latent)), nullptr);
    EXPECT_EQ(session.tracks[3].latent, session.latent);
    EXPECT_EQ(graph.node(session.latent)->properties().latency, 2048u);
}

/// Renders `blocks` blocks of `frames` frames and returns the output.
AudioBuffer render(const ReferenceSessionConfig& config, FrameCount frames, int blocks,
                   std::uint32_t workers) {
    Graph graph(GraphConfig{0, 2});
    static_cast<void>(buildReferenceSession(graph, config));
    EngineConfig engineConfig{.sampleRate = 48000.0, .maxBlockSize = 256, .workers = workers};
    engineConfig.pool.realtimePriority = false;
    engineConfig.parallel.minimumWorkNanoseconds = 0.0;
    engineConfig.parallel.minimumStealNanoseconds = 0.0;
    Engine engine(engineConfig);
    engine.commit(graph);
    AudioBuffer out(2, frames * static_cast<FrameCount>(blocks));
    for (int b = 0; b < blocks; ++b) {
        engine.process({}, out.view().subFrames(static_cast<FrameCount>(b) * frames, frames));
    }
    return out;
}

bool sameBits(const AudioBuffer& a, const AudioBuffer& b) {
    for (ChannelCount c = 0; c < a.numChannels(); ++c) {
        for (FrameCount i = 0; i < a.numFrames(); ++i) {
            if (std::bit_cast<std::uint32_t>(a.channel(c)[i]) !=
                std::bit_cast<std::uint32_t>(b.channel(c)[i])) {
                return false;
            }
        }
    }
    return true;
}

TEST(ReferenceSessionTest, TheSameSeedRendersTheSameBitsWhateverTheBlocksAndWorkers) {
    ReferenceSessionConfig config;
    config.tracks = 12;
    config.buses = 3;
    config.latentFrames = 300;
    const AudioBuffer reference = render(config, 64, 150, 1);
    EXPECT_TRUE(sameBits(reference, render(config, 128, 75, 2)));
    EXPECT_TRUE(sameBits(reference, render(config, 200, 48, 2)));
    config.seed = 2;
    EXPECT_FALSE(sameBits(reference, render(config, 64, 150, 1)));
}

TEST(ReferenceSessionTest, ItSoundsAndTheMasterStaysUnderItsCeiling) {
    ReferenceSessionConfig config;
    config.tracks = 16;
    config.latentFrames = 256;
    config.masterLookAheadFrames = 64;
    const AudioBuffer out = render(config, 256, 100, 2); // 0.53 s
    const float top = static_cast<float>(std::pow(10.0, -1.0 / 20.0));
    float loudest = 0.0f;
    for (ChannelCount c = 0; c < 2; ++c) {
        for (FrameCount i = 0; i < out.numFrames(); ++i) {
            ASSERT_TRUE(std::isfinite(out.channel(c)[i])) << i;
            loudest = std::max(loudest, std::abs(out.channel(c)[i]));
        }
    }
    EXPECT_LE(loudest, top);
    EXPECT_GT(loudest, 0.05f);
}

TEST(ReferenceSessionTest, EveryPartCanBeLeftOut) {
    Graph graph(GraphConfig{0, 2});
    ReferenceSessionConfig config;
    config.tracks = 3;
    config.buses = 0;
    config.effectReturns = 0;
    config.eqBands = 1;
    config.sidechain = SessionSidechain::off;
    config.latentFrames = 0;
    config.masterLookAheadFrames = 0;
    const ReferenceSession session = buildReferenceSession(graph, config);
    EXPECT_TRUE(session.buses.empty());
    EXPECT_TRUE(session.returns.empty());
    EXPECT_FALSE(session.latent.isValid());
    EXPECT_FALSE(session.sidechainCompressor.isValid());
    EXPECT_EQ(session.outputLatency, 0u);
    EXPECT_EQ(connectionsInto(graph, session.master), 3u);
    EXPECT_EQ(graph.nodeAs<Biquad>(session.tracks[0].eq[0])->type(), BiquadType::peak);
    Engine engine(EngineConfig{.workers = 1});
    engine.commit(graph);
    EXPECT_EQ(engine.outputLatency(), 0u);
}

TEST(ReferenceSessionTest, BadConfigsThrowNamingTheSettingAndLeaveTheGraphAlone) {
    const auto message = [](const ReferenceSessionConfig& config, ChannelCount outputs = 2) {
        Graph graph(GraphConfig{0, outputs});
        const std::size_t before = graph.nodeCount();
        try {
            static_cast<void>(buildReferenceSession(graph, config));
        } catch (const Error& e) {
            EXPECT_EQ(graph.nodeCount(), before);
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(message({.tracks = 0}).find("tracks"), std::string::npos);
    EXPECT_NE(message({.buses = 1}).find("sidechain"), std::string::npos);
    EXPECT_NE(message({.eqBands = 0}).find("eqBands"), std::string::npos);
    EXPECT_NE(message({.tracks = 4, .latentTrack = 4}).find("latentTrack"), std::string::npos);
    EXPECT_NE(message({}, 1).find("stereo"), std::string::npos);
}

} // namespace
} // namespace fluxforge
