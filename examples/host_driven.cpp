// host_driven: a game-style loop that owns the audio thread and calls the engine itself.
//
// Game engines (and SDL, FMOD or miniaudio callbacks) hand you a buffer of whatever size suits
// them: here 800 frames per 60 Hz video frame at 48 kHz, not a power of two, larger than the
// engine's block. Engine::process takes any frame count and splits it internally. The game's own
// thread both edits the graph (between frames) and renders, which is allowed: commit() runs on a
// control thread, process() on an audio thread, and one thread may play both roles in turn.
//
//     [engine hum] ----------------------+
//                                        +--> (graph output)
//     [explosion: noise, added at frame 30, removed at frame 90]
#include <fluxforge/fluxforge.hpp>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

namespace {

using namespace fluxforge;

class Hum final : public Node {
protected:
    NodeProperties describe() const override {
        NodeProperties props;
        props.outputs.push_back({"out", 2});
        return props;
    }
    void onPrepare(const PrepareContext& context) override { step_ = 55.0 / context.sampleRate; }
    void onProcess(const ProcessContext& context) noexcept override {
        for (FrameCount i = 0; i < context.numFrames; ++i) {
            const auto s = static_cast<float>(0.1 * std::sin(2.0 * std::numbers::pi * phase_));
            context.outputs[0].channel(0)[i] = s;
            context.outputs[0].channel(1)[i] = s;
            phase_ += step_;
            phase_ -= std::floor(phase_);
        }
    }

private:
    double step_ = 0.0;
    double phase_ = 0.0;
};

class Explosion final : public Node {
protected:
    NodeProperties describe() const override {
        NodeProperties props;
        props.outputs.push_back({"out", 2});
        return props;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        for (FrameCount i = 0; i < context.numFrames; ++i) {
            const float s = 0.5f * noise_(rng_) * envelope_;
            envelope_ *= 0.9999f;
            context.outputs[0].channel(0)[i] = s;
            context.outputs[0].channel(1)[i] = s;
        }
    }

private:
    std::minstd_rand rng_{42};
    std::uniform_real_distribution<float> noise_{-1.0f, 1.0f};
    float envelope_ = 1.0f;
};

} // namespace

int main() {
    constexpr double kSampleRate = 48000.0;
    constexpr FrameCount kFramesPerVideoFrame = 800; // 48000 / 60
    Engine engine({kSampleRate, 256});

    Graph graph(GraphConfig{0, 2});
    graph.connect(graph.add(std::make_shared<Hum>(), "hum"), graph.output());
    engine.commit(graph);

    AudioBuffer mixBuffer(2, kFramesPerVideoFrame); // the game's own buffer
    NodeId explosion;
    for (int frame = 0; frame < 120; ++frame) {
        // Game logic on the game thread: spawn and despawn a sound by editing the graph.
        if (frame == 30) {
            explosion = graph.add(std::make_shared<Explosion>(), "explosion");
            graph.connect(explosion, graph.output());
            engine.commit(graph);
        }
        if (frame == 90) {
            graph.remove(explosion);
            engine.commit(graph);
        }
        // Audio for this video frame; a real game would now hand mixBuffer to its audio API.
        engine.process({}, mixBuffer.view());
        if (frame % 15 == 0) {
            std::printf("video frame %3d: peak %.3f\n", frame, peak(mixBuffer.view()));
        }
    }
    std::printf("rendered %lld frames in %lld-frame host blocks\n",
                static_cast<long long>(engine.framesRenderedApprox()),
                static_cast<long long>(kFramesPerVideoFrame));
    return 0;
}
