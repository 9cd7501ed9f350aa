// CommandDrain: the audio thread's side of the engine's control plane. It drains the senders'
// queues into the running plan's parameters, binds automation lanes to the plan's nodes, and
// keeps the transport. Private to src/engine/.
#pragma once

#include "automation_set.hpp"

#include <fluxforge/core/realtime_handoff.hpp>
#include <fluxforge/core/transport_info.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/engine/control_command.hpp>
#include <fluxforge/engine/control_sender.hpp>
#include <fluxforge/engine/control_stats.hpp>
#include <fluxforge/engine/transport.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/graph/plan.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace fluxforge::detail {

/// The senders the audio thread drains: an immutable list, replaced whole when one is added or
/// removed. It owns shares of its channels, so a channel outlives the list the audio thread uses.
struct SenderList {
    std::vector<std::shared_ptr<CommandChannel>> owners;
    std::vector<CommandChannel*> channels; // the same, for the audio thread
};

/// Where the audio thread sends the parameter commands for nodes of the prefetched part: they
/// are applied by whoever renders that part, at the first frame it renders after them.
class PrefetchCommandSink {
public:
    /// Whether `plan` of the prefetched part holds the command's node.
    [[nodiscard]] virtual bool holds(const Command& command) const noexcept = 0;
    /// False when full (the command waits in its sender's queue for the next call).
    [[nodiscard]] virtual bool tryForward(const Command& command) noexcept = 0;

protected:
    ~PrefetchCommandSink() = default;
};

/// Outcome of a parameter command for a node's parameters.
enum class ParameterCommandOutcome { applied, late, unrouted, retryLater };

/// Schedules a setParameter command on the node `task` of `plan` runs (which must be the
/// command's node), at its time or, when that lies before `now` or is kImmediately, at `now`.
/// Thread: the one rendering the node. Real-time safe: yes. Allocates: no.
inline ParameterCommandOutcome applyParameterCommand(const Command& command, Plan& plan,
                                                     SampleTime now,
                                                     FrameCount smoothingFrames) noexcept {
    const TaskIndex task = plan.taskOf(command.node);
    if (task == kNoTask || &plan.node(task) != command.address) {
        return ParameterCommandOutcome::unrouted;
    }
    ParameterRuntime& runtime = NodeParameterAccess::runtime(plan.node(task));
    if (command.parameter >= runtime.size()) {
        return ParameterCommandOutcome::unrouted;
    }
    ParameterChange change;
    change.value = command.value;
    change.rampFrames = command.rampFrames == kDefaultRamp ? smoothingFrames : command.rampFrames;
    const bool late = command.at != kImmediately && command.at < now;
    change.at = command.at == kImmediately || late ? now : command.at;
    if (!runtime.tryScheduleChange(command.parameter, change)) {
        return ParameterCommandOutcome::retryLater;
    }
    return late ? ParameterCommandOutcome::late : ParameterCommandOutcome::applied;
}

/// Audio-thread members (beginProcess .. endProcess) run on the audio thread only, between blocks,
/// and are real-time safe. publish* and collect are the control side's way in (ParameterRegistry
/// calls them under its mutex, so one control thread at a time); *Approx from any thread.
class CommandDrain {
public:
    explicit CommandDrain(FrameCount smoothingFrames) noexcept
        : smoothingFrames_(smoothingFrames) {}

    // ---- control thread (one at a time) ---------------------------------------------------------

    /// The senders and the automation the audio thread takes up at its next process() call.
    /// Real-time safe: no. Allocates: no (the caller built the object).
    void publishSenders(std::unique_ptr<SenderList> list) { senders_.publish(std::move(list)); }
    void publishAutomation(std::unique_ptr<AutomationSet> set) {
        automationSets_.publish(std::move(set));
    }
    /// Frees sender lists and automation sets the audio thread has let go of; returns how many.
    std::size_t collect() { return senders_.collect() + automationSets_.collect(); }

    [[nodiscard]] FrameCount smoothingFrames() const noexcept { return smoothingFrames_; }

    // ---- any thread -----------------------------------------------------------------------------

    [[nodiscard]] TransportSnapshot transportApprox() const noexcept {
        return transport_.snapshot();
    }
    [[nodiscard]] ControlStats statsApprox() const noexcept;

    // ---- audio thread ---------------------------------------------------------------------------

    /// Start of a process() call whose first frame is engine time `now`: binds automation to the
    /// plan if either changed (`planSwaps` counts the engine's plan switches), then applies the
    /// senders' commands.
    /// `prefetch`: where commands for nodes of the prefetched part go (null: there is none).
    /// `mayRebind`: whether lanes may be bound now (false keeps the current automation set: the
    /// prefetched part's renderer is busy and binds nothing until it can be bound too).
    void beginProcess(Plan& plan, std::size_t planSwaps, SampleTime now,
                      PrefetchCommandSink* prefetch = nullptr, bool mayRebind = true) noexcept;
    /// Binds the current automation set's lanes to the nodes of `plan` (the prefetched part, by
    /// its holder) at engine time `now`. Thread: audio, holding that part.
    void bindAutomationTo(Plan& plan, SampleTime now) noexcept {
        bindAutomation(plan, automationSets_.current(), now);
    }
    /// Whether the automation set changed since the last beginProcess that could bind.
    [[nodiscard]] bool automationPending() const noexcept { return automationSets_.hasOffer(); }
    /// The transport's count of timeline changes (TransportRuntime::epoch).
    [[nodiscard]] std::uint64_t transportEpoch() const noexcept { return transport_.epoch(); }
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

    void bindAutomation(Plan& plan, const AutomationSet* set, SampleTime now) noexcept;
    Outcome apply(const Command& command, Plan& plan, SampleTime now) noexcept;
    static void bump(std::atomic<std::uint64_t>& counter) noexcept {
        counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    const FrameCount smoothingFrames_;
    RealtimeHandoff<SenderList> senders_;
    RealtimeHandoff<AutomationSet> automationSets_;

    // ---- audio thread only ----
    TransportRuntime transport_; // (its snapshot() is for any thread)
    PrefetchCommandSink* prefetch_ = nullptr;
    std::size_t boundPlanSwaps_ = ~std::size_t{0};
    std::size_t boundAutomationSwaps_ = ~std::size_t{0};

    // ---- written by the audio thread, read by any ----
    std::atomic<std::uint64_t> applied_{0};
    std::atomic<std::uint64_t> late_{0};
    std::atomic<std::uint64_t> unrouted_{0};
    std::atomic<std::uint64_t> sequenceErrors_{0};
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline ControlStats CommandDrain::statsApprox() const noexcept {
    ControlStats stats;
    stats.commandsApplied = applied_.load(std::memory_order_relaxed);
    stats.commandsLate = late_.load(std::memory_order_relaxed);
    stats.commandsUnrouted = unrouted_.load(std::memory_order_relaxed);
    stats.sequenceErrors = sequenceErrors_.load(std::memory_order_relaxed);
    return stats;
}

inline void CommandDrain::bindAutomation(Plan& plan, const AutomationSet* set,
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

inline CommandDrain::Outcome CommandDrain::apply(const Command& command, Plan& plan,
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
    switch (applyParameterCommand(command, plan, now, smoothingFrames_)) {
    case ParameterCommandOutcome::applied:
        return Outcome::applied;
    case ParameterCommandOutcome::late:
        return Outcome::late;
    case ParameterCommandOutcome::retryLater:
        return Outcome::retryLater;
    case ParameterCommandOutcome::unrouted:
        break;
    }
    // A node of the prefetched part: its renderer applies it (docs/prefetch.md).
    if (prefetch_ != nullptr && prefetch_->holds(command)) {
        return prefetch_->tryForward(command) ? Outcome::applied : Outcome::retryLater;
    }
    return Outcome::unrouted;
}

inline void CommandDrain::beginProcess(Plan& plan, std::size_t planSwaps, SampleTime now,
                                       PrefetchCommandSink* prefetch, bool mayRebind) noexcept {
    prefetch_ = prefetch;
    const SenderList* senders = senders_.acquire();
    const AutomationSet* set = mayRebind ? automationSets_.acquire() : automationSets_.current();
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

} // namespace fluxforge::detail
