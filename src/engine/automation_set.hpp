// AutomationSet: which lane drives which parameter, as one immutable object the audio thread
// switches to without a lock.
#pragma once

#include <fluxforge/core/automation_lane.hpp>
#include <fluxforge/graph/node_id.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace fluxforge {

class Node;

namespace detail {

/// Every automated parameter of an engine and its lane. A control thread builds a new set for
/// every edit (lanes themselves are shared between sets, not copied) and publishes it through a
/// RealtimeHandoff; the audio thread binds the lanes to the nodes of its plan and hands the old
/// set back to be freed on a control thread. The audio thread never touches the shared_ptr
/// counts: it uses the raw lane pointers while the set that owns them is its current one.
struct AutomationSet {
    struct Entry {
        NodeId node;
        const Node* address = nullptr; // identity check against the running plan
        std::uint32_t parameter = 0;
        std::shared_ptr<const AutomationLane> lane; // never empty
    };
    std::vector<Entry> entries; // sorted by (node, parameter)
};

} // namespace detail
} // namespace fluxforge
