#!/usr/bin/env bash
# What rate limits cost the gateway, side by side in one run: non-streaming chat completions
# through sluice with an API key and
#   off : no rate limit
#   on  : every limit checked on every request (key requests, address, the route, the key's
#         tokens per model: reserve and settle), set high enough that none refuses
# Each sluice runs alone on CPU 0 (one event loop); mock-upstream and wrk share CPU 1. The two
# alternate for `rounds` rounds, and the median of each is compared: requests per second, and
# sluice's CPU time per request (user + system, from /proc), which other load on the machine
# disturbs less.
# usage: bench/ratelimit.sh [duration_s=10] [connections=64] [rounds=3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${1:-10}; CONNS=${2:-64}; ROUNDS=${3:-3}
"$ROOT/scripts/deps.sh" bench

MOCK_PORT=$(free_port)
taskset -c 1 "$BIN" mock-upstream --listen 127.0.0.1:$MOCK_PORT --threads 1 > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$MOCK_PORT/livez"

LIMIT=1000000000  # per minute: checked on every request, never reached
declare -A PORT PID
for mode in off on; do
  write_gateway_config "$WORK/$mode.yaml" "$MOCK_PORT"
  if [ "$mode" = on ]; then
    cat >> "$WORK/$mode.yaml" <<CONF
auth: { api_keys: [ { name: bench, key: bench, requests_per_minute: $LIMIT, tokens_per_minute: $LIMIT } ] }
rate_limits:
  address_requests_per_minute: $LIMIT
  routes: [ { route: /v1/chat/completions, requests_per_minute: $LIMIT } ]
CONF
  else
    echo "auth: { api_keys: [ { name: bench, key: bench } ] }" >> "$WORK/$mode.yaml"
  fi
  PORT[$mode]=$(free_port)
  SLUICE_STORAGE__DATA_DIR="$WORK/data-$mode" taskset -c 0 "$BIN" serve --config "$WORK/$mode.yaml" \
    --listen 127.0.0.1:${PORT[$mode]} > "$WORK/sluice-$mode.log" 2>&1 &
  PIDS+=($!); PID[$mode]=$!
  wait_http "http://127.0.0.1:${PORT[$mode]}/livez"
done

BODY='{"model":"bench-model","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Give me one sentence about rivers."}],"max_tokens":64}'
cat > "$WORK/chat.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
LUA
# Both must answer 200, and "on" must really be limited: its answer carries the headers.
for mode in off on; do
  curl -s -D "$WORK/$mode.head" -o "$WORK/$mode.check" -H 'Content-Type: application/json' \
    -H 'Authorization: Bearer bench' -d "$BODY" "http://127.0.0.1:${PORT[$mode]}/v1/chat/completions"
  grep -q '^HTTP/1.1 200' "$WORK/$mode.head" || { echo "$mode: $(head -c 300 "$WORK/$mode.check")" >&2; exit 1; }
done
grep -qi '^x-ratelimit-remaining-tokens' "$WORK/on.head" || { echo "limits are not on" >&2; exit 1; }

echo "wrk -t1 -c$CONNS -d${DURATION}s x $ROUNDS rounds, non-streaming chat; sluice on CPU 0, mock+wrk on CPU 1"
printf '%-6s %-4s %10s %10s %10s %8s %12s\n' round mode rps p50_us p99_us non2xx cpu_us/req
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # utime + stime
TICK=$(getconf CLK_TCK)
declare -A RUNS CPU
for round in $(seq "$ROUNDS"); do
  order="off on"; [ $((round % 2)) = 0 ] && order="on off"  # neither always goes first
  for mode in $order; do
    before=$(cpu_ticks "${PID[$mode]}")
    taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$WORK/chat.lua" \
      "http://127.0.0.1:${PORT[$mode]}/v1/chat/completions" > "$WORK/wrk-$mode-$round.out"
    after=$(cpu_ticks "${PID[$mode]}")
    read -r rps p50 p99 bad <<<"$(wrk_summary "$WORK/wrk-$mode-$round.out")"
    cpu=$(awk -v t=$((after - before)) -v hz="$TICK" -v r="$rps" -v d="$DURATION" \
          'BEGIN { printf "%.1f", t / hz * 1e6 / (r * d) }')
    RUNS[$mode]+="$rps "; CPU[$mode]+="$cpu "
    printf '%-6s %-4s %10s %10s %10s %8s %12s\n' "$round" "$mode" "$rps" "$p50" "$p99" "$bad" "$cpu"
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
awk -v off="$(median "${RUNS[off]}")" -v on="$(median "${RUNS[on]}")" \
    -v coff="$(median "${CPU[off]}")" -v con="$(median "${CPU[on]}")" 'BEGIN {
  printf "median rps: off %d, on %d (%+.1f%%); CPU per request: off %.1f us, on %.1f us (%+.1f%%)\n",
         off, on, (on - off) * 100 / off, coff, con, (con - coff) * 100 / coff }'
