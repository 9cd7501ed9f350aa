// Parameters as nodes declare them (ParameterInfo) and read them for a block (ParameterValues).
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>

#include <cmath>
#include <cstddef>
#include <span>
#include <sstream>
#include <string>
#include <string_view>

namespace fluxforge {

/// Whether the host's automation may drive a parameter.
enum class Automatable { no, yes };

/// A parameter a node declares: its identity, range and default. Every way of setting a value
/// rejects one outside the range (Node::setParameter throws, the engine's commands report
/// CommandStatus::outOfRange, automation lanes are refused; docs/automation.md): a value out of
/// range is a bug upstream, and clamping would hide it. validateParameterInfos says what a valid
/// declaration is.
struct ParameterInfo {
    std::string id;   ///< stable key, e.g. "gain"; unique within the node
    std::string name; ///< display name, e.g. "Gain"
    float minValue = 0.0f;
    float maxValue = 1.0f;
    float defaultValue = 0.0f;
    std::string unit; ///< e.g. "dB", "Hz", or empty
    Automatable automatable = Automatable::yes;
};

/// Checks a node's declared parameters: every bound and default finite, minValue <= maxValue, the
/// default inside the range, and ids unique within the node. Throws fluxforge::Error naming the
/// parameter (index and id), the node when `owner` is given, and what is wrong. Node::prepare,
/// Node::setParameter and Graph::add call it.
/// Thread: control. Real-time safe: no. Allocates: yes (the message).
inline void validateParameterInfos(std::span<const ParameterInfo> infos,
                                   std::string_view owner = {}) {
    for (std::size_t i = 0; i < infos.size(); ++i) {
        const ParameterInfo& info = infos[i];
        auto fail = [&](const std::string& what) {
            std::ostringstream message;
            message << "parameter " << i << " ('" << info.id << "')";
            if (!owner.empty()) {
                message << " of node " << owner;
            }
            message << " is declared wrongly: " << what;
            throw Error(message.str());
        };
        std::ostringstream range;
        range << info.minValue << ".." << info.maxValue;
        if (!std::isfinite(info.minValue) || !std::isfinite(info.maxValue) ||
            !std::isfinite(info.defaultValue)) {
            fail("its range " + range.str() + " and default must be finite numbers");
        }
        if (info.minValue > info.maxValue) {
            fail("minValue is above maxValue (" + range.str() + ")");
        }
        if (info.defaultValue < info.minValue || info.defaultValue > info.maxValue) {
            std::ostringstream value;
            value << info.defaultValue;
            fail("the default " + value.str() + " lies outside its range " + range.str());
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (infos[j].id == info.id) {
                fail("parameter " + std::to_string(j) + " has the same id");
            }
        }
    }
}

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
