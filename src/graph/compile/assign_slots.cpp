// Pass assignSlots: buffer slots, reused only where no two tasks that may run at the same time can
// share one. A slot becomes free for task t when every task that used its last contents is a
// direct predecessor of t (those have finished before t starts, whatever the executor).
#include "passes.hpp"

namespace fluxforge::detail {

namespace {

// The slots handed out so far and who uses their current contents. A slot's contents have
// "users": the readers of the output port written into it, or the writer itself when nobody reads
// it (a gather slot is used by its own task only). Each user keeps a list of the slots it uses (a
// linked list in one flat array), tagged with the slot's generation so that stale entries are
// skipped.
class SlotPool {
public:
    SlotPool(std::size_t numTasks, std::span<const TaskIndex> readers,
             std::vector<ChannelCount>& slotChannels)
        : readers_(readers)
        , slotChannels_(slotChannels)
        , touchHead_(numTasks, kEnd)
        , stamp_(numTasks, kNoTask) {
        touches_.reserve(readers.size() + 2 * numTasks);
    }

    // Gathers the slots task t may reuse: those whose every user is one of t's predecessors.
    void collectCandidates(TaskIndex t, std::span<const TaskIndex> predecessors) {
        candidates_.clear();
        for (TaskIndex pred : predecessors) {
            stamp_[pred] = t;
        }
        for (TaskIndex pred : predecessors) {
            for (std::uint32_t e = touchHead_[pred]; e != kEnd; e = touches_[e].next) {
                const Touch& entry = touches_[e];
                if (slots_[entry.slot].generation == entry.generation &&
                    candidateOf_[entry.slot] != t && isFreeFor(entry.slot, t)) {
                    candidateOf_[entry.slot] = t;
                    candidates_.push_back(entry.slot);
                }
            }
        }
    }

    // The narrowest candidate with enough channels, else a new slot.
    std::uint32_t claim(ChannelCount channels) {
        auto best = candidates_.end();
        for (auto it = candidates_.begin(); it != candidates_.end(); ++it) {
            const ChannelCount have = slotChannels_[*it];
            if (have >= channels && (best == candidates_.end() || have < slotChannels_[*best])) {
                best = it;
            }
        }
        if (best != candidates_.end()) {
            const std::uint32_t slot = *best;
            candidates_.erase(best);
            return slot;
        }
        slotChannels_.push_back(channels);
        slots_.emplace_back();
        candidateOf_.push_back(kNoTask);
        return static_cast<std::uint32_t>(slots_.size() - 1);
    }

    // New contents for `slot`, written by `writer` and used by readers_[firstUser..+userCount)
    // (by the writer alone when userCount is 0).
    void occupy(std::uint32_t slot, TaskIndex writer, std::uint32_t firstUser,
                std::uint32_t userCount) {
        Occupancy& o = slots_[slot];
        ++o.generation;
        o.writer = writer;
        o.firstUser = firstUser;
        o.userCount = userCount;
        if (userCount == 0) {
            touch(writer, slot);
        }
        for (std::uint32_t u = 0; u < userCount; ++u) {
            touch(readers_[firstUser + u], slot);
        }
    }

private:
    static constexpr std::uint32_t kEnd = ~std::uint32_t{0};
    struct Touch {
        std::uint32_t slot;
        std::uint32_t generation;
        std::uint32_t next; // next entry of the same task, or kEnd
    };
    struct Occupancy {
        std::uint32_t generation = 0;
        std::uint32_t firstUser = 0; // into readers_, or the writer itself when count == 0
        std::uint32_t userCount = 0;
        TaskIndex writer = kNoTask;
    };

    void touch(TaskIndex user, std::uint32_t slot) {
        touches_.push_back({slot, slots_[slot].generation, touchHead_[user]});
        touchHead_[user] = static_cast<std::uint32_t>(touches_.size() - 1);
    }

    // Whether every user of the slot's contents carries t's stamp (is a predecessor of t).
    bool isFreeFor(std::uint32_t slot, TaskIndex t) const {
        const Occupancy& o = slots_[slot];
        if (o.userCount == 0) {
            return stamp_[o.writer] == t;
        }
        for (std::uint32_t u = 0; u < o.userCount; ++u) {
            if (stamp_[readers_[o.firstUser + u]] != t) {
                return false;
            }
        }
        return true;
    }

    std::span<const TaskIndex> readers_;
    std::vector<ChannelCount>& slotChannels_;
    std::vector<Touch> touches_;
    std::vector<std::uint32_t> touchHead_; // per task
    std::vector<Occupancy> slots_;
    std::vector<TaskIndex> stamp_; // per task: the task it was last a predecessor of
    std::vector<std::uint32_t> candidates_;
    std::vector<TaskIndex> candidateOf_; // per slot: the task it was last a candidate for
};

} // namespace

std::vector<std::uint32_t> assignSlots(const PlanTasks& tasks, const PlanEdges& edges,
                                       const NodeTable& nodes, const TopologicalOrder& order,
                                       const Leaves& leaves, std::span<const FrameCount> leafDelays,
                                       PlanPorts& ports) {
    const std::size_t n = order.order.size();
    const std::vector<std::uint32_t>& readerOffsets = leaves.readerOffsets;
    SlotPool pool(n, leaves.distinctReaders, ports.slotChannels);
    std::vector<std::uint32_t> leafDelaySlots(leaves.sources.size(), kNoSlot);

    for (TaskIndex t = 0; t < n; ++t) {
        pool.collectCandidates(t, {edges.predecessors.data() + edges.predecessorOffsets[t],
                                   edges.predecessors.data() + edges.predecessorOffsets[t + 1]});

        // Compensation delays of this task's input connections write slots of their own, read by
        // the task's gather or as the port's view.
        for (std::uint32_t port = ports.inputPortOffsets[t]; port < ports.inputPortOffsets[t + 1];
             ++port) {
            const InputPortPlan& plan = ports.inputPorts[port];
            for (std::uint32_t l = plan.firstLeaf; l < plan.firstLeaf + plan.numLeaves; ++l) {
                if (leafDelays[l] > 0) {
                    leafDelaySlots[l] = pool.claim(plan.channels);
                    pool.occupy(leafDelaySlots[l], t, 0, 0);
                }
            }
        }
        const NodeProperties& props = nodes.properties[order.order[t]];
        if (tasks.nodes[t] == nullptr) {
            // A partial sum gathers straight into its output slot: one slot, read by the node
            // whose port it feeds.
            InputPortPlan& plan = ports.inputPorts[ports.inputPortOffsets[t]];
            const std::uint32_t output = ports.outputPortOffsets[t];
            plan.gatherSlot = pool.claim(plan.channels);
            ports.outputSlots[output] = plan.gatherSlot;
            pool.occupy(plan.gatherSlot, t, readerOffsets[output],
                        readerOffsets[output + 1] - readerOffsets[output]);
            continue;
        }
        for (PortIndex port = 0; port < props.inputs.size(); ++port) {
            InputPortPlan& plan = ports.inputPorts[ports.inputPortOffsets[t] + port];
            if (plan.numLeaves > 1) {
                plan.gatherSlot = pool.claim(plan.channels);
                pool.occupy(plan.gatherSlot, t, 0, 0);
            }
        }
        for (PortIndex port = 0; port < props.outputs.size(); ++port) {
            const std::uint32_t output = ports.outputPortOffsets[t] + port;
            const std::uint32_t slot = pool.claim(props.outputs[port].channels);
            ports.outputSlots[output] = slot;
            pool.occupy(slot, t, readerOffsets[output],
                        readerOffsets[output + 1] - readerOffsets[output]);
        }
    }

    // What each leaf reads: its delayed copy, or its source's output slot.
    ports.leaves.resize(leaves.sources.size());
    for (std::size_t i = 0; i < leaves.sources.size(); ++i) {
        ports.leaves[i] =
            leafDelaySlots[i] != kNoSlot ? leafDelaySlots[i] : ports.outputSlots[leaves.sources[i]];
    }
    return leafDelaySlots;
}

} // namespace fluxforge::detail
