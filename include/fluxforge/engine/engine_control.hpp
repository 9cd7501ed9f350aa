// EngineControl: the Engine's control plane: the senders' queues, automation, transport, and the
// parameters of the committed graph, with the audio thread's side of each.
#pragma once

#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/core/realtime_handoff.hpp>
#include <fluxforge/core/transport_info.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/engine/automation_set.hpp>
#include <fluxforge/engine/control_command.hpp>
#include <fluxforge/engine/control_sender.hpp>
#include <fluxforge/engine/parameter_handle.hpp>
#include <fluxforge/engine/transport.hpp>
#include <fluxforge/graph/graph.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/graph/plan.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace fluxforge {

/// What the audio thread has done with the commands it took from the senders' queues.
struct ControlStats {
    /// Commands taken and carried out (late ones included).
    std::uint64_t commandsApplied = 0;
    /// Timed commands whose time had already been rendered: applied at the next block's start.
    std::uint64_t commandsLate = 0;
    /// Parameter commands for a node the running plan no longer has: discarded.
    std::uint64_t commandsUnrouted = 0;
    /// Commands that arrived out of their sender's order (always 0; a self-check of the queues).
    std::uint64_t sequenceErrors = 0;
};

namespace detail {

/// The senders the audio thread drains: an immutable list, replaced whole when one is added or
/// removed. It owns shares of its channels, so a channel outlives the list the audio thread uses.
struct SenderList {
    std::vector<std::shared_ptr<CommandChannel>> owners;
    std::vector<CommandChannel*> channels; // the same, for the audio thread
};

/// The part of the Engine that docs/automation.md describes. The Engine owns one and forwards to
/// it.
///
/// Control-thread members lock an internal mutex (the control side only), so any control threads
/// may call them concurrently. Audio-thread members (beginProcess .. endProcess) run on the audio
/// thread only, between blocks, and are real-time safe.
class EngineControl {
public:
    /// Throws fluxforge::Error if the smoothing time is not a number in 0..1 seconds.
    EngineControl(SampleRate sampleRate, double smoothingSeconds);
    ~EngineControl();
    EngineControl(const EngineControl&) = delete;
    EngineControl& operator=(const EngineControl&) = delete;

    // ---- control thread -----------------------------------------------------------------------

    ControlSender createSender(const SenderConfig& config);
    /// Records the nodes of a graph just compiled, for parameter lookups, and drops automation of
    /// nodes no longer in it.
    void onCommit(const Graph& graph);
    [[nodiscard]] ParameterHandle parameter(NodeId node, std::string_view id) const;
    [[nodiscard]] ParameterHandle parameter(NodeId node, std::size_t index) const;
    void setAutomation(const ParameterHandle& parameter,
                       std::shared_ptr<const AutomationLane> lane);
    void clearAutomation(const ParameterHandle& parameter);
    [[nodiscard]] std::shared_ptr<const AutomationLane>
    automation(const ParameterHandle& parameter) const;
    [[nodiscard]] float parameterValueApprox(const ParameterHandle& parameter) const;
    std::size_t collect();

    [[nodiscard]] FrameCount smoothingFrames() const noexcept { return smoothingFrames_; }

    // ---- any thread ---------------------------------------------------------------------------

    [[nodiscard]] TransportSnapshot transportApprox() const noexcept {
        return transport_.snapshot();
    }
    [[nodiscard]] ControlStats statsApprox() const noexcept;

    // ---- audio thread -------------------------------------------------------------------------

    /// Start of a process() call whose first frame is engine time `now`: binds automation to the
    /// plan if either changed (`planSwaps` counts the engine's plan switches), then applies the
    /// senders' commands.
    void beginProcess(Plan& plan, std::size_t planSwaps, SampleTime now) noexcept;
    /// Frames the next block may have (transport boundaries), at most `limit`.
    [[nodiscard]] FrameCount nextBlockFrames(SampleTime engineTime,
                                             FrameCount limit) const noexcept {
        return transport_.nextBlockFrames(engineTime, limit);
    }
    [[nodiscard]] const TransportInfo& transportInfo() const noexcept { return transport_.info(); }
    /// After each block.
    void endBlock(SampleTime blockStart, FrameCount frames) noexcept {
        transport_.advance(blockStart, frames);
    }
    /// End of a process() call; `engineTime` is the next frame's.
    void endProcess(SampleTime engineTime) noexcept { transport_.publish(engineTime); }

private:
    enum class Outcome { applied, late, unrouted, retryLater };

    struct RegisteredNode {
        std::shared_ptr<Node> node; // null: no node with this id
        std::string name;
    };

    // Control side (mutex_ held).
    const RegisteredNode& registered(const ParameterHandle& parameter,
                                     std::string_view action) const;
    void publishSenders();
    void publishAutomation();
    std::size_t collectLocked();

    // Audio side.
    void bindAutomation(Plan& plan, const AutomationSet* set, SampleTime now) noexcept;
    Outcome apply(const Command& command, Plan& plan, SampleTime now) noexcept;
    static void bump(std::atomic<std::uint64_t>& counter) noexcept {
        counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    // ---- set at construction ----
    FrameCount smoothingFrames_ = 0;

    // ---- control threads, under mutex_ ----
    mutable std::mutex mutex_;
    std::vector<RegisteredNode> nodes_; // indexed by NodeId::value
    std::vector<std::shared_ptr<CommandChannel>> channels_;
    std::vector<AutomationSet::Entry> automation_; // sorted by (node, parameter)
    RealtimeHandoff<SenderList> senders_;
    RealtimeHandoff<AutomationSet> automationSets_;

    // ---- audio thread only ----
    TransportRuntime transport_; // (its snapshot() is for any thread)
    std::size_t boundPlanSwaps_ = ~std::size_t{0};
    std::size_t boundAutomationSwaps_ = ~std::size_t{0};

    // ---- shared: written by the audio thread, read by any ----
    std::atomic<std::uint64_t> applied_{0};
    std::atomic<std::uint64_t> late_{0};
    std::atomic<std::uint64_t> unrouted_{0};
    std::atomic<std::uint64_t> sequenceErrors_{0};
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline ControlStats EngineControl::statsApprox() const noexcept {
    ControlStats stats;
    stats.commandsApplied = applied_.load(std::memory_order_relaxed);
    stats.commandsLate = late_.load(std::memory_order_relaxed);
    stats.commandsUnrouted = unrouted_.load(std::memory_order_relaxed);
    stats.sequenceErrors = sequenceErrors_.load(std::memory_order_relaxed);
    return stats;
}

inline void EngineControl::bindAutomation(Plan& plan, const AutomationSet* set,
                                          SampleTime now) noexcept {
    const auto tasks = static_cast<TaskIndex>(plan.numTasks());
    for (TaskIndex task = 0; task < tasks; ++task) {
        if (!plan.isPartialSum(task)) { // partial sums (tree mixing) have no node
            NodeParameterAccess::runtime(plan.node(task)).beginLaneBinding();
        }
    }
    if (set != nullptr) {
        for (const AutomationSet::Entry& entry : set->entries) {
            const TaskIndex task = plan.taskOf(entry.node);
            if (task == kNoTask || &plan.node(task) != entry.address) {
                continue;
            }
            ParameterRuntime& runtime = NodeParameterAccess::runtime(plan.node(task));
            if (entry.parameter < runtime.size()) {
                runtime.setNextLane(entry.parameter, entry.lane.get());
            }
        }
    }
    for (TaskIndex task = 0; task < tasks; ++task) {
        if (!plan.isPartialSum(task)) {
            NodeParameterAccess::runtime(plan.node(task)).commitLaneBinding(now, smoothingFrames_);
        }
    }
}

inline EngineControl::Outcome EngineControl::apply(const Command& command, Plan& plan,
                                                   SampleTime now) noexcept {
    if (command.kind != CommandKind::setParameter) {
        switch (transport_.apply(command, now)) {
        case TransportRuntime::Outcome::applied:
            return Outcome::applied;
        case TransportRuntime::Outcome::late:
            return Outcome::late;
        case TransportRuntime::Outcome::full:
            break;
        }
        return Outcome::retryLater;
    }
    const TaskIndex task = plan.taskOf(command.node);
    if (task == kNoTask || &plan.node(task) != command.address) {
        return Outcome::unrouted;
    }
    ParameterRuntime& runtime = NodeParameterAccess::runtime(plan.node(task));
    if (command.parameter >= runtime.size()) {
        return Outcome::unrouted;
    }
    ParameterChange change;
    change.value = command.value;
    change.rampFrames = command.rampFrames == kDefaultRamp ? smoothingFrames_ : command.rampFrames;
    const bool late = command.at != kImmediately && command.at < now;
    change.at = command.at == kImmediately || late ? now : command.at;
    if (!runtime.tryScheduleChange(command.parameter, change)) {
        return Outcome::retryLater;
    }
    return late ? Outcome::late : Outcome::applied;
}

inline void EngineControl::beginProcess(Plan& plan, std::size_t planSwaps,
                                        SampleTime now) noexcept {
    const SenderList* senders = senders_.acquire();
    const AutomationSet* set = automationSets_.acquire();
    const std::size_t automationSwaps = automationSets_.swapCountApprox();
    if (planSwaps != boundPlanSwaps_ || automationSwaps != boundAutomationSwaps_) {
        bindAutomation(plan, set, now);
        boundPlanSwaps_ = planSwaps;
        boundAutomationSwaps_ = automationSwaps;
    }
    if (senders == nullptr) {
        return;
    }
    for (CommandChannel* channel : senders->channels) {
        // At most one queue's worth per call: a sender refilling its queue while the audio thread
        // drains it must not keep the audio thread here.
        for (std::size_t taken = 0; taken < channel->capacity; ++taken) {
            const Command* command = channel->queue.peek();
            if (command == nullptr) {
                break;
            }
            const Outcome outcome = apply(*command, plan, now);
            if (outcome == Outcome::retryLater) {
                break; // the target is full: keep the sender's order, try again next call
            }
            if (command->sequence != channel->lastSequence + 1) {
                bump(sequenceErrors_);
            }
            channel->lastSequence = command->sequence;
            channel->queue.pop();
            bump(channel->delivered);
            bump(outcome == Outcome::unrouted ? unrouted_ : applied_);
            if (outcome == Outcome::late) {
                bump(late_);
            }
        }
        if (channel->closed.load(std::memory_order_acquire) && channel->queue.peek() == nullptr) {
            channel->drained.store(true, std::memory_order_release);
        }
    }
}

} // namespace detail
} // namespace fluxforge
