#!/usr/bin/env bash
# Installs every Debian package that building, running and testing Sluice needs.
# Idempotent: asks apt only for what is missing, so a ready machine pays ~50 ms.
# usage: scripts/deps.sh [build|test|image|fuzz|bench]   (default test: build + test tools)
set -euo pipefail
MODE=${1:-test}

BUILD_PKGS=(g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libyaml-cpp-dev libssl-dev libgtest-dev libgmock-dev curl ca-certificates
  libsqlite3-dev libstemmer-dev libhnswlib-dev libcmark-gfm-dev
  libcmark-gfm-extensions-dev libpoppler-cpp-dev libjwt-dev)
# promtool (prometheus) and python3-yaml check deploy/prometheus's rules; Prometheus itself and
# amtool (prometheus-alertmanager) check deploy/compose's configs and evaluate the dashboard's
# and the rules' queries against the real binary; chromium (headless) loads the status page;
# tinyproxy is the corporate egress proxy the egress tests start on an ephemeral port.
TEST_PKGS=(prometheus prometheus-alertmanager clang-format openssl python3 python3-yaml chromium
  tinyproxy)
# Packages wanted for their tools only: their services must not run (nor hold their ports: 9090
# and 9093, which deploy/compose publishes, tinyproxy's 8888, and haproxy's).
TOOL_ONLY_SERVICES=(prometheus prometheus-alertmanager tinyproxy haproxy)
# The RAG benchmark: its anchors (Xapian, SQLite FTS5 via sqlite3, hnswlib's Python binding) and
# its corpus (the PostgreSQL manual). haproxy: the load balancer in front of the replicas of
# bench/simulate_calibrate.sh.
BENCH_PKGS=(wrk nginx-light procps python3-xapian python3-hnswlib sqlite3 postgresql-doc-15
  haproxy)
# The container image (make image, make image-test): buildah builds it (chroot isolation: no
# runtime needed), debootstrap makes its Debian base when no registry is reachable, python3 reads
# the image's config.
IMAGE_PKGS=(buildah debootstrap python3)
# libFuzzer ships with clang's runtime libraries.
FUZZ_PKGS=(clang-14 libclang-rt-14-dev)

case "$MODE" in
  build) want=("${BUILD_PKGS[@]}") ;;
  test)  want=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}") ;;
  image) want=("${BUILD_PKGS[@]}" "${IMAGE_PKGS[@]}") ;;
  fuzz)  want=("${BUILD_PKGS[@]}" "${FUZZ_PKGS[@]}") ;;
  bench) want=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${BENCH_PKGS[@]}") ;;
  *) echo "usage: $0 [build|test|image|fuzz|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere (with npm bundled): ask Debian only for a missing command.
if [ "$MODE" = test ] || [ "$MODE" = bench ]; then
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# While apt installs, a policy-rc.d that refuses every start keeps the new services stopped.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  trap '$SUDO rm -f "$policy"' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Under systemd, also keep them from starting at the next boot.
if [ -d /run/systemd/system ]; then
  for service in "${TOOL_ONLY_SERVICES[@]}"; do
    if [[ " ${missing[*]} " == *" $service "* ]]; then
      $SUDO systemctl disable --now "$service.service" >/dev/null 2>&1 || true
    fi
  done
fi
