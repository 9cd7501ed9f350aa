#include <fluxforge/core/cycle_clock.hpp>
#include <fluxforge/nodes/biquad.hpp>
#include <fluxforge/nodes/compressor.hpp>
#include <fluxforge/nodes/fdn_reverb.hpp>
#include <fluxforge/nodes/gain_pan.hpp>
#include <fluxforge/nodes/limiter.hpp>
#include <fluxforge/nodes/noise_source.hpp>
#include <fluxforge/research/cost_model.hpp>

namespace fluxforge {

std::string_view costKindName(CostKind kind) noexcept {
    switch (kind) {
    case CostKind::trivial:
        return "trivial";
    case CostKind::fixed:
        return "fixed";
    case CostKind::uniform:
        return "uniform";
    case CostKind::normal:
        return "normal";
    case CostKind::lognormal:
        return "lognormal";
    case CostKind::builtin:
        return "builtin";
    }
    return "unknown";
}

CostKind parseCostKind(std::string_view name) {
    for (CostKind kind : {CostKind::trivial, CostKind::fixed, CostKind::uniform, CostKind::normal,
                          CostKind::lognormal, CostKind::builtin}) {
        if (costKindName(kind) == name) {
            return kind;
        }
    }
    throw Error("unknown cost model '" + std::string(name) +
                "' (trivial, fixed, uniform, normal, lognormal or builtin)");
}

double drawCost(const CostModel& model, ResearchRandom& random) noexcept {
    switch (model.kind) {
    case CostKind::trivial:
    case CostKind::builtin:
        return 0.0;
    case CostKind::fixed:
        return model.a;
    case CostKind::uniform:
        return model.a + (model.b - model.a) * random.unit();
    case CostKind::normal:
        return std::max(0.0, model.a + model.b * random.gaussian());
    case CostKind::lognormal:
        return model.a * std::exp(model.b * random.gaussian());
    }
    return 0.0;
}

double expectedCost(const CostModel& model) noexcept {
    switch (model.kind) {
    case CostKind::trivial:
    case CostKind::builtin:
        return 0.0;
    case CostKind::fixed:
    case CostKind::normal: // the clamp at 0 is ignored: a mean that small is not a useful model
        return model.a;
    case CostKind::uniform:
        return 0.5 * (model.a + model.b);
    case CostKind::lognormal:
        return model.a * std::exp(0.5 * model.b * model.b);
    }
    return 0.0;
}

CostNode::CostNode(const Config& config)
    : config_(config) {
    ResearchRandom random(config.seed);
    fixedCost_ = drawCost(config.cost, random);
}

double CostNode::costOfBlock(SampleTime blockStart, FrameCount numFrames) const noexcept {
    if (!config_.cost.redrawEachBlock) {
        return fixedCost_;
    }
    const auto index = static_cast<std::uint64_t>(blockStart / std::max<FrameCount>(1, numFrames));
    ResearchRandom random(config_.seed ^ (0xD1B54A32D192ED03ull * (index + 1)));
    return drawCost(config_.cost, random);
}

NodeProperties CostNode::describe() const {
    NodeProperties p;
    for (std::uint32_t i = 0; i < config_.inputs; ++i) {
        p.inputs.push_back({"in" + std::to_string(i), config_.channels});
    }
    p.outputs.push_back({"out", config_.channels});
    p.latency = config_.latency;
    // Trivial nodes still cost a few ns; 1 keeps their ranks ordered by path length.
    const double expected =
        config_.cost.kind == CostKind::trivial ? 1.0 : expectedCost(config_.cost);
    p.estimatedCostPerFrame = std::max(expected, 1.0) / static_cast<double>(config_.maxBlock);
    return p;
}

void CostNode::onPrepare(const PrepareContext&) {
    ticksPerNanosecond_ = CycleClock::ticksPerNanosecond();
}

void CostNode::onProcess(const ProcessContext& context) noexcept {
    if (config_.cost.kind != CostKind::trivial) {
        const double cost = costOfBlock(context.blockStart, context.numFrames);
        const std::uint64_t until =
            CycleClock::now() + static_cast<std::uint64_t>(cost * ticksPerNanosecond_);
        while (CycleClock::now() < until) {
        }
    }
    float sum = 1.0f;
    for (const ConstBufferView& in : context.inputs) {
        sum += in.channel(0)[0];
    }
    for (ChannelCount c = 0; c < config_.channels; ++c) {
        context.outputs[0].channel(c)[0] = sum * 0.5f;
    }
}

std::shared_ptr<Node> makeBuiltinNode(std::string_view type, ChannelCount channels,
                                      std::uint64_t seed) {
    ResearchRandom random(seed);
    if (type == "biquad") {
        auto node = std::make_shared<Biquad>(BiquadConfig{BiquadType::peak, channels});
        node->prepare({});
        node->setParameter(0, static_cast<float>(200.0 + 4000.0 * random.unit()));
        node->setParameter(2, static_cast<float>(-6.0 + 12.0 * random.unit()));
        return node;
    }
    if (type == "compressor") {
        return std::make_shared<Compressor>(CompressorConfig{channels, CompressorSidechain::none});
    }
    if (type == "gain-pan") {
        return std::make_shared<GainPan>(
            GainPanConfig{channels == 1 ? PanInput::mono : PanInput::stereo});
    }
    if (type == "limiter") {
        LimiterConfig config;
        config.lookAheadFrames = 64;
        config.channels = channels;
        return std::make_shared<Limiter>(config);
    }
    if (type == "fdn-reverb") {
        return std::make_shared<FdnReverb>(FdnReverbConfig{});
    }
    if (type == "noise") {
        return std::make_shared<NoiseSource>(NoiseSourceConfig{seed, channels});
    }
    throw Error("unknown built-in node type '" + std::string(type) +
                "' (biquad, compressor, gain-pan, limiter, fdn-reverb or noise)");
}

} // namespace fluxforge
