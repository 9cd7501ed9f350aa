// Executor: runs every task of a Plan once for one block, each after its predecessors.
#pragma once

#include <fluxforge/graph/plan.hpp>

#include <string_view>

namespace fluxforge {

/// The strategy that orders a block's tasks. Executors share one Plan format; the engine picks one
/// at run time.
class Executor {
public:
    virtual ~Executor() = default;

    /// Runs every task of `plan` once, each after all of its predecessors, for `block`. The caller
    /// has called plan.prepareBlock(block.numFrames).
    /// Thread: audio. Real-time safe: yes. Allocates: no.
    virtual void run(Plan& plan, const BlockInfo& block) noexcept = 0;

    /// A short name for traces and benchmark tables. Thread: any.
    [[nodiscard]] virtual std::string_view name() const noexcept = 0;
};

} // namespace fluxforge
