// In the RealtimeSanitizer build, the engine's audio path is checked: a node that allocates in
// process() must stop the program. This proves the check is live, so that the other tests passing
// in that build means something.
#include <fluxforge/core/audio_buffer.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/engine/engine.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace fluxforge {
namespace {

class AllocatingNode final : public Node {
protected:
    NodeProperties describe() const override {
        NodeProperties p;
        p.outputs.push_back({"out", 1});
        return p;
    }
    void onProcess(const ProcessContext& context) noexcept override {
        std::vector<float> scratch(context.numFrames); // the mistake under test
        context.outputs[0].channel(0)[0] = static_cast<float>(scratch.size());
    }
};

TEST(RealtimeSanitizerTest, AllocationInProcessIsCaught) {
    if (!RealtimeScope::isChecking()) {
        GTEST_SKIP() << "not a RealtimeSanitizer build (preset rtsan)";
    }
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            Engine engine({48000.0, 64});
            Graph graph(GraphConfig{0, 1});
            graph.connect(graph.add(std::make_shared<AllocatingNode>()), graph.output());
            engine.commit(graph);
            AudioBuffer out(1, 64);
            engine.process({}, out.view());
        },
        "Real-time violation: intercepted call to real-time unsafe function `malloc`");
}

} // namespace
} // namespace fluxforge
