#include <fluxforge/control/node_factory.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/nodes/nodes.hpp>

#include <array>
#include <cmath>
#include <limits>

namespace fluxforge {

namespace {

constexpr std::array<std::string_view, 13> kTypes = {
    "biquad", "compressor", "delay", "gainPan", "impulse", "latency", "limiter",
    "meter",  "mixer",      "noise", "reverb",  "saw",     "sine"};

const char* kindName(const SettingValue& value) {
    return std::holds_alternative<double>(value) ? "a number"
           : std::holds_alternative<bool>(value) ? "a boolean"
                                                 : "a string";
}

// Reads construction settings by name, remembering which it has seen, so that what is left over
// can be matched against the node's parameters and anything unknown reported.
class SettingsReader {
public:
    SettingsReader(std::string_view type, const NodeSettings& settings)
        : type_(type)
        , settings_(settings)
        , used_(settings.size(), false) {}

    double number(std::string_view key, double fallback, double low, double high) {
        known_.emplace_back(key);
        const SettingValue* value = take(key);
        if (value == nullptr) {
            return fallback;
        }
        const double* number = std::get_if<double>(value);
        if (number == nullptr) {
            fail(key, std::string("must be a number, not ") + kindName(*value));
        }
        if (!std::isfinite(*number) || *number < low || *number > high) {
            fail(key, "must be a number in " + format(low) + ".." + format(high) + ", not " +
                          format(*number));
        }
        return *number;
    }

    std::uint64_t integer(std::string_view key, std::uint64_t fallback, std::uint64_t low,
                          std::uint64_t high) {
        const double value = number(key, static_cast<double>(fallback), static_cast<double>(low),
                                    static_cast<double>(high));
        if (value != std::floor(value)) {
            fail(key, "must be a whole number, not " + format(value));
        }
        return static_cast<std::uint64_t>(value);
    }

    ChannelCount channels(ChannelCount fallback) {
        return static_cast<ChannelCount>(integer("channels", fallback, 1, 64));
    }

    // One of `words` (an enum's names); returns its index.
    template <std::size_t N>
    std::size_t word(std::string_view key, std::size_t fallback,
                     const std::array<std::string_view, N>& words) {
        known_.emplace_back(key);
        const SettingValue* value = take(key);
        if (value == nullptr) {
            return fallback;
        }
        const std::string* text = std::get_if<std::string>(value);
        std::string list;
        for (std::size_t i = 0; i < N; ++i) {
            if (text != nullptr && *text == words[i]) {
                return i;
            }
            list += (i == 0 ? "" : ", ") + std::string(words[i]);
        }
        fail(key, "must be one of " + list +
                      (text != nullptr ? ", not '" + *text + "'"
                                       : std::string(", not ") + kindName(*value)));
    }

    bool flag(std::string_view key, bool fallback) {
        known_.emplace_back(key);
        const SettingValue* value = take(key);
        if (value == nullptr) {
            return fallback;
        }
        const bool* b = std::get_if<bool>(value);
        if (b == nullptr) {
            fail(key, std::string("must be a boolean, not ") + kindName(*value));
        }
        return *b;
    }

    // The settings not read as construction settings: each must be a parameter of `node`.
    void applyParameters(Node& node) {
        const auto infos = node.parameterInfos();
        for (std::size_t i = 0; i < settings_.size(); ++i) {
            if (used_[i]) {
                continue;
            }
            const auto& [key, value] = settings_[i];
            std::size_t index = infos.size();
            for (std::size_t p = 0; p < infos.size(); ++p) {
                if (infos[p].id == key) {
                    index = p;
                }
            }
            if (index == infos.size()) {
                std::string list;
                for (const std::string& k : known_) {
                    list += (list.empty() ? "" : ", ") + k;
                }
                for (const ParameterInfo& info : infos) {
                    list += (list.empty() ? "" : ", ") + info.id;
                }
                fail(key, "is not a setting or parameter of this type (it has: " +
                              (list.empty() ? std::string("none") : list) + ")");
            }
            const double* number = std::get_if<double>(&value);
            const ParameterInfo& info = infos[index];
            if (number == nullptr || !std::isfinite(*number) || *number < info.minValue ||
                *number > info.maxValue) {
                fail(key, "must be a number in " + format(info.minValue) + ".." +
                              format(info.maxValue) +
                              (number != nullptr ? ", not " + format(*number)
                                                 : std::string(", not ") + kindName(value)));
            }
            node.setParameter(index, static_cast<float>(*number));
        }
    }

private:
    const SettingValue* take(std::string_view key) {
        const SettingValue* found = nullptr;
        for (std::size_t i = 0; i < settings_.size(); ++i) {
            if (settings_[i].first == key) {
                used_[i] = true;
                found = &settings_[i].second;
            }
        }
        return found;
    }

    static std::string format(double value) {
        std::string text = std::to_string(value);
        while (text.find('.') != std::string::npos && (text.back() == '0' || text.back() == '.')) {
            const bool dot = text.back() == '.';
            text.pop_back();
            if (dot) {
                break;
            }
        }
        return text;
    }

    [[noreturn]] void fail(std::string_view key, const std::string& what) const {
        throw Error(std::string(type_) + " setting '" + std::string(key) + "' " + what);
    }

    std::string_view type_;
    const NodeSettings& settings_;
    std::vector<bool> used_;
    std::vector<std::string> known_;
};

std::shared_ptr<Node> construct(std::string_view type, SettingsReader& read,
                                const PrepareContext& context) {
    constexpr double kMaxMs = 60000.0;
    if (type == "sine") {
        return std::make_shared<SineOscillator>(SineOscillatorConfig{read.channels(1)});
    }
    if (type == "saw") {
        return std::make_shared<SawOscillator>(SawOscillatorConfig{read.channels(1)});
    }
    if (type == "noise") {
        NoiseSourceConfig config;
        config.seed = read.integer("seed", config.seed, 0, std::uint64_t{1} << 52);
        config.channels = read.channels(config.channels);
        return std::make_shared<NoiseSource>(config);
    }
    if (type == "impulse") {
        ImpulseSourceConfig config;
        config.time = static_cast<SampleTime>(
            read.integer("time", 0, 0, static_cast<std::uint64_t>(kMaxTimelinePosition)));
        config.period = static_cast<SampleTime>(
            read.integer("period", 0, 0, static_cast<std::uint64_t>(kMaxTimelinePosition)));
        config.amplitude = static_cast<float>(read.number("amplitude", 1.0, -1.0, 1.0));
        config.channels = read.channels(config.channels);
        return std::make_shared<ImpulseSource>(config);
    }
    if (type == "gainPan") {
        GainPanConfig config;
        config.input = read.word("input", 0, std::array<std::string_view, 2>{"mono", "stereo"}) == 0
                           ? PanInput::mono
                           : PanInput::stereo;
        config.stereoMode =
            read.word("stereoMode", 0,
                      std::array<std::string_view, 2>{"balance", "constantPower"}) == 0
                ? StereoPanMode::balance
                : StereoPanMode::constantPower;
        return std::make_shared<GainPan>(config);
    }
    if (type == "mixer") {
        MixerConfig config;
        config.inputs = read.integer("inputs", config.inputs, 1, 256);
        config.channels = read.channels(config.channels);
        return std::make_shared<Mixer>(config);
    }
    if (type == "biquad") {
        constexpr std::array<std::string_view, 6> kinds = {"lowPass", "highPass", "bandPass",
                                                           "peak",    "lowShelf", "highShelf"};
        BiquadConfig config;
        config.type = static_cast<BiquadType>(read.word("type", 0, kinds));
        config.channels = read.channels(config.channels);
        return std::make_shared<Biquad>(config);
    }
    if (type == "compressor") {
        CompressorConfig config;
        config.channels = read.channels(config.channels);
        config.sidechain = read.flag("sidechain", false) ? CompressorSidechain::external
                                                         : CompressorSidechain::none;
        return std::make_shared<Compressor>(config);
    }
    if (type == "delay") {
        DelayLineConfig config;
        config.maxDelayMs = read.number("maxDelayMs", config.maxDelayMs, 1.0, kMaxMs);
        config.channels = read.channels(config.channels);
        return std::make_shared<DelayLine>(config);
    }
    if (type == "reverb") {
        FdnReverbConfig config;
        config.lines = read.integer("lines", config.lines, 1, 64);
        config.shortestLineMs = read.number("shortestLineMs", config.shortestLineMs, 1.0, 1000.0);
        config.longestLineMs = read.number("longestLineMs", config.longestLineMs, 1.0, 1000.0);
        return std::make_shared<FdnReverb>(config);
    }
    if (type == "limiter") {
        LimiterConfig config;
        config.lookAheadMs = read.number("lookAheadMs", config.lookAheadMs, 0.0, 1000.0);
        config.sampleRate = context.sampleRate;
        config.channels = read.channels(config.channels);
        return std::make_shared<Limiter>(config);
    }
    if (type == "meter") {
        return std::make_shared<Meter>(MeterConfig{read.channels(2)});
    }
    if (type == "latency") {
        LatencyTestNodeConfig config;
        const auto limit = static_cast<std::uint64_t>(context.sampleRate * 60.0);
        config.latency = static_cast<FrameCount>(read.integer("latency", 0, 0, limit));
        config.channels = read.channels(config.channels);
        // 0 or absent: the node's default (kDefaultMaxLatency, or `latency` when larger).
        if (const auto maxLatency = read.integer("maxLatency", 0, 0, limit); maxLatency != 0) {
            config.maxLatency = static_cast<FrameCount>(maxLatency);
        }
        return std::make_shared<LatencyTestNode>(config);
    }
    std::string list;
    for (std::string_view known : kTypes) {
        list += (list.empty() ? "" : ", ") + std::string(known);
    }
    throw Error("unknown node type '" + std::string(type) + "' (the built-in types: " + list + ")");
}

} // namespace

std::span<const std::string_view> builtinNodeTypes() noexcept {
    return kTypes;
}

std::shared_ptr<Node> makeBuiltinNode(std::string_view type, const NodeSettings& settings,
                                      const PrepareContext& context) {
    SettingsReader read(type, settings);
    std::shared_ptr<Node> node = construct(type, read, context);
    node->prepare(context);
    read.applyParameters(*node);
    return node;
}

} // namespace fluxforge
