// PrefetchDomain: the run state of one plan's prefetched part: its compiled plan, the rings it
// fills, who holds it, and the parameter commands waiting for it. Private to src/engine/.
#pragma once

#include "../command_drain.hpp"
#include "prefetch_rings.hpp"

#include <fluxforge/core/backoff.hpp>
#include <fluxforge/engine/control_command.hpp>
#include <fluxforge/engine/transport.hpp>
#include <fluxforge/sched/executor.hpp>
#include <fluxforge/sched/scheduled_plan.hpp>

#include <readerwriterqueue/readerwriterqueue.h>

#include <atomic>
#include <cstdint>
#include <memory>

namespace fluxforge::detail {

/// One thread at a time renders the prefetched part: the prefetch renderer, or the audio thread
/// (on an underrun, to restart the timeline after a transport change, or to bind automation). A
/// holder takes it with tryHold and gives it back with release; the renderer only ever tries, and
/// the audio thread waits only where it must have it (docs/prefetch.md says when).
///
/// Thread: control constructs; holders as said. Real-time safe: yes after construction.
class PrefetchDomain final : public PrefetchCommandSink {
public:
    enum class Holder : std::uint32_t { none, renderer, audio };

    PrefetchDomain(std::unique_ptr<Plan> plan, std::uint32_t maxWorkers,
                   std::shared_ptr<PrefetchRings> rings, FrameCount smoothingFrames)
        : scheduled_(std::move(plan), maxWorkers)
        , rings_(std::move(rings))
        , commands_(kCommandCapacity)
        , smoothingFrames_(smoothingFrames) {}

    [[nodiscard]] ScheduledPlan& scheduled() noexcept { return scheduled_; }
    [[nodiscard]] PrefetchRings& rings() noexcept { return *rings_; }
    [[nodiscard]] const std::shared_ptr<PrefetchRings>& sharedRings() const noexcept {
        return rings_;
    }

    [[nodiscard]] bool tryHold(Holder who) noexcept {
        Holder expected = Holder::none;
        return holder_.compare_exchange_strong(expected, who, std::memory_order_acquire,
                                               std::memory_order_relaxed);
    }
    /// The audio thread's way in: waits for the renderer to finish the block it is rendering.
    void holdForAudio() noexcept {
        while (!tryHold(Holder::audio)) {
            cpuRelax();
        }
    }
    void release() noexcept { holder_.store(Holder::none, std::memory_order_release); }

    // ---- PrefetchCommandSink (audio thread) ----
    [[nodiscard]] bool holds(const Command& command) const noexcept override {
        const Plan& plan = scheduled_.plan();
        const TaskIndex task = plan.taskOf(command.node);
        return task != kNoTask && &plan.node(task) == command.address;
    }
    [[nodiscard]] bool tryForward(const Command& command) noexcept override {
        return commands_.try_enqueue(command);
    }

    /// Renders the next frames of the prefetched part (at most `maxFrames`, ending at a loop end)
    /// with `executor` and publishes them. Returns the frames rendered.
    /// Thread: the holder. Real-time safe: yes. Allocates: no.
    FrameCount render(FrameCount maxFrames, Executor& executor) noexcept {
        PrefetchRings& rings = *rings_;
        const SampleTime start = rings.written.load(std::memory_order_relaxed);
        applyCommands(start);
        const FrameCount frames = framesBeforeLoopEnd(rings.timeline.transport, maxFrames);
        scheduled_.plan().prepareBlock(frames);
        BlockInfo block{frames, start};
        block.transport = rings.timeline.transport;
        executor.setObserver(nullptr);
        executor.run(scheduled_, block);
        advancePlayhead(rings.timeline.transport, frames);
        rings.written.store(start + static_cast<SampleTime>(frames), std::memory_order_release);
        return frames;
    }

    /// Starts the timeline again at engine time `now` with `transport` (what the rings hold is
    /// dropped): the first bind, and after a transport change. Thread: the holder.
    void restart(SampleTime now, const TransportInfo& transport, std::uint64_t epoch) noexcept {
        PrefetchRings& rings = *rings_;
        rings.timeline.started = true;
        rings.timeline.transport = transport;
        rings.timeline.transportEpoch = epoch;
        rings.timeline.refilling = true;
        rings.timeline.restartedAt = now;
        rings.consumed.store(now, std::memory_order_release);
        rings.written.store(now, std::memory_order_release);
    }

    /// Whether the audio thread has bound this domain (lanes, timeline) yet. Audio thread only.
    bool bound = false;

private:
    static constexpr std::size_t kCommandCapacity = 1024;

    void applyCommands(SampleTime now) noexcept {
        // Commands that find their parameter's queue full wait for the next block, in order.
        while (const Command* command = commands_.peek()) {
            if (applyParameterCommand(*command, scheduled_.plan(), now, smoothingFrames_) ==
                ParameterCommandOutcome::retryLater) {
                return;
            }
            commands_.pop();
        }
    }

    ScheduledPlan scheduled_;
    std::shared_ptr<PrefetchRings> rings_;
    moodycamel::ReaderWriterQueue<Command> commands_; // audio thread -> holder
    FrameCount smoothingFrames_;
    std::atomic<Holder> holder_{Holder::none};
};

} // namespace fluxforge::detail
