// Biquad against sox: the same seeded noise through our Biquad and through sox's biquad effect of
// the same type and parameters (sox 14.4's biquads.c implements the same cookbook in double, direct
// form I), compared sample by sample. sox is an independent implementation this project did not
// write; the tests skip when it is not installed (Debian: apt-get install sox).
//
// Parameter mapping (sox's biquads.c and man page): every width is given with the `q` suffix so
// that sox uses alpha = sin(w0) / (2 Q), as we do.
//   lowPass   -> lowpass -2 <f> <Q>q           (-2: the two-pole cookbook filter, not one-pole)
//   highPass  -> highpass -2 <f> <Q>q
//   bandPass  -> bandpass <f> <Q>q             (no -c: constant 0 dB peak gain, b0 = alpha)
//   peak      -> equalizer <f> <Q>q <gain>
//   lowShelf  -> bass <gain> <f> <Q>q          (q rather than sox's default slope s)
//   highShelf -> treble <gain> <f> <Q>q
// sox reads 32-bit float exactly into its 32-bit integer samples (a float in (-1, 1) has 24
// significant bits), runs the filter in double and rounds each output to 32 bits, so the two
// outputs differ by float rounding only, around -150 dBFS.
//
// The measured maxima are printed ("[ sox      ] ...") and recorded as test properties.
#include "nodes/node_harness.hpp"

#include <fluxforge/nodes/biquad.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

namespace fluxforge {
namespace {

using test::Partition;

struct SoxCase {
    BiquadType type;
    float frequency;
    float q;
    float gainDecibels;
};

// Exact decimal of a float parameter, so sox parses the very value our node sees.
std::string exact(float value) {
    std::ostringstream text;
    text << std::setprecision(17) << static_cast<double>(value);
    return text.str();
}

std::string soxEffect(const SoxCase& c) {
    const std::string f = exact(c.frequency);
    const std::string q = exact(c.q) + "q";
    const std::string gain = exact(c.gainDecibels);
    switch (c.type) {
    case BiquadType::lowPass:
        return "lowpass -2 " + f + " " + q;
    case BiquadType::highPass:
        return "highpass -2 " + f + " " + q;
    case BiquadType::bandPass:
        return "bandpass " + f + " " + q;
    case BiquadType::peak:
        return "equalizer " + f + " " + q + " " + gain;
    case BiquadType::lowShelf:
        return "bass " + gain + " " + f + " " + q;
    case BiquadType::highShelf:
        return "treble " + gain + " " + f + " " + q;
    }
    return {};
}

bool soxIsInstalled() {
    static const bool installed = std::system("sox --version > /dev/null 2>&1") == 0;
    return installed;
}

// A fresh directory for one comparison's files, removed when the comparison ends.
class ScratchDirectory {
public:
    ScratchDirectory() {
        std::random_device entropy;
        path_ = std::filesystem::temp_directory_path() /
                ("fluxforge-sox-" + std::to_string(entropy()) + std::to_string(entropy()));
        std::filesystem::create_directories(path_);
    }
    ~ScratchDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

void writeRaw(const std::filesystem::path& file, const float* samples, FrameCount frames) {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(samples),
              static_cast<std::streamsize>(sizeof(float) * frames));
    ASSERT_TRUE(out.good()) << "cannot write " << file;
}

std::vector<float> readRaw(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary | std::ios::ate);
    const auto bytes = static_cast<std::size_t>(in.tellg());
    std::vector<float> samples(bytes / sizeof(float));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(samples.data()), static_cast<std::streamsize>(bytes));
    return samples;
}

const char* typeName(BiquadType type) {
    switch (type) {
    case BiquadType::lowPass:
        return "lowPass";
    case BiquadType::highPass:
        return "highPass";
    case BiquadType::bandPass:
        return "bandPass";
    case BiquadType::peak:
        return "peak";
    case BiquadType::lowShelf:
        return "lowShelf";
    case BiquadType::highShelf:
        return "highShelf";
    }
    return "?";
}

// The largest difference allowed, in dBFS: far above float rounding (about -150 dBFS for this
// signal) and far below any real mismatch (a Q or frequency off by 0.1% shows at about -70 dBFS).
constexpr double kLimitDbfs = -100.0;

// Filters one second of noise with both implementations and returns the largest absolute
// difference in dBFS (or +inf when the comparison could not run).
double compareWithSox(const SoxCase& c, SampleRate rate) {
    const auto frames = static_cast<FrameCount>(rate);
    // A 0.125 peak keeps every output below full scale (sox clips at 1.0) even with +12 dB of
    // boost on broadband noise.
    const AudioBuffer input = test::noiseBuffer(1, frames, 2024, 0.125f);

    Biquad node(BiquadConfig{.type = c.type, .channels = 1});
    test::prepare(node, rate);
    node.setParameter(Biquad::kFrequency, c.frequency);
    node.setParameter(Biquad::kQ, c.q);
    node.setParameter(Biquad::kGain, c.gainDecibels);
    const AudioBuffer ours = test::renderEffect(node, input, Partition{0, 17});

    const ScratchDirectory scratch;
    const std::filesystem::path inFile = scratch.path() / "in.f32";
    const std::filesystem::path outFile = scratch.path() / "out.f32";
    writeRaw(inFile, input.channel(0), frames);
    // -D: no dither (sox adds none for float output anyway); -V1: errors only.
    const std::string rateText = std::to_string(static_cast<long>(rate));
    const std::string command = "sox -D -V1 -t f32 -r " + rateText + " -c 1 \"" + inFile.string() +
                                "\" -t f32 \"" + outFile.string() + "\" " + soxEffect(c);
    const int status = std::system(command.c_str());
    EXPECT_EQ(status, 0) << command;
    const std::vector<float> theirs = readRaw(outFile);
    EXPECT_EQ(theirs.size(), frames) << command;
    if (status != 0 || theirs.size() != frames) {
        return std::numeric_limits<double>::infinity();
    }
    double worst = 0.0;
    float peak = 0.0f;
    for (FrameCount i = 0; i < frames; ++i) {
        worst = std::max(worst, std::abs(static_cast<double>(ours.channel(0)[i]) - theirs[i]));
        peak = std::max(peak, std::abs(theirs[i]));
    }
    EXPECT_LT(peak, 1.0f) << "sox clipped: lower the input level (" << command << ")";
    const double dbfs =
        worst == 0.0 ? -std::numeric_limits<double>::infinity() : test::toDbfs(worst);
    std::cout << "[ sox      ] " << typeName(c.type) << " at " << rateText << " Hz: max difference "
              << std::fixed << std::setprecision(1) << dbfs << " dBFS (" << soxEffect(c) << ")"
              << std::defaultfloat << "\n";
    return dbfs;
}

class BiquadSoxTest : public ::testing::TestWithParam<SampleRate> {
protected:
    void SetUp() override {
        if (!soxIsInstalled()) {
            GTEST_SKIP() << "sox is not installed (Debian: apt-get install sox); the Biquad is "
                            "checked against sox's biquad effects only where it is";
        }
    }

    void expectMatches(std::initializer_list<SoxCase> cases) {
        for (const SoxCase& c : cases) {
            const double dbfs = compareWithSox(c, GetParam());
            EXPECT_LT(dbfs, kLimitDbfs) << typeName(c.type) << " f=" << c.frequency << " q=" << c.q
                                        << " gain=" << c.gainDecibels;
            RecordProperty(std::string(typeName(c.type)) + "_" + exact(c.frequency) + "Hz_dbfs",
                           std::to_string(dbfs));
        }
    }
};

TEST_P(BiquadSoxTest, LowPassMatchesSox) {
    expectMatches({{BiquadType::lowPass, 1000.0f, 0.70710678f, 0.0f},
                   {BiquadType::lowPass, 8000.0f, 4.0f, 0.0f}});
}

TEST_P(BiquadSoxTest, HighPassMatchesSox) {
    expectMatches({{BiquadType::highPass, 500.0f, 0.70710678f, 0.0f},
                   {BiquadType::highPass, 3000.0f, 2.5f, 0.0f}});
}

TEST_P(BiquadSoxTest, BandPassMatchesSox) {
    expectMatches(
        {{BiquadType::bandPass, 2000.0f, 4.0f, 0.0f}, {BiquadType::bandPass, 150.0f, 0.5f, 0.0f}});
}

TEST_P(BiquadSoxTest, PeakMatchesSoxEqualizer) {
    expectMatches(
        {{BiquadType::peak, 1000.0f, 2.0f, 9.0f}, {BiquadType::peak, 6500.0f, 0.8f, -12.0f}});
}

TEST_P(BiquadSoxTest, LowShelfMatchesSoxBass) {
    expectMatches({{BiquadType::lowShelf, 200.0f, 0.70710678f, 6.0f},
                   {BiquadType::lowShelf, 1200.0f, 1.2f, -9.5f}});
}

TEST_P(BiquadSoxTest, HighShelfMatchesSoxTreble) {
    expectMatches({{BiquadType::highShelf, 4000.0f, 0.70710678f, -6.0f},
                   {BiquadType::highShelf, 9000.0f, 0.5f, 12.0f}});
}

INSTANTIATE_TEST_SUITE_P(SampleRates, BiquadSoxTest, ::testing::ValuesIn(test::allSampleRates()),
                         test::sampleRateName);

} // namespace
} // namespace fluxforge
