# Shared by scripts/demo.sh and scripts/test.sh: package installation and quiet build steps that
# print what they do and, when something fails, say what and where to look.
# shellcheck shell=bash

FLUXFORGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLUXFORGE_LOG_DIR="${FLUXFORGE_ROOT}/build/logs"
mkdir -p "${FLUXFORGE_LOG_DIR}"

# What building the library and running the demo needs.
FLUXFORGE_BUILD_PACKAGES=(
    g++ cmake ninja-build pkg-config
    libxsimd-dev libreaderwriterqueue-dev librtaudio-dev libsndfile1-dev nlohmann-json3-dev
    liblua5.4-dev
    jackd2
)
# What the full test suite adds: the test and benchmark frameworks, sanitizer compilers and
# runtimes, the peers and tools the tests compare against.
FLUXFORGE_TEST_PACKAGES=(
    "${FLUXFORGE_BUILD_PACKAGES[@]}"
    libgtest-dev libgmock-dev libbenchmark-dev libtbb-dev
    clang-14 libclang-rt-14-dev clang-19 libclang-rt-19-dev
    sox graphviz libxml2-utils clang-format qemu-user g++-mingw-w64-x86-64 binutils gnuplot-nox
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

# The last "E:" line apt-get wrote to a log: the one line that says why it failed.
apt_reason() {
    local reason
    reason="$(grep -E '^(E|Err):' "$1" 2>/dev/null || true)"
    reason="${reason##*$'\n'}"
    printf '%s' "${reason:-see the log}"
}

# ensure_packages PKG...: installs whichever are missing, with apt-get (as root, or through sudo).
# Every way this can fail on a fresh machine ends in one line that says what to do.
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
    command -v apt-get >/dev/null 2>&1 ||
        fail "apt-get not found (this script installs packages on Debian-family systems); install by hand: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 ||
            fail "not root and no sudo: run as root 'apt-get update && apt-get install ${missing[*]}', then run this script again"
        # Without a terminal sudo cannot ask for a password: say so instead of hanging or failing
        # in the middle of apt-get's output.
        if ! [ -t 0 ] && ! sudo -n true >/dev/null 2>&1; then
            fail "sudo needs a password and there is no terminal to ask on: run this script from a terminal, or as root"
        fi
        sudo=(sudo)
    fi
    local log="${FLUXFORGE_LOG_DIR}/apt.log"
    # A fresh machine may never have downloaded its package lists: always update first.
    if ! "${sudo[@]}" apt-get update >"$log" 2>&1; then
        fail "'apt-get update' failed ($(apt_reason "$log")): is Debian's package archive reachable? Log: $log"
    fi
    local unavailable=()
    for pkg in "${missing[@]}"; do
        if ! package_available "$pkg"; then
            unavailable+=("$pkg")
        fi
    done
    if [ ${#unavailable[@]} -gt 0 ]; then
        fail "not in the configured package archive: ${unavailable[*]} (FluxForge needs Debian 12 bookworm or newer with its main archive)"
    fi
    if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends \
        "${missing[@]}" >>"$log" 2>&1; then
        fail "apt-get could not install ${missing[*]} ($(apt_reason "$log")). Log: $log"
    fi
    printf '    installed %d package(s); log: %s\n' "${#missing[@]}" "$log"
}

# run_logged NAME CMD...: runs a command with its output in build/logs/NAME.log; on failure prints
# the lines of that log that name the error (or its end) and stops.
run_logged() {
    local name="$1"
    shift
    local log="${FLUXFORGE_LOG_DIR}/${name}.log"
    if ! "$@" >"$log" 2>&1; then
        # Matched lines are read whole before they are cut: `grep | head` under pipefail would
        # fail (SIGPIPE) exactly when there is much to show.
        local errors
        errors="$(grep -E -A3 'CMake Error|error:|FAILED|Errors while running' "$log" || true)"
        printf '\n--- %s ---\n' "$log" >&2
        if [ -n "$errors" ]; then
            sed -n '1,60p' <<<"$errors" >&2
        else
            tail -n 40 "$log" >&2
        fi
        fail "step '${name}' failed: $*" "Full log: $log"
    fi
}

# The number of parallel jobs: one per core.
parallel_jobs() { nproc 2>/dev/null || echo 2; }
