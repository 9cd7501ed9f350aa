// quick_start: the README's example, compiled. A band-limited saw through a low-pass filter,
// committed to an engine and rendered for one second in the host's own blocks; prints its level.
//
//     [saw] --> [low-pass] --> (graph output)
#include <fluxforge/fluxforge.hpp>

#include <cstdio>

int main() {
    // --- README begin ---
    using namespace fluxforge;
    Engine engine({.sampleRate = 48000.0, .maxBlockSize = 256});

    Graph graph(GraphConfig{.inputChannels = 0, .outputChannels = 2});
    auto osc =
        graph.add(std::make_shared<SawOscillator>(SawOscillatorConfig{.channels = 2}), "saw");
    auto eq = graph.add(std::make_shared<Biquad>(BiquadConfig{.type = BiquadType::lowPass}), "lpf");
    graph.connect(osc, eq);
    graph.connect(eq, graph.output());
    engine.commit(graph); // control thread: compile and hand over without a lock
    // --- README end ---

    AudioBuffer output(2, 480); // the host's blocks: 10 ms
    float loudest = 0.0f;
    for (int block = 0; block < 100; ++block) {
        engine.process({}, output.view()); // audio thread: any number of frames, never blocks
        loudest = std::max(loudest, peak(output.view()));
    }
    std::printf("rendered %lld frames, peak %.3f\n",
                static_cast<long long>(engine.framesRenderedApprox()), loudest);
    return loudest > 0.0f ? 0 : 1;
}
