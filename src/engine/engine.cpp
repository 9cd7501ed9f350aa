#include "engine_control.hpp"
#include "metrics_recorder.hpp"

#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/core/denormal_guard.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/graph/endpoint_nodes.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

namespace fluxforge {

namespace {

std::uint32_t resolveWorkers(std::uint32_t requested, std::uint32_t maxWorkers, const char* what) {
    if (requested > maxWorkers) {
        throw Error(std::string(what) + " " + std::to_string(requested) +
                    " is above EngineConfig::maxWorkers (" + std::to_string(maxWorkers) +
                    "): plans are prepared for at most that many workers");
    }
    if (requested == 0) { // automatic: the hardware's threads, as many as the plans allow
        requested = std::min(std::max(1u, std::thread::hardware_concurrency()), maxWorkers);
    }
    return requested;
}

void validateConfig(const EngineConfig& config) {
    validateSettings({config.sampleRate, config.maxBlockSize});
    if (config.maxWorkers == 0 || config.maxWorkers > EngineConfig::kMaxWorkers) {
        throw Error("EngineConfig::maxWorkers " + std::to_string(config.maxWorkers) +
                    " is invalid: it must lie in 1.." + std::to_string(EngineConfig::kMaxWorkers) +
                    " (threads rendering a block, the audio thread included)");
    }
    if (!isExecutorKind(config.executor)) {
        throw Error("EngineConfig::executor " + std::to_string(static_cast<int>(config.executor)) +
                    " is not an ExecutorKind");
    }
    if (!(config.parallel.minimumWorkNanoseconds >= 0.0)) {
        throw Error("EngineConfig::parallel.minimumWorkNanoseconds " +
                    std::to_string(config.parallel.minimumWorkNanoseconds) +
                    " is invalid: it must be 0 or more");
    }
    if (config.pool.spinBeforeSleeping.count() < 0) {
        throw Error("EngineConfig::pool.spinBeforeSleeping " +
                    std::to_string(config.pool.spinBeforeSleeping.count()) +
                    " us is invalid: it must be 0 or more");
    }
}

// A pool with no helpers still exists, so that setWorkerCount can add some later.
std::unique_ptr<WorkerPool> makePool(const EngineConfig& config) {
    validateConfig(config);
    WorkerPoolConfig pool = config.pool;
    if (pool.priority.period.count() == 0) {
        pool.priority.period = std::chrono::nanoseconds(
            static_cast<std::int64_t>(1e9 * config.maxBlockSize / config.sampleRate));
    }
    pool.helpers = resolveWorkers(config.workers, config.maxWorkers, "EngineConfig::workers") - 1;
    return std::make_unique<WorkerPool>(pool);
}

// The engine's claim on the nodes of one plan: taken when the plan is published, given up when it
// is freed (on the control thread: publish, collect or the engine's destructor).
class NodeClaims {
public:
    explicit NodeClaims(const Graph& graph) {
        const std::vector<NodeId> ids = graph.nodeIds();
        nodes_.reserve(ids.size()); // nothing throws once the first plan is counted
        for (NodeId id : ids) {
            nodes_.push_back(graph.node(id));
            detail::NodeOwnership::addPlan(*nodes_.back());
        }
    }
    NodeClaims(const NodeClaims&) = delete;
    NodeClaims& operator=(const NodeClaims&) = delete;
    ~NodeClaims() {
        for (const auto& node : nodes_) {
            detail::NodeOwnership::removePlan(*node);
        }
    }

private:
    std::vector<std::shared_ptr<Node>> nodes_;
};

} // namespace

struct Engine::PublishedPlan {
    PublishedPlan(std::unique_ptr<Plan> plan, std::uint32_t maxWorkers, const Graph& graph)
        : scheduled(std::move(plan), maxWorkers)
        , claims(graph) {}

    ScheduledPlan scheduled;
    NodeClaims claims;
};

Engine::Engine(EngineConfig config)
    : config_(config)
    , pool_(makePool(config))
    , levelBarrier_(pool_.get(), config.parallel)
    , dynamicFifo_(pool_.get(), config.parallel)
    , criticalPath_(pool_.get(), config.parallel)
    , executorKind_(config.executor)
    , control_(std::make_unique<detail::EngineControl>(config.sampleRate,
                                                       config.parameterSmoothingSeconds))
    , metrics_(std::make_unique<detail::MetricsRecorder>(
          config.metrics, config.trace, std::max(1u, config.maxWorkers), config.sampleRate)) {}

void Engine::setWorkerCount(std::uint32_t workers) {
    pool_->setHelperCount(resolveWorkers(workers, config_.maxWorkers, "setWorkerCount:") - 1);
}

Executor& Engine::currentExecutor() noexcept {
    switch (executorKind_.load(std::memory_order_relaxed)) {
    case ExecutorKind::serial:
        return serial_;
    case ExecutorKind::levelBarrier:
        return levelBarrier_;
    case ExecutorKind::dynamicFifo:
        return dynamicFifo_;
    case ExecutorKind::criticalPath:
        break;
    }
    return criticalPath_;
}

Engine::~Engine() = default;

// ---- the control plane (engine_control.hpp) -----------------------------------------------------

ControlSender Engine::createSender(const SenderConfig& config) {
    return control_->parameters.createSender(config);
}
ParameterHandle Engine::parameter(NodeId node, std::string_view id) const {
    return control_->parameters.parameter(node, id);
}
ParameterHandle Engine::parameter(NodeId node, std::size_t index) const {
    return control_->parameters.parameter(node, index);
}
void Engine::setAutomation(const ParameterHandle& parameter,
                           std::shared_ptr<const AutomationLane> lane) {
    control_->parameters.setAutomation(parameter, std::move(lane));
}
void Engine::clearAutomation(const ParameterHandle& parameter) {
    control_->parameters.clearAutomation(parameter);
}
std::shared_ptr<const AutomationLane> Engine::automation(const ParameterHandle& parameter) const {
    return control_->parameters.automation(parameter);
}
float Engine::parameterValueApprox(const ParameterHandle& parameter) const {
    return control_->parameters.parameterValueApprox(parameter);
}
TransportSnapshot Engine::transportApprox() const noexcept {
    return control_->drain.transportApprox();
}
ControlStats Engine::controlStatsApprox() const noexcept {
    return control_->drain.statsApprox();
}

namespace {
constexpr FrameCount kNoLatency = ~FrameCount{0};
}

void Engine::commit(const Graph& graph) {
    const std::lock_guard lock(control_->commitMutex);
    commitLocked(graph);
}

void Engine::claimNodes(const Graph& graph) {
    // Graph nodes first, then the endpoints, so that the message names the user's node.
    // (Written out: libstdc++ 12's std::stable_partition uses an API clang 19 rejects as
    // deprecated.)
    std::vector<NodeId> ids;
    const std::vector<NodeId> all = graph.nodeIds();
    ids.reserve(all.size());
    const auto isEndpoint = [&](NodeId id) { return id == graph.input() || id == graph.output(); };
    for (NodeId id : all) {
        if (!isEndpoint(id)) {
            ids.push_back(id);
        }
    }
    for (NodeId id : all) {
        if (isEndpoint(id)) {
            ids.push_back(id);
        }
    }
    std::vector<Node*> claimed;
    for (NodeId id : ids) {
        Node& node = *graph.node(id);
        if (!detail::NodeOwnership::tryClaim(node, this)) {
            for (Node* done : claimed) {
                detail::NodeOwnership::releaseUnused(*done, this);
            }
            const bool endpoint = isEndpoint(id);
            throw Error("Engine::commit: node " + graph.label(id) +
                        " already plays in another engine; a node belongs to one engine at a "
                        "time" +
                        (endpoint ? " (this Graph was committed to another engine: give each "
                                    "engine a Graph of its own)"
                                  : " (commit that engine's graph without it first, or give "
                                    "this graph a node of its own)"));
        }
        claimed.push_back(&node);
    }
}

void Engine::commitLocked(const Graph& graph) {
    // Before anything touches the nodes: one that plays in another engine must not be prepared
    // (or have its marks taken) here.
    claimNodes(graph);
    std::unique_ptr<PublishedPlan> published;
    std::unique_ptr<Graph> copy;
    std::vector<FrameCount> latencies;
    FrameCount outputLatency = 0;
    std::uint64_t generation = 0;
    try {
        // Take the change marks first: a node that changes while compiling marks itself again.
        for (NodeId id : graph.nodeIds()) {
            static_cast<void>(graph.node(id)->takePropertiesChanged());
        }
        CompileSettings settings;
        settings.sampleRate = config_.sampleRate;
        settings.maxBlockSize = config_.maxBlockSize;
        std::unique_ptr<Plan> plan = compile(graph, settings, &control_->compensationDelays);
        // Nothing below throws (but for allocation): a rejected graph has changed nothing.
        copy = std::make_unique<Graph>(graph);
        latencies.assign(graph.maxId() + 1, kNoLatency);
        for (TaskIndex t = 0; t < plan->numTasks(); ++t) {
            if (!plan->isPartialSum(t)) {
                latencies[plan->nodeId(t).value] = plan->latency(t);
            }
        }
        outputLatency = plan->outputLatency();
        generation = control_->planGeneration + 1;
        metrics_->addPlan(std::make_shared<const TracePlan>(TracePlan::of(*plan, generation)));
        published = std::make_unique<PublishedPlan>(std::move(plan), config_.maxWorkers, graph);
        published->scheduled.setGeneration(generation);
    } catch (...) {
        for (NodeId id : graph.nodeIds()) {
            detail::NodeOwnership::releaseUnused(*graph.node(id), this);
        }
        throw;
    }
    control_->planGeneration = generation;
    control_->publishedPlan = &published->scheduled;
    plans_.publish(std::move(published));
    control_->committedGraph = std::move(copy);
    control_->latencyById = std::move(latencies);
    outputLatency_.store(outputLatency, std::memory_order_relaxed);
    // After publishing: a handle resolved now finds its node playing.
    control_->parameters.onCommit(graph);
}

bool Engine::update() {
    const std::lock_guard lock(control_->commitMutex);
    collectGarbageLocked();
    if (control_->committedGraph == nullptr) {
        return false;
    }
    bool changed = false;
    for (NodeId id : control_->committedGraph->nodeIds()) {
        changed = control_->committedGraph->node(id)->takePropertiesChanged() || changed;
    }
    if (!changed) {
        // Nothing to recompile: let the ranks and the parallel policy follow the nodes' measured
        // times instead (no new plan; the audio thread switches order at its next block).
        if (control_->publishedPlan != nullptr) {
            control_->publishedPlan->refreshPriorities();
        }
        return false;
    }
    const Graph graph = *control_->committedGraph; // commitLocked replaces it
    commitLocked(graph);
    return true;
}

FrameCount Engine::latencyOf(NodeId node) const {
    const std::lock_guard lock(control_->commitMutex);
    if (node.value >= control_->latencyById.size() ||
        control_->latencyById[node.value] == kNoLatency) {
        throw Error("latencyOf: node #" + std::to_string(node.value) +
                    " is not in the last committed graph");
    }
    return control_->latencyById[node.value];
}

std::size_t Engine::collectGarbage() {
    const std::lock_guard lock(control_->commitMutex);
    return collectGarbageLocked();
}

std::size_t Engine::collectGarbageLocked() {
    control_->parameters.collect();
    return plans_.collect();
}

void Engine::process(ConstBufferView input, BufferView output) noexcept {
    const RealtimeScope realtime;
    const DenormalGuard denormals;
    const FrameCount frames = output.numFrames();
    PublishedPlan* published = plans_.acquire();
    ScheduledPlan* plan = published != nullptr ? &published->scheduled : nullptr;
    const auto wakeUps = [this](std::uint32_t worker) { return pool_->wakeUpsApprox(worker); };
    metrics_->beginBlock(plan != nullptr ? plan->generation() : 0,
                         plan != nullptr ? plan->numTasks() : 0, frames);
    if (plan == nullptr) {
        clear(output);
        framesRendered_.store(framesRendered_.load(std::memory_order_relaxed) + frames,
                              std::memory_order_relaxed);
        metrics_->endBlock(wakeUps);
        return;
    }
    control_->drain.beginProcess(plan->plan(), plans_.swapCountApprox(),
                                 framesRendered_.load(std::memory_order_relaxed));
    // An input shorter than the output is read as far as it goes, then silent.
    const FrameCount inputFrames = input.numChannels() > 0 ? input.numFrames() : 0;
    for (FrameCount offset = 0; offset < frames;) {
        // Blocks also end where the timeline jumps (loop end, timed transport commands), and
        // where the input ends.
        FrameCount limit = std::min(frames - offset, config_.maxBlockSize);
        if (offset < inputFrames) {
            limit = std::min(limit, inputFrames - offset);
        }
        const FrameCount chunk =
            control_->drain.nextBlockFrames(framesRendered_.load(std::memory_order_relaxed), limit);
        renderBlock(*plan,
                    offset < inputFrames ? input.subFrames(offset, chunk) : ConstBufferView{},
                    output.subFrames(offset, chunk));
        offset += chunk;
    }
    control_->drain.endProcess(framesRendered_.load(std::memory_order_relaxed));
    metrics_->endBlock(wakeUps);
}

void Engine::renderBlock(ScheduledPlan& scheduled, ConstBufferView input,
                         BufferView output) noexcept {
    Plan& plan = scheduled.plan();
    const FrameCount frames = output.numFrames();
    const SampleTime start = framesRendered_.load(std::memory_order_relaxed);
    static_cast<GraphInputNode&>(plan.node(plan.inputTask())).setSource(input);
    static_cast<GraphOutputNode&>(plan.node(plan.outputTask())).setDestination(output);
    plan.prepareBlock(frames);
    BlockInfo block{frames, start};
    block.transport = control_->drain.transportInfo();
    block.timeNodes = config_.timingInterval != 0 && blocksRendered_ % config_.timingInterval == 0;
    Executor& executor = currentExecutor();
    executor.setObserver(metrics_->observer());
    metrics_->beginRun();
    executor.run(scheduled, block);
    metrics_->endRun(1 + executor.lastHelpersApprox());
    lastHelpers_.store(executor.lastHelpersApprox(), std::memory_order_relaxed);
    ++blocksRendered_;
    framesRendered_.store(start + frames, std::memory_order_relaxed);
    control_->drain.endBlock(start, frames);
}

// ---- metrics and trace (metrics_recorder.hpp) ---------------------------------------------------

MetricsSnapshot Engine::metrics(std::uint32_t windowBlocks) const {
    std::uint64_t generation = 0;
    MetricsSnapshot snapshot = metrics_->snapshot(windowBlocks, generation);
    const std::shared_ptr<const TracePlan> plan =
        generation != 0 ? metrics_->plan(generation) : nullptr;
    for (std::size_t t = 0; t < snapshot.nodes.size(); ++t) {
        NodeMetrics& node = snapshot.nodes[t];
        if (plan != nullptr && t < plan->numTasks()) {
            node.node = plan->nodes[t];
            node.name = plan->names[t];
        } else {
            node.name = "task " + std::to_string(t);
        }
    }
    return snapshot;
}
void Engine::resetMetrics() noexcept {
    metrics_->requestReset();
}
void Engine::reportDeviceXruns(std::uint32_t count) noexcept {
    metrics_->addDeviceXruns(count);
}
void Engine::reportPrefetch(const PrefetchMetrics& prefetch) noexcept {
    metrics_->setPrefetch(prefetch);
}
void Engine::setTracing(bool on) {
    metrics_->setTracing(on);
}
bool Engine::tracingApprox() const noexcept {
    return metrics_->tracingApprox();
}
TraceCapture Engine::captureTrace() const {
    return metrics_->capture();
}
std::shared_ptr<const TracePlan> Engine::committedPlanApprox() const {
    return metrics_->plan();
}

} // namespace fluxforge
