#!/usr/bin/env bash
# Fails when a C++ source differs from clang-format's output (.clang-format: Google, 100 columns).
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src tests -name '*.cpp' -o -name '*.hpp')
clang-format --dry-run --Werror $files
echo "format: $(echo "$files" | wc -w) files clean"
