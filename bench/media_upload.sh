#!/usr/bin/env bash
# Media pass-through benchmark: a 20 MB audio upload (POST /v1/audio/transcriptions, multipart)
# and a 20 MB speech answer (POST /v1/audio/speech), each sent directly to mock-upstream and
# through sluice to it, side by side in one run. Reports sluice's peak RSS (VmHWM from /proc)
# before the first transfer and after each kind, and the median time of each path.
#   model-first : curl -F model=... -F file=@...   (the upload streams through as it arrives)
#   model-last  : curl -F file=@... -F model=...   (the OpenAI SDK's order for {file, model}: the
#                 upload is kept in sluice's spool file until the model field is read)
#   chunked     : model first, Transfer-Encoding: chunked
#   speech      : 20 MB of audio relayed back
# Last, for reference, a route that reads its body whole (POST /v1/chat/completions with a 20 MB
# message): what a buffered upload would cost. It runs last because VmHWM only grows.
# sluice runs on CPU 0, mock-upstream and curl on CPU 1.
# usage: bench/media_upload.sh [size_mb=20] [rounds=5]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SIZE_MB=${1:-20}; ROUNDS=${2:-5}
BYTES=$((SIZE_MB * 1024 * 1024))

head -c "$BYTES" /dev/urandom > "$WORK/audio.mp3"

MOCK_PORT=$(free_port)
taskset -c 1 "$BIN" mock-upstream --listen 127.0.0.1:$MOCK_PORT --threads 1 > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
MOCK_PID=$!
wait_http "http://127.0.0.1:$MOCK_PORT/livez"

SLUICE_PORT=$(free_port)
cat > "$WORK/sluice.yaml" <<CONF
server: { threads: 1, max_media_body_bytes: 64MiB }
log: { format: json, access_log: false }
gateway:
  providers:
    - { name: mock, type: openai, base_url: "http://127.0.0.1:$MOCK_PORT/v1", api_key: bench, forward_mock_headers: true }
  models:
    - { alias: stt, deployments: [ { provider: mock, model: gpt-4o-transcribe } ] }
    - { alias: tts, deployments: [ { provider: mock, model: tts-1 } ] }
    - { alias: chat, deployments: [ { provider: mock, model: mock-model } ] }
CONF
SLUICE_STORAGE__DATA_DIR="$WORK/data" taskset -c 0 "$BIN" serve --listen 127.0.0.1:$SLUICE_PORT \
  --config "$WORK/sluice.yaml" > "$WORK/sluice.log" 2>&1 &
PIDS+=($!)
SLUICE_PID=$!
wait_http "http://127.0.0.1:$SLUICE_PORT/livez"

hwm_kb() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# One transfer; prints its seconds. Fails the run when the answer is not the expected one.
upload() {  # port model_alias_or_name order(first|last|chunked)
  local fields
  case $3 in
    last) fields=(-F "file=@$WORK/audio.mp3" -F "model=$2") ;;
    chunked) fields=(-H "Transfer-Encoding: chunked" -F "model=$2" -F "file=@$WORK/audio.mp3") ;;
    *) fields=(-F "model=$2" -F "file=@$WORK/audio.mp3") ;;
  esac
  taskset -c 1 curl -sS -o "$WORK/answer" -w '%{time_total}\n' "${fields[@]}" \
    "http://127.0.0.1:$1/v1/audio/transcriptions"
  grep -q "Transcribed $BYTES bytes" "$WORK/answer" || { cat "$WORK/answer" >&2; exit 1; }
}
speech() {  # port model
  taskset -c 1 curl -sS -o "$WORK/speech.mp3" -w '%{time_total}\n' -H 'Content-Type: application/json' \
    -H "x-mock-speech-bytes: $BYTES" -d "{\"model\":\"$2\",\"input\":\"hi\",\"voice\":\"alloy\"}" \
    "http://127.0.0.1:$1/v1/audio/speech"
  [ "$(stat -c %s "$WORK/speech.mp3")" = "$BYTES" ] || { echo "short speech answer" >&2; exit 1; }
}

echo "media pass-through: ${SIZE_MB} MiB, $ROUNDS rounds, median seconds (sluice CPU 0; mock-upstream and curl CPU 1)"
echo "sluice VmHWM at start: $(hwm_kb $SLUICE_PID) kB"
printf '%-12s %10s %10s %10s %16s\n' case direct_s sluice_s ratio sluice_VmHWM_kB
for kind in first last chunked speech; do
  direct=(); through=()
  for _ in $(seq "$ROUNDS"); do
    if [ $kind = speech ]; then
      direct+=("$(speech $MOCK_PORT tts-1)")
      through+=("$(speech $SLUICE_PORT tts)")
    else
      direct+=("$(upload $MOCK_PORT gpt-4o-transcribe $kind)")
      through+=("$(upload $SLUICE_PORT stt $kind)")
    fi
  done
  d=$(printf '%s\n' "${direct[@]}" | median)
  t=$(printf '%s\n' "${through[@]}" | median)
  label=$kind; [ $kind = speech ] || label="model-$kind"; [ $kind = chunked ] && label=chunked
  printf '%-12s %10.3f %10.3f %10.2f %16s\n' "$label" "$d" "$t" "$(echo "$t / $d" | bc -l)" "$(hwm_kb $SLUICE_PID)"
done

# The reference: a body read whole before the handler runs.
python3 -c "import sys; sys.stdout.write('{\"model\":\"chat\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"' + 'a' * $BYTES + '\"}]}')" > "$WORK/chat.json"
chat() {  # port model
  sed "s/\"model\":\"chat\"/\"model\":\"$2\"/" "$WORK/chat.json" > "$WORK/chat-$2.json"
  taskset -c 1 curl -sS -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' \
    --data-binary "@$WORK/chat-$2.json" "http://127.0.0.1:$1/v1/chat/completions"
}
d=$(for _ in $(seq "$ROUNDS"); do chat $MOCK_PORT mock-model; done | median)
t=$(for _ in $(seq "$ROUNDS"); do chat $SLUICE_PORT chat; done | median)
printf "%-12s %10.3f %10.3f %10.2f %16s   (reference: a ${SIZE_MB} MiB chat body, read whole)\n" buffered "$d" "$t" \
  "$(echo "$t / $d" | bc -l)" "$(hwm_kb $SLUICE_PID)"
echo "mock-upstream VmHWM: $(hwm_kb $MOCK_PID) kB"
