#!/usr/bin/env bash
# Anthropic Messages ingress cost, side by side in one run: the same question as
#   chat      : POST /v1/chat/completions through sluice
#   messages  : POST /v1/messages through sluice, translated to chat and back
#   passthru  : POST /v1/messages through sluice to an anthropic-type deployment (passed through)
# all on the same mock-upstream (the first two on its OpenAI side, the third on its Anthropic
# side). Non-streaming: RPS, p50 and sluice's CPU per request. Streaming: one stream of N content
# chunks per request, sluice's CPU per request and per upstream chunk (event). Rounds alternate
# chat / messages / passthru so that drift hits all alike; sluice (one event loop) on CPU 0,
# mock-upstream and wrk on CPU 1. CPU per request is sluice's utime+stime over a round divided by
# the requests it served.
# usage: bench/messages.sh [duration_s=10] [rounds=3] [connections=64] [chunks=100]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${1:-10}; ROUNDS=${2:-3}; CONNS=${3:-64}; CHUNKS=${4:-100}
command -v wrk >/dev/null || "$ROOT/scripts/deps.sh" bench

MOCK_PORT=$(free_port)
taskset -c 1 "$BIN" mock-upstream --listen 127.0.0.1:$MOCK_PORT --threads 1 --chunks "$CHUNKS" \
  --reply-tokens $((CHUNKS * 4)) > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
SLUICE_PORT=$(free_port)
write_gateway_config "$WORK/sluice.yaml" "$MOCK_PORT"
# The same upstream's Anthropic side, for the pass-through column.
sed -i "s|^  models:|    - { name: claude, type: anthropic, base_url: \"http://127.0.0.1:$MOCK_PORT\", api_key: bench }\n  models:|" "$WORK/sluice.yaml"
echo "    - { alias: claude-model, deployments: [ { provider: claude, model: bench-model } ] }" >> "$WORK/sluice.yaml"
SLUICE_STORAGE__DATA_DIR="$WORK/data" taskset -c 0 "$BIN" serve --config "$WORK/sluice.yaml" \
  --listen 127.0.0.1:$SLUICE_PORT > "$WORK/sluice.log" 2>&1 &
SLUICE_PID=$!
PIDS+=($SLUICE_PID)
wait_http "http://127.0.0.1:$MOCK_PORT/livez"; wait_http "http://127.0.0.1:$SLUICE_PORT/livez"

QUESTION='"messages":[{"role":"user","content":"Give me one sentence about rivers."}]'
body() {  # target stream(true|false)
  case $1 in
    chat) echo "{\"model\":\"bench-model\",\"max_tokens\":512,\"stream\":$2,\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"content\":\"Give me one sentence about rivers.\"}]}" ;;
    messages) echo "{\"model\":\"bench-model\",\"max_tokens\":512,\"stream\":$2,\"system\":\"You are terse.\",$QUESTION}" ;;
    passthru) echo "{\"model\":\"claude-model\",\"max_tokens\":512,\"stream\":$2,\"system\":\"You are terse.\",$QUESTION}" ;;
  esac
}
path() { [ "$1" = chat ] && echo /v1/chat/completions || echo /v1/messages; }
for target in chat messages passthru; do
  for stream in false true; do
    cat > "$WORK/$target-$stream.lua" <<LUA
wrk.method = "POST"
wrk.body = '$(body "$target" "$stream")'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
LUA
    # Every variant must answer with a 200 before it is measured.
    code=$(curl -s -o "$WORK/$target-$stream.check" -w '%{http_code}' -H 'Content-Type: application/json' \
           -d "$(body "$target" "$stream")" "http://127.0.0.1:$SLUICE_PORT$(path "$target")")
    [ "$code" = 200 ] || { echo "$target stream=$stream answered $code: $(head -c 300 "$WORK/$target-$stream.check")" >&2; exit 1; }
  done
done
events() { grep -c '^data: ' "$1"; }
echo "one streamed answer: chat $(events "$WORK/chat-true.check") data events," \
     "messages $(events "$WORK/messages-true.check"), passthru $(events "$WORK/passthru-true.check")" \
     "for $CHUNKS upstream content chunks"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
requests_of() { awk '/requests in/ { print $1 }' "$1"; }
HZ=$(getconf CLK_TCK)
declare -A SUM_RPS SUM_CPU MIN_CPU MAX_CPU CPU_OF
measure() {  # target stream conns -> prints a row, accumulates
  local name="$1-$2" before after rps p50 p99 bad reqs cpu
  before=$(cpu_ticks $SLUICE_PID)
  taskset -c 1 wrk -t1 -c"$3" -d"${DURATION}s" --latency -s "$WORK/$name.lua" \
    "http://127.0.0.1:$SLUICE_PORT$(path "$1")" > "$WORK/wrk-$name.out"
  after=$(cpu_ticks $SLUICE_PID)
  read -r rps p50 p99 bad <<<"$(wrk_summary "$WORK/wrk-$name.out")"
  [ "$bad" = 0 ] || { echo "$name: $bad non-2xx answers" >&2; exit 1; }
  reqs=$(requests_of "$WORK/wrk-$name.out")
  cpu=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$reqs" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  printf '%-6s %-9s %-6s %10s %10s %10s %12s\n' "$round" "$1" "$2" "$rps" "$p50" "$p99" "$cpu"
  CPU_OF[$name-$round]=$cpu
  SUM_RPS[$name]=$(( ${SUM_RPS[$name]:-0} + rps ))
  SUM_CPU[$name]=$(awk -v a="${SUM_CPU[$name]:-0}" -v b="$cpu" 'BEGIN { print a + b }')
  MIN_CPU[$name]=$(awk -v a="${MIN_CPU[$name]:-1e9}" -v b="$cpu" 'BEGIN { print (b < a ? b : a) }')
  MAX_CPU[$name]=$(awk -v a="${MAX_CPU[$name]:-0}" -v b="$cpu" 'BEGIN { print (b > a ? b : a) }')
}

echo "wrk -t1 -d${DURATION}s x $ROUNDS rounds, alternating; -c$CONNS non-streaming, -c$((CONNS / 4)) streaming"
printf '%-6s %-9s %-6s %10s %10s %10s %12s\n' round target stream rps p50_us p99_us cpu_us_per_req
# Warm-up: pools, allocator, the mock's caches.
for target in chat messages passthru; do
  taskset -c 1 wrk -t1 -c"$CONNS" -d2s -s "$WORK/$target-false.lua" "http://127.0.0.1:$SLUICE_PORT$(path "$target")" > /dev/null
done
for round in $(seq "$ROUNDS"); do
  for target in chat messages passthru; do measure "$target" false "$CONNS"; done
  for target in chat messages passthru; do measure "$target" true $((CONNS / 4)); done
done

echo "summary (mean of $ROUNDS rounds; CPU min..max across rounds):"
for stream in false true; do
  for target in chat messages passthru; do
    name="$target-$stream"
    awk -v t="$target" -v s="$stream" -v rps="${SUM_RPS[$name]}" -v cpu="${SUM_CPU[$name]}" -v r="$ROUNDS" \
        -v lo="${MIN_CPU[$name]}" -v hi="${MAX_CPU[$name]}" -v c="$CHUNKS" 'BEGIN {
      line = sprintf("%-9s stream=%-5s RPS %7.0f  CPU %7.1f us/request (%.1f..%.1f)", t, s, rps / r, cpu / r, lo, hi)
      if (s == "true") line = line sprintf("  = %.2f us per upstream chunk", cpu / r / c)
      print line }'
  done
done
# The load on a shared machine drifts between rounds more than the variants differ: compare each
# variant with the chat run of its own round, then take the median and range of those pairs.
paired() {  # target stream divisor label
  local deltas=()
  for round in $(seq "$ROUNDS"); do
    deltas+=("$(awk -v a="${CPU_OF[$1-$2-$round]}" -v b="${CPU_OF[chat-$2-$round]}" -v d="$3" \
      'BEGIN { printf "%.2f", (a - b) / d }')")
  done
  printf '%s\n' "${deltas[@]}" | sort -g | awk -v label="$4" '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%s: median %+.2f us (rounds %+.2f..%+.2f)\n", label, m, v[1], v[NR] }'
}
echo "paired with the chat run of the same round:"
paired messages false 1 "messages over chat, CPU per non-streamed request"
paired passthru false 1 "passthru over chat, CPU per non-streamed request"
paired messages true "$CHUNKS" "messages over chat, CPU per streamed upstream chunk"
paired passthru true "$CHUNKS" "passthru over chat, CPU per streamed upstream chunk"
