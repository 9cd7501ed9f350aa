// Built-in nodes by type name: every type constructs, settings configure it, parameters take
// their initial values, and mistakes are named.
#include <fluxforge/control/node_factory.hpp>
#include <fluxforge/core/error.hpp>

#include <gtest/gtest.h>

namespace fluxforge {
namespace {

const PrepareContext kContext{48000.0, 128};

TEST(NodeFactoryTest, EveryListedTypeConstructsWithDefaults) {
    ASSERT_FALSE(builtinNodeTypes().empty());
    for (std::string_view type : builtinNodeTypes()) {
        const std::shared_ptr<Node> node = makeBuiltinNode(type, {}, kContext);
        ASSERT_NE(node, nullptr) << type;
        EXPECT_TRUE(node->preparedFor().has_value()) << type;
        EXPECT_FALSE(node->properties().outputs.empty()) << type;
    }
}

TEST(NodeFactoryTest, ConstructionSettingsShapeThePorts) {
    const auto mixer = makeBuiltinNode("mixer", {{"inputs", 5.0}, {"channels", 1.0}}, kContext);
    EXPECT_EQ(mixer->properties().inputs.size(), 5u);
    EXPECT_EQ(mixer->properties().outputs[0].channels, 1u);
    const auto compressor = makeBuiltinNode("compressor", {{"sidechain", true}}, kContext);
    EXPECT_EQ(compressor->properties().inputs.size(), 2u);
    const auto latent = makeBuiltinNode("latency", {{"latency", 300.0}}, kContext);
    EXPECT_EQ(latent->properties().latency, 300u);
}

TEST(NodeFactoryTest, ParameterSettingsAreInitialValues) {
    const auto sine =
        makeBuiltinNode("sine", {{"frequency", 220.0}, {"amplitude", 0.25}}, kContext);
    EXPECT_FLOAT_EQ(sine->parameter(0), 220.0f);
    EXPECT_FLOAT_EQ(sine->parameter(1), 0.25f);
}

TEST(NodeFactoryTest, MistakesAreNamed) {
    auto message = [](std::string_view type, const NodeSettings& settings) {
        try {
            static_cast<void>(makeBuiltinNode(type, settings, kContext));
        } catch (const Error& error) {
            return std::string(error.what());
        }
        return std::string();
    };
    EXPECT_NE(message("theremin", {}).find("unknown node type 'theremin'"), std::string::npos);
    EXPECT_NE(message("sine", {{"colour", 1.0}}).find("'colour' is not a setting"),
              std::string::npos);
    EXPECT_NE(message("sine", {{"frequency", 90000.0}}).find("frequency"), std::string::npos);
    EXPECT_NE(message("biquad", {{"type", std::string("notch")}}).find("lowPass"),
              std::string::npos);
    EXPECT_NE(message("mixer", {{"inputs", 2.5}}).find("whole number"), std::string::npos);
    EXPECT_NE(message("compressor", {{"sidechain", 1.0}}).find("boolean"), std::string::npos);
}

} // namespace
} // namespace fluxforge
