// Node: the unit of audio processing in a graph.
//
// A node is a non-virtual interface: the engine calls the public `properties`, `prepare`,
// `process` and `reset`, which check their contract and call the protected hooks a node author
// overrides (`describe`, `onPrepare`, `onProcess`, `onReset`). Writing a node takes `describe` and
// `onProcess`; see examples/custom_node.cpp.
#pragma once

#include <fluxforge/core/assert.hpp>
#include <fluxforge/core/buffer_view.hpp>
#include <fluxforge/core/error.hpp>
#include <fluxforge/core/transport_info.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/parameter.hpp>
#include <fluxforge/graph/parameter_runtime.hpp>

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fluxforge {

/// Whether a node reads the device's live input. A node that does (an armed or monitored input)
/// is live, and so is everything downstream of it.
enum class LiveInput { no, yes };

/// One input or output port: a name for messages and tools, and its channel count.
struct PortInfo {
    std::string name;
    ChannelCount channels = 0;
};

/// What a node tells the graph about itself.
struct NodeProperties {
    std::vector<PortInfo> inputs;          ///< input ports, in port-index order
    std::vector<PortInfo> outputs;         ///< output ports, in port-index order
    std::vector<ParameterInfo> parameters; ///< in parameter-index order
    FrameCount latency = 0;                ///< samples by which its output lags its input (for PDC)
    LiveInput liveInput = LiveInput::no;
    /// Whether the node must render at the device block on the audio thread even when nothing
    /// upstream is live: a node that talks to hardware, or that must follow a control with no
    /// delay. It and everything downstream of it are then never prefetched (docs/prefetch.md).
    bool mustRunLive = false;
    /// Estimated processing cost in nanoseconds per frame, used to rank the critical path until
    /// the engine has measured the node. Only ratios between nodes matter.
    double estimatedCostPerFrame = 1.0;

    /// A source's properties: no inputs, one output port (`outputName`) of `channels` channels.
    /// Thread: any. Real-time safe: no. Allocates: yes.
    [[nodiscard]] static NodeProperties source(ChannelCount channels, double costPerFrame,
                                               std::string outputName = "out") {
        NodeProperties props;
        props.outputs.push_back({std::move(outputName), channels});
        props.estimatedCostPerFrame = costPerFrame;
        return props;
    }
    /// An in-line processor's properties: one input port "in" and one output port "out", both of
    /// `channels` channels. Thread: any. Real-time safe: no. Allocates: yes.
    [[nodiscard]] static NodeProperties processor(ChannelCount channels, double costPerFrame) {
        NodeProperties props = source(channels, costPerFrame);
        props.inputs.push_back({"in", channels});
        return props;
    }
};

/// The most channels one port may have. Larger counts are refused with an Error naming the node
/// and port (docs/graph.md), before anything is allocated for them.
inline constexpr ChannelCount kMaxPortChannels = 1024;
/// The most channels a node's input ports may have together, and its output ports together.
inline constexpr ChannelCount kMaxNodeChannels = 8192;
/// The most input ports, and the most output ports, one node may have.
inline constexpr std::size_t kMaxPorts = 1024;
/// The most parameters one node may declare.
inline constexpr std::size_t kMaxParameters = 1024;
/// The largest latency a node may report, and the largest path latency (the sum along any path
/// from the graph input or a source to a node's output): 2^22 frames, 87 s at 48 kHz, 5.4 s at
/// 768 kHz. Beyond it compile() refuses the graph, naming the node or the path (docs/pdc.md).
inline constexpr FrameCount kMaxLatency = FrameCount{1} << 22;

/// Checks what a node says about itself against the limits above, its parameters with
/// validateParameterInfos, and its cost estimate (finite, not negative). Throws fluxforge::Error
/// naming the node (`node`, e.g. Graph::label(id); may be empty), the port or parameter, and the
/// limit. Graph::add, compile() and Node::prepare call it.
/// Thread: any. Real-time safe: no. Allocates: yes (the message).
inline void validateProperties(const NodeProperties& properties, std::string_view node = {});

/// The settings a node is prepared for. They do not change while the node is in a running plan.
struct PrepareContext {
    SampleRate sampleRate = 48000.0;
    FrameCount maxBlockSize = 512; ///< no process() call will have more frames than this
};

/// Everything a node sees for one block. Inputs and outputs never alias: a node may read all its
/// inputs after writing some of its outputs.
struct ProcessContext {
    FrameCount numFrames = 0;  ///< frames in this block, 1..maxBlockSize
    SampleRate sampleRate = 0; ///< as prepared
    SampleTime blockStart = 0; ///< engine clock of the block's first frame (frames since start)
    std::span<const ConstBufferView> inputs;     ///< one per input port, numFrames long
    std::span<const BufferView> outputs;         ///< one per output port, numFrames long
    std::span<const ParameterValues> parameters; ///< one per declared parameter
    /// The block's place on the host's timeline (docs/automation.md). A block never spans a
    /// timeline jump: while playing, frame i lies at transport.position + i.
    TransportInfo transport;

    /// Shorthand for parameters[index].
    [[nodiscard]] const ParameterValues& parameter(std::size_t index) const noexcept {
        FLUXFORGE_ASSERT(index < parameters.size(), "parameter index out of range");
        return parameters[index];
    }
};

namespace detail {
struct NodeParameterAccess;
struct NodeOwnership;
} // namespace detail

class Node {
public:
    virtual ~Node() = default;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    /// The node's ports, latency and cost. Called when a graph is edited or compiled.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    [[nodiscard]] NodeProperties properties() const { return describe(); }

    /// Prepares for the given settings: allocate buffers, compute coefficients, clear state. The
    /// compiler calls it before the node first runs in a plan, and again only when the settings
    /// change (never while the node is running).
    /// Thread: control. Real-time safe: no. Allocates: yes.
    void prepare(const PrepareContext& context);

    /// Renders one block. Thread: audio or worker. Real-time safe: yes. Allocates: no.
    void process(const ProcessContext& context) noexcept;

    /// Clears internal state (filter memories, delay lines, phases) as if freshly prepared, e.g.
    /// after a locate. Thread: audio or worker. Real-time safe: yes. Allocates: no.
    void reset() noexcept;

    /// Sets a parameter's value: a step at the first frame of the next block the node renders.
    /// This is the direct path for a node rendered without an engine, and the way to give a new
    /// node its initial values: before the node is first prepared (before its first commit) the
    /// value is kept and is what it starts with. With a running Engine, use a ControlSender,
    /// which adds smoothing, sample-accurate timing and automation (docs/automation.md). Throws
    /// fluxforge::Error, changing nothing, for an unknown index, a NaN or infinite value, or a
    /// value outside the parameter's range (rejected, not clamped, as by the ControlSender).
    /// Thread: control. Real-time safe: yes once prepared or set before. Allocates: the first
    /// call on a node not yet prepared (it reads the node's parameter list).
    void setParameter(std::size_t index, float value);

    /// The value most recently passed to setParameter (or the default). The value the node
    /// actually renders with is Engine::parameterValueApprox. Thread: any. Real-time safe: yes
    /// once prepared or set before.
    [[nodiscard]] float parameter(std::size_t index) const;

    /// The parameters declared by describe(), as of the last prepare() (or of the first
    /// setParameter before it). Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] std::span<const ParameterInfo> parameterInfos() const noexcept {
        return parameterInfos_;
    }

    /// Evaluates this block's parameter values (timed changes, ramps, automation along the
    /// transport) and returns them, for the ProcessContext. Called by the plan right before
    /// process(). Thread: audio or worker. Real-time safe: yes. Allocates: no.
    std::span<const ParameterValues> updateParameters(FrameCount numFrames, SampleTime blockStart,
                                                      const TransportInfo& transport) noexcept {
        return parameters_.update(numFrames, blockStart, transport);
    }

    /// updateParameters() for a node rendered outside an engine (tests, offline tools): the
    /// block follows the previous one and the transport is stopped.
    /// Thread: audio or worker. Real-time safe: yes. Allocates: no.
    std::span<const ParameterValues> updateParameters(FrameCount numFrames) noexcept {
        return parameters_.update(numFrames);
    }

    /// Whether properties() changed since the engine last looked (a new latency, say), and clears
    /// the mark. The engine recompiles when it finds one (Engine::update).
    /// Thread: control. Real-time safe: yes. Allocates: no.
    [[nodiscard]] bool takePropertiesChanged() noexcept {
        return propertiesChanged_.exchange(false, std::memory_order_acq_rel);
    }

    /// The settings of the last prepare(), or nothing before the first.
    /// Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] const std::optional<PrepareContext>& preparedFor() const noexcept {
        return preparedFor_;
    }

protected:
    Node() = default;

    /// Tells the engine that describe() would now return something else (typically a new latency
    /// after a look-ahead setting changed), so that it recompiles the plan and re-aligns the graph.
    /// Thread: any, the audio thread included. Real-time safe: yes. Allocates: no.
    void notifyPropertiesChanged() noexcept {
        propertiesChanged_.store(true, std::memory_order_release);
    }

    /// Hook of properties(). Thread: control.
    [[nodiscard]] virtual NodeProperties describe() const = 0;
    /// Hook of prepare(). Thread: control; may allocate.
    virtual void onPrepare(const PrepareContext& context) { static_cast<void>(context); }
    /// Hook of process(). Thread: audio or worker; must not allocate, lock, block or throw.
    virtual void onProcess(const ProcessContext& context) noexcept = 0;
    /// Hook of reset(). Thread: audio or worker; must not allocate, lock, block or throw.
    virtual void onReset() noexcept {}

private:
    // Before the first prepare: takes the parameter list from describe(), so that setParameter
    // can keep values until prepare() (which keeps them where the id is unchanged).
    void adoptParameterList();

    std::optional<PrepareContext> preparedFor_;
    std::atomic<bool> propertiesChanged_{false};
    std::vector<ParameterInfo> parameterInfos_;
    // Parameter values: setParameter (control) and the engine (audio) feed it, the block reads it.
    friend struct detail::NodeParameterAccess;
    detail::ParameterRuntime parameters_;
    // The engine whose plans hold the node (null: none), so that a second engine refuses it.
    // Set and cleared by engines' control threads; `ownerPlans_` is the owner's alone.
    friend struct detail::NodeOwnership;
    std::atomic<const void*> owner_{nullptr};
    std::uint32_t ownerPlans_ = 0;
};

namespace detail {

/// The engine's way to the parameter state of a node (commands, automation lanes).
/// Thread: as ParameterRuntime's members say.
struct NodeParameterAccess {
    [[nodiscard]] static ParameterRuntime& runtime(Node& node) noexcept { return node.parameters_; }
    [[nodiscard]] static const ParameterRuntime& runtime(const Node& node) noexcept {
        return node.parameters_;
    }
};

/// Which engine a node plays in (a node belongs to one engine at a time). An engine claims each
/// node of a graph before compiling it, counts the plans that hold it, and gives it up when the
/// last of those plans is freed (on its control thread, once the audio thread has left it).
/// Thread: the control thread of the engine named; any engine may try to claim.
struct NodeOwnership {
    /// Makes `engine` the node's owner unless another engine owns it; true if `engine` owns it.
    static bool tryClaim(Node& node, const void* engine) noexcept {
        const void* expected = nullptr;
        return node.owner_.compare_exchange_strong(expected, engine, std::memory_order_acq_rel,
                                                   std::memory_order_acquire) ||
               expected == engine;
    }
    /// Gives up a claim no plan has taken up (a commit that failed).
    static void releaseUnused(Node& node, const void* engine) noexcept {
        if (node.ownerPlans_ == 0 && node.owner_.load(std::memory_order_relaxed) == engine) {
            node.owner_.store(nullptr, std::memory_order_release);
        }
    }
    /// A plan of the owner holds the node / has been freed.
    static void addPlan(Node& node) noexcept { ++node.ownerPlans_; }
    static void removePlan(Node& node) noexcept {
        if (--node.ownerPlans_ == 0) {
            // Release: whatever the owner did with the node happens before the next claim.
            node.owner_.store(nullptr, std::memory_order_release);
        }
    }
};

} // namespace detail

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline void Node::prepare(const PrepareContext& context) {
    NodeProperties props = describe();
    validateProperties(props);
    const std::size_t count = props.parameters.size();
    // Keep values already set when re-preparing with the same parameter list.
    std::vector<float> initial(count);
    for (std::size_t i = 0; i < count; ++i) {
        const bool keep =
            i < parameterInfos_.size() && parameterInfos_[i].id == props.parameters[i].id;
        initial[i] = keep ? parameters_.requested(i) : props.parameters[i].defaultValue;
    }
    // Built before onPrepare and installed after it, so a throwing prepare changes nothing.
    try {
        detail::ParameterRuntime::Prepared runtime =
            detail::ParameterRuntime::build(props.parameters, initial, context.maxBlockSize);
        onPrepare(context);
        parameters_.install(std::move(runtime));
    } catch (const std::bad_alloc&) {
        // Each size is bounded, but not their product: say what was asked for.
        throw Error("preparing the node for " + std::to_string(context.maxBlockSize) +
                    "-frame blocks ran out of memory (its buffers grow with its channels, block "
                    "size and delay or latency lengths)");
    }
    parameterInfos_ = std::move(props.parameters);
    preparedFor_ = context;
}

inline void Node::adoptParameterList() {
    if (preparedFor_ || !parameterInfos_.empty()) {
        return;
    }
    NodeProperties props = describe();
    validateProperties(props);
    std::vector<float> defaults;
    defaults.reserve(props.parameters.size());
    for (const ParameterInfo& info : props.parameters) {
        defaults.push_back(info.defaultValue);
    }
    // One frame of per-sample buffer: the node cannot render before prepare() rebuilds it.
    parameters_.install(detail::ParameterRuntime::build(props.parameters, defaults, 1));
    parameterInfos_ = std::move(props.parameters);
}

inline void Node::setParameter(std::size_t index, float value) {
    adoptParameterList();
    if (index >= parameterInfos_.size()) {
        throw Error("parameter index " + std::to_string(index) + " out of range: the node has " +
                    std::to_string(parameterInfos_.size()) + " parameter(s)");
    }
    const ParameterInfo& info = parameterInfos_[index];
    if (!std::isfinite(value) || value < info.minValue || value > info.maxValue) {
        std::ostringstream message;
        message << "parameter '" << info.id << "': " << value;
        if (std::isfinite(value)) {
            message << " lies outside its range " << info.minValue << ".." << info.maxValue
                    << " (rejected, not clamped)";
        } else {
            message << " is not a finite number";
        }
        throw Error(message.str());
    }
    parameters_.request(index, value);
}

inline float Node::parameter(std::size_t index) const {
    if (index < parameterInfos_.size()) {
        return parameters_.requested(index);
    }
    if (!preparedFor_ && parameterInfos_.empty()) {
        // Neither prepared nor set yet: the declared default.
        const NodeProperties props = describe();
        if (index < props.parameters.size()) {
            return props.parameters[index].defaultValue;
        }
    }
    throw Error("parameter index " + std::to_string(index) + " out of range");
}

inline void validateProperties(const NodeProperties& properties, std::string_view node) {
    const std::string who = node.empty() ? std::string("the node") : "node " + std::string(node);
    auto checkPorts = [&](const std::vector<PortInfo>& ports, const char* kind) {
        if (ports.size() > kMaxPorts) {
            throw Error(who + " has " + std::to_string(ports.size()) + " " + kind +
                        " ports, above the maximum of " + std::to_string(kMaxPorts));
        }
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < ports.size(); ++i) {
            if (ports[i].channels > kMaxPortChannels) {
                throw Error(who + ": " + kind + " port " + std::to_string(i) + " ('" +
                            ports[i].name + "') has " + std::to_string(ports[i].channels) +
                            " channels, above the maximum of " + std::to_string(kMaxPortChannels) +
                            " per port");
            }
            total += ports[i].channels;
        }
        if (total > kMaxNodeChannels) {
            throw Error(who + "'s " + kind + " ports have " + std::to_string(total) +
                        " channels together, above the maximum of " +
                        std::to_string(kMaxNodeChannels) + " per node");
        }
    };
    checkPorts(properties.inputs, "input");
    checkPorts(properties.outputs, "output");
    if (properties.parameters.size() > kMaxParameters) {
        throw Error(who + " declares " + std::to_string(properties.parameters.size()) +
                    " parameters, above the maximum of " + std::to_string(kMaxParameters));
    }
    validateParameterInfos(properties.parameters, node);
    if (properties.latency > kMaxLatency) {
        throw Error(who + " reports a latency of " + std::to_string(properties.latency) +
                    " frames, above the maximum of " + std::to_string(kMaxLatency) +
                    " (kMaxLatency)");
    }
    if (!(properties.estimatedCostPerFrame >= 0.0) ||
        !std::isfinite(properties.estimatedCostPerFrame)) {
        std::ostringstream message;
        message << who << " estimates its cost as " << properties.estimatedCostPerFrame
                << " ns per frame: it must be a finite number of 0 or more";
        throw Error(message.str());
    }
}

inline void Node::process(const ProcessContext& context) noexcept {
    FLUXFORGE_ASSERT(preparedFor_.has_value(), "node processed before prepare()");
    FLUXFORGE_ASSERT(context.numFrames > 0 && context.numFrames <= preparedFor_->maxBlockSize,
                     "block larger than the node was prepared for");
    onProcess(context);
}

inline void Node::reset() noexcept {
    onReset();
}

} // namespace fluxforge
