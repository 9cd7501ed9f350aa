# Shared by scripts/demo.sh and scripts/test.sh: package installation and quiet build steps that
# print what they do and, when something fails, say what and where to look.
# shellcheck shell=bash

FLUXFORGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLUXFORGE_LOG_DIR="${FLUXFORGE_ROOT}/build/logs"
mkdir -p "${FLUXFORGE_LOG_DIR}"

# What building the library and running the demo needs.
FLUXFORGE_BUILD_PACKAGES=(
    g++ cmake ninja-build pkg-config
    libxsimd-dev libreaderwriterqueue-dev librtaudio-dev libsndfile1-dev
    jackd2
)
# What the full test suite adds: the test and benchmark frameworks, sanitizer compilers and
# runtimes, the peers and tools the tests compare against.
FLUXFORGE_TEST_PACKAGES=(
    "${FLUXFORGE_BUILD_PACKAGES[@]}"
    libgtest-dev libgmock-dev libbenchmark-dev libtbb-dev
    clang-14 libclang-rt-14-dev clang-19 libclang-rt-19-dev
    sox graphviz clang-format qemu-user g++-mingw-w64-x86-64 binutils
)

step() { printf '\n==> %s\n' "$*"; }
fail() {
    printf '\nerror: %s\n' "$1" >&2
    shift
    for line in "$@"; do printf '       %s\n' "$line" >&2; done
    exit 1
}

# The package queries read a command's whole output into a variable before matching it. Piping
# into `grep -q` instead is wrong under `set -o pipefail`: grep exits at its first match, the writer
# dies of SIGPIPE, and the pipeline fails (status 141) exactly when the text matched.
package_installed() {
    local status
    status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" || return 1
    [[ "$status" == *"install ok installed"* ]]
}
# A package the archive can install has a "Candidate:" line that is not "(none)".
package_available() {
    local policy
    policy="$(apt-cache policy "$1" 2>/dev/null)" || return 1
    grep -q 'Candidate: [^(]' <<<"$policy"
}

# ensure_packages PKG...: installs whichever are missing, with apt-get (as root, or through sudo).
ensure_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        if ! package_installed "$pkg"; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        step "All ${#@} required Debian packages are installed"
        return 0
    fi
    step "Installing missing Debian packages: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 ||
            fail "these packages are missing and this user can neither run apt-get nor sudo:" \
                "${missing[*]}" "Run this script as root, or install them first."
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null 2>&1 ||
        fail "apt-get not found: this script installs dependencies on Debian-family systems only." \
            "Install by hand: ${missing[*]}"
    local log="${FLUXFORGE_LOG_DIR}/apt.log"
    if ! "${sudo[@]}" apt-get update >"$log" 2>&1; then
        fail "'apt-get update' failed (is Debian's package archive reachable?)." \
            "Log: $log" "$(tail -n 3 "$log")"
    fi
    local unavailable=()
    for pkg in "${missing[@]}"; do
        if ! package_available "$pkg"; then
            unavailable+=("$pkg")
        fi
    done
    if [ ${#unavailable[@]} -gt 0 ]; then
        fail "not available from the configured package archive: ${unavailable[*]}" \
            "FluxForge expects Debian 12 (bookworm) or newer with its main archive enabled."
    fi
    if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends \
        "${missing[@]}" >>"$log" 2>&1; then
        fail "apt-get could not install: ${missing[*]}" "Log: $log" "$(tail -n 5 "$log")"
    fi
    printf '    installed %d package(s); log: %s\n' "${#missing[@]}" "$log"
}

# run_logged NAME CMD...: runs a command with its output in build/logs/NAME.log; on failure prints
# the end of that log and stops.
run_logged() {
    local name="$1"
    shift
    local log="${FLUXFORGE_LOG_DIR}/${name}.log"
    if ! "$@" >"$log" 2>&1; then
        printf '\n--- last lines of %s ---\n' "$log" >&2
        grep -E -A3 'CMake Error|error:|FAILED|Errors while running' "$log" | head -n 60 >&2 ||
            tail -n 40 "$log" >&2
        fail "step '${name}' failed: $*" "Full log: $log"
    fi
}

# The number of parallel jobs: one per core.
parallel_jobs() { nproc 2>/dev/null || echo 2; }
