// What a Lua script pays over C++ for the two things scripts do most: a parameter change, and a
// graph edit plus commit. Each benchmark iteration runs both side by side (interleaved A/B on the
// same engine): a script that does the operation N times, timed inside the script with ff.clock,
// and the same N operations from C++. Counters: lua_ns and cpp_ns per operation, ratio = lua/cpp.
//
//   build/release/bench/fluxforge_bench_control --benchmark_repetitions=5 --benchmark_format=json
#include <fluxforge/control/graph_session.hpp>
#include <fluxforge/control/script.hpp>
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/nodes/nodes.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

using namespace fluxforge;
using Clock = std::chrono::steady_clock;

EngineConfig benchConfig() {
    EngineConfig config;
    config.sampleRate = 48000.0;
    config.maxBlockSize = 128;
    config.workers = 1;
    return config;
}

// Runs `source` as a script to its end and returns the number it printed last (seconds).
double runTimedScript(GraphSession& session, const std::string& source) {
    double seconds = -1.0;
    ScriptConfig config;
    config.name = "bench.lua";
    config.source = source;
    config.commandCapacity = 1 << 16;
    config.limits.instructionsPerRun = std::uint64_t{1} << 40;
    config.print = [&](std::string_view line) {
        seconds = std::strtod(std::string(line).c_str(), nullptr);
    };
    Script script(session, std::move(config));
    script.waitUntilDone(std::chrono::seconds(60));
    if (script.state() != ScriptState::finished) {
        std::fprintf(stderr, "bench script failed: %s\n", script.error().c_str());
        std::abort();
    }
    return seconds;
}

// A small session: a tone through a gain, plus a bank of sines (so commits compile a real graph).
void buildSession(GraphSession& session) {
    session.edit([](Graph& graph) {
        auto tone = std::make_shared<SineOscillator>();
        const NodeId t = graph.add(tone, "tone");
        const NodeId mix = graph.add(std::make_shared<Mixer>(MixerConfig{16, 1}), "mix");
        graph.connect(t, mix);
        for (std::uint32_t k = 1; k < 16; ++k) {
            graph.connect(OutputPort{graph.add(std::make_shared<SineOscillator>()), 0},
                          InputPort{mix, k});
        }
        const NodeId pan = graph.add(std::make_shared<GainPan>(), "pan");
        graph.connect(mix, pan);
        graph.connect(pan, graph.output());
    });
}

void BM_ParameterChange(benchmark::State& state) {
    const auto n = static_cast<int>(state.range(0));
    Engine engine(benchConfig());
    GraphSession session(engine, GraphConfig{0, 2});
    buildSession(session);
    AudioBuffer out(2, 128);
    engine.process({}, out.view());
    const ParameterHandle handle =
        engine.parameter(session.find(*session.findNamed("tone")), "frequency");
    ControlSender sender = engine.createSender(SenderConfig{std::size_t{1} << 16});
    const std::string source = "local p = ff.find('tone'):param('frequency')\n"
                               "local t0 = ff.clock()\n"
                               "for i = 1, " +
                               std::to_string(n) +
                               " do p:set(100 + i % 1000) end\n"
                               "print(ff.clock() - t0)\n";
    double luaTotal = 0.0;
    double cppTotal = 0.0;
    for (auto _ : state) {
        const double lua = runTimedScript(session, source);
        const auto start = Clock::now();
        for (int i = 1; i <= n; ++i) {
            benchmark::DoNotOptimize(
                sender.trySetParameter(handle, static_cast<float>(100 + i % 1000)));
        }
        const double cpp = std::chrono::duration<double>(Clock::now() - start).count();
        state.SetIterationTime(lua);
        luaTotal += lua;
        cppTotal += cpp;
        state.PauseTiming();
        for (int b = 0; b < 8; ++b) {
            engine.process({}, out.view()); // drains both queues
        }
        state.ResumeTiming();
    }
    const double ops = static_cast<double>(n) * static_cast<double>(state.iterations());
    state.counters["lua_ns"] = luaTotal / ops * 1e9;
    state.counters["cpp_ns"] = cppTotal / ops * 1e9;
    state.counters["ratio"] = luaTotal / cppTotal;
}
BENCHMARK(BM_ParameterChange)->Arg(20000)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_GraphEditAndCommit(benchmark::State& state) {
    const auto n = static_cast<int>(state.range(0));
    Engine engine(benchConfig());
    GraphSession session(engine, GraphConfig{0, 2});
    buildSession(session);
    AudioBuffer out(2, 128);
    engine.process({}, out.view());
    // Both sides: add a sine, connect it to the pan, commit; remove it, commit.
    const std::string source = "local g = ff.graph()\n"
                               "local pan = g:find('pan')\n"
                               "local t0 = ff.clock()\n"
                               "for i = 1, " +
                               std::to_string(n) +
                               " do\n"
                               "  local s = g:add('sine', {name = 'extra'})\n"
                               "  g:connect(s, pan)\n"
                               "  g:commit()\n"
                               "  g:remove(s)\n"
                               "  g:commit()\n"
                               "end\n"
                               "print(ff.clock() - t0)\n";
    double luaTotal = 0.0;
    double cppTotal = 0.0;
    for (auto _ : state) {
        const double lua = runTimedScript(session, source);
        // The same from C++: a host holding its own Graph and committing to the engine.
        Graph graph = session.snapshot().graph;
        NodeId pan;
        for (NodeId id : graph.nodeIds()) {
            if (graph.name(id) == "pan") {
                pan = id;
            }
        }
        const auto start = Clock::now();
        for (int i = 0; i < n; ++i) {
            const NodeId s = graph.add(std::make_shared<SineOscillator>(), "extra");
            graph.connect(s, pan);
            engine.commit(graph);
            graph.remove(s);
            engine.commit(graph);
        }
        const double cpp = std::chrono::duration<double>(Clock::now() - start).count();
        state.SetIterationTime(lua);
        luaTotal += lua;
        cppTotal += cpp;
        state.PauseTiming();
        engine.commit(session.snapshot().graph);
        engine.process({}, out.view());
        state.ResumeTiming();
    }
    const double ops = static_cast<double>(n) * static_cast<double>(state.iterations());
    state.counters["lua_us"] = luaTotal / ops * 1e6;
    state.counters["cpp_us"] = cppTotal / ops * 1e6;
    state.counters["ratio"] = luaTotal / cppTotal;
}
BENCHMARK(BM_GraphEditAndCommit)->Arg(200)->UseManualTime()->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
