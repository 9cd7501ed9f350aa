// system_info: what this machine gives FluxForge to work with. Prints the library version, the
// SIMD kernel variants this CPU can run (and which one is active), and the audio APIs compiled
// into the linked RtAudio. Useful first thing to run when reporting a problem.
#include <fluxforge/device/audio_apis.hpp>
#include <fluxforge/fluxforge.hpp>

#include <cstdio>
#include <string>

int main() {
    namespace kernels = fluxforge::kernels;
    std::printf("FluxForge %s\n", fluxforge::kVersionString);
    std::printf("SIMD kernels available:");
    for (auto set : {kernels::InstructionSet::scalar, kernels::InstructionSet::baseline,
                     kernels::InstructionSet::avx2, kernels::InstructionSet::avx512}) {
        if (const auto* table = kernels::kernelTable(set)) {
            std::printf(" %s", std::string(table->name).c_str());
        }
    }
    std::printf(
        "\nSIMD kernels active: %s (override with FLUXFORGE_SIMD=scalar|baseline|avx2|avx512)\n",
        std::string(kernels::activeKernelTable().name).c_str());
    std::printf("Denormal flush-to-zero: %s\n",
                fluxforge::DenormalGuard::isSupported() ? "supported" : "not supported");
    std::printf("RtAudio %s, APIs:", fluxforge::rtAudioVersion().c_str());
    for (const auto& api : fluxforge::compiledAudioApis()) {
        std::printf(" %s (%s)", api.name.c_str(), api.displayName.c_str());
    }
    std::printf("\n");
    return 0;
}
