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
#include <fluxforge/core/types.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fluxforge {

/// Whether a node reads the device's live input. A node that does (an armed or monitored input)
/// is live, and so is everything downstream of it.
enum class LiveInput { no, yes };

/// Whether the host's automation may drive a parameter.
enum class Automatable { no, yes };

/// A parameter a node declares: its identity, range and default. Values outside the range are
/// clamped to it.
struct ParameterInfo {
    std::string id;   ///< stable key, e.g. "gain"; unique within the node
    std::string name; ///< display name, e.g. "Gain"
    float minValue = 0.0f;
    float maxValue = 1.0f;
    float defaultValue = 0.0f;
    std::string unit; ///< e.g. "dB", "Hz", or empty
    Automatable automatable = Automatable::yes;
};

/// One parameter's value over one block: a single constant where it is flat, one value per frame
/// where it moves. Reading it never allocates.
///
/// Thread: audio or worker (set by the engine before the node's process()). Real-time safe: yes.
class ParameterValues {
public:
    /// True when the value is the same for every frame of the block.
    [[nodiscard]] bool isConstant() const noexcept { return perSample_ == nullptr; }
    /// The value when constant, else the value at frame 0.
    [[nodiscard]] float constant() const noexcept {
        return perSample_ == nullptr ? constant_ : perSample_[0];
    }
    /// The value at a frame of the block.
    [[nodiscard]] float at(FrameCount frame) const noexcept {
        return perSample_ == nullptr ? constant_ : perSample_[frame];
    }
    /// One value per frame, or null when constant.
    [[nodiscard]] const float* perSample() const noexcept { return perSample_; }

    void setConstant(float value) noexcept {
        constant_ = value;
        perSample_ = nullptr;
    }
    void setPerSample(const float* values) noexcept { perSample_ = values; }

private:
    float constant_ = 0.0f;
    const float* perSample_ = nullptr;
};

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
    /// Estimated processing cost in nanoseconds per frame, used to rank the critical path until
    /// the engine has measured the node. Only ratios between nodes matter.
    double estimatedCostPerFrame = 1.0;
};

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

    /// Shorthand for parameters[index].
    [[nodiscard]] const ParameterValues& parameter(std::size_t index) const noexcept {
        FLUXFORGE_ASSERT(index < parameters.size(), "parameter index out of range");
        return parameters[index];
    }
};

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

    /// Sets a parameter's value, clamped to its range; it takes effect from the next block the
    /// node renders. (The engine's command queue adds smoothing and sample-accurate timing on
    /// top, see docs/automation.md.) Unknown indices throw.
    /// Thread: control. Real-time safe: yes once prepared. Allocates: no.
    void setParameter(std::size_t index, float value);

    /// The value most recently set (or the default). Thread: any. Real-time safe: yes.
    [[nodiscard]] float parameter(std::size_t index) const;

    /// The parameters declared by describe(), as of the last prepare().
    /// Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] std::span<const ParameterInfo> parameterInfos() const noexcept {
        return parameterInfos_;
    }

    /// Brings this block's parameter values up to date and returns them, for the ProcessContext.
    /// Called by the plan right before process(). Thread: audio or worker. Real-time safe: yes.
    std::span<const ParameterValues> updateParameters(FrameCount numFrames) noexcept;

    /// The settings of the last prepare(), or nothing before the first.
    /// Thread: control. Real-time safe: no. Allocates: no.
    [[nodiscard]] const std::optional<PrepareContext>& preparedFor() const noexcept {
        return preparedFor_;
    }

protected:
    Node() = default;

    /// Hook of properties(). Thread: control.
    [[nodiscard]] virtual NodeProperties describe() const = 0;
    /// Hook of prepare(). Thread: control; may allocate.
    virtual void onPrepare(const PrepareContext& context) { static_cast<void>(context); }
    /// Hook of process(). Thread: audio or worker; must not allocate, lock, block or throw.
    virtual void onProcess(const ProcessContext& context) noexcept = 0;
    /// Hook of reset(). Thread: audio or worker; must not allocate, lock, block or throw.
    virtual void onReset() noexcept {}

private:
    std::optional<PrepareContext> preparedFor_;
    std::vector<ParameterInfo> parameterInfos_;
    // Written by the control thread (setParameter), read by the audio thread.
    std::unique_ptr<std::atomic<float>[]> requestedValues_;
    // Audio thread only.
    std::vector<ParameterValues> blockValues_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline void Node::prepare(const PrepareContext& context) {
    NodeProperties props = describe();
    const std::size_t count = props.parameters.size();
    // Keep values already set when re-preparing with the same parameter list.
    std::unique_ptr<std::atomic<float>[]> values(new std::atomic<float>[count]);
    for (std::size_t i = 0; i < count; ++i) {
        const bool keep =
            i < parameterInfos_.size() && parameterInfos_[i].id == props.parameters[i].id;
        values[i].store(keep ? requestedValues_[i].load() : props.parameters[i].defaultValue);
    }
    onPrepare(context);
    requestedValues_ = std::move(values);
    parameterInfos_ = std::move(props.parameters);
    blockValues_.assign(count, ParameterValues{});
    for (std::size_t i = 0; i < count; ++i) {
        blockValues_[i].setConstant(requestedValues_[i].load());
    }
    preparedFor_ = context;
}

inline void Node::setParameter(std::size_t index, float value) {
    if (index >= parameterInfos_.size()) {
        throw Error("parameter index " + std::to_string(index) + " out of range: the node has " +
                    std::to_string(parameterInfos_.size()) + " parameter(s)" +
                    (preparedFor_ ? "" : " (it has not been prepared yet)"));
    }
    const ParameterInfo& info = parameterInfos_[index];
    const float clamped = value < info.minValue   ? info.minValue
                          : value > info.maxValue ? info.maxValue
                                                  : value;
    requestedValues_[index].store(clamped, std::memory_order_relaxed);
}

inline float Node::parameter(std::size_t index) const {
    if (index >= parameterInfos_.size()) {
        throw Error("parameter index " + std::to_string(index) + " out of range");
    }
    return requestedValues_[index].load(std::memory_order_relaxed);
}

inline std::span<const ParameterValues> Node::updateParameters(FrameCount numFrames) noexcept {
    static_cast<void>(numFrames);
    for (std::size_t i = 0; i < blockValues_.size(); ++i) {
        blockValues_[i].setConstant(requestedValues_[i].load(std::memory_order_relaxed));
    }
    return blockValues_;
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
