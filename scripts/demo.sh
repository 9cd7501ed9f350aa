#!/usr/bin/env bash
# Installs what is missing, builds FluxForge's demo and runs it. The demo plays through the
# default sound card if there is one, through JACK if a server runs, and otherwise renders offline
# to a WAV file; it says which it did.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "${FLUXFORGE_ROOT}"

step "Checking Debian packages"
ensure_packages "${FLUXFORGE_BUILD_PACKAGES[@]}"

step "Configuring (build/demo, Release)"
run_logged demo-configure cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DFLUXFORGE_BUILD_TESTS=OFF -DFLUXFORGE_BUILD_BENCHMARKS=OFF -DFLUXFORGE_BUILD_EXAMPLES=ON
step "Building the demo"
run_logged demo-build cmake --build build/demo --target demo --parallel "$(parallel_jobs)"

# An offline render goes into the build folder, not the source tree (a later --output wins).
step "Running build/demo/examples/demo $*"
exec build/demo/examples/demo --output build/demo/demo.wav "$@"
