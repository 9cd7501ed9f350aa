// NoiseSource: seeded, deterministic white noise.
#pragma once

#include <fluxforge/core/error.hpp>
#include <fluxforge/core/types.hpp>
#include <fluxforge/graph/node.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fluxforge {

/// A small deterministic random number generator: PCG32 (a 64-bit linear congruential state
/// with a permuted 32-bit output, "XSH RR"). Each `stream` gives an independent sequence for the
/// same seed. The sequence is fixed by the algorithm, so a seed renders the same noise on every
/// platform and compiler, which std's distributions do not promise.
/// Thread: one at a time. Real-time safe: yes. Allocates: no.
class NoiseGenerator {
public:
    /// Starts the sequence of `seed` on `stream`.
    explicit NoiseGenerator(std::uint64_t seed = 0, std::uint64_t stream = 0) noexcept;

    /// The next 32 random bits.
    std::uint32_t next() noexcept;

    /// The next value, uniform over the 2^24 odd multiples of 2^-24 in (-1, 1): symmetric about
    /// 0 (mean exactly 0) and exact in float.
    float nextBipolar() noexcept;

private:
    std::uint64_t state_ = 0;
    std::uint64_t increment_ = 1; // odd: selects the stream
};

/// Construction options of a NoiseSource.
struct NoiseSourceConfig {
    /// Seed of the sequence: the same seed gives the same samples, however the audio is cut into
    /// blocks.
    std::uint64_t seed = 1;
    /// Channels of the output port; each channel is an independent stream of the same seed.
    ChannelCount channels = 1;
};

/// Uniform white noise in (-amplitude, amplitude). Channel c draws from NoiseGenerator(seed, c),
/// one value per frame, so the output is a function of the seed and the frame index alone;
/// reset() restarts every channel's sequence from the seed. No inputs, one output port ("out"),
/// no latency.
class NoiseSource final : public Node {
public:
    /// Parameter "amplitude": linear peak level, 0..1, default 0.5.
    static constexpr std::size_t kAmplitude = 0;

    /// Throws Error when `config.channels` is 0.
    /// Thread: control. Real-time safe: no. Allocates: yes.
    explicit NoiseSource(const NoiseSourceConfig& config = {});

private:
    [[nodiscard]] NodeProperties describe() const override;
    void onPrepare(const PrepareContext& context) override;
    void onProcess(const ProcessContext& context) noexcept override;
    void onReset() noexcept override;

    // Set at construction.
    std::uint64_t seed_ = 1;
    ChannelCount channels_ = 1;
    // Audio thread only (sized at construction, so reset() and process() never allocate).
    std::vector<NoiseGenerator> generators_;
};

// ------------------------------------------------------------------------------------------------
// Inline definitions

inline NoiseGenerator::NoiseGenerator(std::uint64_t seed, std::uint64_t stream) noexcept
    : increment_((stream << 1u) | 1u) {
    // The PCG reference seeding: step once from 0, add the seed, step again, so that nearby seeds
    // do not start on nearby states.
    next();
    state_ += seed;
    next();
}

inline std::uint32_t NoiseGenerator::next() noexcept {
    const std::uint64_t old = state_;
    state_ = old * 6364136223846793005ull + increment_;
    const auto xorShifted = static_cast<std::uint32_t>(((old >> 18u) ^ old) >> 27u);
    const auto rotation = static_cast<std::uint32_t>(old >> 59u);
    return (xorShifted >> rotation) | (xorShifted << ((32u - rotation) & 31u));
}

inline float NoiseGenerator::nextBipolar() noexcept {
    // 24 random bits k give the odd integer 2k + 1 - 2^24 in (-2^24, 2^24); scaling by 2^-24 is
    // exact, so no value is rounded and the set is symmetric.
    const auto k = static_cast<std::int32_t>(next() >> 8u);
    const std::int32_t odd = 2 * k + 1 - (1 << 24);
    return static_cast<float>(odd) * (1.0f / 16777216.0f);
}

inline NoiseSource::NoiseSource(const NoiseSourceConfig& config)
    : seed_(config.seed)
    , channels_(config.channels) {
    if (channels_ == 0) {
        throw Error("NoiseSource: channels must be at least 1");
    }
    generators_.resize(channels_);
    onReset();
}

inline NodeProperties NoiseSource::describe() const {
    NodeProperties props = NodeProperties::source(channels_, 1.0 + static_cast<double>(channels_));
    props.parameters.push_back({"amplitude", "Amplitude", 0.0f, 1.0f, 0.5f, "", Automatable::yes});
    return props;
}

inline void NoiseSource::onPrepare(const PrepareContext& context) {
    static_cast<void>(context);
    onReset();
}

inline void NoiseSource::onProcess(const ProcessContext& context) noexcept {
    const ParameterValues& amplitude = context.parameter(kAmplitude);
    const BufferView& out = context.outputs[0];
    FLUXFORGE_ASSERT(out.numChannels() == channels_, "NoiseSource: output channel mismatch");
    for (ChannelCount c = 0; c < channels_; ++c) {
        NoiseGenerator& generator = generators_[c];
        float* samples = out.channel(c);
        for (FrameCount i = 0; i < context.numFrames; ++i) {
            samples[i] = generator.nextBipolar() * amplitude.at(i);
        }
    }
}

inline void NoiseSource::onReset() noexcept {
    for (ChannelCount c = 0; c < channels_; ++c) {
        generators_[c] = NoiseGenerator(seed_, c);
    }
}

} // namespace fluxforge
