// custom_node: writing a node of your own.
//
// A node declares its ports and parameters in describe() and renders a block in onProcess();
// that is all a simple effect needs. This one is a tremolo: it multiplies its stereo input by a
// slow sine LFO. The example builds a graph around it, renders two seconds offline through the
// engine, and prints the level of each quarter second, which rises and falls with the LFO.
//
//     [saw oscillator] --> [tremolo] --> (graph output)
#include <fluxforge/fluxforge.hpp>

#include <cmath>
#include <cstdio>
#include <numbers>

namespace {

using namespace fluxforge;

// A stereo source: a naive sawtooth (fine for a demonstration; the built-in SawOscillator is
// band-limited).
class SimpleSaw final : public Node {
public:
    explicit SimpleSaw(double frequency)
        : frequency_(frequency) {}

protected:
    NodeProperties describe() const override {
        NodeProperties props;
        props.outputs.push_back({"out", 2});
        return props;
    }
    void onPrepare(const PrepareContext& context) override {
        increment_ = frequency_ / context.sampleRate;
        phase_ = 0.0;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        for (FrameCount i = 0; i < context.numFrames; ++i) {
            const auto sample = static_cast<float>(2.0 * phase_ - 1.0);
            context.outputs[0].channel(0)[i] = sample;
            context.outputs[0].channel(1)[i] = sample;
            phase_ += increment_;
            phase_ -= std::floor(phase_);
        }
    }

private:
    double frequency_;
    double increment_ = 0.0; // set at prepare
    double phase_ = 0.0;     // audio thread
};

// The custom node: stereo in, stereo out, two parameters.
class Tremolo final : public Node {
public:
    enum Parameter : std::size_t { kRate, kDepth };

protected:
    NodeProperties describe() const override {
        NodeProperties props;
        props.inputs.push_back({"in", 2});
        props.outputs.push_back({"out", 2});
        props.parameters.push_back({"rate", "Rate", 0.1f, 20.0f, 2.0f, "Hz"});
        props.parameters.push_back({"depth", "Depth", 0.0f, 1.0f, 0.8f, ""});
        return props;
    }
    void onPrepare(const PrepareContext& context) override {
        sampleRate_ = context.sampleRate;
        phase_ = 0.0;
    }
    void onReset() noexcept override { phase_ = 0.0; }
    void onProcess(const ProcessContext& context) noexcept override {
        const ParameterValues& rate = context.parameter(kRate);
        const ParameterValues& depth = context.parameter(kDepth);
        for (FrameCount i = 0; i < context.numFrames; ++i) {
            // Parameters may move within a block (automation): read them per frame.
            const double lfo = 0.5 + 0.5 * std::sin(2.0 * std::numbers::pi * phase_);
            const auto gain = static_cast<float>(1.0 - depth.at(i) * lfo);
            for (ChannelCount c = 0; c < 2; ++c) {
                context.outputs[0].channel(c)[i] = context.inputs[0].channel(c)[i] * gain;
            }
            phase_ += rate.at(i) / sampleRate_;
            phase_ -= std::floor(phase_);
        }
    }

private:
    double sampleRate_ = 48000.0; // set at prepare
    double phase_ = 0.0;          // audio thread
};

} // namespace

int main() {
    constexpr double kSampleRate = 48000.0;
    Engine engine({kSampleRate, 256});

    Graph graph(GraphConfig{0, 2});
    const NodeId saw = graph.add(std::make_shared<SimpleSaw>(220.0), "saw");
    auto tremolo = std::make_shared<Tremolo>();
    const NodeId trem = graph.add(tremolo, "tremolo");
    graph.connect(saw, trem);
    graph.connect(trem, graph.output());
    engine.commit(graph); // compiles and prepares the nodes

    tremolo->setParameter(Tremolo::kRate, 1.0f); // one cycle per second
    tremolo->setParameter(Tremolo::kDepth, 1.0f);

    AudioBuffer block(2, 12000); // a quarter second
    std::printf("level of each quarter second (tremolo at 1 Hz, full depth):\n");
    for (int quarter = 0; quarter < 8; ++quarter) {
        engine.process({}, block.view());
        const float level = kernels::rms(block.channel(0), block.numFrames());
        std::printf("  %4.2f s  rms %.3f  %s\n", quarter * 0.25, level,
                    std::string(static_cast<std::size_t>(level * 60.0f), '#').c_str());
    }
    return 0;
}
