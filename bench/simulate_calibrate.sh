#!/usr/bin/env bash
# Calibration of `sluice simulate` against live runs of the same scenario: for each load (0.5x,
# 1x and 3x the scenario's ${RATE:-N}), the scenario runs live (its replica count of real
# `sluice serve`, its gateway and admission sections as their sluice.yaml; haproxy in front,
# roundrobin or leastconn as its load_balancer; one `sluice mock-upstream --scenario` per gateway
# provider, playing that provider's latency and fault model), and `sluice simulate` runs on the
# same file with the same rate, duration and seed. The load generator (bench/scenario_load.cpp)
# sends the simulator's own arrivals and request mix, open-loop, so both sides serve the same
# requests; the table puts each figure side by side and marks a difference beyond 10% as a MISS,
# or as noise when it is within what the samples' size gives by chance (a 95% band, from the
# measured requests, widened by sqrt(2) as both runs are samples).
# Everything is on loopback and stopped at exit; each load starts fresh processes.
# usage: bench/simulate_calibrate.sh [SCENARIO=examples/simulate/calibration.yaml] [DURATION]
#        LOADS="0.5 1 3" (the multiples run); DURATION defaults to the scenario's duration
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SCENARIO=$(realpath "${1:-$ROOT/examples/simulate/calibration.yaml}")
LOADS=${LOADS:-"0.5 1 3"}
"$ROOT/scripts/deps.sh" bench
LOADGEN=${BENCH_LOADGEN:-$(dirname "$BIN")/scenario_load}
[ -x "$LOADGEN" ] || { echo "build it first: ninja -C $(dirname "$BIN") scenario_load" >&2; exit 1; }
HELPER="$ROOT/bench/simulate_calibrate.py"

eval "$(python3 "$HELPER" plan "$SCENARIO")"
DURATION=${2:-$SCENARIO_DURATION}

# The processes of one load, stopped before the next starts (the EXIT trap stops the last).
LOAD_PIDS=()
stop_load() {
  for p in "${LOAD_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${LOAD_PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  LOAD_PIDS=()
}
start() {  # log command... : runs it in the background as one of this load's processes
  local log=$1; shift
  "$@" > "$log" 2>&1 &
  LOAD_PIDS+=($!); PIDS+=($!)
}

run_load() {  # multiple
  local load=$1 dir="$WORK/load-$1"
  local rate
  rate=$(awk -v b="$BASE_RATE" -v m="$load" 'BEGIN { printf "%g", b * m }')
  mkdir -p "$dir"
  export RATE=$rate

  local ports=() hooks=() p
  for name in "${PROVIDERS[@]}"; do
    p=$(free_port)
    start "$dir/mock-$name.log" "$BIN" mock-upstream --listen "127.0.0.1:$p" \
      --scenario "$SCENARIO" --scenario-provider "$name"
    ports+=("$name=$p"); hooks+=(--start-hook "http://127.0.0.1:$p/mock/scenario/restart")
    wait_http "http://127.0.0.1:$p/livez"
  done
  python3 "$HELPER" config "$SCENARIO" "$dir/sluice.yaml" "${ports[@]}"

  local servers="" metrics=() i
  for i in $(seq 0 $((REPLICAS - 1))); do
    p=$(free_port)
    SLUICE_STORAGE__DATA_DIR="$dir/data-$i" start "$dir/replica-$i.log" "$BIN" serve \
      --config "$dir/sluice.yaml" --listen "127.0.0.1:$p"
    servers+="  server replica$i 127.0.0.1:$p"$'\n'
    metrics+=(--metrics "http://127.0.0.1:$p")
  done
  for m in "${metrics[@]}"; do [ "$m" = --metrics ] || wait_http "$m/livez"; done

  local front
  front=$(free_port)
  # http-no-delay: haproxy otherwise holds a stream's small chunks to send fuller packets (a
  # stream's first token came with its last, hundreds of milliseconds late).
  cat > "$dir/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 10m
  timeout server 10m
  option http-keep-alive
  option http-no-delay
  http-reuse safe
frontend calibration
  bind 127.0.0.1:$front
  default_backend replicas
backend replicas
  balance $HAPROXY_BALANCE
$servers
CFG
  start "$dir/haproxy.log" haproxy -db -f "$dir/haproxy.cfg"
  wait_http "http://127.0.0.1:$front/livez"

  local load_before
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  "$LOADGEN" "$SCENARIO" --target "http://127.0.0.1:$front" --duration "$DURATION" \
    "${metrics[@]}" "${hooks[@]}" --json "$dir/live.json" --requests "$dir/requests.csv"
  local load_after
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  stop_load

  "$BIN" simulate "$SCENARIO" --duration "$DURATION" --json "$dir/sim.json" > "$dir/sim.txt"
  python3 "$HELPER" table "$load" "$rate" "$dir/sim.json" "$dir/live.json" "$dir/requests.csv"
  echo "machine load average: $load_before before the live run, $load_after after"
}

echo "scenario $SCENARIO: $REPLICAS replicas behind haproxy ($HAPROXY_BALANCE), providers" \
  "${PROVIDERS[*]}, base rate $BASE_RATE/s, $DURATION per load; results in $WORK"
for load in $LOADS; do run_load "$load"; done
uptime
