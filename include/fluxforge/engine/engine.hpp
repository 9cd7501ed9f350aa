// Engine: owns the running Plan, swaps in new ones without a lock, and renders blocks.
#pragma once

#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/realtime_handoff.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/engine/control_sender.hpp>
#include <fluxforge/engine/control_stats.hpp>
#include <fluxforge/engine/metrics.hpp>
#include <fluxforge/engine/parameter_handle.hpp>
#include <fluxforge/engine/prefetch_config.hpp>
#include <fluxforge/engine/trace.hpp>
#include <fluxforge/engine/transport.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/graph/plan.hpp>
#include <fluxforge/sched/critical_path_executor.hpp>
#include <fluxforge/sched/dynamic_fifo_executor.hpp>
#include <fluxforge/sched/executor.hpp>
#include <fluxforge/sched/level_barrier_executor.hpp>
#include <fluxforge/sched/scheduled_plan.hpp>
#include <fluxforge/sched/serial_executor.hpp>
#include <fluxforge/sched/worker_pool.hpp>

#include <atomic>
#include <memory>
#include <string_view>
#include <vector>

namespace fluxforge {

namespace detail {
struct EngineControl;   // src/engine/engine_control.hpp
class MetricsRecorder;  // src/engine/metrics_recorder.hpp
class PrefetchRenderer; // src/engine/prefetch/prefetch_renderer.hpp
class PrefetchDomain;   // src/engine/prefetch/prefetch_domain.hpp
} // namespace detail

/// How an Engine runs. Fixed for the engine's lifetime: nodes are prepared for these settings.
struct EngineConfig {
    SampleRate sampleRate = 48000.0;
    /// The largest block the graph renders at once; process() splits larger host blocks.
    FrameCount maxBlockSize = 512;

    /// The executor blocks start with (setExecutor changes it while running).
    ExecutorKind executor = ExecutorKind::criticalPath;
    /// Threads that render a block, the audio thread included, 0..maxWorkers. 0: one per hardware
    /// thread, at most maxWorkers. 1: the audio thread alone. setWorkerCount changes it while
    /// running. More workers do not mean every block runs in parallel: see `parallel` and `pool`.
    std::uint32_t workers = 0;
    /// The most workers any plan is prepared for (its scheduling state is sized for them),
    /// 1..kMaxWorkers.
    std::uint32_t maxWorkers = 16;
    /// When a block is worth bringing helpers in for. By default a block whose estimated work is
    /// below 30 us runs on the audio thread alone, however many workers there are (waking a
    /// helper costs more than such a block takes): a small graph leaves the other cores idle.
    /// lastBlockHelpersApprox() says what the last block used; docs/scheduler.md.
    ParallelPolicy parallel{};
    /// How helpers wait and what priority they ask for; `helpers` is taken from `workers`. By
    /// default a helper asks for real-time (SCHED_FIFO) priority and spins 200 us after each block
    /// before it sleeps: a core looks busy while it spins, and a denied priority shows in
    /// workerPriorities().
    WorkerPoolConfig pool{};
    /// Every n-th block the executor times each task, for the critical-path ranks (kept by the
    /// plan and carried to the next one at a commit); 0 never. It reads the cycle clock once per
    /// task boundary (a task starts where the worker's last one ended, unless the worker waited in
    /// between). The metrics' own timing is MetricsConfig::taskTimingInterval.
    std::uint32_t timingInterval = 8;
    /// How long a live parameter change (ControlSender::trySetParameter) glides to its new value,
    /// 0..1 s; 0 makes live changes steps (docs/automation.md).
    double parameterSmoothingSeconds = 0.005;
    /// What the performance metrics keep and how often tasks are timed (docs/metrics.md).
    MetricsConfig metrics{};
    /// How much of the schedule the trace keeps when tracing is on (setTracing).
    TraceConfig trace{};
    /// Hybrid live/prefetch rendering: the guard level, the prefetch block, the prefetch
    /// renderer's threads (docs/prefetch.md). Off by default.
    PrefetchConfig prefetch{};

    /// The largest maxWorkers: the audio thread and WorkerPool::kMaxHelpers helpers.
    static constexpr std::uint32_t kMaxWorkers = WorkerPool::kMaxHelpers + 1;
};

/// The engine: compiles graphs into plans on the control thread, hands them to the audio thread
/// with a lock-free swap, and renders whatever the host asks for.
///
/// Threads: `commit`, `update`, `collectGarbage`, `latencyOf` and `outputLatency` from any number
/// of control threads at once (several scripts and a UI thread, say): the engine serialises them
/// with an internal mutex that the audio thread never touches, so one commit is compiled and
/// published after the other, and a query sees one commit's state whole. The constructor and
/// destructor on one control thread, with no other call in flight; `process` on one audio thread
/// at a time (the device's callback or the host's own); `*Approx` queries from any thread.
class Engine {
public:
    /// Throws fluxforge::Error, naming the field, if the config is out of range: the sample rate
    /// or block size (validateSettings), maxWorkers outside 1..kMaxWorkers, workers above
    /// maxWorkers, an executor that is not an ExecutorKind, a negative or NaN parallel threshold
    /// or spin time, or a smoothing time outside 0..1 s.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    explicit Engine(EngineConfig config = {});
    ~Engine();

    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    [[nodiscard]] const EngineConfig& config() const noexcept { return config_; }

    /// Compiles `graph` and hands the plan to the audio thread, which switches to it at the start
    /// of its next block. Nodes in both the old and the new plan are the same objects, so their
    /// state carries over without a click, and so do the task times the old plan measured: the new
    /// plan ranks its tasks by them from its first block. If compiling throws (a cycle, a bad port,
    /// ...), the exception propagates and the running plan keeps playing untouched. Also frees
    /// plans the audio thread has retired. Concurrent commits run one after the other; the last to
    /// publish is the one that plays.
    ///
    /// A node object belongs to one engine at a time: commit throws fluxforge::Error, naming the
    /// node, when one of the graph's nodes still plays in another engine, and both engines keep
    /// playing what they played. A node leaves an engine when the last of that engine's plans
    /// holding it is freed: after a commit without it, once the audio thread has started a block
    /// of the new plan and a commit, update or collectGarbage has run; or when the engine is
    /// destroyed (docs/engine.md).
    /// Thread: control (any, serialised). Real-time safe: no. Allocates: yes.
    void commit(const Graph& graph);

    /// Frees plans the audio thread no longer uses; returns how many. commit() does this too;
    /// call it now and then if you commit rarely.
    /// Thread: control (any, serialised). Real-time safe: no. Allocates: no.
    std::size_t collectGarbage();

    /// Housekeeping for a control thread to call regularly (a UI timer, say): frees retired plans,
    /// and recompiles the last committed graph when one of its nodes has announced new properties
    /// (Node::notifyPropertiesChanged: typically a plugin whose latency changed), so compensation
    /// follows without stopping audio. Otherwise it re-ranks the running plan's tasks from the
    /// nodes' measured times when they have moved (ScheduledPlan::refreshPriorities: no recompile,
    /// the audio thread takes the new order at its next block). Returns true when it published a
    /// new plan. A graph that no longer compiles leaves the running plan playing and throws.
    /// Thread: control. Real-time safe: no. Allocates: yes (when it recompiles).
    bool update();

    /// Path latency of a node's output in frames, as compensated by the last committed plan
    /// (docs/pdc.md). Throws fluxforge::Error if the node is not in that plan.
    /// Thread: control (any, serialised). Real-time safe: no. Allocates: no.
    [[nodiscard]] FrameCount latencyOf(NodeId node) const;

    /// The latency of what the engine plays, beyond the device's own: report it to the host for
    /// recording offsets and the transport display. 0 before the first commit.
    /// Thread: control (any). Real-time safe: no. Allocates: no.
    [[nodiscard]] FrameCount outputLatency() const noexcept {
        return outputLatency_.load(std::memory_order_relaxed);
    }

    /// Renders `output.numFrames()` frames into `output`, reading the device input from `input`
    /// (pass an empty view when there is none). Any frame count: blocks larger than maxBlockSize
    /// are rendered in pieces, with the same result. Before the first commit, or for channels the
    /// graph does not produce, the output is silent. An input shorter than the output is read
    /// for the frames it has and is silent after them; input channels beyond the graph's are
    /// ignored, and graph input channels the view lacks are silent.
    /// Thread: audio. Real-time safe: yes. Allocates: no.
    void process(ConstBufferView input, BufferView output) noexcept;

    /// Frames rendered since the engine was created. Thread: any. May be stale.
    [[nodiscard]] SampleTime framesRenderedApprox() const noexcept {
        return framesRendered_.load(std::memory_order_relaxed);
    }

    /// Plans the audio thread has switched to so far. Thread: any. May be stale.
    [[nodiscard]] std::size_t planSwapsApprox() const noexcept { return plans_.swapCountApprox(); }

    /// Selects the executor for the blocks that start from now on; all give identical output.
    /// Returns false and changes nothing for a value that is not an ExecutorKind (a cast from a
    /// bad integer). Thread: any. Real-time safe: yes. Allocates: no.
    bool setExecutor(ExecutorKind kind) noexcept {
        if (!isExecutorKind(kind)) {
            return false;
        }
        executorKind_.store(kind, std::memory_order_relaxed);
        return true;
    }
    [[nodiscard]] ExecutorKind executor() const noexcept {
        return executorKind_.load(std::memory_order_relaxed);
    }

    /// Sets how far ahead the prefetched part of the graph is rendered, while playing, without a
    /// click: raising it lets the renderer fill the rings further, lowering it (to off, too) lets
    /// the audio thread use up what they hold and then render the rest itself. Returns false and
    /// changes nothing for a value that is not a GuardLevel, or for a level other than off on an
    /// engine created with EngineConfig::prefetch.guard off (it never splits its graphs).
    /// Thread: any. Real-time safe: yes. Allocates: no.
    bool setGuardLevel(GuardLevel level) noexcept;
    [[nodiscard]] GuardLevel guardLevel() const noexcept {
        return guard_.load(std::memory_order_relaxed);
    }

    /// Device blocks whose prefetched frames were not rendered in time (the audio thread
    /// rendered them itself) since the engine started; 0 while the guard is off.
    /// Thread: any. May be stale.
    [[nodiscard]] std::uint64_t prefetchUnderrunsApprox() const noexcept {
        return prefetchUnderruns_.load(std::memory_order_relaxed);
    }

    /// Sets the number of threads that render a block, the audio thread included: 1..maxWorkers,
    /// or 0 for one per hardware thread (at most maxWorkers). Throws fluxforge::Error, changing
    /// nothing, above maxWorkers. Audio keeps running: helpers join or leave between blocks.
    /// Whether a block uses them is EngineConfig::parallel's call (small graphs run on the audio
    /// thread alone); lastBlockHelpersApprox() tells. Thread: control. Real-time safe: no.
    /// Allocates: yes.
    void setWorkerCount(std::uint32_t workers);

    /// Threads available to render a block, the audio thread included. Thread: any. May be stale.
    [[nodiscard]] std::uint32_t workerCountApprox() const noexcept {
        return 1 + pool_->helperCountApprox();
    }

    /// Helper threads that ran at least one task of the last block (0: it ran on the audio thread
    /// alone, as blocks below EngineConfig::parallel's threshold do). Thread: any. May be stale.
    [[nodiscard]] std::uint32_t lastBlockHelpersApprox() const noexcept {
        return lastHelpers_.load(std::memory_order_relaxed);
    }

    /// The helpers' real-time priority, as the OS granted it. Thread: control.
    [[nodiscard]] std::vector<ThreadPriorityResult> workerPriorities() const {
        return pool_->helperPriorities();
    }

    // ---- Parameters, automation and transport (docs/automation.md) ----------------------------

    /// A new line of commands to the audio thread, for one sending thread (ControlSender).
    /// Throws fluxforge::Error for a capacity outside 1..kMaxSenderCapacity.
    /// Thread: control (any). Real-time safe: no. Allocates: yes.
    [[nodiscard]] ControlSender createSender(const SenderConfig& config = {});

    /// A parameter of a node in the last committed graph, by id or by index. Throws
    /// fluxforge::Error naming the node and listing its parameters when there is no such node or
    /// parameter. Thread: control (any). Real-time safe: no. Allocates: yes.
    [[nodiscard]] ParameterHandle parameter(NodeId node, std::string_view id) const;
    [[nodiscard]] ParameterHandle parameter(NodeId node, std::size_t index) const;

    /// Makes `lane` drive the parameter from the next block on (an empty lane removes the
    /// automation). Throws fluxforge::Error, changing nothing, when the parameter is not
    /// automatable, its node has left the committed graph, the lane is null or a breakpoint lies
    /// outside the parameter's range. Thread: control (any). Real-time safe: no. Allocates: yes.
    void setAutomation(const ParameterHandle& parameter,
                       std::shared_ptr<const AutomationLane> lane);
    /// Removes the parameter's automation: it glides back to its live value over the smoothing
    /// time. Thread: control (any). Real-time safe: no. Allocates: yes.
    void clearAutomation(const ParameterHandle& parameter);
    /// The lane driving the parameter, or null. Thread: control (any). Real-time safe: no.
    [[nodiscard]] std::shared_ptr<const AutomationLane>
    automation(const ParameterHandle& parameter) const;

    /// The value the node rendered its last frame with. Throws if the node has left the committed
    /// graph. Thread: control (any). Real-time safe: no. Allocates: no. May be stale.
    [[nodiscard]] float parameterValueApprox(const ParameterHandle& parameter) const;

    /// Play state, timeline position of the next frame, loop. Thread: any. Real-time safe: no
    /// (retries while the audio thread publishes). Allocates: no. May be stale.
    [[nodiscard]] TransportSnapshot transportApprox() const noexcept;

    /// What the audio thread did with the commands it received. Thread: any. May be stale.
    [[nodiscard]] ControlStats controlStatsApprox() const noexcept;

    // ---- Metrics and trace (docs/metrics.md) ----------------------------------------------------

    /// One consistent snapshot of the per-block, per-worker, per-node and prefetch figures, read
    /// without disturbing the audio thread. Average and peak load cover the last `windowBlocks`
    /// blocks (0: MetricsConfig::defaultWindowBlocks; at most MetricsConfig::historyBlocks).
    /// Thread: any (control). Real-time safe: no. Allocates: yes.
    [[nodiscard]] MetricsSnapshot metrics(std::uint32_t windowBlocks = 0) const;

    /// Starts every figure (counts, longest block, node and worker times) again from the next
    /// block. Thread: any. Real-time safe: yes. Allocates: no.
    void resetMetrics() noexcept;

    /// Device xruns to count (the device layer's EngineCallback passes on what the backend
    /// reports). Thread: audio. Real-time safe: yes. Allocates: no.
    void reportDeviceXruns(std::uint32_t count) noexcept;

    /// The prefetch domain's figures for the snapshot (for the prefetch feature; zero until it
    /// reports). Thread: audio. Real-time safe: yes. Allocates: no.
    void reportPrefetch(const PrefetchMetrics& prefetch) noexcept;

    /// Records the schedule of every block from the next one on (or stops), while playing. The
    /// first switch on allocates the rings (EngineConfig::trace). Thread: control. Real-time safe:
    /// no. Allocates: yes (the first time).
    void setTracing(bool on);
    [[nodiscard]] bool tracingApprox() const noexcept;

    /// The recorded blocks (complete ones, oldest first) and the tasks they ran, with each
    /// block's critical path marked; export it with trace_export.hpp. Recording goes on.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    [[nodiscard]] TraceCapture captureTrace() const;

    /// The structure of the plan last committed, for pictures and names (null before the first
    /// commit). Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] std::shared_ptr<const TracePlan> committedPlanApprox() const;

private:
    struct PublishedPlan; // a ScheduledPlan and the engine's claim on its nodes

    void renderBlock(ScheduledPlan& plan, detail::PrefetchDomain* prefetch, ConstBufferView input,
                     BufferView output) noexcept;
    PublishedPlan* acquirePlan() noexcept;
    [[nodiscard]] bool mustPlayOut(detail::PrefetchDomain& domain) const noexcept;
    void bindPrefetch(detail::PrefetchDomain& domain) noexcept;
    void renderPrefetched(detail::PrefetchDomain& domain, SampleTime start,
                          FrameCount frames) noexcept;
    void reportPrefetchState(detail::PrefetchDomain* domain) noexcept;
    std::unique_ptr<detail::PrefetchDomain>
    makePrefetchDomain(const Graph& graph, const Plan& whole, std::unique_ptr<Plan>& live);
    Executor& currentExecutor() noexcept;
    void claimNodes(const Graph& graph);

    EngineConfig config_;
    RealtimeHandoff<PublishedPlan> plans_;
    std::unique_ptr<WorkerPool> pool_;
    SerialExecutor serial_;
    LevelBarrierExecutor levelBarrier_;
    DynamicFifoExecutor dynamicFifo_;
    CriticalPathExecutor criticalPath_;
    std::atomic<ExecutorKind> executorKind_;
    std::atomic<std::uint32_t> lastHelpers_{0};
    std::uint64_t blocksRendered_ = 0; // audio thread
    // Audio thread writes, others read.
    std::atomic<SampleTime> framesRendered_{0};
    // Commands, automation, transport, and what the last commit compiled (engine_control.hpp).
    std::unique_ptr<detail::EngineControl> control_;
    // Timing, the published snapshot, the trace rings (metrics_recorder.hpp).
    std::unique_ptr<detail::MetricsRecorder> metrics_;

    void commitLocked(const Graph& graph);
    // Seeds the plans about to be published with the task times the last published ones measured.
    void carryMeasuredCostsInto(PublishedPlan& next);
    std::size_t collectGarbageLocked();
    std::atomic<FrameCount> outputLatency_{0}; // written under the commit mutex, read by any

    // Hybrid live/prefetch rendering (null while EngineConfig::prefetch.guard is off). Declared
    // last: the renderer stops before any plan it may be rendering is freed.
    std::atomic<GuardLevel> guard_;
    std::atomic<std::uint64_t> prefetchUnderruns_{0};
    std::unique_ptr<detail::PrefetchRenderer> prefetcher_;
};

} // namespace fluxforge
