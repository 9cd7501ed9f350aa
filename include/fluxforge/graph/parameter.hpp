// Parameters as nodes declare them (ParameterInfo) and read them for a block (ParameterValues).
#pragma once

#include <fluxforge/core/types.hpp>

#include <string>

namespace fluxforge {

/// Whether the host's automation may drive a parameter.
enum class Automatable { no, yes };

/// A parameter a node declares: its identity, range and default. Node::setParameter clamps values
/// outside the range to it; the engine's commands and automation lanes reject them
/// (docs/automation.md).
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

} // namespace fluxforge
