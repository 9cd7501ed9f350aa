// Parameters as a node declares them (ParameterInfo checked at once, with a named error) and as a
// user sets them directly (before the first prepare too, rejected out of range, like the engine's
// commands).
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/nodes/nodes.hpp>

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>
#include <utility>

namespace fluxforge {
namespace {

template <typename Fn>
std::string errorOf(Fn&& statement) {
    try {
        statement();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

bool contains(const std::string& text, const std::string& fragment) {
    return text.find(fragment) != std::string::npos;
}

// Outputs its one parameter's value on every frame.
class ParameterSource final : public Node {
public:
    explicit ParameterSource(ParameterInfo info)
        : info_(std::move(info)) {}

protected:
    NodeProperties describe() const override {
        NodeProperties properties;
        properties.outputs.push_back({"out", 1});
        properties.parameters.push_back(info_);
        return properties;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        for (FrameCount i = 0; i < context.numFrames; ++i) {
            context.outputs[0].channel(0)[i] = context.parameter(0).at(i);
        }
    }

private:
    ParameterInfo info_;
};

ParameterInfo gainInfo(float minValue, float maxValue, float defaultValue) {
    return {"gain", "Gain", minValue, maxValue, defaultValue, "", Automatable::yes};
}

TEST(ParameterDeclarationTest, ARangeWithMinAboveMaxIsRefusedNamingNodeAndParameter) {
    Graph graph;
    const std::string message = errorOf(
        [&] { graph.add(std::make_shared<ParameterSource>(gainInfo(2.0f, 1.0f, 1.5f)), "amp"); });
    EXPECT_TRUE(contains(message, "parameter 0 ('gain') of node 'amp' (#3)")) << message;
    EXPECT_TRUE(contains(message, "minValue is above maxValue (2..1)")) << message;
    EXPECT_EQ(graph.nodeCount(), 2u);
}

TEST(ParameterDeclarationTest, ADefaultOutsideTheRangeIsRefused) {
    Graph graph;
    const std::string message = errorOf(
        [&] { graph.add(std::make_shared<ParameterSource>(gainInfo(0.0f, 1.0f, 3.0f)), "amp"); });
    EXPECT_TRUE(contains(message, "the default 3 lies outside its range 0..1")) << message;
}

TEST(ParameterDeclarationTest, NonFiniteBoundsAndDuplicateIdsAreRefused) {
    Graph graph;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    EXPECT_TRUE(contains(
        errorOf([&] { graph.add(std::make_shared<ParameterSource>(gainInfo(nan, 1.0f, 0.0f))); }),
        "must be finite"));

    class Twice final : public Node {
        NodeProperties describe() const override {
            NodeProperties properties;
            properties.parameters.push_back(gainInfo(0.0f, 1.0f, 0.0f));
            properties.parameters.push_back(gainInfo(0.0f, 1.0f, 0.0f));
            return properties;
        }
        void onProcess(const ProcessContext&) noexcept override {}
    };
    EXPECT_TRUE(contains(errorOf([&] { graph.add(std::make_shared<Twice>(), "twice"); }),
                         "parameter 1 ('gain') of node 'twice' (#3) is declared wrongly: "
                         "parameter 0 has the same id"));
}

TEST(ParameterDeclarationTest, PrepareChecksTheDeclarationToo) {
    ParameterSource node(gainInfo(2.0f, 1.0f, 1.5f));
    EXPECT_TRUE(contains(errorOf([&] { node.prepare({48000.0, 64}); }), "minValue is above"));
    EXPECT_FALSE(node.preparedFor().has_value());
}

TEST(ParameterDeclarationTest, ValuesSetBeforeTheFirstPrepareAreKeptAndRendered) {
    Graph graph(GraphConfig{0, 1});
    auto node = std::make_shared<ParameterSource>(gainInfo(0.0f, 1.0f, 0.25f));
    EXPECT_EQ(node->parameter(0), 0.25f); // the default, before anything
    node->setParameter(0, 0.75f);         // before the node was ever prepared
    EXPECT_EQ(node->parameter(0), 0.75f);
    ASSERT_EQ(node->parameterInfos().size(), 1u);
    const NodeId id = graph.add(node);
    graph.connect(id, graph.output());
    const auto plan = compile(graph, {48000.0, 64});
    EXPECT_EQ(node->parameter(0), 0.75f);
    const auto values = node->updateParameters(64);
    EXPECT_EQ(values[0].constant(), 0.75f);
}

TEST(ParameterDeclarationTest, BuiltInNodesTakeInitialValuesBeforePrepare) {
    Biquad eq;
    eq.setParameter(Biquad::kFrequency, 440.0f);
    eq.prepare({48000.0, 128});
    EXPECT_EQ(eq.parameter(Biquad::kFrequency), 440.0f);
}

TEST(ParameterDeclarationTest, OutOfRangeValuesAreRejectedNotClampedLikeTheEnginesCommands) {
    ParameterSource node(gainInfo(0.0f, 1.0f, 0.25f));
    node.prepare({48000.0, 64});
    node.setParameter(0, 0.5f);
    const std::string message = errorOf([&] { node.setParameter(0, 2.0f); });
    EXPECT_TRUE(contains(message, "parameter 'gain': 2 lies outside its range 0..1")) << message;
    EXPECT_EQ(node.parameter(0), 0.5f); // unchanged
    EXPECT_TRUE(contains(errorOf([&] { node.setParameter(0, -0.1f); }), "outside its range"));
    EXPECT_TRUE(
        contains(errorOf([&] { node.setParameter(0, std::numeric_limits<float>::infinity()); }),
                 "is not a finite number"));
    // The bounds themselves are in range.
    node.setParameter(0, 1.0f);
    node.setParameter(0, 0.0f);
    EXPECT_EQ(node.parameter(0), 0.0f);
}

TEST(ParameterDeclarationTest, UnknownIndexBeforePrepareNamesTheCount) {
    ParameterSource node(gainInfo(0.0f, 1.0f, 0.25f));
    const std::string message = errorOf([&] { node.setParameter(3, 0.5f); });
    EXPECT_TRUE(contains(message, "the node has 1 parameter(s)")) << message;
}

} // namespace
} // namespace fluxforge
