// Plan: a compiled execution plan of a Graph, and the buffers one block runs in.
#pragma once

#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/kernels.hpp>
#include <fluxforge/core/transport_info.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/compensation_delay.hpp>
#include <fluxforge/graph/node.hpp>
#include <fluxforge/graph/node_id.hpp>

#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <vector>

namespace fluxforge {

/// Position of a node in a plan's topological order.
using TaskIndex = std::uint32_t;
inline constexpr TaskIndex kNoTask = ~TaskIndex{0};

/// The largest block a plan may be compiled for, and the sample rates it accepts.
inline constexpr FrameCount kMaxBlockSizeLimit = 16384;
inline constexpr SampleRate kMinSampleRate = 8000.0;
inline constexpr SampleRate kMaxSampleRate = 768000.0;

/// What a plan is compiled for. Nodes are prepared with these settings.
struct CompileSettings {
    SampleRate sampleRate = 48000.0;
    FrameCount maxBlockSize = 512; ///< 1..kMaxBlockSizeLimit; larger host blocks are split
    /// An input port summing more sources than this gets partial-sum tasks that can run in
    /// parallel (tree mixing); the result is bit-identical. 0 or 1: never split.
    std::uint32_t maxSumFanIn = 16;
};

/// The block a plan is asked to render.
struct BlockInfo {
    FrameCount numFrames = 0;  ///< 1..maxBlockSize
    SampleTime blockStart = 0; ///< engine clock of the first frame
    /// Whether the executor times each task of this block, for the measured costs the plan's
    /// ranks follow (ScheduledPlan::recordTaskTicks); the plan itself reads no clock.
    bool timeNodes = false;
    /// Whether the executor may return before its helper threads have left the block (they leave
    /// by themselves a moment later): the caller then waits for them (WorkerPool::
    /// waitForHelpersToLeave) before it frees the plan, and the next run on the pool waits too.
    /// The engine sets it for its own blocks; the default waits, as anyone else expects.
    bool helpersMayLeaveLate = false;
    /// The block's place on the timeline; the engine cuts blocks so that it is contiguous.
    TransportInfo transport{};
};

namespace detail {

class PlanBuilder;

inline constexpr std::uint32_t kNoSlot = ~std::uint32_t{0};

/// How one input port gets its signal.
struct InputPortPlan {
    std::uint32_t firstLeaf = 0; ///< into PlanPorts::leaves: source slots in summing order
    std::uint32_t numLeaves = 0; ///< 0: silence; 1 and no gather slot: reads the source directly
    std::uint32_t gatherSlot = kNoSlot; ///< where several leaves are summed
    ChannelCount channels = 0;
};

/// A compensation tap a task reads before its gathers: a source's history, `delay` late.
struct CompensationTap {
    std::uint32_t delayedSlot;
    FrameCount delay;
    const CompensationHistory* history;
};
/// A history a task appends its output to after processing.
struct CompensationAppend {
    std::uint32_t outputSlot;
    CompensationHistory* history;
};

// The parts of a Plan, one per compiler pass that writes it (src/graph/compile/); all indexed by
// task (position in the topological order) unless said otherwise.

/// Which node each task runs (pass buildTasks). Partial sums have no node and an invalid id.
struct PlanTasks {
    std::vector<std::shared_ptr<Node>> owners;
    std::vector<Node*> nodes;
    std::vector<NodeId> ids;
    std::vector<std::string> names;
    std::vector<TaskIndex> taskById; ///< indexed by NodeId::value
    TaskIndex inputTask = kNoTask;
    TaskIndex outputTask = kNoTask;
};

/// The dependency structure (pass buildEdges), each list sorted.
struct PlanEdges {
    std::vector<std::uint32_t> predecessorOffsets;
    std::vector<TaskIndex> predecessors;
    std::vector<std::uint32_t> successorOffsets;
    std::vector<TaskIndex> successors;
    std::vector<std::uint32_t> dependencyCounts;
    std::vector<TaskIndex> sources;
};

/// Cost and critical-path rank, nanoseconds per full block (pass rankTasks).
struct PlanRanks {
    std::vector<double> costs;
    std::vector<double> ranks;
};

/// Ports and the buffer slots they use (passes planInputPorts, then assignSlots).
struct PlanPorts {
    std::vector<std::uint32_t> inputPortOffsets; ///< per task, into inputPorts
    std::vector<InputPortPlan> inputPorts;
    std::vector<std::uint32_t> leaves;            ///< slot of each summed source
    std::vector<std::uint32_t> outputPortOffsets; ///< per task, into outputSlots
    std::vector<std::uint32_t> outputSlots;
    std::vector<ChannelCount> slotChannels; ///< per slot, the shared silence not included
};

/// Latency compensation (passes compensateLatency, then planDelays).
struct PlanCompensation {
    std::vector<FrameCount> latencies;     ///< per task, frames
    std::vector<std::uint32_t> tapOffsets; ///< per task, into taps
    std::vector<CompensationTap> taps;
    std::vector<std::uint32_t> appendOffsets; ///< per task, into appends
    std::vector<CompensationAppend> appends;
    std::vector<std::shared_ptr<CompensationHistory>> histories; ///< shared with the pool
};

struct AlignedDelete {
    void operator()(float* p) const noexcept {
        ::operator delete[](p, std::align_val_t{kBufferAlignment});
    }
};

/// The memory the slots live in and the port views over it (pass allocateBuffers).
struct PlanBuffers {
    std::vector<std::uint32_t> slotFirstChannel; ///< per slot (silence last), into channelPointers
    std::vector<float*> channelPointers;         ///< every slot's channels, maxBlockSize each
    std::unique_ptr<float[], AlignedDelete> storage;
    std::size_t storageFloats = 0;
    // Audio thread (and the workers it hands tasks to): resized by Plan::prepareBlock.
    FrameCount viewFrames = 0;
    std::vector<ConstBufferView> inputViews;
    std::vector<BufferView> outputViews;
};

} // namespace detail

/// A compiled execution plan: the graph's nodes in a topological order, in flat arrays
/// (predecessors and successors, initial dependency counts, critical-path ranks), and the buffer
/// slots their ports use. Executors decide the order tasks run in; `runTask` does the rest.
///
/// Its structure is fixed at compile time. What changes while it runs are the slots' audio and the
/// port views, which `prepareBlock` sets to the block's frame count: a plan runs one block at a
/// time (its run state is not yet split from it; docs/architecture.md).
///
/// Structure queries: Thread: any. Real-time safe: yes. Allocates: no.
/// `prepareBlock` / `runTask`: Thread: audio or worker (a task runs on one thread at a time, after
/// all its predecessors of the same block). Real-time safe: yes. Allocates: no.
///
/// A plan owns shares of its nodes, so a node removed from the graph lives until every plan that
/// runs it is destroyed (on a control thread).
class Plan {
public:
    Plan(const Plan&) = delete;
    Plan& operator=(const Plan&) = delete;
    ~Plan() = default;

    // ---- Structure ----------------------------------------------------------------------------

    [[nodiscard]] const CompileSettings& settings() const noexcept { return settings_; }
    [[nodiscard]] std::size_t numTasks() const noexcept { return tasks_.nodes.size(); }

    /// Whether a task is a partial sum of a wide input port (tree mixing) rather than a node.
    [[nodiscard]] bool isPartialSum(TaskIndex task) const noexcept {
        return tasks_.nodes[task] == nullptr;
    }
    /// The node a task runs; not for partial sums.
    [[nodiscard]] Node& node(TaskIndex task) const noexcept {
        FLUXFORGE_ASSERT(tasks_.nodes[task] != nullptr, "a partial-sum task has no node");
        return *tasks_.nodes[task];
    }
    /// The node's id; invalid for partial sums.
    [[nodiscard]] NodeId nodeId(TaskIndex task) const noexcept { return tasks_.ids[task]; }
    [[nodiscard]] PortIndex numInputPorts(TaskIndex task) const noexcept {
        return ports_.inputPortOffsets[task + 1] - ports_.inputPortOffsets[task];
    }
    [[nodiscard]] PortIndex numOutputPorts(TaskIndex task) const noexcept {
        return ports_.outputPortOffsets[task + 1] - ports_.outputPortOffsets[task];
    }
    [[nodiscard]] const std::string& nodeName(TaskIndex task) const noexcept {
        return tasks_.names[task];
    }

    /// The task of a node, or kNoTask if the node is not in this plan.
    [[nodiscard]] TaskIndex taskOf(NodeId id) const noexcept;

    [[nodiscard]] std::span<const TaskIndex> predecessors(TaskIndex task) const noexcept;
    [[nodiscard]] std::span<const TaskIndex> successors(TaskIndex task) const noexcept;
    /// Number of distinct predecessors: what a task waits for in each block.
    [[nodiscard]] std::uint32_t initialDependencies(TaskIndex task) const noexcept;
    /// Tasks with no predecessors, ready at the start of every block.
    [[nodiscard]] std::span<const TaskIndex> sourceTasks() const noexcept { return edges_.sources; }

    /// Estimated cost of a task for one full block, in nanoseconds.
    [[nodiscard]] double cost(TaskIndex task) const noexcept { return ranks_.costs[task]; }
    /// Critical-path rank: cost(task) + the highest rank among its successors.
    [[nodiscard]] double rank(TaskIndex task) const noexcept { return ranks_.ranks[task]; }

    /// Path latency of a task's output in frames: its own latency (unless PDC-bypassed) plus the
    /// largest among its aligned inputs (docs/pdc.md).
    [[nodiscard]] FrameCount latency(TaskIndex task) const noexcept {
        return compensation_.latencies[task];
    }
    /// The latency of what the graph output plays: what the host adds for recording offsets.
    [[nodiscard]] FrameCount outputLatency() const noexcept {
        return compensation_.latencies[tasks_.outputTask];
    }
    /// Connections this plan delays for compensation (each a tap on its source's history).
    [[nodiscard]] std::size_t numCompensationDelays() const noexcept {
        return compensation_.taps.size();
    }
    /// Bytes of compensation history (one ring per output port that needs one).
    [[nodiscard]] std::size_t compensationBytes() const noexcept;

    [[nodiscard]] TaskIndex inputTask() const noexcept { return tasks_.inputTask; }
    [[nodiscard]] TaskIndex outputTask() const noexcept { return tasks_.outputTask; }

    /// Number of distinct buffer slots (excluding the shared silence) and their total size.
    [[nodiscard]] std::size_t numBufferSlots() const noexcept { return ports_.slotChannels.size(); }
    [[nodiscard]] std::size_t bufferBytes() const noexcept {
        return buffers_.storageFloats * sizeof(float);
    }
    /// The slot an output port renders into.
    [[nodiscard]] std::uint32_t outputSlot(TaskIndex task, PortIndex port) const noexcept;
    /// The slot an input port's view reads: its one source's output slot, the slot its sources are
    /// summed into, or kSilenceSlot when nothing is connected.
    [[nodiscard]] std::uint32_t inputSlot(TaskIndex task, PortIndex port) const noexcept;
    /// Whether the task sums several sources into an input port (writing inputSlot()).
    [[nodiscard]] bool sumsInput(TaskIndex task, PortIndex port) const noexcept;
    static constexpr std::uint32_t kSilenceSlot = ~std::uint32_t{0} - 1;

    // ---- Running a block ------------------------------------------------------------------------

    /// Sets every port view to `numFrames` frames. Call once per block, before any runTask().
    void prepareBlock(FrameCount numFrames) noexcept;

    /// Gathers the task's inputs (summing several connections into one port), brings its
    /// parameters up to date and processes its node.
    void runTask(TaskIndex task, const BlockInfo& block) noexcept;

    /// The output views of a task for the current block (valid after prepareBlock()).
    [[nodiscard]] std::span<const BufferView> outputViews(TaskIndex task) const noexcept;

private:
    friend class detail::PlanBuilder;
    Plan() = default;

    void gather(const detail::InputPortPlan& port, FrameCount numFrames) noexcept;
    const float* leafChannel(std::uint32_t leaf, ChannelCount channel) const noexcept {
        return buffers_.channelPointers[buffers_.slotFirstChannel[ports_.leaves[leaf]] + channel];
    }
    float* const* slotChannels(std::uint32_t slot) const noexcept {
        return buffers_.channelPointers.data() + buffers_.slotFirstChannel[slot];
    }

    // Set once by the compiler, each part by its pass.
    CompileSettings settings_;
    detail::PlanTasks tasks_;
    detail::PlanEdges edges_;
    detail::PlanRanks ranks_;
    detail::PlanPorts ports_;
    detail::PlanCompensation compensation_;
    detail::PlanBuffers buffers_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline TaskIndex Plan::taskOf(NodeId id) const noexcept {
    return id.value < tasks_.taskById.size() ? tasks_.taskById[id.value] : kNoTask;
}

inline std::span<const TaskIndex> Plan::predecessors(TaskIndex task) const noexcept {
    return {edges_.predecessors.data() + edges_.predecessorOffsets[task],
            edges_.predecessors.data() + edges_.predecessorOffsets[task + 1]};
}

inline std::span<const TaskIndex> Plan::successors(TaskIndex task) const noexcept {
    return {edges_.successors.data() + edges_.successorOffsets[task],
            edges_.successors.data() + edges_.successorOffsets[task + 1]};
}

inline std::uint32_t Plan::initialDependencies(TaskIndex task) const noexcept {
    return edges_.dependencyCounts[task];
}

inline std::uint32_t Plan::outputSlot(TaskIndex task, PortIndex port) const noexcept {
    return ports_.outputSlots[ports_.outputPortOffsets[task] + port];
}

inline std::uint32_t Plan::inputSlot(TaskIndex task, PortIndex port) const noexcept {
    const detail::InputPortPlan& plan = ports_.inputPorts[ports_.inputPortOffsets[task] + port];
    if (plan.gatherSlot != detail::kNoSlot) {
        return plan.gatherSlot;
    }
    return plan.numLeaves == 1 ? ports_.leaves[plan.firstLeaf] : kSilenceSlot;
}

inline bool Plan::sumsInput(TaskIndex task, PortIndex port) const noexcept {
    return ports_.inputPorts[ports_.inputPortOffsets[task] + port].gatherSlot != detail::kNoSlot;
}

inline std::span<const BufferView> Plan::outputViews(TaskIndex task) const noexcept {
    return {buffers_.outputViews.data() + ports_.outputPortOffsets[task],
            buffers_.outputViews.data() + ports_.outputPortOffsets[task + 1]};
}

inline void Plan::prepareBlock(FrameCount numFrames) noexcept {
    FLUXFORGE_ASSERT(numFrames > 0 && numFrames <= settings_.maxBlockSize,
                     "block size outside what the plan was compiled for");
    if (numFrames == buffers_.viewFrames) {
        return;
    }
    for (ConstBufferView& view : buffers_.inputViews) {
        view = ConstBufferView(view.channelPointers(), view.numChannels(), numFrames);
    }
    for (BufferView& view : buffers_.outputViews) {
        view = BufferView(view.channelPointers(), view.numChannels(), numFrames);
    }
    buffers_.viewFrames = numFrames;
}

inline void Plan::runTask(TaskIndex task, const BlockInfo& block) noexcept {
    FLUXFORGE_ASSERT(block.numFrames == buffers_.viewFrames,
                     "prepareBlock() was not called for this block");
    const detail::PlanCompensation& pdc = compensation_;
    for (std::uint32_t d = pdc.tapOffsets[task]; d < pdc.tapOffsets[task + 1]; ++d) {
        const detail::CompensationTap& tap = pdc.taps[d];
        tap.history->read(slotChannels(tap.delayedSlot), block.numFrames, tap.delay);
    }
    const std::uint32_t firstInput = ports_.inputPortOffsets[task];
    const std::uint32_t endInput = ports_.inputPortOffsets[task + 1];
    for (std::uint32_t p = firstInput; p < endInput; ++p) {
        if (ports_.inputPorts[p].gatherSlot != detail::kNoSlot) {
            gather(ports_.inputPorts[p], block.numFrames);
        }
    }
    if (tasks_.nodes[task] == nullptr) {
        return; // a partial sum: its gather is all it does (its output is never delayed)
    }
    Node& node = *tasks_.nodes[task];
    // Every field written once, in order: default-constructing and then assigning made the
    // compiler clear the whole struct first (a `rep stos` of 112 bytes per task).
    const ProcessContext context{
        .numFrames = block.numFrames,
        .sampleRate = settings_.sampleRate,
        .blockStart = block.blockStart,
        .inputs = {buffers_.inputViews.data() + firstInput, buffers_.inputViews.data() + endInput},
        .outputs = outputViews(task),
        .parameters = node.updateParameters(block.numFrames, block.blockStart, block.transport),
        .transport = block.transport,
    };
    node.process(context);
    for (std::uint32_t a = pdc.appendOffsets[task]; a < pdc.appendOffsets[task + 1]; ++a) {
        pdc.appends[a].history->append(slotChannels(pdc.appends[a].outputSlot), block.numFrames);
    }
}

inline std::size_t Plan::compensationBytes() const noexcept {
    std::size_t bytes = 0;
    for (const auto& history : compensation_.histories) {
        bytes += history->bytes();
    }
    return bytes;
}

// Sums the port's sources as a balanced pairwise tree: the first floor(k/2) sources form the left
// subtree, the rest the right, recursively. Done in chunks small enough that every level's partial
// sum fits in a scratch array on the stack, so no thread needs scratch memory of its own and any
// executor computes the very same bits.
inline void Plan::gather(const detail::InputPortPlan& port, FrameCount numFrames) noexcept {
    constexpr FrameCount kChunk = 128;
    constexpr std::uint32_t kMaxDepth = 32;
    alignas(kBufferAlignment) float scratch[kMaxDepth][kChunk];

    struct Tree {
        const kernels::KernelTable& k;
        const Plan& plan;
        ChannelCount channel;
        FrameCount offset;
        FrameCount frames;
        float (*scratch)[kChunk];

        void sum(std::uint32_t first, std::uint32_t count, float* out,
                 std::uint32_t depth) const noexcept {
            if (count == 1) {
                k.copy(out, plan.leafChannel(first, channel) + offset, frames);
                return;
            }
            const std::uint32_t left = count / 2;
            sum(first, left, out, depth + 1);
            if (count - left == 1) {
                k.mixAdd(out, plan.leafChannel(first + left, channel) + offset, frames);
            } else {
                float* partial = scratch[depth];
                sum(first + left, count - left, partial, depth + 1);
                k.mixAdd(out, partial, frames);
            }
        }
    };

    const kernels::KernelTable& table = kernels::activeKernelTable(); // one lookup per port
    float* const* outChannels = slotChannels(port.gatherSlot);
    for (ChannelCount c = 0; c < port.channels; ++c) {
        for (FrameCount offset = 0; offset < numFrames; offset += kChunk) {
            const FrameCount frames = numFrames - offset < kChunk ? numFrames - offset : kChunk;
            const Tree tree{table, *this, c, offset, frames, scratch};
            tree.sum(port.firstLeaf, port.numLeaves, outChannels[c] + offset, 0);
        }
    }
}

} // namespace fluxforge
