#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test: the Release build's full suite
# (unit, integration with a real JACK server, packaging, benchmark smoke runs), then the suites of
# the sanitizer builds: AddressSanitizer+UBSan, ThreadSanitizer and RealtimeSanitizer.
#
#   scripts/test.sh                 everything (what CI runs)
#   scripts/test.sh release tsan    only the named presets
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "${FLUXFORGE_ROOT}"

presets=("$@")
if [ ${#presets[@]} -eq 0 ]; then
    presets=(release asan-ubsan tsan rtsan)
fi

step "Checking Debian packages"
ensure_packages "${FLUXFORGE_TEST_PACKAGES[@]}"

start=$SECONDS
for preset in "${presets[@]}"; do
    t0=$SECONDS
    step "[${preset}] configure"
    run_logged "${preset}-configure" cmake --preset "${preset}"
    step "[${preset}] build"
    run_logged "${preset}-build" cmake --build --preset "${preset}" --parallel "$(parallel_jobs)"
    step "[${preset}] test"
    log="${FLUXFORGE_LOG_DIR}/${preset}-test.log"
    if ! ctest --preset "${preset}" --parallel "$(parallel_jobs)" >"$log" 2>&1; then
        failures="$(grep -E -B2 -A30 'Failure|FAILED|Sanitizer|\*\*\*' "$log" || true)"
        sed -n '1,120p' <<<"$failures" >&2
        tail -n 25 "$log" >&2
        fail "tests of preset '${preset}' failed" "Full log: $log"
    fi
    sed -n -E 's/^(.*(tests passed|Total Test time).*)$/    \1/p' "$log"
    printf '    [%s] done in %ds\n' "${preset}" $((SECONDS - t0))
done
step "All test presets passed (${presets[*]}) in $((SECONDS - start))s"
