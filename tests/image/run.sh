#!/usr/bin/env bash
# The container image, built for real and run as a runtime would run it, with no registry: the
# Dockerfile's `FROM debian:bookworm` is made with debootstrap (debian_base.sh, cached in WORK_DIR),
# `buildah bud` builds the image without ever pulling (the host's ccache mounted into the build
# stage), then the image is unpacked (`buildah mount`) and its entrypoint and command started from
# that root with its user, environment, working directory and volume (in_root.sh), PORT a free
# port, and a `sluice mock-upstream` from the same root as the OpenAI provider. Checks the config
# the deployments rely on, /readyz, /metrics, a chat through the mock, a PDF's ingestion, the
# image's health check, the size (< 40 MB) and that no shell, package manager or compiler is in it.
# usage: tests/image/run.sh WORK_DIR   (ctest: <build>/image; the logs of the last run stay there)
# IMAGE_CCACHE_DIR (default: the host's ccache dir), IMAGE_STORAGE_DRIVER (default overlay; vfs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mkdir -p "$1" && cd "$1" && pwd)
MAX_IMAGE_BYTES=40000000
BUILD_SECONDS=3000

fail() { echo "FAIL: $*" >&2; exit 1; }
http() { curl -sS --max-time 10 "$@"; }
elapsed() { awk -v from="$1" -v to="$2" 'BEGIN { printf "%.1f", to - from }'; }
# Polls CONDITION... every 0.1 s until it holds or SECONDS have passed.
wait_until() {
  local end=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.1
  done
}

run=$(mktemp -d "$work/run.XXXXXX")
buildah=(buildah --root "$run/storage" --runroot "$run/runroot"
         --storage-driver "${IMAGE_STORAGE_DRIVER:-overlay}")
tag=localhost/sluice-image-test:latest
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "${buildah[@]}" umount --all >/dev/null 2>&1 || true
  "${buildah[@]}" rm --all >/dev/null 2>&1 || true
  "${buildah[@]}" rmi --all --force >/dev/null 2>&1 || true
  # What the storage driver itself left mounted under the run folder, innermost first.
  awk -v run="$run" 'index($2, run) == 1 { print $2 }' /proc/mounts | sort -r |
    xargs -r -n1 umount -l
  rm -rf "$run"
}
trap cleanup EXIT

# 1. The base image, under the name the Dockerfile uses (Docker's meaning of debian:bookworm).
base_tar=$("$here/debian_base.sh" "$work")
base=$("${buildah[@]}" from scratch)
"${buildah[@]}" add "$base" "$base_tar" / >/dev/null
"${buildah[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --cmd bash "$base"
"${buildah[@]}" commit --quiet --rm "$base" docker.io/library/debian:bookworm >/dev/null

# 2. The build. The host's ccache serves the build stage: make build's objects, same relative paths.
ccache_dir=${IMAGE_CCACHE_DIR:-$(ccache -k cache_dir 2>/dev/null || true)}
cache_volume=()
[ -n "$ccache_dir" ] && [ -d "$ccache_dir" ] && cache_volume=(--volume "$ccache_dir:/root/.cache/ccache")
ccache_counts() {  # hits misses
  [ ${#cache_volume[@]} -gt 0 ] || { echo "0 0"; return; }
  CCACHE_DIR=$ccache_dir ccache --print-stats | awk '
    $1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { hits += $2 }
    $1 == "cache_miss" { misses += $2 }
    END { print hits + 0, misses + 0 }'
}
# ccache hashes the locale variables: the build stage gets those set here (see the Dockerfile).
locale_args=()
for var in LANG LC_ALL LC_CTYPE LC_MESSAGES; do
  [ "${!var+set}" = set ] && locale_args+=(--build-arg "$var=${!var}")
done
read -r hits_before misses_before < <(ccache_counts)
revision=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
started=$EPOCHREALTIME
if ! timeout --kill-after=30 "$BUILD_SECONDS" "${buildah[@]}" bud --pull=never --isolation chroot \
    --format docker --file "$repo/Dockerfile" --tag "$tag" --build-arg "SLUICE_REVISION=$revision" \
    "${cache_volume[@]}" "${locale_args[@]}" "$repo" >"$work/build.log" 2>&1; then
  tail -n 60 "$work/build.log" >&2
  fail "buildah bud (whole log: $work/build.log)"
fi
built=$EPOCHREALTIME
read -r hits_after misses_after < <(ccache_counts)
hits=$((hits_after - hits_before)) misses=$((misses_after - misses_before))

# 3. Its config: what deploy/ assumes, and what starting it below reads.
"${buildah[@]}" inspect --type image "$tag" >"$run/inspect.json"
mkdir "$run/config"
python3 "$here/image_config.py" "$run/inspect.json" "$run/config" ||
  fail "the image's config is not what the manifests in deploy/ assume"
user=$(<"$run/config/user")
workdir=$(<"$run/config/workdir")
volume=$(<"$run/config/volume")
size=$(<"$run/config/size")
[ "$size" -lt "$MAX_IMAGE_BYTES" ] || fail "the image has $size bytes, over $MAX_IMAGE_BYTES"

# 4. Its content, unpacked.
container=$("${buildah[@]}" from --pull=never "$tag")
root=$("${buildah[@]}" mount "$container")
unwanted=$(cd "$root" && find . \( -name sh -o -name bash -o -name dash -o -name ash \
  -o -name busybox -o -name apt -o -name apt-get -o -name dpkg -o -name gcc -o -name 'g++' \
  -o -name cc -o -name c++ -o -name ld \) -print)
[ -z "$unwanted" ] || fail "a shell, package manager or compiler in the image: $unwanted"
[ ! -e "$root/var/lib/dpkg" ] || fail "the image has a dpkg database"
[ "$(stat -c %u:%g "$root$volume")" = "$user" ] || fail "$volume is not owned by $user"
grep -q "BEGIN CERTIFICATE" "$root/etc/ssl/certs/ca-certificates.crt" || fail "no CA certificates"
[ "$(readlink "$root/usr/lib/ssl/cert.pem")" = /etc/ssl/certs/ca-certificates.crt ] ||
  fail "OpenSSL's default CA file does not lead to the bundle"

# 5. Run it. A runtime makes the mount points /proc and /dev and mounts the volume (a new one
# starts with the owner and mode of the image's folder).
mkdir -p "$root/proc" "$root/dev"
install -d -o "${user%%:*}" -g "${user##*:}" -m "$(stat -c %a "$root$volume")" "$run/volume"
cp "$run/config/env" "$run/image.env"
image_path=$(sed -n 's/^PATH=//p' "$run/image.env")
home=$(awk -F: -v uid="${user%%:*}" '$3 == uid { print $6 }' "$root/etc/passwd")
# An exec-form command as a runtime finds it: a bare name along the image's PATH, in its root.
resolve() {
  local dir
  [[ $1 == /* ]] && { echo "$1"; return; }
  IFS=: read -ra dirs <<<"$image_path"
  for dir in "${dirs[@]}"; do
    [ -f "$root$dir/$1" ] && [ -x "$root$dir/$1" ] && { echo "$dir/$1"; return; }
  done
  fail "$1 is not on the image's PATH ($image_path)"
}
# + ENV_FILE COMMAND...: runs COMMAND from the image root as its user. A plain command (not a
# function), so that `&` makes $! the pid of the command itself.
in_image=("$here/in_root.sh" "$root" "$run/volume" "$volume" "$user" "$workdir")
# PID (a child of this script) has exited: gone, or a zombie not yet waited for.
exited() { [ ! -e "/proc/$1" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
# The port of the "listening" log line (text or JSON logs).
listening_port() { sed -n 's/.*listening.*port[":=]*\([0-9][0-9]*\).*/\1/p' "$1" | head -n 1; }
# Waits for PID's "listening" line in LOG; fails if PID exits first.
wait_listening() {
  local pid=$1 log=$2
  wait_until 30 eval '[ -n "$(listening_port "$log")" ] || exited "$pid"' ||
    fail "no listening line in $log within 30 s"
  [ -n "$(listening_port "$log")" ] || { cat "$log" >&2; fail "exited before listening: $log"; }
}

sluice=$(resolve sluice)
{ cat "$run/image.env"; echo "HOME=$home"; } >"$run/mock.env"
"${in_image[@]}" "$run/mock.env" "$sluice" mock-upstream --listen 127.0.0.1:0 >"$work/mock.log" 2>&1 &
pids+=($!)
wait_listening "${pids[-1]}" "$work/mock.log"
mock=http://127.0.0.1:$(listening_port "$work/mock.log")

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{
  grep -v '^PORT=' "$run/image.env"
  echo "PORT=$port"
  echo "HOME=$home"
  echo "OPENAI_API_KEY=image-test"
  echo "OPENAI_BASE_URL=$mock/v1"
} >"$run/serve.env"
mapfile -t argv <"$run/config/argv"
argv[0]=$(resolve "${argv[0]}")
launched=$EPOCHREALTIME
"${in_image[@]}" "$run/serve.env" "${argv[@]}" >"$work/serve.log" 2>&1 &
server=$!
pids+=("$server")
url=http://127.0.0.1:$port
ready() { [ "$(http -o /dev/null -w '%{http_code}' "$url/readyz" 2>/dev/null)" = 200 ]; }
wait_until 60 eval 'ready || exited "$server"' || fail "/readyz is not 200 within 60 s"
ready || { cat "$work/serve.log" >&2; fail "serve exited or /readyz is not 200 (log: $work/serve.log)"; }
ready_at=$EPOCHREALTIME
grep -q 'listening.*host[":=]*0\.0\.0\.0[" ]' "$work/serve.log" ||
  fail "serve does not listen on 0.0.0.0 (a platform's router could not reach it)"

metrics=$(http -f "$url/metrics")
grep -q "^sluice_build_info{.*revision=\"$revision\"" <<<"$metrics" ||
  fail "/metrics has no sluice_build_info of revision $revision"
grep -q '^process_open_fds ' <<<"$metrics" || fail "/metrics has no process metrics (/proc)"

answer=$(http -f "$url/v1/chat/completions" -H 'content-type: application/json' \
  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello from the image"}]}')
python3 -c 'import json, sys; assert json.loads(sys.argv[1])["choices"][0]["message"]["content"]' \
  "$answer" || fail "no answer in $answer"
chats=$(http -f "$mock/mock/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)["chat"])')
[ "$chats" = 1 ] || fail "mock-upstream served $chats chats, want 1: the chat did not go upstream"
[ -f "$run/volume/data/sluice.db" ] || fail "the store is not in the volume ($volume/data)"

# A PDF through ingestion (the CLI waits for it, exit 1 if it failed): the text comes out only if
# the image has what poppler loads at run time.
install -m 0644 -o "${user%%:*}" -g "${user##*:}" "$here/text.pdf" "$run/volume/text.pdf"
timeout 120 "${in_image[@]}" "$run/serve.env" "$sluice" ingest "$volume/text.pdf" --url "$url" ||
  fail "the image could not ingest a PDF with a text layer"

mapfile -t healthcheck <"$run/config/healthcheck"
healthcheck[0]=$(resolve "${healthcheck[0]}")
timeout 30 "${in_image[@]}" "$run/serve.env" "${healthcheck[@]}" ||
  fail "the image's health check fails on a ready server"

kill -TERM "$server"
wait_until 60 exited "$server" || fail "serve still runs 60 s after SIGTERM"
code=0
wait "$server" || code=$?
[ "$code" = 0 ] || fail "serve exited $code on SIGTERM"
if timeout 30 "${in_image[@]}" "$run/serve.env" "${healthcheck[@]}" 2>/dev/null; then
  fail "the health check passes with the server stopped"
fi

echo "image: $size bytes ($(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1e6 }') MB), user $user," \
  "volume $volume; built in $(elapsed "$started" "$built") s, ready $(elapsed "$started" "$ready_at") s" \
  "after buildah bud started (serve ready $(elapsed "$launched" "$ready_at") s after its start)"
if [ ${#cache_volume[@]} -gt 0 ]; then
  # Counted over the whole cache: other builds using it meanwhile count too.
  echo "ccache ($ccache_dir): $hits hits, $misses misses while the image built"
else
  echo "ccache: no host cache mounted"
fi
