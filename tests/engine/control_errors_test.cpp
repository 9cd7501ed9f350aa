// Bad input to the control plane: every case gives a clear error (an exception naming the problem,
// or a CommandStatus) and changes nothing: the engine keeps rendering what it rendered before.
#include "engine/control_test_support.hpp"

#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

namespace fluxforge {
namespace {

using test::expectOk;
using test::ParameterProbe;
using test::Renderer;

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// An engine with one probe: "value" (-1..1, automatable) and "locked" (0..10, not automatable).
class ControlErrorsTest : public ::testing::Test {
protected:
    void SetUp() override {
        engine_ = std::make_unique<Engine>(test::engineConfig(48000.0, 128, 0.0));
        probe_ = std::make_shared<ParameterProbe>(std::vector<ParameterInfo>{
            {"value", "Value", -1.0f, 1.0f, 0.5f, "", Automatable::yes},
            {"locked", "Locked", 0.0f, 10.0f, 2.0f, "", Automatable::no}});
        graph_ = std::make_unique<Graph>(GraphConfig{0, 2});
        id_ = graph_->add(probe_, "probe");
        graph_->connect(id_, graph_->output());
        engine_->commit(*graph_);
        value_ = engine_->parameter(id_, "value");
        locked_ = engine_->parameter(id_, "locked");
        sender_ = engine_->createSender();
        renderer_ = std::make_unique<Renderer>(*engine_, 2, test::Partition{128, 0});
    }

    // Renders a block and checks both parameters still have the values they had.
    void expectUnchanged(float value = 0.5f, float locked = 2.0f) {
        renderer_->render(128);
        EXPECT_EQ(renderer_->channel(0).back(), value);
        EXPECT_EQ(renderer_->channel(1).back(), locked);
    }

    static void expectMessage(const std::function<void()>& action, const std::string& mentions) {
        try {
            action();
            ADD_FAILURE() << "no error (expected one mentioning '" << mentions << "')";
        } catch (const Error& error) {
            EXPECT_NE(std::string(error.what()).find(mentions), std::string::npos)
                << "message: " << error.what();
        }
    }

    std::unique_ptr<Engine> engine_;
    std::shared_ptr<ParameterProbe> probe_;
    std::unique_ptr<Graph> graph_;
    NodeId id_;
    ParameterHandle value_;
    ParameterHandle locked_;
    ControlSender sender_;
    std::unique_ptr<Renderer> renderer_;
};

TEST_F(ControlErrorsTest, UnknownNodeIdIsAnError) {
    expectMessage([&] { (void)engine_->parameter(NodeId{999}, "value"); }, "unknown node #999");
    expectMessage([&] { (void)engine_->parameter(NodeId{0}, std::size_t{0}); }, "unknown node #0");
}

TEST_F(ControlErrorsTest, UnknownParameterIdIsAnErrorListingTheParameters) {
    expectMessage([&] { (void)engine_->parameter(id_, "vaule"); }, "has no parameter 'vaule'");
    expectMessage([&] { (void)engine_->parameter(id_, "vaule"); }, "'value', 'locked'");
    expectMessage([&] { (void)engine_->parameter(id_, std::size_t{2}); }, "has no parameter 2");
    expectMessage([&] { (void)engine_->parameter(graph_->output(), "gain"); },
                  "it has no parameters");
}

TEST_F(ControlErrorsTest, NaNAndInfiniteValuesAreRejected) {
    EXPECT_EQ(sender_.trySetParameter(value_, std::nanf("")), CommandStatus::notFinite);
    EXPECT_EQ(sender_.trySetParameter(value_, kInfinity), CommandStatus::notFinite);
    EXPECT_EQ(sender_.trySetParameterAt(value_, -kInfinity, 10), CommandStatus::notFinite);
    EXPECT_EQ(sender_.sentCount(), 0u);
    expectUnchanged();
    expectMessage([&] { probe_->setParameter(0, std::nanf("")); }, "not a finite number");
    expectUnchanged();
}

TEST_F(ControlErrorsTest, OutOfRangeValuesAreRejectedNotClamped) {
    EXPECT_EQ(sender_.trySetParameter(value_, 1.0001f), CommandStatus::outOfRange);
    EXPECT_EQ(sender_.trySetParameter(value_, -2.0f), CommandStatus::outOfRange);
    EXPECT_EQ(sender_.trySetParameterAt(locked_, 11.0f, 0), CommandStatus::outOfRange);
    expectOk(sender_.trySetParameter(value_, 1.0f)); // the range is inclusive
    expectUnchanged(1.0f);
    EXPECT_EQ(sender_.sentCount(), 1u);
}

TEST_F(ControlErrorsTest, NodeSetParameterRejectsOutOfRangeValuesLikeTheSender) {
    // One policy for one action: the direct path refuses what the sender refuses.
    EXPECT_EQ(sender_.trySetParameter(value_, 1.5f), CommandStatus::outOfRange);
    expectMessage([&] { probe_->setParameter(0, 1.5f); }, "1.5 lies outside its range -1..1");
    expectUnchanged();
}

TEST_F(ControlErrorsTest, BadTimesRampsPositionsAndLoopsAreRejected) {
    EXPECT_EQ(sender_.trySetParameterAt(value_, 0.0f, -1), CommandStatus::invalidTime);
    EXPECT_EQ(sender_.trySetParameterAt(value_, 0.0f, kMaxTimelinePosition + 1),
              CommandStatus::invalidTime);
    EXPECT_EQ(sender_.trySetParameterAt(value_, 0.0f, 0, kMaxRampFrames + 1),
              CommandStatus::invalidRamp);
    EXPECT_EQ(sender_.tryPlay(-5), CommandStatus::invalidTime);
    EXPECT_EQ(sender_.tryLocate(kMaxTimelinePosition + 1), CommandStatus::invalidPosition);
    EXPECT_EQ(sender_.tryLocate(0, -1), CommandStatus::invalidTime);
    EXPECT_EQ(sender_.trySetLoop(100, 100), CommandStatus::invalidLoop);
    EXPECT_EQ(sender_.trySetLoop(200, 100), CommandStatus::invalidLoop);
    EXPECT_EQ(sender_.trySetLoop(0, kMaxTimelinePosition + 1), CommandStatus::invalidLoop);
    EXPECT_EQ(sender_.sentCount(), 0u);
    renderer_->render(128);
    const TransportSnapshot transport = engine_->transportApprox();
    EXPECT_EQ(transport.playState, PlayState::stopped);
    EXPECT_EQ(transport.position, 0);
    EXPECT_EQ(transport.loopMode, LoopMode::off);
}

TEST_F(ControlErrorsTest, EmptySenderAndHandleAreRejected) {
    ControlSender empty;
    EXPECT_EQ(empty.trySetParameter(value_, 0.0f), CommandStatus::invalidSender);
    EXPECT_EQ(empty.tryPlay(), CommandStatus::invalidSender);
    ControlSender moved = std::move(sender_);
    EXPECT_EQ(sender_.tryStop(), CommandStatus::invalidSender); // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(moved.trySetParameter(ParameterHandle{}, 0.0f), CommandStatus::invalidHandle);
    expectMessage([&] { engine_->setAutomation(ParameterHandle{}, nullptr); }, "null");
    expectMessage([&] { engine_->clearAutomation(ParameterHandle{}); }, "handle is empty");
    expectUnchanged();
}

TEST_F(ControlErrorsTest, AFullQueueIsReportedAndNothingIsDropped) {
    ControlSender small = engine_->createSender({4});
    const float values[] = {0.1f, 0.2f, 0.3f, 0.4f};
    for (const float v : values) {
        expectOk(small.trySetParameter(value_, v));
    }
    // The capacity is what the queue holds: the fifth command waits for the audio thread.
    const CommandStatus status = small.trySetParameter(value_, 0.9f);
    EXPECT_EQ(status, CommandStatus::queueFull);
    EXPECT_FALSE(commandStatusMessage(status).empty());
    const std::uint64_t sent = small.sentCount();
    EXPECT_EQ(sent, 4u);
    expectUnchanged(0.4f);
    EXPECT_EQ(small.deliveredApprox(), sent) << "everything queued arrived";
    expectOk(small.trySetParameter(value_, -0.25f)); // and the queue takes commands again
    expectUnchanged(-0.25f);
}

TEST_F(ControlErrorsTest, AutomationOfANonAutomatableParameterIsAnError) {
    expectMessage(
        [&] {
            engine_->setAutomation(
                locked_, std::make_shared<AutomationLane>(std::vector<Breakpoint>{{0, 5.0f}}));
        },
        "'locked' of node 'probe' (#3) is not automatable");
    EXPECT_EQ(engine_->automation(locked_), nullptr);
    expectUnchanged();
}

TEST_F(ControlErrorsTest, BreakpointsOutsideTheRangeAreRejectedAndTheOldLaneStays) {
    engine_->setAutomation(value_,
                           std::make_shared<AutomationLane>(std::vector<Breakpoint>{{0, -0.25f}}));
    expectUnchanged(-0.25f);
    const auto previous = engine_->automation(value_);
    expectMessage(
        [&] {
            engine_->setAutomation(value_, std::make_shared<AutomationLane>(
                                               std::vector<Breakpoint>{{0, 0.0f}, {100, 1.5f}}));
        },
        "breakpoint 1 (time 100) has the value 1.5, outside the range -1..1");
    EXPECT_EQ(engine_->automation(value_), previous);
    expectUnchanged(-0.25f);
}

TEST_F(ControlErrorsTest, BadLanesNeverReachTheEngine) {
    // A lane validates itself when built: unsorted, duplicate or non-finite breakpoints throw
    // before there is anything to hand to setAutomation.
    expectMessage([] { AutomationLane({{10, 0.0f}, {5, 0.0f}}); }, "sorted by time");
    expectMessage([] { AutomationLane({{10, 0.0f}, {10, 0.5f}}); }, "share the time 10");
    expectMessage([] { AutomationLane({{10, std::nanf("")}}); }, "finite");
    expectUnchanged();
}

TEST_F(ControlErrorsTest, HandlesOfRemovedNodesAreErrorsAndTheirCommandsAreCounted) {
    graph_->remove(id_);
    engine_->commit(*graph_);
    expectMessage([&] { engine_->setAutomation(value_, std::make_shared<AutomationLane>()); },
                  "no longer in the graph");
    expectMessage([&] { (void)engine_->parameterValueApprox(value_); }, "no longer in the graph");
    expectOk(sender_.trySetParameter(value_, 0.0f)); // valid when sent; its node is gone
    renderer_->render(128);
    EXPECT_EQ(engine_->controlStatsApprox().commandsUnrouted, 1u);
    EXPECT_EQ(sender_.deliveredApprox(), 1u);
}

TEST(ControlConfigErrorsTest, BadSmoothingTimeAndSenderCapacityAreErrors) {
    EngineConfig config = test::engineConfig(48000.0, 128);
    config.parameterSmoothingSeconds = std::nan("");
    EXPECT_THROW(Engine{config}, Error);
    config.parameterSmoothingSeconds = 2.0;
    EXPECT_THROW(Engine{config}, Error);
    config.parameterSmoothingSeconds = -0.001;
    EXPECT_THROW(Engine{config}, Error);
    Engine engine(test::engineConfig(48000.0, 128));
    EXPECT_THROW((void)engine.createSender({0}), Error);
    EXPECT_THROW((void)engine.createSender({kMaxSenderCapacity + 1}), Error);
}

TEST_F(ControlErrorsTest, EveryCapacityHoldsExactlyThatManyCommands) {
    for (const std::size_t capacity :
         {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{100}, std::size_t{1000}}) {
        ControlSender sender = engine_->createSender({capacity});
        std::size_t accepted = 0;
        while (sender.trySetParameter(value_, 0.25f) == CommandStatus::ok && accepted <= capacity) {
            ++accepted;
        }
        EXPECT_EQ(accepted, capacity);
        renderer_->render(128); // the audio thread takes them all
        EXPECT_EQ(sender.deliveredApprox(), capacity);
        expectOk(sender.trySetParameter(value_, 0.5f));
    }
}

TEST_F(ControlErrorsTest, ASenderOutlivingItsEngineReportsIt) {
    ControlSender orphan = engine_->createSender();
    renderer_.reset();
    engine_.reset();
    EXPECT_EQ(orphan.trySetParameter(value_, 0.0f), CommandStatus::engineGone);
    EXPECT_EQ(orphan.tryPlay(), CommandStatus::engineGone);
    EXPECT_EQ(orphan.tryClearLoop(), CommandStatus::engineGone);
    EXPECT_EQ(orphan.sentCount(), 0u);
    EXPECT_FALSE(commandStatusMessage(CommandStatus::engineGone).empty());
}

TEST_F(ControlErrorsTest, AHandleFromAnotherEngineIsRefused) {
    Engine other(test::engineConfig(48000.0, 128, 0.0));
    auto probe = std::make_shared<ParameterProbe>(
        std::vector<ParameterInfo>{{"value", "Value", -1.0f, 1.0f, 0.5f, "", Automatable::yes}});
    Graph graph(GraphConfig{0, 1});
    const NodeId id = graph.add(probe, "probe");
    graph.connect(id, graph.output());
    other.commit(graph);
    const ParameterHandle foreign = other.parameter(id, "value"); // same node id as ours
    EXPECT_EQ(sender_.trySetParameter(foreign, 0.0f), CommandStatus::foreignHandle);
    EXPECT_EQ(sender_.trySetParameterAt(foreign, 0.0f, 0), CommandStatus::foreignHandle);
    expectMessage([&] { (void)engine_->parameterValueApprox(foreign); }, "another engine");
    expectMessage([&] { engine_->clearAutomation(foreign); }, "another engine");
    EXPECT_EQ(sender_.sentCount(), 0u);
    expectUnchanged();
}

TEST(ControlStatusTest, EveryStatusHasAMessage) {
    for (int s = 0; s <= static_cast<int>(CommandStatus::foreignHandle); ++s) {
        const std::string_view message = commandStatusMessage(static_cast<CommandStatus>(s));
        EXPECT_GT(message.size(), 10u);
        EXPECT_EQ(message.find("unknown"), std::string_view::npos);
    }
}

} // namespace
} // namespace fluxforge
