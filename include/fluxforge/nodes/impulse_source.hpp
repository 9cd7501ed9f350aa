// ImpulseSource: single-sample impulses at set times of the engine clock, for latency tests.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>

#include <algorithm>
#include <string>

namespace fluxforge {

/// Construction options of an ImpulseSource.
struct ImpulseSourceConfig {
    /// Engine time (ProcessContext::blockStart + frame) of the first impulse.
    SampleTime time = 0;
    /// Frames between impulses; 0 for a single impulse.
    SampleTime period = 0;
    /// The impulse's value.
    float amplitude = 1.0f;
    /// Channels of the output port; every channel carries the same signal.
    ChannelCount channels = 1;
};

/// Writes `amplitude` at the engine times time, time + period, time + 2 period, ... (only at
/// `time` when period is 0) and 0 everywhere else. The output is a function of the engine clock
/// alone, so it needs no state and reset() has nothing to do; a locate back before `time` plays
/// the impulse again. No inputs, one output port ("out"), no parameters, no latency.
class ImpulseSource final : public Node {
public:
    /// Throws Error when `config.channels` is 0 or `config.period` is negative.
    /// Thread: control. Real-time safe: no. Allocates: no.
    explicit ImpulseSource(const ImpulseSourceConfig& config = {});

    /// Whether an impulse falls on engine time `t`. Thread: any. Real-time safe: yes.
    /// Allocates: no.
    [[nodiscard]] bool isImpulseAt(SampleTime t) const noexcept;

private:
    [[nodiscard]] NodeProperties describe() const override;
    void onProcess(const ProcessContext& context) noexcept override;

    // Set at construction.
    ImpulseSourceConfig config_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline ImpulseSource::ImpulseSource(const ImpulseSourceConfig& config)
    : config_(config) {
    if (config_.channels == 0) {
        throw Error("ImpulseSource: channels must be at least 1");
    }
    if (config_.period < 0) {
        throw Error("ImpulseSource: period must be 0 (one impulse) or positive, got " +
                    std::to_string(config_.period));
    }
}

inline NodeProperties ImpulseSource::describe() const {
    return NodeProperties::source(config_.channels, 0.1 * static_cast<double>(config_.channels));
}

inline bool ImpulseSource::isImpulseAt(SampleTime t) const noexcept {
    if (t < config_.time) {
        return false;
    }
    return config_.period == 0 ? t == config_.time : (t - config_.time) % config_.period == 0;
}

inline void ImpulseSource::onProcess(const ProcessContext& context) noexcept {
    const BufferView& out = context.outputs[0];
    FLUXFORGE_ASSERT(out.numChannels() == config_.channels, "ImpulseSource: channel mismatch");
    for (ChannelCount c = 0; c < config_.channels; ++c) {
        std::fill_n(out.channel(c), context.numFrames, 0.0f);
    }
    const SampleTime begin = context.blockStart;
    const SampleTime end = begin + static_cast<SampleTime>(context.numFrames);
    if (end <= config_.time) {
        return;
    }
    // The first impulse at or after the block's start, then every period.
    SampleTime t = config_.time;
    if (begin > t) {
        if (config_.period == 0) {
            return;
        }
        const SampleTime sinceFirst = begin - config_.time;
        t = config_.time + (sinceFirst + config_.period - 1) / config_.period * config_.period;
    }
    for (; t < end; t += config_.period) {
        const auto frame = static_cast<FrameCount>(t - begin);
        for (ChannelCount c = 0; c < config_.channels; ++c) {
            out.channel(c)[frame] = config_.amplitude;
        }
        if (config_.period == 0) {
            break;
        }
    }
}

} // namespace fluxforge
