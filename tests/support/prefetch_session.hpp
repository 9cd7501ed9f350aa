// What the prefetch tests share: an engine configuration with the guard at a given level, the
// small reference session they render, its automation, and a byte-for-byte comparison.
#pragma once

#include <fluxforge/engine/engine.hpp>
#include <fluxforge/research/reference_session.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace fluxforge::test {

/// The prefetch block the tests use: small, so that a test of a few thousand frames sees many.
inline constexpr FrameCount kTestPrefetchBlock = 512;

inline EngineConfig prefetchEngineConfig(SampleRate rate, FrameCount block, GuardLevel guard,
                                         ExecutorKind executor) {
    EngineConfig config;
    config.sampleRate = rate;
    config.maxBlockSize = block;
    config.executor = executor;
    config.workers = 2;
    config.maxWorkers = 2;
    config.pool.realtimePriority = false;
    config.prefetch.guard = guard;
    config.prefetch.blockFrames = kTestPrefetchBlock;
    return config;
}

/// Six tracks (sources, EQs, compressors, faders, sends), two buses, a reverb return, a
/// sidechain, a latent node for PDC across the boundary and a limiter, prepared for `config`.
inline ReferenceSessionConfig prefetchSessionShape(const EngineConfig& config, std::uint64_t seed) {
    ReferenceSessionConfig shape;
    shape.seed = seed;
    shape.tracks = 6;
    shape.buses = 2;
    shape.effectReturns = 1;
    shape.eqBands = 2;
    shape.latentFrames = 300;
    shape.reverbLines = 4;
    shape.prepare = {config.sampleRate, std::max(config.maxBlockSize, config.prefetch.blockFrames)};
    return shape;
}

struct PrefetchSession {
    Graph graph{GraphConfig{0, 2}};
    ReferenceSession ids;
};

inline std::unique_ptr<PrefetchSession> buildPrefetchSession(const EngineConfig& config,
                                                             std::uint64_t seed) {
    auto session = std::make_unique<PrefetchSession>();
    session->ids = buildReferenceSession(session->graph, prefetchSessionShape(config, seed));
    return session;
}

/// Automation on two faders and an EQ frequency, so that identity covers the lanes too.
inline void automatePrefetchSession(Engine& engine, const ReferenceSession& ids) {
    const auto lane = [](std::vector<Breakpoint> points) {
        return std::make_shared<const AutomationLane>(std::move(points));
    };
    engine.setAutomation(engine.parameter(ids.tracks[0].fader, "gain"),
                         lane({{0, 0.0f}, {7000, -30.0f}, {15000, 3.0f, CurveShape::linear}}));
    engine.setAutomation(engine.parameter(ids.tracks[2].fader, "pan"),
                         lane({{100, -1.0f}, {20011, 1.0f}}));
    engine.setAutomation(engine.parameter(ids.tracks[1].eq[0], "frequency"),
                         lane({{0, 200.0f}, {9000, 4000.0f}, {18000, 300.0f}}));
}

/// The first frame where two interleaved stereo renders differ byte for byte, or -1.
inline long firstDifference(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) {
        return 0;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) {
            return static_cast<long>(i / 2);
        }
    }
    return -1;
}

} // namespace fluxforge::test
