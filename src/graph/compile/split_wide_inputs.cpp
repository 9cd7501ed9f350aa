// Pass splitWideInputs (tree mixing): an input port with more than maxSumFanIn sources gets its
// pairwise summing tree cut at a depth d where every subtree has at most maxSumFanIn sources; each
// of the 2^d subtrees becomes a partial-sum task of its own (they can run in parallel), and the
// port sums the 2^d partial results. A power of two of parts, split the way the tree splits, makes
// that last sum associate exactly like the top d levels of the full tree: the result is
// bit-identical to summing everything in one place.
#include "passes.hpp"

#include <fluxforge/core/csr.hpp>

#include <algorithm>
#include <tuple>
#include <utility>

namespace fluxforge::detail {

namespace {

// Splits one port's links (in summing order) into 2^d partial sums, appended to `nodes`; the
// links from the partial sums into the port go to `added`.
void splitPort(const std::uint32_t* ordered, std::uint32_t count, std::uint32_t limit,
               NodeTable& nodes, std::vector<Link>& links, std::vector<Link>& added) {
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
    const std::uint32_t consumer = links[ordered[0]].to;
    const PortIndex port = links[ordered[0]].toPort;
    const ChannelCount channels = nodes.properties[consumer].inputs[port].channels;
    for (std::uint32_t part = 0; part < parts; ++part) {
        const auto synthetic = static_cast<std::uint32_t>(nodes.ids.size());
        nodes.ids.push_back(NodeId{});
        NodeProperties props;
        props.inputs.push_back({"sum", channels});
        props.outputs.push_back({"sum", channels});
        // About 20 floats added per nanosecond: only the ratio to other costs matters.
        props.estimatedCostPerFrame = 0.05 * ranges[part].second * channels;
        nodes.properties.push_back(std::move(props));
        nodes.partialSums.push_back({consumer, port, part, parts});
        for (std::uint32_t k = 0; k < ranges[part].second; ++k) {
            Link& link = links[ordered[ranges[part].first + k]];
            link.to = synthetic;
            link.toPort = 0;
        }
        added.push_back({synthetic, 0, consumer, port, part});
    }
}

} // namespace

void splitWideInputs(std::uint32_t maxSumFanIn, NodeTable& nodes, std::vector<Link>& links) {
    const std::uint32_t limit = maxSumFanIn;
    if (limit < 2) {
        return;
    }
    // Links bucketed by destination node; only a bucket holding a port with more than `limit`
    // links is sorted, and only that port is split.
    const std::size_t n = nodes.ids.size();
    std::vector<std::uint32_t> offsets;
    std::vector<std::uint32_t> index;
    countingSortIntoRows(
        n,
        [&](auto&& emit) {
            for (std::uint32_t l = 0; l < links.size(); ++l) {
                emit(links[l].to, l);
            }
        },
        offsets, index);
    std::vector<Link> added;
    for (std::size_t node = 0; node < n; ++node) {
        const std::uint32_t begin = offsets[node];
        const std::uint32_t end = offsets[node + 1];
        if (end - begin <= limit) {
            continue; // no port of this node can be wide
        }
        std::sort(index.begin() + begin, index.begin() + end,
                  [&](std::uint32_t a, std::uint32_t b) {
                      return std::tie(links[a].toPort, links[a].order) <
                             std::tie(links[b].toPort, links[b].order);
                  });
        for (std::uint32_t first = begin; first < end;) {
            std::uint32_t last = first + 1;
            while (last < end && links[index[last]].toPort == links[index[first]].toPort) {
                ++last;
            }
            if (last - first > limit) {
                splitPort(index.data() + first, last - first, limit, nodes, links, added);
            }
            first = last;
        }
    }
    links.insert(links.end(), added.begin(), added.end());
}

} // namespace fluxforge::detail
