// Engine: owns the running Plan, swaps in new ones without a lock, and renders blocks.
#pragma once

#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/realtime_handoff.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/graph/plan.hpp>
#include <fluxforge/sched/executor.hpp>

#include <atomic>
#include <memory>

namespace fluxforge {

/// How an Engine runs. Fixed for the engine's lifetime: nodes are prepared for these settings.
struct EngineConfig {
    SampleRate sampleRate = 48000.0;
    /// The largest block the graph renders at once; process() splits larger host blocks.
    FrameCount maxBlockSize = 512;
};

/// The engine: compiles graphs into plans on the control thread, hands them to the audio thread
/// with a lock-free swap, and renders whatever the host asks for.
///
/// Threads: `commit`, `collectGarbage` and the constructor/destructor on one control thread at a
/// time; `process` on one audio thread at a time (the device's callback or the host's own);
/// `*Approx` queries from any thread.
class Engine {
public:
    /// Throws fluxforge::Error if the config is out of range (see validateSettings).
    /// Thread: control. Real-time safe: no. Allocates: yes.
    explicit Engine(EngineConfig config = {});
    ~Engine();

    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    [[nodiscard]] const EngineConfig& config() const noexcept { return config_; }

    /// Compiles `graph` and hands the plan to the audio thread, which switches to it at the start
    /// of its next block. Nodes in both the old and the new plan are the same objects, so their
    /// state carries over without a click. If compiling throws (a cycle, a bad port, ...), the
    /// exception propagates and the running plan keeps playing untouched. Also frees plans the
    /// audio thread has retired.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    void commit(const Graph& graph);

    /// Frees plans the audio thread no longer uses; returns how many. commit() does this too;
    /// call it now and then if you commit rarely.
    /// Thread: control. Real-time safe: no. Allocates: no.
    std::size_t collectGarbage();

    /// Renders `output.numFrames()` frames into `output`, reading the device input from `input`
    /// (pass an empty view when there is none; its frames must otherwise match). Any frame count:
    /// blocks larger than maxBlockSize are rendered in pieces, with the same result. Before the
    /// first commit, or for channels the graph does not produce, the output is silent.
    /// Thread: audio. Real-time safe: yes. Allocates: no.
    void process(ConstBufferView input, BufferView output) noexcept;

    /// Frames rendered since the engine was created. Thread: any. May be stale.
    [[nodiscard]] SampleTime framesRenderedApprox() const noexcept {
        return framesRendered_.load(std::memory_order_relaxed);
    }

    /// Plans the audio thread has switched to so far. Thread: any. May be stale.
    [[nodiscard]] std::size_t planSwapsApprox() const noexcept { return plans_.swapCountApprox(); }

private:
    void renderBlock(Plan& plan, ConstBufferView input, BufferView output) noexcept;

    EngineConfig config_;
    RealtimeHandoff<Plan> plans_;
    std::unique_ptr<Executor> executor_;
    // Audio thread writes, others read.
    std::atomic<SampleTime> framesRendered_{0};
};

} // namespace fluxforge
