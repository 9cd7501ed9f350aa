#!/usr/bin/env bash
# The package installation of scripts/common.sh on a "fresh machine" that needs no network: every
# command the install path calls (dpkg-query, apt-cache, apt-get, id, sudo) is a stand-in first on
# PATH, and PATH holds nothing else but a few basic tools. The stand-ins record what they were asked.
#
#   install_path_test.sh COMMON_SH CASE      runs one case; exit 0 when it behaves
#
# COMMON_SH is the scripts/common.sh under test (copied into a scratch tree, so its logs stay there).
set -uo pipefail

common_sh="$1"
case_name="$2"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
bin="$scratch/bin"
state="$scratch/state"
mkdir -p "$bin" "$state" "$scratch/repo/scripts"
cp "$common_sh" "$scratch/repo/scripts/common.sh"

# The only real tools on PATH.
for tool in bash sh grep sed tail head cat mkdir dirname nproc env tr wc rm true; do
    real="$(type -P "$tool")" || { echo "test setup: no $tool on this machine" >&2; exit 2; }
    ln -s "$real" "$bin/$tool"
done

# dpkg-query -W -f='${Status}' PKG: installed when PKG is listed in state/installed.
cat >"$bin/dpkg-query" <<'STANDIN'
#!/bin/bash
pkg="${!#}"
if grep -qx "$pkg" "$FAKE_STATE/installed" 2>/dev/null; then
    printf 'install ok installed'
    exit 0
fi
echo "dpkg-query: no packages found matching $pkg" >&2
exit 1
STANDIN

# apt-cache policy PKG: a long policy text (a real one lists every version and mirror) with a
# candidate when PKG is listed in state/archive, "(none)" when it is in state/known, nothing else.
cat >"$bin/apt-cache" <<'STANDIN'
#!/bin/bash
[ "$1" = policy ] || exit 100
pkg="$2"
if grep -qx "$pkg" "$FAKE_STATE/archive" 2>/dev/null; then
    printf '%s:\n  Installed: (none)\n  Candidate: 1.0-1\n  Version table:\n' "$pkg"
    # Long enough that the writer is still writing when a reader that quits early has gone.
    for ((i = 0; i < 4000; i++)); do
        printf '     1.0-%d 500\n        500 archive/main amd64 Packages\n' "$i"
    done
elif grep -qx "$pkg" "$FAKE_STATE/known" 2>/dev/null; then
    printf '%s:\n  Installed: (none)\n  Candidate: (none)\n  Version table:\n' "$pkg"
fi
exit 0
STANDIN

# apt-get update | install -y --no-install-recommends PKG...: records each call.
cat >"$bin/apt-get" <<'STANDIN'
#!/bin/bash
echo "$*" >>"$FAKE_STATE/apt-get.calls"
case "$1" in
update)
    if [ -e "$FAKE_STATE/fail-update" ]; then
        echo "Err:1 archive bookworm InRelease"
        echo "E: Failed to fetch archive/dists/bookworm/InRelease  Temporary failure resolving"
        exit 100
    fi
    echo "Reading package lists... Done" ;;
install)
    shift
    pkgs=()
    for arg in "$@"; do [[ "$arg" == -* ]] || pkgs+=("$arg"); done
    echo "${pkgs[*]}" >>"$FAKE_STATE/installed-by-apt"
    if [ -e "$FAKE_STATE/fail-install" ]; then
        echo "E: Unable to correct problems, you have held broken packages."
        exit 100
    fi ;;
*) exit 100 ;;
esac
exit 0
STANDIN

cat >"$bin/id" <<'STANDIN'
#!/bin/bash
[ "$1" = -u ] && { echo "${FAKE_UID:-0}"; exit 0; }
exit 1
STANDIN

with_sudo() {
    cat >"$bin/sudo" <<'STANDIN'
#!/bin/bash
echo "$*" >>"$FAKE_STATE/sudo.calls"
if [ "$1" = -n ]; then
    [ -e "$FAKE_STATE/sudo-needs-password" ] && exit 1
    shift
fi
exec "$@"
STANDIN
    chmod +x "$bin/sudo"
}
chmod +x "$bin"/dpkg-query "$bin"/apt-cache "$bin"/apt-get "$bin"/id

# ensure PKG...: runs ensure_packages as the README's scripts do (set -euo pipefail), stdin not a
# terminal; leaves its exit status, stdout and stderr in $status, $out, $err.
ensure() {
    PATH="$bin" FAKE_STATE="$state" bash -c \
        'set -euo pipefail; source "$1/scripts/common.sh"; shift; ensure_packages "$@"' \
        _ "$scratch/repo" "$@" >"$scratch/out" 2>"$scratch/err" </dev/null
    status=$?
    out="$(cat "$scratch/out")"
    err="$(cat "$scratch/err")"
}

failures=0
check() { # check DESCRIPTION CONDITION...
    local what="$1"
    shift
    if "$@"; then
        echo "ok: $what"
    else
        echo "FAILED: $what"
        failures=$((failures + 1))
    fi
}
show() {
    printf -- '--- exit %s\n--- stdout\n%s\n--- stderr\n%s\n' "$status" "$out" "$err"
    if [ -e "$state/apt-get.calls" ]; then printf -- '--- apt-get calls\n%s\n' "$(cat "$state/apt-get.calls")"; fi
}
# The failure is told in exactly one non-empty line on stderr, starting with "error:".
one_error_line() {
    local lines
    lines="$(grep -c . <<<"$err")"
    [ "$lines" -eq 1 ] && [[ "$(grep . <<<"$err")" == error:* ]]
}
contains() { [[ "$1" == *"$2"* ]]; }
file_is() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }
no_file() { [ ! -e "$1" ]; }

wanted=(g++ cmake libxsimd-dev libreaderwriterqueue-dev librtaudio-dev jackd2)
printf '%s\n' "${wanted[@]}" >"$state/archive"
printf '%s\n' g++ cmake librtaudio-dev >"$state/installed"

case "$case_name" in
installs_exactly_the_missing_packages)
    ensure "${wanted[@]}"
    check "succeeds" test "$status" -eq 0
    check "installs exactly the missing packages" \
        file_is "$state/installed-by-apt" "libxsimd-dev libreaderwriterqueue-dev jackd2"
    check "updates the package lists first (a fresh machine may never have)" \
        contains "$(head -n 1 "$state/apt-get.calls")" update
    check "says what it installs" contains "$out" "libxsimd-dev libreaderwriterqueue-dev jackd2" ;;
nothing_missing_runs_no_apt)
    printf '%s\n' "${wanted[@]}" >"$state/installed"
    ensure "${wanted[@]}"
    check "succeeds" test "$status" -eq 0
    check "calls no apt-get" no_file "$state/apt-get.calls" ;;
names_the_package_the_archive_lacks)
    printf '%s\n' libnothere-dev >"$state/known"
    ensure "${wanted[@]}" libnothere-dev libgone-dev
    check "fails" test "$status" -ne 0
    check "names both packages the archive lacks" \
        contains "$err" "libnothere-dev libgone-dev"
    check "does not call the available ones unavailable" \
        eval '! contains "$err" libxsimd-dev'
    check "in one line" one_error_line
    check "installs nothing" no_file "$state/installed-by-apt" ;;
failing_update_says_so_in_one_line)
    touch "$state/fail-update"
    ensure "${wanted[@]}"
    check "fails" test "$status" -ne 0
    check "names apt-get update and apt's reason" \
        eval 'contains "$err" "apt-get update" && contains "$err" "Failed to fetch"'
    check "in one line" one_error_line ;;
failing_install_says_so_in_one_line)
    touch "$state/fail-install"
    ensure "${wanted[@]}"
    check "fails" test "$status" -ne 0
    check "names the packages and apt's reason" \
        eval 'contains "$err" "could not install libxsimd-dev" && contains "$err" "held broken packages"'
    check "in one line" one_error_line ;;
not_root_without_sudo_says_what_to_do)
    export FAKE_UID=1000
    ensure "${wanted[@]}"
    check "fails" test "$status" -ne 0
    check "says to run as root and what to install" \
        eval 'contains "$err" "root" && contains "$err" "apt-get install libxsimd-dev libreaderwriterqueue-dev jackd2"'
    check "in one line" one_error_line
    check "calls no apt-get" no_file "$state/apt-get.calls" ;;
not_root_with_sudo_installs_through_sudo)
    export FAKE_UID=1000
    with_sudo
    ensure "${wanted[@]}"
    check "succeeds" test "$status" -eq 0
    check "installs through sudo" \
        contains "$(cat "$state/sudo.calls" 2>/dev/null)" "apt-get install -y --no-install-recommends libxsimd-dev"
    check "installs exactly the missing packages" \
        file_is "$state/installed-by-apt" "libxsimd-dev libreaderwriterqueue-dev jackd2" ;;
sudo_needing_a_password_without_terminal_says_so)
    export FAKE_UID=1000
    with_sudo
    touch "$state/sudo-needs-password"
    ensure "${wanted[@]}"
    check "fails" test "$status" -ne 0
    check "says sudo needs a terminal" contains "$err" "password"
    check "in one line" one_error_line
    check "calls no apt-get" no_file "$state/apt-get.calls" ;;
failed_step_shows_the_first_errors_of_a_long_log)
    # A build step whose log names many errors: the first of them are shown, once.
    PATH="$bin" bash -c 'set -euo pipefail; source "$1/scripts/common.sh"
        noisy() { for ((i = 1; i <= 3000; i++)); do echo "error: problem $i"; done; echo "last line"; return 1; }
        run_logged build noisy' _ "$scratch/repo" >"$scratch/out" 2>"$scratch/err" </dev/null
    status=$?
    out="$(cat "$scratch/out")"
    err="$(cat "$scratch/err")"
    check "fails" test "$status" -ne 0
    check "shows the first errors" contains "$err" "error: problem 1"
    check "names the failed step" contains "$err" "step 'build' failed"
    check "shows no tail as if nothing had matched" eval '! contains "$err" "last line"' ;;
*)
    echo "unknown case '$case_name'" >&2
    exit 2 ;;
esac

if [ "$failures" -ne 0 ]; then
    show
    exit 1
fi
