#!/usr/bin/env bash
# Overload benchmark: sluice (admission.max_concurrency slots, one event loop) in front of a
# mock-upstream that takes LATENCY_MS per call, so that the slots bound throughput at
# SLOTS / latency. An open-loop client (arrivals at a fixed rate, as real clients) first runs at
# half that capacity (the unloaded baseline), then at 3x it. Passes when, at 3x:
#   - the admitted requests' (200) p99 is within 2x the baseline's p99,
#   - the refused requests (503) are answered within 5 ms at p99,
#   - sluice's peak RSS stays under RSS_LIMIT_KB, and it never crashes (still live at the end).
# sluice on CPU 0; mock-upstream and the client on CPU 1.
# usage: bench/overload.sh [duration_s=20] [slots=16] [latency_ms=50] [queue=0]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${1:-20}; SLOTS=${2:-16}; LATENCY_MS=${3:-50}; QUEUE=${4:-0}
RSS_LIMIT_KB=${RSS_LIMIT_KB:-65536}
NODE=${BENCH_NODE:-$(command -v node)}

MOCK_PORT=$(free_port)
taskset -c 1 "$BIN" mock-upstream --listen 127.0.0.1:$MOCK_PORT --threads 1 \
  --latency-ms "$LATENCY_MS" > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$MOCK_PORT/livez"

SLUICE_PORT=$(free_port)
write_gateway_config "$WORK/sluice.yaml" "$MOCK_PORT"
cat >> "$WORK/sluice.yaml" <<CONF
admission: { max_concurrency: $SLOTS, max_queue: $QUEUE, max_wait: 20ms }
CONF
SLUICE_STORAGE__DATA_DIR="$WORK/data" SLUICE_LOG__ACCESS_LOG=false taskset -c 0 "$BIN" serve \
  --config "$WORK/sluice.yaml" --listen 127.0.0.1:$SLUICE_PORT > "$WORK/sluice.log" 2>&1 &
SLUICE_PID=$!
PIDS+=($SLUICE_PID)
wait_http "http://127.0.0.1:$SLUICE_PORT/livez"

CAPACITY=$(( SLOTS * 1000 / LATENCY_MS ))
URL="http://127.0.0.1:$SLUICE_PORT/v1/chat/completions"
# Peak RSS (VmHWM) of sluice while a phase runs.
peak_rss_kb() { awk '/VmHWM/ { print $2 }' "/proc/$SLUICE_PID/status"; }

load() {  # rate [duration] -> JSON line
  taskset -c 1 "$NODE" "$ROOT/bench/overload_client.mjs" "$URL" "$1" "${2:-$DURATION}"
}
field() {  # json status field
  python3 -c 'import json,sys; s=json.loads(sys.argv[1])["statuses"].get(sys.argv[2]); print(s[sys.argv[3]] if s else 0)' "$@"
}

echo "capacity: $SLOTS slots / ${LATENCY_MS} ms upstream = $CAPACITY req/s; ${DURATION}s per phase; max_queue $QUEUE"
# Warm-up (not measured): connections opened, code paths hot, allocator grown.
load $(( CAPACITY / 2 )) 5 > /dev/null
BASE=$(load $(( CAPACITY / 2 )))
echo "baseline  (0.5x): $BASE"
OVER=$(load $(( CAPACITY * 3 )))
echo "overload  (3x):   $OVER"
RSS=$(peak_rss_kb)
LIVE=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SLUICE_PORT/livez" || echo 000)
curl -s "http://127.0.0.1:$SLUICE_PORT/metrics" > "$WORK/metrics.txt"
SHED=$(awk '/^sluice_shed_total/ { s += $NF } END { print s+0 }' "$WORK/metrics.txt")
# Sluice's own view of the refusals (no client or scheduler delay): the share answered within
# 5 ms, from its request-duration histogram.
SERVER_LE5=$(awk '/^http_server_request_duration_seconds_bucket/ && /status="503"/ && /le="0.005"/ { b = $NF }
  /^http_server_request_duration_seconds_count/ && /status="503"/ { c = $NF }
  END { if (c > 0) printf "%.4f", b / c; else print "n/a" }' "$WORK/metrics.txt")

BASE_P99=$(field "$BASE" 200 p99_ms)
OK_P99=$(field "$OVER" 200 p99_ms); OK_N=$(field "$OVER" 200 count)
SHED_P99=$(field "$OVER" 503 p99_ms); SHED_N=$(field "$OVER" 503 count)
printf '%-34s %s\n' "admitted at 3x: count, p99 ms" "$OK_N, $OK_P99 (baseline p99 $BASE_P99)" \
  "refused at 3x: count, p99 ms" "$SHED_N, $SHED_P99 (sluice_shed_total $SHED)" \
  "refused within 5 ms (server side)" "$SERVER_LE5 of them" \
  "sluice peak RSS" "$RSS KB" "sluice /livez after" "$LIVE"
python3 - "$BASE_P99" "$OK_P99" "$SHED_P99" "$SHED_N" "$RSS" "$RSS_LIMIT_KB" "$LIVE" "$SERVER_LE5" <<'PY'
import sys
base, ok, shed, shed_n, rss, rss_limit, live, server_le5 = sys.argv[1:]
checks = [("admitted p99 <= 2x baseline p99", float(ok) <= 2 * float(base)),
          ("every refusal answered within 5 ms (server side)", server_le5 == "1.0000"),
          ("refused p99 <= 5 ms (client side: includes the client's own scheduling)",
           int(shed_n) > 0 and float(shed) <= 5),
          ("peak RSS <= %s KB" % rss_limit, int(rss) <= int(rss_limit)),
          ("alive (/livez 200)", live == "200")]
for name, ok_ in checks: print(("PASS " if ok_ else "FAIL ") + name)
sys.exit(0 if all(ok_ for _, ok_ in checks) else 1)
PY
