#!/usr/bin/env bash
# Regenerates the scheduler tables of docs/performance.md from bench/experiments/ with the
# research tool (docs/research.md) and prints them as Markdown; JSON, CSV and plots go to
# <build>/research-results/.
#
#   scripts/research-tables.sh [BUILD_DIR] [tool options, e.g. --realtime or --repetitions 5]
#
# BUILD_DIR defaults to build/release (cmake --build build/release --target fluxforge_research_tool).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${root}/build/release}"
[[ $# -gt 0 ]] && shift
tool="${build}/src/research/tool/fluxforge-research"
if [[ ! -x "${tool}" ]]; then
    echo "error: ${tool} not found; build it: cmake --build ${build} --target fluxforge_research_tool" >&2
    exit 1
fi
out="${build}/research-results"
for experiment in scheduler_overhead scheduler_daw_block scheduler_efficiency; do
    echo "### bench/experiments/${experiment}.json"
    echo
    "${tool}" run "${root}/bench/experiments/${experiment}.json" --out "${out}" --quiet "$@"
    echo
done
