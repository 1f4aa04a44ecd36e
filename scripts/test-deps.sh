#!/usr/bin/env bash
# Installs the npm packages the Node test suites use (tests/e2e: real clients; tests/deploy:
# manifest validators), each once per lockfile.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
for dir in tests/e2e tests/deploy; do
  cd "$root/$dir" 2>/dev/null || continue
  [ -f package.json ] || continue
  stamp=node_modules/.installed-stamp
  if [ -f "$stamp" ] && [ "$stamp" -nt package.json ] && { [ ! -f package-lock.json ] || [ "$stamp" -nt package-lock.json ]; }; then
    continue
  fi
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  touch "$stamp"
done
