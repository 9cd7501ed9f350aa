// Sizes a user passes in (channels, ports, parameters, latencies): each is bounded, and going past
// the bound throws a fluxforge::Error naming what was wrong, before anything is allocated for it
// (never a bare std::bad_alloc).
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/nodes/nodes.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <new>
#include <string>
#include <utility>

namespace fluxforge {
namespace {

constexpr ChannelCount kMillions = 3'000'000;

// What a statement threw, in words: an Error's message, or a marker for anything else.
std::string errorOf(const std::function<void()>& statement) {
    try {
        statement();
    } catch (const Error& e) {
        return e.what();
    } catch (const std::bad_alloc&) {
        return "(a bare std::bad_alloc)";
    } catch (const std::exception& e) {
        return std::string("(not a fluxforge::Error: ") + e.what() + ")";
    }
    return "(no error)";
}

bool contains(const std::string& text, const std::string& fragment) {
    return text.find(fragment) != std::string::npos;
}

// A node that says whatever it is told to about itself.
class DeclaredNode final : public Node {
public:
    explicit DeclaredNode(NodeProperties properties)
        : properties_(std::move(properties)) {}

    void setLatency(FrameCount latency) {
        properties_.latency = latency;
        notifyPropertiesChanged();
    }

protected:
    NodeProperties describe() const override { return properties_; }
    void onProcess(const ProcessContext& context) noexcept override {
        for (const BufferView& out : context.outputs) {
            clear(out);
        }
    }

private:
    NodeProperties properties_;
};

std::shared_ptr<DeclaredNode> nodeWithOutput(ChannelCount channels) {
    NodeProperties properties;
    properties.outputs.push_back({"out", channels});
    return std::make_shared<DeclaredNode>(properties);
}

TEST(SizeLimitsTest, GraphEndpointsWithMillionsOfChannelsAreRefusedByName) {
    const std::string outputs = errorOf([] { Graph graph(GraphConfig{0, kMillions}); });
    EXPECT_TRUE(contains(outputs, "outputChannels 3000000")) << outputs;
    EXPECT_TRUE(contains(outputs, std::to_string(kMaxPortChannels))) << outputs;
    const std::string inputs = errorOf([] { Graph graph(GraphConfig{kMillions, 2}); });
    EXPECT_TRUE(contains(inputs, "inputChannels 3000000")) << inputs;
    // At the limit it works.
    EXPECT_EQ(errorOf([] {
                  Graph graph(GraphConfig{kMaxPortChannels, kMaxPortChannels});
              }),
              "(no error)");
}

TEST(SizeLimitsTest, APortWithMillionsOfChannelsIsRefusedWhenAddedNamingNodeAndPort) {
    Graph graph;
    const std::string message = errorOf([&] { graph.add(nodeWithOutput(kMillions), "wide"); });
    EXPECT_TRUE(contains(message, "'wide' (#3)")) << message;
    EXPECT_TRUE(contains(message, "output port 0 ('out') has 3000000 channels")) << message;
    EXPECT_EQ(graph.nodeCount(), 2u); // nothing added
}

TEST(SizeLimitsTest, PortsChannelsTogetherAndParametersAreBoundedPerNode) {
    Graph graph;
    NodeProperties manyPorts;
    manyPorts.inputs.assign(kMaxPorts + 1, PortInfo{"in", 1});
    EXPECT_TRUE(contains(errorOf([&] { graph.add(std::make_shared<DeclaredNode>(manyPorts)); }),
                         "1025 input ports"));
    NodeProperties wideTogether;
    wideTogether.outputs.assign(kMaxNodeChannels / kMaxPortChannels + 1,
                                PortInfo{"out", kMaxPortChannels});
    EXPECT_TRUE(contains(errorOf([&] { graph.add(std::make_shared<DeclaredNode>(wideTogether)); }),
                         "channels together"));
    NodeProperties manyParameters;
    for (std::size_t i = 0; i <= kMaxParameters; ++i) {
        manyParameters.parameters.push_back(
            {"p" + std::to_string(i), "P", 0.0f, 1.0f, 0.0f, "", Automatable::yes});
    }
    EXPECT_TRUE(
        contains(errorOf([&] { graph.add(std::make_shared<DeclaredNode>(manyParameters)); }),
                 "1025 parameters"));
    EXPECT_EQ(graph.nodeCount(), 2u);
}

TEST(SizeLimitsTest, PreparingAHugeNodeByHandIsRefusedToo) {
    const auto node = nodeWithOutput(kMillions);
    const std::string message = errorOf([&] { node->prepare({48000.0, 512}); });
    EXPECT_TRUE(contains(message, "3000000 channels")) << message;
    EXPECT_FALSE(node->preparedFor().has_value());
}

TEST(SizeLimitsTest, BuiltInNodesWithMillionsOfChannelsNameTheProblem) {
    const std::vector<std::pair<const char*, std::function<std::shared_ptr<Node>()>>> makers = {
        {"SineOscillator",
         [] { return std::make_shared<SineOscillator>(SineOscillatorConfig{kMillions}); }},
        {"SawOscillator",
         [] { return std::make_shared<SawOscillator>(SawOscillatorConfig{kMillions}); }},
        {"Mixer channels",
         [] { return std::make_shared<Mixer>(MixerConfig{.inputs = 2, .channels = kMillions}); }},
        {"Mixer inputs",
         [] { return std::make_shared<Mixer>(MixerConfig{.inputs = kMillions, .channels = 1}); }},
        {"DelayLine",
         [] { return std::make_shared<DelayLine>(DelayLineConfig{.channels = kMillions}); }},
        {"Biquad", [] { return std::make_shared<Biquad>(BiquadConfig{.channels = kMillions}); }},
        {"Meter", [] { return std::make_shared<Meter>(MeterConfig{.channels = kMillions}); }},
        {"LatencyTestNode",
         [] {
             return std::make_shared<LatencyTestNode>(LatencyTestNodeConfig{.channels = kMillions});
         }},
    };
    for (const auto& maker : makers) {
        // Not a structured binding: clang 14 cannot capture one in the lambda below.
        const auto& what = maker.first;
        Graph graph;
        const std::string message = errorOf([&] {
            graph.add(maker.second(), "huge");
            static_cast<void>(compile(graph, {48000.0, 512}));
        });
        EXPECT_TRUE(contains(message, "3000000")) << what << ": " << message;
    }
}

TEST(SizeLimitsTest, ADelayLineOfADayIsRefusedAtConstruction) {
    const std::string message =
        errorOf([] { DelayLine node(DelayLineConfig{.maxDelayMs = 86'400'000.0, .channels = 2}); });
    EXPECT_TRUE(contains(message, "maxDelayMs must lie in (0, 60000")) << message;
}

// Sanitizers abort on an allocation they cannot serve instead of throwing std::bad_alloc.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

TEST(SizeLimitsTest, AnAudioBufferTooLargeForMemoryNamesItsSize) {
    if (kSanitized) {
        GTEST_SKIP() << "a sanitizer's allocator aborts on a 16 TiB request instead of throwing";
    }
    const std::string message =
        errorOf([] { AudioBuffer buffer(kMaxPortChannels, FrameCount{1} << 31); });
    EXPECT_TRUE(contains(message, "AudioBuffer: 1024 channels x 2147483648 frames")) << message;
}

TEST(SizeLimitsTest, AnAudioBufferWhosePaddedLengthWouldWrapIsRefused) {
    // Padding ~0 frames to whole cache lines used to wrap around to an empty buffer.
    const std::string message = errorOf([] { AudioBuffer buffer(1, ~FrameCount{0}); });
    EXPECT_TRUE(contains(message, "AudioBuffer: 4294967295 frames is above the maximum"))
        << message;
}

TEST(SizeLimitsTest, ALatencyTestNodeOfTwoToTheThirtyOneFramesIsRefused) {
    const std::string message = errorOf(
        [] { LatencyTestNode node(LatencyTestNodeConfig{.latency = FrameCount{1} << 31}); });
    EXPECT_TRUE(contains(message, "latency 2147483648")) << message;
    EXPECT_TRUE(contains(message, "kMaxLatency")) << message;
    const std::string maxMessage = errorOf(
        [] { LatencyTestNode node(LatencyTestNodeConfig{.maxLatency = FrameCount{1} << 31}); });
    EXPECT_TRUE(contains(maxMessage, "maxLatency 2147483648")) << maxMessage;
}

TEST(SizeLimitsTest, ANodeReportingALatencyAboveTheMaximumIsRefusedByName) {
    NodeProperties properties;
    properties.inputs.push_back({"in", 1});
    properties.outputs.push_back({"out", 1});
    properties.latency = FrameCount{1} << 31;
    Graph graph;
    const std::string message =
        errorOf([&] { graph.add(std::make_shared<DeclaredNode>(properties), "late"); });
    EXPECT_TRUE(contains(message, "'late' (#3) reports a latency of 2147483648")) << message;
}

std::shared_ptr<DeclaredNode> latentNode(FrameCount latency) {
    NodeProperties properties;
    properties.inputs.push_back({"in", 1});
    properties.outputs.push_back({"out", 1});
    properties.latency = latency;
    return std::make_shared<DeclaredNode>(properties);
}

TEST(SizeLimitsTest, PathLatenciesAboveTheMaximumAreRefusedNamingThePath) {
    // Each node is within the bound; their sum along the path is not.
    const FrameCount half = kMaxLatency / 2 + 1;
    Graph graph(GraphConfig{1, 1});
    const NodeId a = graph.add(latentNode(half), "a");
    const NodeId quiet = graph.add(latentNode(0), "quiet");
    const NodeId b = graph.add(latentNode(half), "b");
    graph.connect(graph.input(), a);
    graph.connect(a, quiet);
    graph.connect(quiet, b);
    graph.connect(b, graph.output());
    const std::string message = errorOf([&] { static_cast<void>(compile(graph, {48000.0, 64})); });
    EXPECT_TRUE(contains(message, "path latency of 'b' (#5) is 4194306 frames, above the maximum "
                                  "of 4194304 (kMaxLatency)"))
        << message;
    EXPECT_TRUE(contains(message, "'a' (#3, 2097153 frames) -> 'b' (#5, 2097153 frames)"))
        << message;
    // One less frame fits exactly.
    Graph fits(GraphConfig{1, 1});
    const NodeId c = fits.add(latentNode(half), "c");
    const NodeId d = fits.add(latentNode(half - 2), "d");
    fits.connect(fits.input(), c);
    fits.connect(c, d);
    fits.connect(d, fits.output());
    EXPECT_EQ(compile(fits, {48000.0, 64})->outputLatency(), kMaxLatency);
}

TEST(SizeLimitsTest, TwoNodesOfTwoToTheThirtyOneNeverReadZero) {
    // The case: each reports 2^31 frames; the sum used to wrap to 0.
    Graph graph(GraphConfig{1, 1});
    EXPECT_TRUE(contains(errorOf([&] { graph.add(latentNode(FrameCount{1} << 31), "first"); }),
                         "latency of 2147483648"));
}

TEST(SizeLimitsTest, ALatencyThatGrowsPastTheMaximumAfterBeingAddedIsRefusedByCompile) {
    Graph graph(GraphConfig{1, 1});
    const auto node = latentNode(100);
    const NodeId id = graph.add(node, "grows");
    graph.connect(graph.input(), id);
    graph.connect(id, graph.output());
    node->setLatency(kMaxLatency + 1);
    const std::string message = errorOf([&] { static_cast<void>(compile(graph, {48000.0, 64})); });
    EXPECT_TRUE(contains(message, "'grows' (#3) reports a latency of 4194305")) << message;
}

TEST(SizeLimitsTest, AFailingPrepareIsNamedByTheCompiler) {
    class Refuses final : public Node {
        NodeProperties describe() const override {
            NodeProperties properties;
            properties.outputs.push_back({"out", 1});
            return properties;
        }
        void onPrepare(const PrepareContext&) override { throw Error("no room for it"); }
        void onProcess(const ProcessContext&) noexcept override {}
    };
    Graph graph(GraphConfig{0, 1});
    graph.connect(graph.add(std::make_shared<Refuses>(), "picky"), graph.output());
    const std::string message = errorOf([&] { static_cast<void>(compile(graph, {48000.0, 64})); });
    EXPECT_EQ(message, "preparing node 'picky' (#3): no room for it");
}

TEST(SizeLimitsTest, CostEstimatesMustBeFiniteAndNotNegative) {
    NodeProperties properties;
    properties.estimatedCostPerFrame = -1.0;
    Graph graph;
    EXPECT_TRUE(contains(errorOf([&] { graph.add(std::make_shared<DeclaredNode>(properties)); }),
                         "estimates its cost as -1"));
}

} // namespace
} // namespace fluxforge
