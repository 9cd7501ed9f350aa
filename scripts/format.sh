#!/usr/bin/env bash
# Formats every C++ source of the project in place with clang-format 14 (what CI checks against).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
formatter="$(command -v clang-format-14 || command -v clang-format)"
find include src tests bench examples \( -name '*.hpp' -o -name '*.cpp' \) -print0 |
    xargs -0 "$formatter" -i
