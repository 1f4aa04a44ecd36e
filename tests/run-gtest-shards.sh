#!/usr/bin/env bash
# Runs one GoogleTest binary in N shards side by side (GoogleTest's own sharding), each shard one
# process. Under sanitizers a process per test costs more in start-up than the tests themselves.
# Prints a failing shard's output; exits non-zero when any shard fails.
set -euo pipefail
binary=$1
shards=${2:-2}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
pids=()
for ((i = 0; i < shards; i++)); do
  GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i "$binary" --gtest_brief=1 >"$logs/$i" 2>&1 &
  pids+=($!)
done
failed=0
for ((i = 0; i < shards; i++)); do
  if ! wait "${pids[$i]}"; then
    failed=1
    echo "--- $(basename "$binary") shard $((i + 1))/$shards failed:"
    cat "$logs/$i"
  fi
done
[ "$failed" = 0 ] && echo "$(basename "$binary"): every shard passed ($shards shards)"
exit "$failed"
