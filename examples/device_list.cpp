// device_list: the audio APIs compiled into the linked RtAudio and, for each, the devices it
// offers now, with their channels and sample rates. Every API is named explicitly (RtAudio's own
// choice of API probes them all and is noisy on machines without a sound card). An API with no
// devices (no sound card, no JACK server) lists none.
//
//   device_list            all compiled APIs
//   device_list jack       one API, by its short name
#include <fluxforge/core/error.hpp>
#include <fluxforge/device/audio_apis.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace {

std::string rateList(const std::vector<std::uint32_t>& rates) {
    std::string text;
    for (std::uint32_t rate : rates) {
        text += (text.empty() ? "" : ", ") + std::to_string(rate);
    }
    return text.empty() ? std::string("unknown") : text + " Hz";
}

void listApi(const fluxforge::AudioApiInfo& api) {
    std::printf("%s (%s)\n", api.displayName.c_str(), api.name.c_str());
    const std::vector<fluxforge::AudioDeviceInfo> devices = fluxforge::listAudioDevices(api.api);
    if (devices.empty()) {
        std::printf("  no devices\n");
    }
    for (const fluxforge::AudioDeviceInfo& device : devices) {
        std::printf("  %s%s%s\n", device.name.c_str(),
                    device.isDefaultOutput ? "  [default output]" : "",
                    device.isDefaultInput ? "  [default input]" : "");
        std::printf("    channels: %u out, %u in, %u duplex\n", device.outputChannels,
                    device.inputChannels, device.duplexChannels);
        std::printf("    sample rates: %s", rateList(device.sampleRates).c_str());
        if (device.preferredSampleRate != 0) {
            std::printf(" (preferred %u Hz)", device.preferredSampleRate);
        }
        std::printf("\n");
    }
}

} // namespace

int main(int argc, char** argv) {
    std::printf("RtAudio %s\n", fluxforge::rtAudioVersion().c_str());
    const std::string only = argc > 1 ? argv[1] : "";
    bool found = only.empty();
    for (const fluxforge::AudioApiInfo& api : fluxforge::compiledAudioApis()) {
        if (!only.empty() && api.name != only) {
            continue;
        }
        found = true;
        try {
            listApi(api);
        } catch (const fluxforge::Error& error) {
            std::printf("  cannot list: %s\n", error.what());
        }
    }
    if (!found) {
        std::fprintf(stderr, "no compiled API named '%s'\n", only.c_str());
        return 1;
    }
    return 0;
}
