#!/usr/bin/env bash
# Installs the npm packages the client tests use (tests/e2e/package.json), once per lockfile.
set -euo pipefail
cd "$(dirname "$0")/../tests/e2e" 2>/dev/null || exit 0
[ -f package.json ] || exit 0
stamp=node_modules/.installed-stamp
if [ -f "$stamp" ] && [ "$stamp" -nt package.json ] && { [ ! -f package-lock.json ] || [ "$stamp" -nt package-lock.json ]; }; then
  exit 0
fi
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
touch "$stamp"
