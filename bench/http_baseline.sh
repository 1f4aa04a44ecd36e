#!/usr/bin/env bash
# Side-by-side HTTP baseline: wrk against sluice's /livez (metrics and access log on) and against
# nginx serving a small static file, one worker/thread each, same connections and duration.
# Prints RPS, p50, p99 and the ratio; then exec-to-first-200 on /readyz, idle RSS, binary size.
# usage: bench/http_baseline.sh [duration_s=10] [connections=64] [rounds=3]
# Servers are pinned to CPU 0 and wrk to CPU 1 so they do not fight over a core.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${1:-10}; CONNS=${2:-64}; ROUNDS=${3:-3}
"$ROOT/scripts/deps.sh" bench

# nginx: one worker, static 15-byte file (the size of sluice's /livez body), access log to a file.
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/html" "$WORK/nginx/logs"
printf '{"status":"ok"}' > "$WORK/nginx/html/livez"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx/logs/access.log;
  default_type application/json;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/nginx/html; }
}
CONF
taskset -c 0 nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" 2>"$WORK/nginx/start.log" &
PIDS+=($!)

SLUICE_PORT=$(free_port)
# prod needs a real provider to start; /livez never calls it, so a keyless one that is not there.
OPENAI_BASE_URL=http://127.0.0.1:9/v1 \
SLUICE_ENV=prod SLUICE_AUTH__API_KEYS__0__KEY=bench-key-0123456789 SLUICE_SERVER__THREADS=1 \
  SLUICE_STORAGE__DATA_DIR="$WORK/data" SLUICE_SHUTDOWN__DRAIN_DELAY=0s \
  taskset -c 0 "$BIN" serve --listen 127.0.0.1:$SLUICE_PORT > "$WORK/sluice.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$SLUICE_PORT/livez" >/dev/null && curl -sf "http://127.0.0.1:$NGINX_PORT/livez" >/dev/null && break
  sleep 0.05
done

run_wrk() {  # url -> "rps p50_us p99_us non2xx"
  taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "$1" > "$WORK/wrk.out"
  wrk_summary "$WORK/wrk.out"
}

echo "wrk: ${DURATION}s, $CONNS connections, 1 wrk thread on CPU 1; servers on CPU 0; $ROUNDS alternating rounds"
printf '%-8s %-8s %10s %10s %10s\n' round server rps p50_us p99_us
S_TOTAL=0; N_TOTAL=0
for r in $(seq "$ROUNDS"); do
  read -r n_rps n_p50 n_p99 _ <<<"$(run_wrk "http://127.0.0.1:$NGINX_PORT/livez")"
  printf '%-8s %-8s %10s %10s %10s\n' "$r" nginx "$n_rps" "$n_p50" "$n_p99"
  read -r s_rps s_p50 s_p99 _ <<<"$(run_wrk "http://127.0.0.1:$SLUICE_PORT/livez")"
  printf '%-8s %-8s %10s %10s %10s\n' "$r" sluice "$s_rps" "$s_p50" "$s_p99"
  S_TOTAL=$((S_TOTAL + s_rps)); N_TOTAL=$((N_TOTAL + n_rps))
done
awk -v s="$S_TOTAL" -v n="$N_TOTAL" 'BEGIN { printf "ratio sluice/nginx (sum of rounds): %.2fx\n", s/n }'
grep -c '"msg":"request"' "$WORK/sluice.log" | awk '{ print "sluice access-log lines written: " $1 }'

# Exec to first 200 on /readyz (empty store), best of 5.
best=999999
for _ in 1 2 3 4 5; do
  P=$(free_port)
  t0=$(date +%s%N)
  SLUICE_STORAGE__DATA_DIR="$WORK/data" "$BIN" serve --listen 127.0.0.1:$P > /dev/null 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$P/readyz"; do :; done
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 )); [ "$ms" -lt "$best" ] && best=$ms
  sleep 0.3
  rss=$(awk '/VmRSS/ { print $2 }' /proc/$pid/status)
  kill -TERM $pid; wait $pid 2>/dev/null || true
done
echo "exec to first 200 on /readyz: ${best} ms (best of 5; curl polling included)"
echo "idle RSS after start: ${rss} KiB"
echo "binary size: $(stat -c %s "$BIN") bytes ($(du -h "$BIN" | cut -f1)), stripped: $(strip -o "$WORK/stripped" "$BIN" && stat -c %s "$WORK/stripped") bytes"
