#include "carry_measured_costs.hpp"
#include "engine_control.hpp"
#include "metrics_recorder.hpp"
#include "prefetch/compensation_handover.hpp"
#include "prefetch/prefetch_domain.hpp"
#include "prefetch/prefetch_renderer.hpp"
#include "prefetch/ring_nodes.hpp"

#include <fluxforge/core/buffer_ops.hpp>
#include <fluxforge/core/denormal_guard.hpp>
#include <fluxforge/core/realtime_scope.hpp>
#include <fluxforge/engine/engine.hpp>
#include <fluxforge/graph/compile.hpp>
#include <fluxforge/graph/domains.hpp>
#include <fluxforge/graph/endpoint_nodes.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
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
    if (!(config.parallel.minimumStealNanoseconds >= 0.0) ||
        !std::isfinite(config.parallel.minimumStealNanoseconds)) {
        throw Error("EngineConfig::parallel.minimumStealNanoseconds " +
                    std::to_string(config.parallel.minimumStealNanoseconds) +
                    " is invalid: it must be 0 or more, and finite");
    }
    const PrefetchConfig& prefetch = config.prefetch;
    if (!isGuardLevel(prefetch.guard)) {
        throw Error("EngineConfig::prefetch.guard " +
                    std::to_string(static_cast<int>(prefetch.guard)) + " is not a GuardLevel");
    }
    if (prefetch.blockFrames < PrefetchConfig::kMinBlockFrames ||
        prefetch.blockFrames > PrefetchConfig::kMaxBlockFrames) {
        throw Error("EngineConfig::prefetch.blockFrames " + std::to_string(prefetch.blockFrames) +
                    " is invalid: it must lie in " +
                    std::to_string(PrefetchConfig::kMinBlockFrames) + ".." +
                    std::to_string(PrefetchConfig::kMaxBlockFrames) + " frames");
    }
    if (prefetch.workers == 0 || prefetch.workers > config.maxWorkers) {
        throw Error("EngineConfig::prefetch.workers " + std::to_string(prefetch.workers) +
                    " is invalid: it must lie in 1..maxWorkers (" +
                    std::to_string(config.maxWorkers) + ")");
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
    PublishedPlan(std::unique_ptr<Plan> plan, std::uint32_t maxWorkers, const Graph& graph,
                  std::unique_ptr<detail::PrefetchDomain> prefetched)
        : scheduled(std::move(plan), maxWorkers)
        , prefetch(std::move(prefetched))
        , claims(graph) {}

    ScheduledPlan scheduled; // the whole graph, or its live part when `prefetch` is set
    std::unique_ptr<detail::PrefetchDomain> prefetch; // its prefetched part, or null
    NodeClaims claims;
};

namespace {

// Nodes are prepared once for the largest block any domain gives them.
FrameCount compiledBlockSize(const EngineConfig& config) {
    return config.prefetch.guard == GuardLevel::off
               ? config.maxBlockSize
               : std::max(config.maxBlockSize, config.prefetch.blockFrames);
}

} // namespace

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
          config.metrics, config.trace, std::max(1u, config.maxWorkers), config.sampleRate))
    , guard_(config.prefetch.guard) {
    if (config.prefetch.guard != GuardLevel::off) {
        prefetcher_ = std::make_unique<detail::PrefetchRenderer>(config.prefetch, config.sampleRate,
                                                                 config.maxWorkers);
        prefetcher_->setHorizon(config.prefetch.horizonFrames(config.prefetch.guard));
    }
}

bool Engine::setGuardLevel(GuardLevel level) noexcept {
    if (!isGuardLevel(level) || (prefetcher_ == nullptr && level != GuardLevel::off)) {
        return false;
    }
    guard_.store(level, std::memory_order_relaxed);
    if (prefetcher_ != nullptr) {
        prefetcher_->setHorizon(config_.prefetch.horizonFrames(level));
    }
    return true;
}

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

Engine::~Engine() {
    // The last block may have returned before its helpers left it (BlockInfo::
    // helpersMayLeaveLate); nothing they may still read is freed before they have.
    pool_->waitForHelpersToLeave();
}

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
    std::unique_ptr<detail::PrefetchDomain> prefetch;
    std::shared_ptr<detail::PrefetchRings> rings;
    try {
        // Take the change marks first: a node that changes while compiling marks itself again.
        for (NodeId id : graph.nodeIds()) {
            static_cast<void>(graph.node(id)->takePropertiesChanged());
        }
        CompileSettings settings;
        settings.sampleRate = config_.sampleRate;
        settings.maxBlockSize = compiledBlockSize(config_);
        std::unique_ptr<Plan> plan;
        std::unique_ptr<Plan> whole;
        if (prefetcher_ != nullptr) {
            // The whole graph is compiled first: it checks the graph, prepares the nodes and gives
            // the path latencies the two parts are aligned by.
            whole = compile(graph, settings, nullptr);
            prefetch = makePrefetchDomain(graph, *whole, plan);
        }
        if (plan == nullptr) {
            plan = compile(graph, settings, &control_->compensationDelays);
        }
        const Plan& latencySource = whole != nullptr ? *whole : *plan;
        // Nothing below throws (but for allocation): a rejected graph has changed nothing.
        copy = std::make_unique<Graph>(graph);
        latencies.assign(graph.maxId() + 1, kNoLatency);
        for (TaskIndex t = 0; t < latencySource.numTasks(); ++t) {
            if (!latencySource.isPartialSum(t)) {
                latencies[latencySource.nodeId(t).value] = latencySource.latency(t);
            }
        }
        outputLatency = latencySource.outputLatency();
        generation = control_->planGeneration + 1;
        metrics_->addPlan(std::make_shared<const TracePlan>(TracePlan::of(*plan, generation)));
        rings = prefetch != nullptr ? prefetch->sharedRings() : nullptr;
        published = std::make_unique<PublishedPlan>(std::move(plan), config_.maxWorkers, graph,
                                                    std::move(prefetch));
        published->scheduled.setGeneration(generation);
        carryMeasuredCostsInto(*published);
    } catch (...) {
        for (NodeId id : graph.nodeIds()) {
            detail::NodeOwnership::releaseUnused(*graph.node(id), this);
        }
        throw;
    }
    control_->planGeneration = generation;
    if (control_->prefetchRings != nullptr && control_->prefetchRings != rings) {
        control_->prefetchRings->superseded.store(true, std::memory_order_release);
    }
    control_->prefetchRings = std::move(rings);
    control_->publishedPlan = &published->scheduled;
    plans_.publish(std::move(published));
    control_->committedGraph = std::move(copy);
    control_->latencyById = std::move(latencies);
    outputLatency_.store(outputLatency, std::memory_order_relaxed);
    // After publishing: a handle resolved now finds its node playing.
    control_->parameters.onCommit(graph);
}

void Engine::carryMeasuredCostsInto(PublishedPlan& next) {
    // The plans the last commit published are alive here: plans are freed by collectGarbage, on
    // this thread under the commit mutex, and only once a newer plan has been published.
    // With the guard on this is the live part: prefetch blocks are not timed
    // (PrefetchDomain::render), so the prefetched part has no times to carry.
    if (control_->publishedPlan != nullptr &&
        detail::carryMeasuredCosts(*control_->publishedPlan, next.scheduled) > 0) {
        next.scheduled.refreshPriorities();
    }
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

std::unique_ptr<detail::PrefetchDomain>
Engine::makePrefetchDomain(const Graph& graph, const Plan& whole, std::unique_ptr<Plan>& live) {
    const DomainAssignment domains = assignDomains(graph);
    if (domains.boundary.empty()) {
        // Nothing prefetched reaches the output: render the graph whole.
        detail::handOverCompensationToLive(control_->compensationDelays,
                                           control_->prefetchCompensationDelays);
        return nullptr;
    }
    std::vector<ChannelCount> channels;
    for (const OutputPort& port : domains.boundary) {
        channels.push_back(graph.node(port.node)->properties().outputs[port.port].channels);
    }
    std::shared_ptr<detail::PrefetchRings> rings = control_->prefetchRings;
    bool same = rings != nullptr && rings->ports() == domains.boundary;
    for (std::size_t r = 0; same && r < channels.size(); ++r) {
        same = rings->channels(r) == channels[r];
    }
    if (!same) {
        // Room for the highest guard, a prefetch block in flight and a device block being read.
        const FrameCount capacity = config_.prefetch.horizonFrames(GuardLevel::high) +
                                    config_.prefetch.blockFrames + config_.maxBlockSize;
        rings = std::make_shared<detail::PrefetchRings>(domains.boundary, channels, capacity);
        detail::handOverCompensation(domains, control_->compensationDelays,
                                     control_->prefetchCompensationDelays);
    }
    const auto ringOf = [&](OutputPort port) {
        const auto it = std::lower_bound(domains.boundary.begin(), domains.boundary.end(), port);
        return it != domains.boundary.end() && *it == port
                   ? static_cast<std::size_t>(it - domains.boundary.begin())
                   : detail::RingReaderNode::npos;
    };
    const auto makeReader = [&](NodeId id) -> std::shared_ptr<Node> {
        NodeProperties props = graph.node(id)->properties();
        std::vector<std::size_t> ringOfPort;
        for (PortIndex p = 0; p < props.outputs.size(); ++p) {
            ringOfPort.push_back(ringOf(OutputPort{id, p}));
        }
        return std::make_shared<detail::RingReaderNode>(rings, std::move(props.outputs),
                                                        std::move(ringOfPort),
                                                        whole.latency(whole.taskOf(id)));
    };
    const auto makeWriter = [&](OutputPort port, ChannelCount) -> std::shared_ptr<Node> {
        return std::make_shared<detail::RingWriterNode>(rings, ringOf(port));
    };
    DomainGraphs graphs = splitByDomain(graph, domains, makeReader, makeWriter);
    CompileSettings settings;
    settings.sampleRate = config_.sampleRate;
    settings.maxBlockSize = compiledBlockSize(config_);
    std::unique_ptr<Plan> prefetched =
        compile(graphs.prefetch, settings, &control_->prefetchCompensationDelays);
    detail::separateCompensation(control_->compensationDelays,
                                 control_->prefetchCompensationDelays);
    std::unique_ptr<Plan> livePart = compile(graphs.live, settings, &control_->compensationDelays);
    auto domain = std::make_unique<detail::PrefetchDomain>(
        std::move(prefetched), config_.maxWorkers, rings, control_->drain.smoothingFrames());
    live = std::move(livePart);
    return domain;
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

Engine::PublishedPlan* Engine::acquirePlan() noexcept {
    PublishedPlan* current = plans_.current();
    // Switch only after the handshakes: an offer published between a look at it and acquire()
    // would otherwise be taken without them, and the control thread could free the old plan while
    // helpers leaving the last block (renderBlock lets them leave late) or the prefetch renderer
    // still read it.
    if (!plans_.hasOffer()) {
        return current;
    }
    pool_->waitForHelpersToLeave();
    if (prefetcher_ == nullptr || current == nullptr || current->prefetch == nullptr) {
        return plans_.acquire();
    }
    // The renderer must let go of the old prefetched part first; until it has, the old plan keeps
    // playing (for a block or so: it lets go between two prefetch blocks).
    prefetcher_->setTarget(nullptr);
    if (prefetcher_->isHolding(current->prefetch.get()) || mustPlayOut(*current->prefetch)) {
        return current;
    }
    return plans_.acquire();
}

bool Engine::mustPlayOut(detail::PrefetchDomain& domain) const noexcept {
    // A new plan that does not take the rings over starts its prefetched part where the old one
    // stopped rendering: until the playhead gets there, the old plan plays what the rings hold
    // (at most the horizon; the renderer has stopped). Switching earlier would make the nodes
    // that stay prefetched, and those that move to the live part, jump ahead by what the rings
    // held. After a transport change what they hold is stale: switch at once.
    const detail::PrefetchRings& rings = domain.rings();
    return rings.superseded.load(std::memory_order_acquire) && rings.timeline.started &&
           rings.timeline.transportEpoch == control_->drain.transportEpoch() &&
           rings.written.load(std::memory_order_acquire) >
               framesRendered_.load(std::memory_order_relaxed);
}

void Engine::bindPrefetch(detail::PrefetchDomain& domain) noexcept {
    // Nobody else can hold it yet: the renderer is given it only after this.
    detail::PrefetchRings& rings = domain.rings();
    if (!rings.timeline.started) {
        domain.restart(framesRendered_.load(std::memory_order_relaxed),
                       control_->drain.transportInfo(), control_->drain.transportEpoch());
    }
    control_->drain.bindAutomationTo(domain.scheduled().plan(),
                                     rings.written.load(std::memory_order_relaxed));
    domain.bound = true;
}

void Engine::process(ConstBufferView input, BufferView output) noexcept {
    const RealtimeScope realtime;
    const DenormalGuard denormals;
    const FrameCount frames = output.numFrames();
    PublishedPlan* published = acquirePlan();
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
    detail::PrefetchDomain* prefetch = published->prefetch.get();
    const SampleTime now = framesRendered_.load(std::memory_order_relaxed);
    bool holding = false;
    if (prefetch != nullptr) {
        if (!prefetch->bound) {
            bindPrefetch(*prefetch);
        }
        // New automation is bound to both parts at once, so only when the renderer is between
        // two blocks (it is, most of the time); otherwise the lanes in force stay a block more.
        holding = control_->drain.automationPending() &&
                  prefetch->tryHold(detail::PrefetchDomain::Holder::audio);
    }
    control_->drain.beginProcess(plan->plan(), plans_.swapCountApprox(), now, prefetch,
                                 prefetch == nullptr || holding);
    if (holding) {
        control_->drain.bindAutomationTo(prefetch->scheduled().plan(),
                                         prefetch->rings().written.load(std::memory_order_relaxed));
        prefetch->release();
    }
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
        renderBlock(*plan, prefetch,
                    offset < inputFrames ? input.subFrames(offset, chunk) : ConstBufferView{},
                    output.subFrames(offset, chunk));
        offset += chunk;
    }
    control_->drain.endProcess(framesRendered_.load(std::memory_order_relaxed));
    if (prefetch != nullptr) {
        if (!plans_.hasOffer()) {
            prefetcher_->setTarget(prefetch);
        }
        reportPrefetchState(prefetch);
    }
    metrics_->endBlock(wakeUps);
}

void Engine::renderPrefetched(detail::PrefetchDomain& domain, SampleTime start,
                              FrameCount frames) noexcept {
    detail::PrefetchRings& rings = domain.rings();
    const std::uint64_t epoch = control_->drain.transportEpoch();
    if (rings.timeline.transportEpoch != epoch) {
        // Play, stop, locate or a new loop: what the rings hold follows the old timeline. Start
        // again from here (the renderer finishes the block it is on first).
        domain.holdForAudio();
        domain.restart(start, control_->drain.transportInfo(), epoch);
        domain.release();
    }
    const SampleTime needed = start + static_cast<SampleTime>(frames);
    const SampleTime written = rings.written.load(std::memory_order_acquire);
    const FrameCount horizon = prefetcher_->horizonApprox();
    // Refilled once the renderer has filled the rings as far as it does (the horizon less one
    // prefetch block at least).
    const auto full = static_cast<SampleTime>(horizon) -
                      static_cast<SampleTime>(std::min(horizon, config_.prefetch.blockFrames));
    if (rings.timeline.refilling &&
        (written - start >= full ||
         start - rings.timeline.restartedAt >= static_cast<SampleTime>(horizon))) {
        rings.timeline.refilling = false;
    }
    if (written >= needed) {
        return;
    }
    // Not rendered in time (or the guard is off, or the rings are refilling after a start or a
    // transport change): render the missing frames here, at the device block, so the block plays
    // right. Only a ring that ran dry after it was full is an underrun (not the last frames of
    // rings being played out before a switch: the renderer has stopped filling them).
    if (horizon > 0 && !rings.timeline.refilling &&
        !rings.superseded.load(std::memory_order_relaxed)) {
        prefetchUnderruns_.store(prefetchUnderruns_.load(std::memory_order_relaxed) + 1,
                                 std::memory_order_relaxed);
    }
    domain.holdForAudio();
    Executor& executor = currentExecutor();
    for (SampleTime done = rings.written.load(std::memory_order_relaxed); done < needed;
         done = rings.written.load(std::memory_order_relaxed)) {
        domain.render(static_cast<FrameCount>(needed - done), executor);
    }
    domain.release();
}

void Engine::reportPrefetchState(detail::PrefetchDomain* domain) noexcept {
    const detail::PrefetchRings& rings = domain->rings();
    const FrameCount horizon = prefetcher_->horizonApprox();
    PrefetchMetrics figures;
    figures.load = prefetcher_->loadApprox();
    const SampleTime ahead = rings.written.load(std::memory_order_relaxed) -
                             rings.consumed.load(std::memory_order_relaxed);
    figures.ringFill = horizon == 0
                           ? 0.0
                           : std::min(1.0, static_cast<double>(std::max<SampleTime>(ahead, 0)) /
                                               static_cast<double>(horizon));
    figures.underruns = prefetchUnderruns_.load(std::memory_order_relaxed);
    metrics_->setPrefetch(figures);
}

void Engine::renderBlock(ScheduledPlan& scheduled, detail::PrefetchDomain* prefetch,
                         ConstBufferView input, BufferView output) noexcept {
    Plan& plan = scheduled.plan();
    const FrameCount frames = output.numFrames();
    const SampleTime start = framesRendered_.load(std::memory_order_relaxed);
    if (prefetch != nullptr) {
        renderPrefetched(*prefetch, start, frames);
    }
    static_cast<GraphInputNode&>(plan.node(plan.inputTask())).setSource(input);
    static_cast<GraphOutputNode&>(plan.node(plan.outputTask())).setDestination(output);
    plan.prepareBlock(frames);
    BlockInfo block{frames, start};
    block.transport = control_->drain.transportInfo();
    block.timeNodes = config_.timingInterval != 0 && blocksRendered_ % config_.timingInterval == 0;
    // Helpers may leave after the block has ended: the next run on the pool, a plan switch
    // (process) and the destructor wait for them.
    block.helpersMayLeaveLate = true;
    Executor& executor = currentExecutor();
    executor.setObserver(metrics_->observer());
    metrics_->beginRun();
    executor.run(scheduled, block);
    metrics_->endRun(1 + executor.lastHelpersApprox());
    lastHelpers_.store(executor.lastHelpersApprox(), std::memory_order_relaxed);
    if (prefetch != nullptr) {
        prefetch->rings().consumed.store(start + static_cast<SampleTime>(frames),
                                         std::memory_order_release);
    }
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
