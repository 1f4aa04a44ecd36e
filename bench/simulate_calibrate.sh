#!/usr/bin/env bash
# Calibration of `sluice simulate` against live runs of the same scenario: for each load (0.5x,
# 1x and 3x the scenario's traffic: --load of both the simulator and the load generator), the
# scenario runs live (its replica count of real
# `sluice serve`, its gateway and admission sections as their sluice.yaml; haproxy in front,
# roundrobin or leastconn as its load_balancer; one `sluice mock-upstream --scenario` per gateway
# provider, playing that provider's latency and fault model), and `sluice simulate` runs on the
# same file with the same rate, duration and seed. The load generator (bench/scenario_load.cpp)
# sends the simulator's own arrivals and request mix, open-loop, so both sides serve the same
# requests; the table puts each figure side by side and marks a difference beyond 10% as a MISS,
# or as noise when the measured value lies within the simulation's own range over SIM_SEEDS other
# seeds (default 20: what chance alone moves the figure by, in this scenario at this load).
# First, a probe measures what the live path adds and the simulation does not model: the time to
# first token of a provider answering in a constant 20 ms, direct to mock-upstream, through one
# gateway, and through haproxy and a gateway.
# Everything is on loopback and stopped at exit; each load starts fresh processes.
# usage: bench/simulate_calibrate.sh [SCENARIO=examples/simulate/calibration.yaml] [DURATION]
#        LOADS="0.5 1 3" (the multiples run; LOADS= runs the probe only); DURATION defaults to
#        the scenario's duration;
#        PROBE=0 skips the probe, PROBE_ROUNDS=N its rounds (default 3); SEED=N runs every half
#        (arrivals, the mocks' draws, the simulation) with seed N instead of the scenario's
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SCENARIO=$(realpath "${1:-$ROOT/examples/simulate/calibration.yaml}")
LOADS=${LOADS-"0.5 1 3"}
SIM_SEEDS=${SIM_SEEDS:-20}
"$ROOT/scripts/deps.sh" bench
LOADGEN=${BENCH_LOADGEN:-$(dirname "$BIN")/scenario_load}
[ -x "$LOADGEN" ] || { echo "build it first: ninja -C $(dirname "$BIN") scenario_load" >&2; exit 1; }
HELPER="$ROOT/bench/simulate_calibrate.py"

eval "$(python3 "$HELPER" plan "$SCENARIO")"
DURATION=${2:-$SCENARIO_DURATION}
RUN_SEED=${SEED:-$SCENARIO_SEED}

# The processes of one stack, stopped before the next starts (lib.sh's EXIT trap stops the last).
STACK_PIDS=()
stop_stack() {
  for p in "${STACK_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${STACK_PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  STACK_PIDS=()
}
start() {  # log command... : runs it in the background as one of this stack's processes
  local log=$1; shift
  "$@" > "$log" 2>&1 &
  STACK_PIDS+=($!); PIDS+=($!)
}

# The live deployment of scenario $1 in directory $2: its mocks, replicas and haproxy. Sets FRONT
# (haproxy's port), MOCK_PORTS, REPLICA_PORTS, and LOADGEN_ARGS (--metrics of every replica,
# --start-hook of every mock).
start_stack() {
  local scenario=$1 dir=$2 name p
  local REPLICAS HAPROXY_BALANCE BASE_TRAFFIC SCENARIO_DURATION PROVIDERS ADMIN_KEY
  eval "$(python3 "$HELPER" plan "$scenario")"
  mkdir -p "$dir"
  MOCK_PORTS=(); REPLICA_PORTS=(); REPLICA_PIDS=(); LOADGEN_ARGS=()
  local ports=()
  for name in "${PROVIDERS[@]}"; do
    p=$(free_port)
    start "$dir/mock-$name.log" "$BIN" mock-upstream --listen "127.0.0.1:$p" \
      --scenario "$scenario" --scenario-provider "$name" ${SEED:+--scenario-seed "$SEED"}
    ports+=("$name=$p"); MOCK_PORTS+=("$p")
    LOADGEN_ARGS+=(--start-hook "http://127.0.0.1:$p/mock/scenario/restart")
  done
  for p in "${MOCK_PORTS[@]}"; do wait_http "http://127.0.0.1:$p/livez"; done
  python3 "$HELPER" config "$scenario" "$dir/sluice.yaml" "${ports[@]}"
  local servers="" i
  for i in $(seq 0 $((REPLICAS - 1))); do
    p=$(free_port)
    SLUICE_STORAGE__DATA_DIR="$dir/data-$i" start "$dir/replica-$i.log" "$BIN" serve \
      --config "$dir/sluice.yaml" --listen "127.0.0.1:$p"
    servers+="  server replica$i 127.0.0.1:$p"$'\n'
    REPLICA_PIDS+=("${STACK_PIDS[-1]}")
    REPLICA_PORTS+=("$p"); LOADGEN_ARGS+=(--metrics "http://127.0.0.1:$p")
  done
  for p in "${REPLICA_PORTS[@]}"; do wait_http "http://127.0.0.1:$p/livez"; done
  FRONT=$(free_port)
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
  bind 127.0.0.1:$FRONT
  default_backend replicas
backend replicas
  balance $HAPROXY_BALANCE
$servers
CFG
  start "$dir/haproxy.log" haproxy -db -f "$dir/haproxy.cfg"
  wait_http "http://127.0.0.1:$FRONT/livez"
}

probe() {
  local dir="$WORK/probe"
  mkdir -p "$dir"
  cat > "$dir/probe.yaml" <<YAML
duration: 6s
traffic:
  rate: \${RATE:-25}
  mix:
    - {model: chat, stream: true, prompt_tokens: {dist: constant, value: 300},
       completion_tokens: {dist: constant, value: 1}}
providers:
  - {provider: probe, ttft: {dist: constant, value: 20ms}, per_token: {dist: constant, value: 0s}}
gateway:
  providers: [{name: probe, type: openai, base_url: https://probe.example/v1}]
  models: [{alias: chat, deployments: [{provider: probe, model: m}]}]
YAML
  start_stack "$dir/probe.yaml" "$dir"
  local via round port
  # Rounds alternate the paths, so that the machine's load drifts over all three alike.
  for round in $(seq "${PROBE_ROUNDS:-3}"); do
    for via in mock gateway haproxy; do
      port=${MOCK_PORTS[0]}
      [ "$via" = gateway ] && port=${REPLICA_PORTS[0]}
      [ "$via" = haproxy ] && port=$FRONT
      "$LOADGEN" "$dir/probe.yaml" --target "http://127.0.0.1:$port" --json "$dir/$via-$round.json"
    done
  done
  stop_stack
  python3 - "$dir" "${PROBE_ROUNDS:-3}" <<'PY'
import json, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
r = {v: [json.load(open(f"{d}/{v}-{i}.json"))["ttft_s"] for i in range(1, rounds + 1)]
     for v in ("mock", "gateway", "haproxy")}
p50 = {v: statistics.median(x["p50"] * 1e3 for x in r[v]) for v in r}
p99 = {v: statistics.median(x["p99"] * 1e3 for x in r[v]) for v in r}
spread = {v: (min(x["p50"] for x in r[v]) * 1e3, max(x["p50"] for x in r[v]) * 1e3) for v in r}
print(f"probe: time to first token of a provider answering in a constant 20 ms, "
      f"{r['mock'][0]['count']} streams a round, median of {rounds} alternating rounds "
      f"(p50 range over the rounds), p50 / p99:")
def line(label, v, note):
    print(f"  {label:<27} {p50[v]:6.2f} ({spread[v][0]:.2f}-{spread[v][1]:.2f}) / {p99[v]:6.2f} ms"
          f"  {note}")
line("direct to mock-upstream", "mock",
     f"(its timer, loopback and the machine: {p50['mock'] - 20:+.2f} ms)")
line("through one gateway", "gateway", f"(the gateway: {p50['gateway'] - p50['mock']:+.2f} ms)")
line("through haproxy and gateway", "haproxy",
     f"(haproxy: {p50['haproxy'] - p50['gateway']:+.2f} ms; the live path in all: "
     f"{p50['haproxy'] - 20:+.2f} ms over the provider's 20 ms)")
PY
}

cpu_ticks() {  # pid...: user + system CPU of those processes, in clock ticks
  local total=0 p
  for p in "$@"; do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

run_load() {  # multiple
  local load=$1 dir="$WORK/load-$1"
  start_stack "$SCENARIO" "$dir"
  # The scenario's keys, created through the admin API of the (single) replica.
  local key_args=() name body secret
  while IFS=$'\t' read -r name body; do
    secret=$(curl -sf -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
      -d "$body" "http://127.0.0.1:${REPLICA_PORTS[0]}/v1/admin/keys" |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')
    key_args+=(--key "$name=$secret")
  done < <(python3 "$HELPER" keys "$SCENARIO")
  local load_before load_after
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  local cpu_before started
  cpu_before=$(cpu_ticks "${REPLICA_PIDS[@]}")
  started=$(date +%s.%N)
  "$LOADGEN" "$SCENARIO" --target "http://127.0.0.1:$FRONT" --duration "$DURATION" \
    --load "$load" --seed "$RUN_SEED" ${ADMIN_KEY:+--api-key "$ADMIN_KEY"} "${key_args[@]}" \
    "${LOADGEN_ARGS[@]}" --json "$dir/live.json" --requests "$dir/requests.csv"
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  local replica_cpu
  replica_cpu=$(awk -v t=$(($(cpu_ticks "${REPLICA_PIDS[@]}") - cpu_before)) -v hz="$(getconf CLK_TCK)" \
    -v n="${#REPLICA_PIDS[@]}" -v s="$started" -v e="$(date +%s.%N)" \
    'BEGIN { printf "%.0f%% of a core each (mean over %d, whole run)", 100 * t / hz / (e - s) / n, n }')
  # A canary's rollbacks, as the gateways logged them (the table times them from the run's start).
  cat "$dir"/replica-*.log | grep '"canary rolled back' > "$dir/rollbacks.jsonl" || true
  # What each mock itself answered, beside what the gateways counted (their outcomes above).
  local i=0 name stats=""
  for name in "${PROVIDERS[@]}"; do
    stats+=" $name $(curl -s "http://127.0.0.1:${MOCK_PORTS[$i]}/mock/stats")"
    i=$((i + 1))
  done
  stop_stack
  "$BIN" simulate "$SCENARIO" --duration "$DURATION" --load "$load" --seed "$RUN_SEED" \
    --json "$dir/sim.json" \
    > "$dir/sim.txt"
  local seeds=() s
  for s in $(seq $((RUN_SEED + 1)) $((RUN_SEED + SIM_SEEDS))); do
    "$BIN" simulate "$SCENARIO" --duration "$DURATION" --load "$load" --seed "$s" \
      --json "$dir/sim-$s.json" > /dev/null
    seeds+=("$dir/sim-$s.json")
  done
  python3 "$HELPER" table "$load" "$load x $BASE_TRAFFIC" "$dir/sim.json" "$dir/live.json" "${seeds[@]}"
  echo "mock-upstream's own counts:$stats" | sed -E 's/"(embeddings|messages|moderations|rerank|count_tokens)":0,?//g'
  echo "machine load average: $load_before before the live run, $load_after after; the" \
    "gateways' own CPU: $replica_cpu"
}

echo "scenario $SCENARIO: $REPLICAS replicas behind haproxy ($HAPROXY_BALANCE), providers" \
  "${PROVIDERS[*]}, base traffic $BASE_TRAFFIC, $DURATION per load, seed $RUN_SEED; results in $WORK"
[ "${PROBE:-1}" = 0 ] || probe
for load in $LOADS; do run_load "$load"; done
uptime
