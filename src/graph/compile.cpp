// compile(): validation, topological order, critical-path ranks, input plans and buffer slots.
#include <fluxforge/graph/compile.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace fluxforge {

void validateSettings(const CompileSettings& settings) {
    if (!(settings.sampleRate >= kMinSampleRate && settings.sampleRate <= kMaxSampleRate)) {
        std::ostringstream message;
        message << "sample rate " << settings.sampleRate << " Hz is outside the supported range "
                << kMinSampleRate << ".." << kMaxSampleRate << " Hz";
        throw Error(message.str());
    }
    if (settings.maxBlockSize == 0) {
        throw Error("block size 0 is invalid: a block has 1.." +
                    std::to_string(kMaxBlockSizeLimit) + " frames");
    }
    if (settings.maxBlockSize > kMaxBlockSizeLimit) {
        throw Error("block size " + std::to_string(settings.maxBlockSize) +
                    " is above the maximum of " + std::to_string(kMaxBlockSizeLimit) + " frames");
    }
}

namespace detail {

class PlanBuilder {
    // A connection in graph order, or a link to or from a partial-sum task. `order` sorts a port's
    // links into the summing order: (source id, source port) for connections, the part number
    // for the links from partial sums into the port they replace.
    struct Link {
        std::uint32_t from;
        PortIndex fromPort;
        std::uint32_t to;
        PortIndex toPort;
        std::uint64_t order;
    };
    // A partial-sum task: sums part of one input port's sources for a node (graph order).
    struct PartialSum {
        std::uint32_t consumer;
        PortIndex port;
        std::uint32_t part;
        std::uint32_t parts;
    };

public:
    PlanBuilder(const Graph& graph, const CompileSettings& settings, CompensationDelayPool& delays)
        : graph_(graph)
        , settings_(settings)
        , delays_(delays)
        , plan_(new Plan) {}

    std::unique_ptr<Plan> build() {
        validateSettings(settings_);
        collectNodes();
        validateConnections();
        splitWideInputs();
        sortTopologically();
        buildEdges();
        planInputPorts();
        compensateLatency();
        assignSlots();
        prepareNodes();
        allocateBuffers();
        delays_.releaseUnused();
        return std::move(plan_);
    }

private:
    // ---- nodes and connections, in graph order (index = position in ids_) ----

    void collectNodes() {
        const std::vector<NodeId> ids = graph_.nodeIds();
        graphIndexById_.assign(graph_.maxId() + 1, kNoTask);
        for (NodeId id : ids) {
            graphIndexById_[id.value] = static_cast<std::uint32_t>(ids_.size());
            ids_.push_back(id);
            properties_.push_back(graph_.node(id)->properties());
        }
    }

    std::uint32_t graphIndexOf(NodeId id, const Connection& c) const {
        if (!id.isValid() || id.value >= graphIndexById_.size() ||
            graphIndexById_[id.value] == kNoTask) {
            throw Error("connection " + describe(c) + " refers to unknown or removed node #" +
                        std::to_string(id.value));
        }
        return graphIndexById_[id.value];
    }

    std::string describe(const Connection& c) const {
        return describeNode(c.source.node) + ":out" + std::to_string(c.source.port) + " -> " +
               describeNode(c.destination.node) + ":in" + std::to_string(c.destination.port);
    }

    std::string describeNode(NodeId id) const { return graph_.describe(id); }

    void validateConnections() {
        for (const Connection& c : graph_.connections()) {
            const std::uint32_t from = graphIndexOf(c.source.node, c);
            const std::uint32_t to = graphIndexOf(c.destination.node, c);
            const NodeProperties& source = properties_[from];
            const NodeProperties& destination = properties_[to];
            if (c.source.port >= source.outputs.size()) {
                throw Error("connection " + describe(c) + ": " + describeNode(c.source.node) +
                            " has no output port " + std::to_string(c.source.port) + " (it has " +
                            std::to_string(source.outputs.size()) + ")");
            }
            if (c.destination.port >= destination.inputs.size()) {
                throw Error("connection " + describe(c) + ": " + describeNode(c.destination.node) +
                            " has no input port " + std::to_string(c.destination.port) +
                            " (it has " + std::to_string(destination.inputs.size()) + ")");
            }
            const ChannelCount out = source.outputs[c.source.port].channels;
            const ChannelCount in = destination.inputs[c.destination.port].channels;
            if (out != in) {
                throw Error("connection " + describe(c) + ": channel mismatch, the output has " +
                            std::to_string(out) + " channel(s) and the input " +
                            std::to_string(in));
            }
            links_.push_back({from, c.source.port, to, c.destination.port,
                              (std::uint64_t{c.source.node.value} << 32) | c.source.port});
        }
    }

    // Tree mixing: an input port with more than maxSumFanIn sources gets its pairwise summing tree
    // cut at a depth d where every subtree has at most maxSumFanIn sources; each of the 2^d
    // subtrees becomes a partial-sum task of its own (they can run in parallel), and the port
    // sums the 2^d partial results. A power of two of parts, split the way the tree splits, makes
    // that last sum associate exactly like the top d levels of the full tree: the result is
    // bit-identical to summing everything in one place.
    void splitWideInputs() {
        realNodes_ = ids_.size();
        const std::uint32_t limit = settings_.maxSumFanIn;
        if (limit >= 2) {
            // Links bucketed by destination node (counting sort); only a bucket holding a port
            // with more than `limit` links is sorted, and only that port is split.
            const std::size_t n = ids_.size();
            std::vector<std::uint32_t> offsets(n + 1, 0);
            for (const Link& link : links_) {
                ++offsets[link.to + 1];
            }
            for (std::size_t i = 0; i < n; ++i) {
                offsets[i + 1] += offsets[i];
            }
            std::vector<std::uint32_t> index(links_.size());
            {
                std::vector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
                for (std::uint32_t l = 0; l < links_.size(); ++l) {
                    index[fill[links_[l].to]++] = l;
                }
            }
            std::vector<Link> added;
            for (std::size_t node = 0; node < n; ++node) {
                const std::uint32_t begin = offsets[node];
                const std::uint32_t end = offsets[node + 1];
                if (end - begin <= limit) {
                    continue; // no port of this node can be wide
                }
                std::sort(index.begin() + begin, index.begin() + end,
                          [&](std::uint32_t a, std::uint32_t b) {
                              return std::tie(links_[a].toPort, links_[a].order) <
                                     std::tie(links_[b].toPort, links_[b].order);
                          });
                for (std::uint32_t first = begin; first < end;) {
                    std::uint32_t last = first + 1;
                    while (last < end &&
                           links_[index[last]].toPort == links_[index[first]].toPort) {
                        ++last;
                    }
                    if (last - first > limit) {
                        splitPort(index.data() + first, last - first, limit, added);
                    }
                    first = last;
                }
            }
            links_.insert(links_.end(), added.begin(), added.end());
        }
        edges_.reserve(links_.size());
        for (const Link& link : links_) {
            edges_.push_back({link.from, link.to});
        }
    }

    // Splits one port's links (in summing order) into 2^d partial sums; see splitWideInputs.
    void splitPort(const std::uint32_t* ordered, std::uint32_t count, std::uint32_t limit,
                   std::vector<Link>& added) {
        std::uint32_t depth = 1;
        while (((count + (1u << depth) - 1) >> depth) > limit) {
            ++depth;
        }
        const std::uint32_t parts = 1u << depth;
        // The ranges of the tree's 2^d subtrees at that depth: halve the way the gather does.
        std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges{{0u, count}};
        for (std::uint32_t level = 0; level < depth; ++level) {
            std::vector<std::pair<std::uint32_t, std::uint32_t>> next;
            for (const auto& [first, size] : ranges) {
                next.push_back({first, size / 2});
                next.push_back({first + size / 2, size - size / 2});
            }
            ranges = std::move(next);
        }
        // Copies: the loop below re-points these very links at the partial sums.
        const std::uint32_t consumer = links_[ordered[0]].to;
        const PortIndex port = links_[ordered[0]].toPort;
        const ChannelCount channels = properties_[consumer].inputs[port].channels;
        for (std::uint32_t part = 0; part < parts; ++part) {
            const auto synthetic = static_cast<std::uint32_t>(ids_.size());
            ids_.push_back(NodeId{});
            NodeProperties props;
            props.inputs.push_back({"sum", channels});
            props.outputs.push_back({"sum", channels});
            // About 20 floats added per nanosecond: only the ratio to other costs matters.
            props.estimatedCostPerFrame = 0.05 * ranges[part].second * channels;
            properties_.push_back(std::move(props));
            partialSums_.push_back({consumer, port, part, parts});
            for (std::uint32_t k = 0; k < ranges[part].second; ++k) {
                Link& link = links_[ordered[ranges[part].first + k]];
                link.to = synthetic;
                link.toPort = 0;
            }
            added.push_back({synthetic, 0, consumer, port, part});
        }
    }

    // Kahn's algorithm over node indices in id order, so the same graph always gives the same
    // order. Nodes left over lie on or behind a cycle; one cycle among them is reported.
    void sortTopologically() {
        const std::size_t n = ids_.size();
        // Out-adjacency in CSR form by counting sort, then duplicates (two connections between the
        // same pair of nodes) dropped: O(nodes + connections), no global sort.
        outOffsets_.assign(n + 1, 0);
        for (const auto& [from, to] : edges_) {
            ++outOffsets_[from + 1];
        }
        for (std::size_t i = 0; i < n; ++i) {
            outOffsets_[i + 1] += outOffsets_[i];
        }
        outTargets_.resize(edges_.size());
        {
            std::vector<std::uint32_t> fill(outOffsets_.begin(), outOffsets_.end() - 1);
            for (const auto& [from, to] : edges_) {
                outTargets_[fill[from]++] = to;
            }
        }
        std::vector<std::uint32_t> seen(n, kNoTask);
        std::vector<std::uint32_t> inDegree(n, 0);
        std::uint32_t write = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::uint32_t begin = outOffsets_[i];
            const std::uint32_t end = outOffsets_[i + 1];
            outOffsets_[i] = write;
            for (std::uint32_t e = begin; e < end; ++e) {
                const std::uint32_t target = outTargets_[e];
                if (seen[target] != i) {
                    seen[target] = i;
                    outTargets_[write++] = target;
                    ++inDegree[target];
                }
            }
        }
        outOffsets_[n] = write;
        outTargets_.resize(write);

        order_.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) {
            if (inDegree[i] == 0) {
                order_.push_back(i);
            }
        }
        for (std::size_t head = 0; head < order_.size(); ++head) {
            const std::uint32_t i = order_[head];
            for (std::uint32_t e = outOffsets_[i]; e < outOffsets_[i + 1]; ++e) {
                if (--inDegree[outTargets_[e]] == 0) {
                    order_.push_back(outTargets_[e]);
                }
            }
        }
        if (order_.size() != n) {
            throw Error(describeCycle(inDegree));
        }
        taskOfIndex_.assign(n, kNoTask);
        for (std::uint32_t t = 0; t < n; ++t) {
            taskOfIndex_[order_[t]] = t;
        }
    }

    // Every node with a non-zero remaining in-degree has a predecessor that also has one, so
    // walking predecessors backwards from any of them must revisit a node: that loop is a cycle.
    std::string describeCycle(const std::vector<std::uint32_t>& inDegree) const {
        const std::size_t n = ids_.size();
        std::vector<std::vector<std::uint32_t>> blockedPredecessors(n);
        for (std::uint32_t from = 0; from < n; ++from) {
            for (std::uint32_t e = outOffsets_[from]; e < outOffsets_[from + 1]; ++e) {
                const std::uint32_t to = outTargets_[e];
                if (inDegree[from] > 0 && inDegree[to] > 0) {
                    blockedPredecessors[to].push_back(from);
                }
            }
        }
        std::uint32_t start = 0;
        while (inDegree[start] == 0) {
            ++start;
        }
        std::vector<std::uint32_t> visitedAt(n, kNoTask);
        std::vector<std::uint32_t> walk;
        std::uint32_t current = start;
        while (visitedAt[current] == kNoTask) {
            visitedAt[current] = static_cast<std::uint32_t>(walk.size());
            walk.push_back(current);
            current = blockedPredecessors[current].front();
        }
        // walk[visitedAt[current]..] followed backwards is the cycle; print it forwards.
        std::vector<std::uint32_t> cycle(walk.begin() + visitedAt[current], walk.end());
        std::reverse(cycle.begin(), cycle.end());
        std::string text = "the graph has a cycle: ";
        for (std::uint32_t i : cycle) {
            if (i < realNodes_) { // partial sums in the cycle are implied by their consumer
                text += describeNode(ids_[i]) + " -> ";
            }
        }
        text += describeNode(
            ids_[cycle.front() < realNodes_ ? cycle.front()
                                            : partialSums_[cycle.front() - realNodes_].consumer]);
        return text;
    }

    // ---- tasks (index = position in the topological order) ----

    void buildEdges() {
        Plan& p = *plan_;
        const std::size_t n = order_.size();
        p.settings_ = settings_;
        p.owners_.reserve(n);
        p.nodes_.reserve(n);
        p.ids_.reserve(n);
        p.names_.reserve(n);
        p.taskById_.assign(graph_.maxId() + 1, kNoTask);
        for (std::uint32_t t = 0; t < n; ++t) {
            const std::uint32_t i = order_[t];
            const NodeId id = ids_[i];
            if (i < realNodes_) {
                p.owners_.push_back(graph_.node(id));
                p.names_.push_back(graph_.name(id));
                p.taskById_[id.value] = t;
            } else {
                const PartialSum& sum = partialSums_[i - realNodes_];
                p.owners_.push_back(nullptr);
                p.names_.push_back("sum " + std::to_string(sum.part + 1) + "/" +
                                   std::to_string(sum.parts) + " of " +
                                   graph_.describe(ids_[sum.consumer]) + ":in" +
                                   std::to_string(sum.port));
            }
            p.nodes_.push_back(p.owners_.back().get());
            p.ids_.push_back(id);
        }
        p.inputTask_ = p.taskById_[graph_.input().value];
        p.outputTask_ = p.taskById_[graph_.output().value];

        // Successors in task space (each list sorted, for a reproducible plan), then
        // predecessors by counting sort over them (which leaves each list sorted too).
        p.successorOffsets_.assign(n + 1, 0);
        p.successors_.resize(outTargets_.size());
        for (TaskIndex t = 0; t < n; ++t) {
            const std::uint32_t i = order_[t];
            const std::uint32_t begin = p.successorOffsets_[t];
            std::uint32_t end = begin;
            for (std::uint32_t e = outOffsets_[i]; e < outOffsets_[i + 1]; ++e) {
                p.successors_[end++] = taskOfIndex_[outTargets_[e]];
            }
            std::sort(p.successors_.begin() + begin, p.successors_.begin() + end);
            p.successorOffsets_[t + 1] = end;
        }
        p.predecessorOffsets_.assign(n + 1, 0);
        for (TaskIndex s : p.successors_) {
            ++p.predecessorOffsets_[s + 1];
        }
        for (std::size_t t = 0; t < n; ++t) {
            p.predecessorOffsets_[t + 1] += p.predecessorOffsets_[t];
        }
        p.predecessors_.resize(p.successors_.size());
        {
            std::vector<std::uint32_t> fill(p.predecessorOffsets_.begin(),
                                            p.predecessorOffsets_.end() - 1);
            for (TaskIndex t = 0; t < n; ++t) {
                for (TaskIndex s : p.successors(t)) {
                    p.predecessors_[fill[s]++] = t;
                }
            }
        }
        p.dependencyCounts_.resize(n);
        for (TaskIndex t = 0; t < n; ++t) {
            p.dependencyCounts_[t] = p.predecessorOffsets_[t + 1] - p.predecessorOffsets_[t];
            if (p.dependencyCounts_[t] == 0) {
                p.sources_.push_back(t);
            }
        }

        p.costs_.resize(n);
        p.ranks_.resize(n);
        // A node's cost: its measured average once the engine has timed it, else its own
        // estimate. Both in nanoseconds per block.
        for (TaskIndex t = 0; t < n; ++t) {
            const Node* node = p.nodes_[t];
            if (node != nullptr && node->timedBlocksApprox() > 0) {
                p.costs_[t] = CycleClock::toNanoseconds(node->averageTicksApprox());
            } else {
                const double perFrame = properties_[order_[t]].estimatedCostPerFrame;
                p.costs_[t] = (std::isfinite(perFrame) && perFrame > 0.0 ? perFrame : 1.0) *
                              static_cast<double>(settings_.maxBlockSize);
            }
        }
        for (TaskIndex t = static_cast<TaskIndex>(n); t-- > 0;) {
            double longest = 0.0;
            for (TaskIndex s : p.successors(t)) {
                longest = std::max(longest, p.ranks_[s]);
            }
            p.ranks_[t] = p.costs_[t] + longest;
        }
    }

    // Each input port: silence, a direct view of one source, or a sum over its sources sorted by
    // (source node id, source port) into a gather slot of its own.
    void planInputPorts() {
        Plan& p = *plan_;
        const std::size_t n = order_.size();
        // Links bucketed by destination task (counting sort), then each bucket, which is small,
        // sorted by (port, order): the documented summing order.
        std::vector<std::uint32_t> bucketOffsets(n + 1, 0);
        for (const Link& link : links_) {
            ++bucketOffsets[taskOfIndex_[link.to] + 1];
        }
        for (std::size_t t = 0; t < n; ++t) {
            bucketOffsets[t + 1] += bucketOffsets[t];
        }
        std::vector<Link> sorted(links_.size());
        {
            std::vector<std::uint32_t> fill(bucketOffsets.begin(), bucketOffsets.end() - 1);
            for (const Link& link : links_) {
                sorted[fill[taskOfIndex_[link.to]]++] = link;
            }
        }
        for (std::size_t t = 0; t < n; ++t) {
            std::sort(sorted.begin() + bucketOffsets[t], sorted.begin() + bucketOffsets[t + 1],
                      [](const Link& a, const Link& b) {
                          return std::tie(a.toPort, a.order) < std::tie(b.toPort, b.order);
                      });
        }

        p.inputPortOffsets_.assign(n + 1, 0);
        p.outputPortOffsets_.assign(n + 1, 0);
        for (TaskIndex t = 0; t < n; ++t) {
            const NodeProperties& props = properties_[order_[t]];
            p.inputPortOffsets_[t + 1] =
                p.inputPortOffsets_[t] + static_cast<std::uint32_t>(props.inputs.size());
            p.outputPortOffsets_[t + 1] =
                p.outputPortOffsets_[t] + static_cast<std::uint32_t>(props.outputs.size());
        }
        p.inputPorts_.resize(p.inputPortOffsets_[n]);
        p.outputSlots_.assign(p.outputPortOffsets_[n], Plan::kNoSlot);
        leafSources_.clear();
        leafSources_.reserve(sorted.size());
        leafReaders_.clear();
        leafReaders_.reserve(sorted.size());
        leafSourceTasks_.clear();

        std::size_t next = 0;
        for (TaskIndex t = 0; t < n; ++t) {
            const NodeProperties& props = properties_[order_[t]];
            for (PortIndex port = 0; port < props.inputs.size(); ++port) {
                Plan::InputPortPlan& plan = p.inputPorts_[p.inputPortOffsets_[t] + port];
                plan.channels = props.inputs[port].channels;
                plan.firstLeaf = static_cast<std::uint32_t>(leafSources_.size());
                while (next < sorted.size() && taskOfIndex_[sorted[next].to] == t &&
                       sorted[next].toPort == port) {
                    const Link& link = sorted[next++];
                    const TaskIndex source = taskOfIndex_[link.from];
                    leafSources_.push_back(p.outputPortOffsets_[source] + link.fromPort);
                    leafSourceTasks_.push_back(source);
                    leafReaders_.push_back(t);
                }
                plan.numLeaves = static_cast<std::uint32_t>(leafSources_.size()) - plan.firstLeaf;
                maxInputChannels_ = std::max(maxInputChannels_, plan.channels);
            }
        }

        // Readers of each output port (CSR, distinct tasks): what must finish before its slot is
        // free again.
        const std::size_t outputs = p.outputSlots_.size();
        // Leaves come in task order, so each output's readers arrive sorted: duplicates (one
        // task reading an output on two ports) are adjacent.
        readerOffsets_.assign(outputs + 1, 0);
        for (std::uint32_t output : leafSources_) {
            ++readerOffsets_[output + 1];
        }
        for (std::size_t o = 0; o < outputs; ++o) {
            readerOffsets_[o + 1] += readerOffsets_[o];
        }
        readers_.resize(leafSources_.size());
        {
            std::vector<std::uint32_t> fill(readerOffsets_.begin(), readerOffsets_.end() - 1);
            for (std::size_t i = 0; i < leafSources_.size(); ++i) {
                readers_[fill[leafSources_[i]]++] = leafReaders_[i];
            }
        }
        std::uint32_t write = 0;
        for (std::size_t o = 0; o < outputs; ++o) {
            const std::uint32_t begin = readerOffsets_[o];
            const std::uint32_t end = readerOffsets_[o + 1];
            readerOffsets_[o] = write;
            for (std::uint32_t r = begin; r < end; ++r) {
                if (write == readerOffsets_[o] || readers_[write - 1] != readers_[r]) {
                    readers_[write++] = readers_[r];
                }
            }
        }
        readerOffsets_[outputs] = write;
        readers_.resize(write);
    }

    // Plugin delay compensation (docs/pdc.md). In topological order, each node's path latency is
    // its own latency plus the largest path latency among its counted inputs, and every counted
    // input is delayed by the difference, so that all of them arrive aligned. Inputs from an exempt
    // path (a live or PDC-bypassed node and the chain after it, up to the next join) are neither
    // counted nor delayed. Partial sums are transparent: a node's inputs are the connections into
    // its ports, whether a partial-sum task sums some of them, and their delays sit on those
    // connections, so splitting a port changes no sample.
    void compensateLatency() {
        Plan& p = *plan_;
        const std::size_t n = order_.size();
        p.latencies_.assign(n, 0);
        std::vector<bool> exempt(n, false);
        leafDelays_.assign(leafSources_.size(), 0);
        std::vector<std::uint32_t> edges; // leaves feeding the current node, partial sums expanded
        for (TaskIndex t = 0; t < n; ++t) {
            if (p.nodes_[t] == nullptr) {
                continue; // partial sums: their consumer handles their leaves
            }
            edges.clear();
            for (std::uint32_t port = p.inputPortOffsets_[t]; port < p.inputPortOffsets_[t + 1];
                 ++port) {
                const Plan::InputPortPlan& plan = p.inputPorts_[port];
                for (std::uint32_t l = plan.firstLeaf; l < plan.firstLeaf + plan.numLeaves; ++l) {
                    const TaskIndex source = leafSourceTasks_[l];
                    if (p.nodes_[source] != nullptr) {
                        edges.push_back(l);
                        continue;
                    }
                    const Plan::InputPortPlan& sum = p.inputPorts_[p.inputPortOffsets_[source]];
                    for (std::uint32_t k = sum.firstLeaf; k < sum.firstLeaf + sum.numLeaves; ++k) {
                        edges.push_back(k);
                    }
                }
            }
            bool anyCounted = false;
            for (std::uint32_t l : edges) {
                anyCounted = anyCounted || !exempt[leafSourceTasks_[l]];
            }
            // When every input is exempt (live paths meeting), align them among themselves.
            FrameCount aligned = 0;
            for (std::uint32_t l : edges) {
                const TaskIndex source = leafSourceTasks_[l];
                if (!anyCounted || !exempt[source]) {
                    aligned = std::max(aligned, p.latencies_[source]);
                }
            }
            for (std::uint32_t l : edges) {
                const TaskIndex source = leafSourceTasks_[l];
                if (!anyCounted || !exempt[source]) {
                    leafDelays_[l] = aligned - p.latencies_[source];
                }
            }
            const std::uint32_t graphIndex = order_[t];
            const NodeId id = ids_[graphIndex];
            const bool bypassed = graph_.pdcMode(id) == PdcMode::bypass;
            const bool live = properties_[graphIndex].liveInput == LiveInput::yes ||
                              graph_.liveMonitoring(id) == LiveMonitoring::on;
            p.latencies_[t] = (bypassed ? 0 : properties_[graphIndex].latency) + aligned;
            const bool join = edges.size() >= 2;
            exempt[t] =
                live || bypassed || (!edges.empty() && !join && exempt[leafSourceTasks_[edges[0]]]);
        }
        // A partial sum's latency: what it carries once its inputs are aligned.
        for (TaskIndex t = 0; t < n; ++t) {
            if (p.nodes_[t] == nullptr) {
                const Plan::InputPortPlan& sum = p.inputPorts_[p.inputPortOffsets_[t]];
                for (std::uint32_t k = sum.firstLeaf; k < sum.firstLeaf + sum.numLeaves; ++k) {
                    p.latencies_[t] = std::max(p.latencies_[t],
                                               p.latencies_[leafSourceTasks_[k]] + leafDelays_[k]);
                }
            }
        }
    }

    // Buffer slots, reused only where no two tasks that may run at the same time can share one:
    // a slot becomes free for task t when every task that used its last contents is a direct
    // predecessor of t (those have finished before t starts, whatever the executor).
    //
    // A slot's current contents have "users": the readers of the output port written into it, or
    // the writer itself when nobody reads it (a gather slot is used by its own task only). Each
    // user keeps a list of the slots it uses (a linked list in one flat array), tagged with the
    // slot's generation so that stale entries are skipped.
    void assignSlots() {
        Plan& p = *plan_;
        const std::size_t n = order_.size();
        struct Touch {
            std::uint32_t slot;
            std::uint32_t generation;
            std::uint32_t next; // next entry of the same task, or kEnd
        };
        constexpr std::uint32_t kEnd = ~std::uint32_t{0};
        std::vector<Touch> touches;
        touches.reserve(readers_.size() + 2 * n);
        std::vector<std::uint32_t> touchHead(n, kEnd);
        struct Occupancy {
            std::uint32_t generation = 0;
            std::uint32_t firstUser = 0; // into readers_, or the writer itself when count == 0
            std::uint32_t userCount = 0;
            TaskIndex writer = kNoTask;
        };
        std::vector<Occupancy> slots;
        std::vector<TaskIndex> stamp(n, kNoTask);
        std::vector<std::uint32_t> candidates;
        std::vector<TaskIndex> candidateOf; // per slot: the task it was last a candidate for
        leafDelaySlots_.assign(leafSources_.size(), Plan::kNoSlot);

        auto touch = [&](TaskIndex user, std::uint32_t slot) {
            touches.push_back({slot, slots[slot].generation, touchHead[user]});
            touchHead[user] = static_cast<std::uint32_t>(touches.size() - 1);
        };
        auto occupy = [&](std::uint32_t slot, TaskIndex writer, std::uint32_t firstUser,
                          std::uint32_t userCount) {
            Occupancy& o = slots[slot];
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
        };
        auto isFreeFor = [&](std::uint32_t slot, TaskIndex t) {
            const Occupancy& o = slots[slot];
            if (o.userCount == 0) {
                return stamp[o.writer] == t;
            }
            for (std::uint32_t u = 0; u < o.userCount; ++u) {
                if (stamp[readers_[o.firstUser + u]] != t) {
                    return false;
                }
            }
            return true;
        };
        auto claim = [&](ChannelCount channels) -> std::uint32_t {
            auto best = candidates.end();
            for (auto it = candidates.begin(); it != candidates.end(); ++it) {
                const ChannelCount have = p.slotChannels_[*it];
                if (have >= channels &&
                    (best == candidates.end() || have < p.slotChannels_[*best])) {
                    best = it;
                }
            }
            if (best != candidates.end()) {
                const std::uint32_t slot = *best;
                candidates.erase(best);
                return slot;
            }
            p.slotChannels_.push_back(channels);
            slots.emplace_back();
            candidateOf.push_back(kNoTask);
            return static_cast<std::uint32_t>(slots.size() - 1);
        };

        for (TaskIndex t = 0; t < n; ++t) {
            candidates.clear();
            for (TaskIndex pred : p.predecessors(t)) {
                stamp[pred] = t;
            }
            for (TaskIndex pred : p.predecessors(t)) {
                for (std::uint32_t e = touchHead[pred]; e != kEnd; e = touches[e].next) {
                    const Touch& entry = touches[e];
                    if (slots[entry.slot].generation == entry.generation &&
                        candidateOf[entry.slot] != t && isFreeFor(entry.slot, t)) {
                        candidateOf[entry.slot] = t;
                        candidates.push_back(entry.slot);
                    }
                }
            }

            // Compensation delays of this task's input connections write slots of their own,
            // read by the task's gather or as the port's view.
            for (std::uint32_t port = p.inputPortOffsets_[t]; port < p.inputPortOffsets_[t + 1];
                 ++port) {
                const Plan::InputPortPlan& plan = p.inputPorts_[port];
                for (std::uint32_t l = plan.firstLeaf; l < plan.firstLeaf + plan.numLeaves; ++l) {
                    if (leafDelays_[l] > 0) {
                        leafDelaySlots_[l] = claim(plan.channels);
                        occupy(leafDelaySlots_[l], t, 0, 0);
                    }
                }
            }
            const NodeProperties& props = properties_[order_[t]];
            if (p.nodes_[t] == nullptr) {
                // A partial sum gathers straight into its output slot: one slot, read by the
                // node whose port it feeds.
                Plan::InputPortPlan& plan = p.inputPorts_[p.inputPortOffsets_[t]];
                const std::uint32_t output = p.outputPortOffsets_[t];
                plan.gatherSlot = claim(plan.channels);
                p.outputSlots_[output] = plan.gatherSlot;
                occupy(plan.gatherSlot, t, readerOffsets_[output],
                       readerOffsets_[output + 1] - readerOffsets_[output]);
                continue;
            }
            for (PortIndex port = 0; port < props.inputs.size(); ++port) {
                Plan::InputPortPlan& plan = p.inputPorts_[p.inputPortOffsets_[t] + port];
                if (plan.numLeaves > 1) {
                    plan.gatherSlot = claim(plan.channels);
                    occupy(plan.gatherSlot, t, 0, 0);
                }
            }
            for (PortIndex port = 0; port < props.outputs.size(); ++port) {
                const std::uint32_t output = p.outputPortOffsets_[t] + port;
                const std::uint32_t slot = claim(props.outputs[port].channels);
                p.outputSlots_[output] = slot;
                occupy(slot, t, readerOffsets_[output],
                       readerOffsets_[output + 1] - readerOffsets_[output]);
            }
        }

        p.leaves_.resize(leafSources_.size());
        for (std::size_t i = 0; i < leafSources_.size(); ++i) {
            p.leaves_[i] = leafDelaySlots_[i] != Plan::kNoSlot ? leafDelaySlots_[i]
                                                               : p.outputSlots_[leafSources_[i]];
        }
        planDelays();
    }

    // Compensation: every output port with delayed connections gets a history ring (pooled,
    // sized for its longest delay) that its task appends to; each delayed connection becomes a
    // tap its consumer reads before gathering.
    void planDelays() {
        Plan& p = *plan_;
        const std::size_t n = order_.size();
        std::vector<FrameCount> longest(p.outputSlots_.size(), 0);
        for (std::size_t l = 0; l < leafSources_.size(); ++l) {
            longest[leafSources_[l]] = std::max(longest[leafSources_[l]], leafDelays_[l]);
        }
        std::vector<CompensationHistory*> historyOf(p.outputSlots_.size(), nullptr);
        p.appendOffsets_.assign(n + 1, 0);
        for (TaskIndex t = 0; t < n; ++t) {
            for (PortIndex port = 0; port < p.numOutputPorts(t); ++port) {
                const std::uint32_t output = p.outputPortOffsets_[t] + port;
                if (longest[output] == 0) {
                    continue;
                }
                auto history = delays_.acquire(OutputPort{p.ids_[t], port},
                                               properties_[order_[t]].outputs[port].channels,
                                               longest[output], settings_.maxBlockSize);
                historyOf[output] = history.get();
                p.appends_.push_back({p.outputSlots_[output], history.get()});
                p.histories_.push_back(std::move(history));
            }
            p.appendOffsets_[t + 1] = static_cast<std::uint32_t>(p.appends_.size());
        }
        p.tapOffsets_.assign(n + 1, 0);
        for (TaskIndex t = 0; t < n; ++t) {
            for (std::uint32_t port = p.inputPortOffsets_[t]; port < p.inputPortOffsets_[t + 1];
                 ++port) {
                const Plan::InputPortPlan& plan = p.inputPorts_[port];
                for (std::uint32_t l = plan.firstLeaf; l < plan.firstLeaf + plan.numLeaves; ++l) {
                    if (leafDelays_[l] > 0) {
                        p.taps_.push_back(
                            {leafDelaySlots_[l], leafDelays_[l], historyOf[leafSources_[l]]});
                    }
                }
            }
            p.tapOffsets_[t + 1] = static_cast<std::uint32_t>(p.taps_.size());
        }
    }

    void prepareNodes() {
        const PrepareContext context{settings_.sampleRate, settings_.maxBlockSize};
        for (Node* node : plan_->nodes_) {
            if (node == nullptr) {
                continue; // a partial sum
            }
            const auto& prepared = node->preparedFor();
            if (!prepared || prepared->sampleRate != context.sampleRate ||
                prepared->maxBlockSize != context.maxBlockSize) {
                node->prepare(context);
            }
        }
    }

    // One allocation for every slot plus the shared silence; each channel starts on a cache line.
    void allocateBuffers() {
        Plan& p = *plan_;
        constexpr std::size_t lineFloats = kBufferAlignment / sizeof(float);
        const std::size_t stride =
            (std::size_t{settings_.maxBlockSize} + lineFloats - 1) / lineFloats * lineFloats;
        const auto silenceSlot = static_cast<std::uint32_t>(p.slotChannels_.size());
        p.slotChannels_.push_back(maxInputChannels_);

        std::size_t totalChannels = 0;
        p.slotFirstChannel_.resize(p.slotChannels_.size());
        for (std::size_t s = 0; s < p.slotChannels_.size(); ++s) {
            p.slotFirstChannel_[s] = static_cast<std::uint32_t>(totalChannels);
            totalChannels += p.slotChannels_[s];
        }
        p.storageFloats_ = totalChannels * stride;
        if (p.storageFloats_ > 0) {
            p.storage_.reset(new (std::align_val_t{kBufferAlignment}) float[p.storageFloats_]());
        }
        p.channelPointers_.resize(totalChannels);
        for (std::size_t c = 0; c < totalChannels; ++c) {
            p.channelPointers_[c] = p.storage_.get() + c * stride;
        }
        // The silence slot is not one of numBufferSlots(): drop it from the count.
        p.slotChannels_.pop_back();

        const FrameCount frames = settings_.maxBlockSize;
        p.viewFrames_ = frames;
        p.outputViews_.reserve(p.outputSlots_.size());
        for (std::uint32_t slot : p.outputSlots_) {
            p.outputViews_.emplace_back(p.channelPointers_.data() + p.slotFirstChannel_[slot],
                                        p.slotChannels_[slot], frames);
        }
        // Output views carry the slot's channel count; narrow them to the port's.
        for (TaskIndex t = 0; t < order_.size(); ++t) {
            const NodeProperties& props = properties_[order_[t]];
            for (PortIndex port = 0; port < props.outputs.size(); ++port) {
                BufferView& view = p.outputViews_[p.outputPortOffsets_[t] + port];
                view = view.subChannels(0, props.outputs[port].channels);
            }
        }
        p.inputViews_.reserve(p.inputPorts_.size());
        for (const Plan::InputPortPlan& port : p.inputPorts_) {
            std::uint32_t slot = silenceSlot;
            if (port.gatherSlot != Plan::kNoSlot) {
                slot = port.gatherSlot;
            } else if (port.numLeaves == 1) {
                slot = p.leaves_[port.firstLeaf];
            }
            p.inputViews_.emplace_back(p.channelPointers_.data() + p.slotFirstChannel_[slot],
                                       port.channels, frames);
        }
    }

    const Graph& graph_;
    CompileSettings settings_;
    CompensationDelayPool& delays_;
    std::unique_ptr<Plan> plan_;

    std::vector<NodeId> ids_;                   // graph order
    std::vector<NodeProperties> properties_;    // graph order
    std::vector<std::uint32_t> graphIndexById_; // NodeId::value -> graph order
    std::vector<Link> links_;                   // one per connection, then partial-sum links
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges_; // (from, to) of every link
    std::vector<PartialSum> partialSums_; // index - realNodes_ for synthetic entries
    std::size_t realNodes_ = 0;           // graph nodes come first in graph order
    std::vector<std::uint32_t> outOffsets_;
    std::vector<std::uint32_t> outTargets_;
    std::vector<std::uint32_t> order_;       // task -> graph order
    std::vector<TaskIndex> taskOfIndex_;     // graph order -> task
    std::vector<std::uint32_t> leafSources_; // per leaf: flat output-port index
    std::vector<TaskIndex> leafReaders_;
    std::vector<TaskIndex> leafSourceTasks_;    // per leaf: the task that writes it
    std::vector<FrameCount> leafDelays_;        // per leaf: compensation delay, frames
    std::vector<std::uint32_t> leafDelaySlots_; // per leaf: slot of its delayed copy       // per
                                                // leaf: the task that reads it
    std::vector<std::uint32_t> readerOffsets_;  // per flat output port, into readers_
    std::vector<TaskIndex> readers_;            // distinct reading tasks per output port
    ChannelCount maxInputChannels_ = 0;
};

} // namespace detail

std::unique_ptr<Plan> compile(const Graph& graph, const CompileSettings& settings,
                              CompensationDelayPool* delays) {
    if (delays != nullptr) {
        return detail::PlanBuilder(graph, settings, *delays).build();
    }
    CompensationDelayPool local;
    return detail::PlanBuilder(graph, settings, local).build();
}

} // namespace fluxforge
