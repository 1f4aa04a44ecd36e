#!/usr/bin/env bash
# How much faster than real time `sluice simulate` runs: 500 requests a second for a simulated
# hour (1.8 million requests: three in four streamed, lognormal latencies, 0.5% upstream errors,
# a 10-minute outage of the primary with a fallback alias, two replicas behind admission control),
# on one core (taskset -c 0), over several rounds. Target: at least 100x (under 36 s).
# Prints each round's wall and CPU time, the median and range of both multiples, and the load.
# usage: bench/simulate.sh [rounds=3] [rate=500] [duration=1h]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}; RATE=${2:-500}; DURATION=${3:-1h}

cat > "$WORK/scenario.yaml" <<YAML
duration: $DURATION
seed: 1
traffic:
  rate: $RATE
  mix:
    - {weight: 3, model: chat, stream: true,
       prompt_tokens: {dist: lognormal, median: 600, p99: 4000},
       completion_tokens: {dist: lognormal, median: 250, p99: 1200}}
    - {weight: 1, model: chat,
       prompt_tokens: {dist: uniform, min: 200, max: 1200},
       completion_tokens: {dist: exponential, mean: 150}}
providers:
  - provider: primary
    ttft: {dist: lognormal, median: 450ms, p99: 2.5s}
    per_token: {dist: uniform, min: 12ms, max: 25ms}
    error_rate: 0.005
    outages: [{from: 20m, to: 30m, fail_with: 5xx}]
  - provider: backup
    ttft: {dist: lognormal, median: 300ms, p99: 1.5s}
    per_token: {dist: uniform, min: 8ms, max: 15ms}
    error_rate: 0.005
replicas: {count: 2}
gateway:
  providers:
    - {name: primary, type: openai, base_url: https://primary.example/v1}
    - {name: backup, type: openai, base_url: https://backup.example/v1}
  models:
    - {alias: chat, deployments: [{provider: primary, model: big}], fallbacks: [chat-backup]}
    - {alias: chat-backup, deployments: [{provider: backup, model: small}]}
  prices:
    - {model: big, input_per_million: 2.5, output_per_million: 10}
    - {model: small, input_per_million: 0.6, output_per_million: 0.6}
admission: {max_concurrency: 4000, max_queue: 4000, max_wait: 2s}
YAML

seconds_of() {  # 1h, 30m, 90s, 120 -> seconds
  case $1 in *h) echo $(( ${1%h} * 3600 ));; *m) echo $(( ${1%m} * 60 ));; *s) echo "${1%s}";; *) echo "$1";; esac
}
SIMULATED=$(seconds_of "$DURATION")
multiples=()
cpu_multiples=()
for round in $(seq "$ROUNDS"); do
  /usr/bin/time -f '%e %U %S' -o "$WORK/time-$round" taskset -c 0 "$BIN" simulate \
    "$WORK/scenario.yaml" --json "$WORK/report-$round.json" > "$WORK/summary-$round.txt"
  read -r wall user sys < "$WORK/time-$round"
  cpu=$(echo "$user + $sys" | bc -l)
  multiple=$(echo "$SIMULATED / $wall" | bc -l)
  cpu_multiple=$(echo "$SIMULATED / $cpu" | bc -l)
  multiples+=("$multiple")
  cpu_multiples+=("$cpu_multiple")
  requests=$(grep -m1 '"requests"' "$WORK/report-$round.json" | tr -dc 0-9)
  printf 'round %d: %s requests, %ss simulated in %.2fs wall (%.0fx real time), %.2fs CPU (%.0fx per CPU second)\n' \
    "$round" "$requests" "$SIMULATED" "$wall" "$multiple" "$cpu" "$cpu_multiple"
done
cmp -s "$WORK/report-1.json" "$WORK/report-$ROUNDS.json" || { echo "reports differ between rounds" >&2; exit 1; }
summary() {  # label values...
  local label=$1; shift
  printf '%s\n' "$@" | sort -g | awk -v label="$label" '
    { v[NR] = $1 } END { printf "%s: median %.0fx (range %.0fx - %.0fx, %d rounds); target 100x\n", label, v[int((NR + 1) / 2)], v[1], v[NR], NR }'
}
summary "multiple of real time (wall)" "${multiples[@]}"
# On a shared machine the wall time includes waiting for the core: CPU time is what one core
# would take alone.
summary "multiple of real time (CPU)" "${cpu_multiples[@]}"
uptime
sed -n 1,20p "$WORK/summary-1.txt"
