#!/usr/bin/env bash
# What protection costs the gateway, side by side in one run: non-streaming chat completions
# through sluice instances that differ only in what guards them, each adding one layer:
#   off       : authentication off (dev), nothing checked
#   auth      : a virtual key (created through the admin API) checked on every request
#   limits    : + every rate limit (the key's requests, the client address, the route, the key's
#               tokens per model reserved and settled), set high enough that none refuses
#   budgets   : + a daily and monthly budget on the key and on its team (priced model: spend is
#               accounted and checked on every call)
#   admission : + admission control (global and per-route limits it never reaches)
# Each sluice runs on CPU 0 (one event loop); mock-upstream and wrk share CPU 1. The modes
# alternate for `rounds` rounds (the order rotates so none always goes first), and the medians
# are compared with `off`: requests per second, and sluice's CPU time per request (user +
# system, from /proc), which other load on the machine disturbs less.
# usage: bench/protection.sh [duration_s=10] [connections=64] [rounds=3] [modes="off auth limits budgets admission"]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${1:-10}; CONNS=${2:-64}; ROUNDS=${3:-3}
MODES=(${4:-off auth limits budgets admission})
"$ROOT/scripts/deps.sh" bench

MOCK_PORT=$(free_port)
taskset -c 1 "$BIN" mock-upstream --listen 127.0.0.1:$MOCK_PORT --threads 1 > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$MOCK_PORT/livez"

LIMIT=1000000000  # per minute: checked on every request, never reached
BUDGET=1000000    # USD: checked on every call, never reached
ADMIN=bench-admin-key
layer_config() {  # mode: the YAML its layers add
  local mode=$1
  [ "$mode" = off ] && return
  echo "auth: { admin_key: $ADMIN }"
  if [ "$mode" != auth ]; then
    cat <<CONF
rate_limits:
  address_requests_per_minute: $LIMIT
  routes: [ { route: /v1/chat/completions, requests_per_minute: $LIMIT } ]
CONF
  fi
  if [ "$mode" = budgets ] || [ "$mode" = admission ]; then
    echo "budgets: { teams: [ { team: bench, daily_usd: $BUDGET, monthly_usd: $BUDGET } ] }"
  fi
  if [ "$mode" = admission ]; then
    echo "admission: { max_concurrency: 4096, max_queue: 4096, routes: [ { route: /v1/chat/completions, max_concurrency: 4096 } ] }"
  fi
}
key_body() {  # mode: the virtual key's fields
  case $1 in
    auth) echo '{"name":"bench","roles":["query"]}' ;;
    limits) echo "{\"name\":\"bench\",\"roles\":[\"query\"],\"requests_per_minute\":$LIMIT,\"tokens_per_minute\":$LIMIT}" ;;
    *) echo "{\"name\":\"bench\",\"roles\":[\"query\"],\"team\":\"bench\",\"requests_per_minute\":$LIMIT,\"tokens_per_minute\":$LIMIT,\"daily_budget_usd\":$BUDGET,\"monthly_budget_usd\":$BUDGET}" ;;
  esac
}

BODY='{"model":"bench-model","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Give me one sentence about rivers."}],"max_tokens":64}'
declare -A PORT PID KEY
for mode in "${MODES[@]}"; do
  write_gateway_config "$WORK/$mode.yaml" "$MOCK_PORT"
  # A priced model: cost is computed (and budgets charged) on every call in every mode.
  sed -i 's|^  models:|  prices: [ { model: bench-model, input_per_million: 2.5, output_per_million: 10 } ]\n  models:|' "$WORK/$mode.yaml"
  layer_config "$mode" >> "$WORK/$mode.yaml"
  PORT[$mode]=$(free_port)
  SLUICE_STORAGE__DATA_DIR="$WORK/data-$mode" taskset -c 0 "$BIN" serve --config "$WORK/$mode.yaml" \
    --listen 127.0.0.1:${PORT[$mode]} > "$WORK/sluice-$mode.log" 2>&1 &
  PIDS+=($!); PID[$mode]=$!
  wait_http "http://127.0.0.1:${PORT[$mode]}/livez"
  KEY[$mode]=none
  if [ "$mode" != off ]; then
    KEY[$mode]=$(curl -sf -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
      -d "$(key_body "$mode")" "http://127.0.0.1:${PORT[$mode]}/v1/admin/keys" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  fi
  cat > "$WORK/chat-$mode.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer ${KEY[$mode]}"
LUA
  # Each must answer 200, and each layer must really be on.
  curl -s -D "$WORK/$mode.head" -o "$WORK/$mode.check" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer ${KEY[$mode]}" -d "$BODY" "http://127.0.0.1:${PORT[$mode]}/v1/chat/completions"
  grep -q '^HTTP/1.1 200' "$WORK/$mode.head" || { echo "$mode: $(head -c 300 "$WORK/$mode.check")" >&2; exit 1; }
  if [ "$mode" != off ] && [ "$mode" != auth ]; then
    grep -qi '^x-ratelimit-remaining-tokens' "$WORK/$mode.head" || { echo "$mode: limits are not on" >&2; exit 1; }
  fi
  if [ "$mode" != off ]; then  # a wrong key is refused: authentication is on
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' \
      -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:${PORT[$mode]}/v1/chat/completions")
    [ "$code" = 401 ] || { echo "$mode: a wrong key got $code" >&2; exit 1; }
  fi
done
if [ -n "${PORT[admission]:-}" ]; then
  curl -s "http://127.0.0.1:${PORT[admission]}/metrics" | grep -q '^sluice_admission' ||
    { echo "admission: no admission metrics: is it on?" >&2; exit 1; }
fi

echo "wrk -t1 -c$CONNS -d${DURATION}s x $ROUNDS rounds, non-streaming chat; sluice on CPU 0, mock+wrk on CPU 1"
printf '%-6s %-10s %10s %10s %10s %8s %12s\n' round mode rps p50_us p99_us non2xx cpu_us/req
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # utime + stime
TICK=$(getconf CLK_TCK)
declare -A RUNS CPU
for round in $(seq "$ROUNDS"); do
  shift_by=$(( (round - 1) % ${#MODES[@]} ))
  order=("${MODES[@]:$shift_by}" "${MODES[@]:0:$shift_by}")
  for mode in "${order[@]}"; do
    before=$(cpu_ticks "${PID[$mode]}")
    taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$WORK/chat-$mode.lua" \
      "http://127.0.0.1:${PORT[$mode]}/v1/chat/completions" > "$WORK/wrk-$mode-$round.out"
    after=$(cpu_ticks "${PID[$mode]}")
    read -r rps p50 p99 bad <<<"$(wrk_summary "$WORK/wrk-$mode-$round.out")"
    cpu=$(awk -v t=$((after - before)) -v hz="$TICK" -v r="$rps" -v d="$DURATION" \
          'BEGIN { printf "%.1f", t / hz * 1e6 / (r * d) }')
    RUNS[$mode]+="$rps "; CPU[$mode]+="$cpu "
    printf '%-6s %-10s %10s %10s %10s %8s %12s\n' "$round" "$mode" "$rps" "$p50" "$p99" "$bad" "$cpu"
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# Besides each mode's median, the median of its per-round ratio to the base mode: both ran in the
# same round, under the same background load, so the ratio drifts less than either figure.
base=${MODES[0]}
for mode in "${MODES[@]}"; do
  read -ra runs <<<"${RUNS[$mode]}"; read -ra base_runs <<<"${RUNS[$base]}"
  read -ra cpus <<<"${CPU[$mode]}"; read -ra base_cpus <<<"${CPU[$base]}"
  ratios=""; cpu_ratios=""
  for i in "${!runs[@]}"; do
    ratios+="$(awk -v a="${runs[$i]}" -v b="${base_runs[$i]}" 'BEGIN { print a / b }') "
    cpu_ratios+="$(awk -v a="${cpus[$i]}" -v b="${base_cpus[$i]}" 'BEGIN { print a / b }') "
  done
  awk -v m="$mode" -v b="$base" -v rps="$(median "${RUNS[$mode]}")" -v cpu="$(median "${CPU[$mode]}")" \
      -v r="$(median "$ratios")" -v c="$(median "$cpu_ratios")" 'BEGIN {
    printf "median %-10s rps %6d, CPU per request %6.1f us; per-round ratio to %s: rps %+5.1f%%, CPU %+5.1f%%\n",
           m, rps, cpu, b, (r - 1) * 100, (c - 1) * 100 }'
done
