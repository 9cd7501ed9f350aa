// A node object plays in one engine at a time: a second engine's commit refuses it, naming it,
// and both engines keep playing; the node is free again once its engine's plans have let go of it.
#include "support/test_nodes.hpp"

#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/nodes/delay_line.hpp>
#include <fluxforge/nodes/sine_oscillator.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace fluxforge {
namespace {

constexpr FrameCount kBlock = 128;

EngineConfig engineConfig(FrameCount maxBlockSize = kBlock) {
    EngineConfig config;
    config.maxBlockSize = maxBlockSize;
    config.workers = 1;
    return config;
}

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

// A graph playing `node` (a source) on its one output channel.
Graph graphWith(const std::shared_ptr<Node>& node, const std::string& name = "osc") {
    Graph graph(GraphConfig{0, 1});
    graph.connect(graph.add(node, name), graph.output());
    return graph;
}

// Renders `blocks` blocks and returns them end to end.
std::vector<float> render(Engine& engine, int blocks) {
    std::vector<float> result;
    AudioBuffer out(1, kBlock);
    for (int b = 0; b < blocks; ++b) {
        engine.process({}, out.view());
        result.insert(result.end(), out.channel(0), out.channel(0) + kBlock);
    }
    return result;
}

TEST(NodeOwnershipTest, ASecondEngineRefusesANodeThatPlaysInTheFirstAndBothKeepPlaying) {
    // What the oscillator plays alone, from a node of its own.
    Engine reference(engineConfig());
    reference.commit(graphWith(std::make_shared<SineOscillator>()));
    const std::vector<float> expected = render(reference, 8);

    auto shared = std::make_shared<SineOscillator>();
    Engine first(engineConfig());
    first.commit(graphWith(shared));
    Engine second(engineConfig());
    second.commit(graphWith(std::make_shared<test::ConstantSource>(0.5f), "constant"));

    std::vector<float> played = render(first, 4);
    const std::string message = errorOf([&] { second.commit(graphWith(shared)); });
    EXPECT_TRUE(contains(message, "node 'osc' (#3) already plays in another engine")) << message;
    const std::vector<float> more = render(first, 4);
    played.insert(played.end(), more.begin(), more.end());
    EXPECT_EQ(played, expected); // the first engine played on, undisturbed
    for (const float sample : render(second, 4)) {
        ASSERT_EQ(sample, 0.5f); // the second plays what it played before
    }
}

TEST(NodeOwnershipTest, ADelayLineIsNotPreparedAgainForAnotherEnginesBlockSize) {
    auto delay = std::make_shared<DelayLine>();
    Graph graph(GraphConfig{2, 2});
    const NodeId id = graph.add(delay, "delay");
    graph.connect(graph.input(), id);
    graph.connect(id, graph.output());
    Engine first(engineConfig(512));
    first.commit(graph);
    Engine second(engineConfig(64));
    Graph other(GraphConfig{2, 2});
    const NodeId again = other.add(delay, "delay");
    other.connect(other.input(), again);
    other.connect(again, other.output());
    EXPECT_TRUE(contains(errorOf([&] { second.commit(other); }), "already plays in another"));
    ASSERT_TRUE(delay->preparedFor().has_value());
    EXPECT_EQ(delay->preparedFor()->maxBlockSize, 512u);
}

TEST(NodeOwnershipTest, OneGraphCommittedToTwoEnginesIsRefusedWithAHint) {
    Graph graph(GraphConfig{0, 1}); // only the endpoints, which the two would share
    Engine first(engineConfig());
    first.commit(graph);
    Engine second(engineConfig());
    const std::string message = errorOf([&] { second.commit(graph); });
    EXPECT_TRUE(contains(message, "give each engine a Graph of its own")) << message;
}

TEST(NodeOwnershipTest, TheNodeIsFreeOnceItsEnginesPlansHaveLetGoOfIt) {
    auto shared = std::make_shared<SineOscillator>();
    Engine first(engineConfig());
    first.commit(graphWith(shared));
    render(first, 1);
    first.commit(graphWith(std::make_shared<test::ConstantSource>(0.25f), "other"));
    Engine second(engineConfig());
    // The audio thread has not left the old plan yet: it may still be rendering the node.
    EXPECT_THROW(second.commit(graphWith(shared)), Error);
    render(first, 1); // switches to the new plan and returns the old one
    first.collectGarbage();
    second.commit(graphWith(shared)); // now it moves
    render(second, 1);
    // And back is refused now, in the other direction.
    EXPECT_THROW(first.commit(graphWith(shared)), Error);
}

TEST(NodeOwnershipTest, ADestroyedEngineReleasesItsNodes) {
    auto shared = std::make_shared<SineOscillator>();
    {
        Engine first(engineConfig());
        first.commit(graphWith(shared));
        render(first, 2);
    }
    Engine second(engineConfig());
    second.commit(graphWith(shared));
    render(second, 1);
}

TEST(NodeOwnershipTest, ARejectedCommitClaimsNothing) {
    auto shared = std::make_shared<SineOscillator>();
    Engine first(engineConfig());
    Graph broken(GraphConfig{0, 1});
    const NodeId osc = broken.add(shared, "osc");
    const NodeId a = broken.add(std::make_shared<test::CountingPass>(1), "a");
    const NodeId b = broken.add(std::make_shared<test::CountingPass>(1), "b");
    broken.connect(osc, broken.output());
    broken.connect(a, b);
    broken.connect(b, a); // a cycle: compile throws
    EXPECT_THROW(first.commit(broken), Error);
    Engine second(engineConfig());
    second.commit(graphWith(shared)); // still free
}

TEST(NodeOwnershipTest, RecommittingToTheSameEngineKeepsTheNode) {
    auto shared = std::make_shared<SineOscillator>();
    Engine engine(engineConfig());
    engine.commit(graphWith(shared));
    render(engine, 2);
    engine.commit(graphWith(shared));
    engine.commit(graphWith(shared));
    render(engine, 2);
    engine.collectGarbage();
    Engine other(engineConfig());
    EXPECT_THROW(other.commit(graphWith(shared)), Error);
}

// Two engines rendering on their own audio threads while a control thread keeps trying to commit
// the first one's node to the second, then moves it. Run under ThreadSanitizer (the tsan preset):
// no access to the node from two audio threads may ever happen.
TEST(NodeOwnershipTest, TwoAudioThreadsNeverShareANodeWhileCommitsTryTo) {
    auto shared = std::make_shared<SineOscillator>();
    Engine first(engineConfig());
    Engine second(engineConfig());
    first.commit(graphWith(shared));
    second.commit(graphWith(std::make_shared<test::ConstantSource>(0.5f), "constant"));
    std::atomic<bool> stop{false};
    std::atomic<int> blocksFirst{0};
    std::atomic<int> blocksSecond{0};
    auto audio = [&](Engine& engine, std::atomic<int>& blocks) {
        AudioBuffer out(1, kBlock);
        while (!stop.load()) {
            engine.process({}, out.view());
            blocks.fetch_add(1);
            std::this_thread::yield();
        }
    };
    std::thread firstAudio(audio, std::ref(first), std::ref(blocksFirst));
    std::thread secondAudio(audio, std::ref(second), std::ref(blocksSecond));
    // Both playing before the commits start (on a loaded machine a new thread may wait a while
    // for its first turn; until the first engine has played, its plan is only on offer).
    while (blocksFirst.load() == 0 || blocksSecond.load() == 0) {
        std::this_thread::yield();
    }
    int refused = 0;
    for (int i = 0; i < 200; ++i) {
        refused += contains(errorOf([&] { second.commit(graphWith(shared)); }), "another engine");
    }
    EXPECT_EQ(refused, 200);
    // Move it: the first engine lets go, and once its audio thread has left the old plan and it
    // has freed it, the second takes it.
    first.commit(graphWith(std::make_shared<test::ConstantSource>(0.25f), "other"));
    bool moved = false;
    for (int attempt = 0; attempt < 100000 && !moved; ++attempt) {
        first.collectGarbage();
        moved = errorOf([&] { second.commit(graphWith(shared)); }) == "(no error)";
        if (!moved) {
            std::this_thread::yield();
        }
    }
    EXPECT_TRUE(moved);
    const int before = blocksSecond.load();
    while (blocksSecond.load() < before + 20) {
        std::this_thread::yield();
    }
    stop = true;
    firstAudio.join();
    secondAudio.join();
    EXPECT_GT(blocksFirst.load(), 0);
}

} // namespace
} // namespace fluxforge
