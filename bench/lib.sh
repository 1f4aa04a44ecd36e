# Shared by the bench scripts: process cleanup, free ports, waiting for a server.
# Source it after `set -euo pipefail`; it sets ROOT, BIN, WORK and the PIDS array.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BENCH_BIN:-$ROOT/build/release/sluice}
[ -x "$BIN" ] || { echo "build first: make build" >&2; exit 1; }
WORK=$(mktemp -d /tmp/sluice-bench-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not up: $1" >&2; return 1; }
# "rps p50_us p99_us non2xx" from a `wrk --latency` report.
wrk_summary() {
  awk '
    function us(v) { if (v ~ /us$/) return v+0; if (v ~ /ms$/) return (v+0)*1000; if (v ~ /s$/) return (v+0)*1000000; return v }
    /Requests\/sec/ { rps=$2 } / 50%/ { p50=us($2) } / 99%/ { p99=us($2) } /Non-2xx/ { bad=$NF }
    END { printf "%.0f %.0f %.0f %d\n", rps, p50, p99, bad }' "$1"
}
# A sluice config with one alias, bench-model, served by the OpenAI-compatible upstream on port $2.
write_gateway_config() {  # file upstream_port
  cat > "$1" <<CONF
server: { threads: 1, max_connections: 8192 }
log: { format: json }
gateway:
  providers:
    - { name: mock, type: openai, base_url: "http://127.0.0.1:$2/v1", api_key: bench }
  models:
    - { alias: bench-model, deployments: [ { provider: mock, model: bench-model } ] }
CONF
}
