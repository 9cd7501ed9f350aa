// Which of the engine's two compensation pools keeps a port's history when a commit moves nodes
// between the live and the prefetched part. Private to src/engine/.
#pragma once

#include <fluxforge/graph/compensation_delay.hpp>
#include <fluxforge/graph/domains.hpp>

#include <algorithm>

namespace fluxforge::detail {

/// Before the parts of a commit that changes the boundary are compiled. The switch to them waits
/// until the running plan has played out its rings (Engine::mustPlayOut), so both parts' timelines
/// meet at the switch and a port's history is continuous whichever part wrote it: each port's ring
/// goes to the part that renders its node now. A boundary node renders in the prefetched part and
/// is read (by a ring reader at its id) in the live part: either may compensate it, so both are
/// offered its ring; the prefetched part's compile has the first claim (separateCompensation).
inline void handOverCompensation(const DomainAssignment& domains, CompensationDelayPool& live,
                                 CompensationDelayPool& prefetched) {
    const auto onBoundary = [&](NodeId id) {
        return std::any_of(domains.boundary.begin(), domains.boundary.end(),
                           [&](const OutputPort& port) { return port.node == id; });
    };
    // Ids beyond the graph's are the prefetched part's own endpoints and ring writers.
    const auto inGraph = [&](NodeId id) { return id.value < domains.byId.size(); };
    const auto renders = [&](Domain domain) {
        return [&, domain](const OutputPort& port) {
            return inGraph(port.node) && domains.of(port.node) == domain && !onBoundary(port.node);
        };
    };
    const auto boundary = [&](const OutputPort& port) {
        return inGraph(port.node) && onBoundary(port.node);
    };
    prefetched.handOver(live, renders(Domain::live));
    live.handOver(prefetched, renders(Domain::prefetch));
    prefetched.handOver(live, boundary, true);
    live.handOver(prefetched, boundary, true);
}

/// Between the two compiles: a ring the prefetched part acquired is not the live part's too.
inline void separateCompensation(CompensationDelayPool& live,
                                 const CompensationDelayPool& prefetched) {
    live.dropShared(prefetched);
}

/// A commit with nothing left to prefetch renders the whole graph with the live pool.
inline void handOverCompensationToLive(CompensationDelayPool& live,
                                       CompensationDelayPool& prefetched) {
    prefetched.handOver(live, [](const OutputPort&) { return true; });
}

} // namespace fluxforge::detail
