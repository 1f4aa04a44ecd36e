#!/usr/bin/env bash
# What admission control costs while it is not saturated: gateway RPS (non-streaming chat through
# a zero-latency mock-upstream) of two sluice instances side by side, one with admission off and
# one with a limit it never reaches, in alternating rounds. Sluices on CPU 0; mock-upstream and
# wrk on CPU 1.
# usage: bench/admission_overhead.sh [duration_s=10] [connections=64] [rounds=3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${1:-10}; CONNS=${2:-64}; ROUNDS=${3:-3}

MOCK_PORT=$(free_port)
taskset -c 1 "$BIN" mock-upstream --listen 127.0.0.1:$MOCK_PORT --threads 1 > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$MOCK_PORT/livez"

start_sluice() {  # name port extra-yaml
  write_gateway_config "$WORK/$1.yaml" "$MOCK_PORT"
  printf '%s\n' "$3" >> "$WORK/$1.yaml"
  SLUICE_STORAGE__DATA_DIR="$WORK/data-$1" taskset -c 0 "$BIN" serve --config "$WORK/$1.yaml" \
    --listen 127.0.0.1:$2 > "$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$2/livez"
}
OFF_PORT=$(free_port); ON_PORT=$(free_port)
start_sluice off "$OFF_PORT" ""
start_sluice on "$ON_PORT" "admission: { max_concurrency: 4096, max_queue: 4096 }"

cat > "$WORK/chat.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"bench-model","messages":[{"role":"user","content":"Give me one sentence about rivers."}],"max_tokens":64}'
wrk.headers["Content-Type"] = "application/json"
LUA
echo "wrk -t1 -c$CONNS -d${DURATION}s per round, $ROUNDS rounds alternating"
printf '%-6s %-10s %10s %10s %10s %8s\n' round admission rps p50_us p99_us non2xx
for r in $(seq "$ROUNDS"); do
  for t in "off $OFF_PORT" "on $ON_PORT"; do
    set -- $t
    taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$WORK/chat.lua" \
      "http://127.0.0.1:$2/v1/chat/completions" > "$WORK/wrk-$1-$r.out"
    read -r rps p50 p99 bad <<<"$(wrk_summary "$WORK/wrk-$1-$r.out")"
    printf '%-6s %-10s %10s %10s %10s %8s\n' "$r" "$1" "$rps" "$p50" "$p99" "$bad"
  done
done
