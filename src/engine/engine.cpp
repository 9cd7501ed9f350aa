#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/core/denormal_guard.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/graph/endpoint_nodes.hpp>
#include <fluxforge/sched/serial_executor.hpp>

#include <algorithm>

namespace fluxforge {

Engine::Engine(EngineConfig config)
    : config_(config)
    , executor_(std::make_unique<SerialExecutor>()) {
    validateSettings({config.sampleRate, config.maxBlockSize});
}

Engine::~Engine() = default;

void Engine::commit(const Graph& graph) {
    std::unique_ptr<Plan> plan = compile(graph, {config_.sampleRate, config_.maxBlockSize});
    plans_.publish(std::move(plan));
}

std::size_t Engine::collectGarbage() {
    return plans_.collect();
}

void Engine::process(ConstBufferView input, BufferView output) noexcept {
    const RealtimeScope realtime;
    const DenormalGuard denormals;
    const FrameCount frames = output.numFrames();
    Plan* plan = plans_.acquire();
    if (plan == nullptr) {
        clear(output);
        framesRendered_.store(framesRendered_.load(std::memory_order_relaxed) + frames,
                              std::memory_order_relaxed);
        return;
    }
    const bool hasInput = input.numChannels() > 0 && input.numFrames() >= frames;
    for (FrameCount offset = 0; offset < frames;) {
        const FrameCount chunk = std::min(frames - offset, config_.maxBlockSize);
        renderBlock(*plan, hasInput ? input.subFrames(offset, chunk) : ConstBufferView{},
                    output.subFrames(offset, chunk));
        offset += chunk;
    }
}

void Engine::renderBlock(Plan& plan, ConstBufferView input, BufferView output) noexcept {
    const FrameCount frames = output.numFrames();
    const SampleTime start = framesRendered_.load(std::memory_order_relaxed);
    static_cast<GraphInputNode&>(plan.node(plan.inputTask())).setSource(input);
    static_cast<GraphOutputNode&>(plan.node(plan.outputTask())).setDestination(output);
    plan.prepareBlock(frames);
    executor_->run(plan, {frames, start});
    framesRendered_.store(start + frames, std::memory_order_relaxed);
}

} // namespace fluxforge
