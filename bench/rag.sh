#!/usr/bin/env bash
# RAG benchmark, side by side in one run on the same passages and questions:
#   corpus    : the PostgreSQL 15 manual from Debian (postgresql-doc-15, 1,169 HTML pages),
#               uploaded COPIES times (ids copyN/page.html) to reach the chunk count wanted
#   questions : bench/rag/questions.tsv, 70 questions with the page that answers each
#   anchors   : Xapian (BM25) and SQLite FTS5 (bm25) over the chunks Sluice made, exported from
#               its store; with embeddings, hnswlib's Python binding and exact search
# Reports ingest MB/s (Sluice on both CPUs), hit@1/hit@5/MRR@10, BM25 latency and QPS (one
# connection, one thread, HTTP and in process), restart-to-ready with a snapshot, RSS, and
# /v1/query RPS with the mock LLM (answer cache off, then every query a cache hit).
# usage: bench/rag.sh [copies=1] [embeddings=0|1]
# RAG_BENCH_REPLICATE=1 uploads one copy and replicates it in the store (replicate_store.py)
# instead of uploading COPIES copies through the service, for corpora too large to ingest quickly.
# RAG_BENCH_REUSE=DIR keeps the data directory, the exported chunks and the anchors' indexes in
# DIR: the first run with a given COPIES ingests and indexes everything as usual; later runs start
# Sluice on that data (a restart from its snapshot), skip the upload and reuse Xapian's and FTS5's
# databases, so the 1M-chunk numbers can be repeated without re-ingesting for minutes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
COPIES=${1:-1}; EMBED=${2:-0}
DOCS=/usr/share/doc/postgresql-doc-15/html
PY=/usr/bin/python3  # Debian's, with python3-xapian and python3-hnswlib
"$ROOT/scripts/deps.sh" bench
QUESTIONS=$ROOT/bench/rag/questions.tsv
STATE=${RAG_BENCH_REUSE:-$WORK}
if [ -n "${RAG_BENCH_REUSE:-}" ] && [ "$(cat "$STATE/copies" 2>/dev/null)" != "$COPIES $EMBED" ]; then
  rm -rf "$STATE/data" "$STATE/chunks.jsonl" "$STATE/anchors" "$STATE/copies"
fi
mkdir -p "$STATE"
[ "$STATE" = "$WORK" ] || ln -s "$STATE/data" "$WORK/data"
REUSED=$([ -f "$STATE/copies" ] && echo 1 || echo 0)

MOCK_PORT=$(free_port)
taskset -c 1 "$BIN" mock-upstream --listen 127.0.0.1:$MOCK_PORT --threads 1 --embedding-dimensions 384 \
  > "$WORK/mock.log" 2>&1 &
MOCK_PID=$!
PIDS+=($MOCK_PID)
wait_http "http://127.0.0.1:$MOCK_PORT/livez"
PORT=$(free_port)
cat > "$WORK/sluice.yaml" <<CONF
server: { threads: 1 }
log: { format: json, level: warn, access_log: false }
storage: { data_dir: "$STATE/data" }
rag: { workers: 2, embedding_model: "$([ "$EMBED" = 1 ] && echo bench-embed || true)", answer_model: bench-chat }
gateway:
  providers:
    - { name: mock, type: openai, base_url: "http://127.0.0.1:$MOCK_PORT/v1", api_key: bench }
  models:
    - { alias: bench-embed, deployments: [ { provider: mock, model: bench-embed } ] }
    - { alias: bench-chat, deployments: [ { provider: mock, model: bench-chat } ] }
CONF
start_sluice() {  # [CPUS] it may run on (default 0)
  taskset -c "${1:-0}" "$BIN" serve --config "$WORK/sluice.yaml" --listen 127.0.0.1:$PORT \
    >> "$WORK/sluice.log" 2>&1 &
  SLUICE_PID=$!
  PIDS+=($SLUICE_PID)
}
started=$(date +%s%N)
start_sluice 0,1  # ingestion uses both CPUs
URL=http://127.0.0.1:$PORT
until curl -sf -o /dev/null "$URL/readyz"; do sleep 0.01; done

echo "corpus: $DOCS x $COPIES copies; sluice (1 event loop, 2 ingest workers) on CPUs 0-1 while ingesting, then on CPU 0 alone"
if [ "$REUSED" = 1 ]; then
  echo "ingest : reused $STATE (copies $COPIES); start to ready $(( ($(date +%s%N) - started) / 1000000 )) ms"
else
  if [ "${RAG_BENCH_REPLICATE:-0}" = 1 ] && [ "$COPIES" -gt 1 ]; then
    # Bench-only shortcut (see bench/rag/replicate_store.py): one copy uploaded and ingested, the
    # others copied inside the stopped server's store; the restart rebuilds the indexes from it.
    echo "ingest : $($PY "$ROOT/bench/rag/client.py" upload "$URL" pg "$DOCS" 1) (copy0)"
    kill -TERM $SLUICE_PID; wait $SLUICE_PID 2>/dev/null || true
    echo "store  : $($PY "$ROOT/bench/rag/replicate_store.py" "$STATE/data/sluice.db" "$COPIES")"
    rm -rf "$STATE/data/indexes"
    started=$(date +%s%N)
    start_sluice 0,1
    until curl -sf -o /dev/null "$URL/readyz"; do sleep 0.05; done
    echo "rebuild from the store to ready: $(( ($(date +%s%N) - started) / 1000000 )) ms"
  else
    started=$(date +%s%N)
    INGEST=$($PY "$ROOT/bench/rag/client.py" upload "$URL" pg "$DOCS" "$COPIES")
    echo "ingest : $INGEST"
    # Until every chunk is in the in-memory indexes too (HNSW insertion follows the store), and
    # the CPU seconds it took, which a busy machine does not inflate: Sluice's, and the mock's
    # (embeddings).
    CHUNKS=$(echo "$INGEST" | $PY -c 'import json, sys; print(json.load(sys.stdin)["chunks"])')
    until [ "$(curl -s "$URL/metrics" | awk '/^sluice_index_chunks / { print $2 }')" = "$CHUNKS" ]; do
      sleep 0.05
    done
    cpu_s() { awk -v tck="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / tck }' "/proc/$1/stat"; }
    $PY - "$INGEST" $(( $(date +%s%N) - started )) "$(cpu_s $SLUICE_PID)" "$(cpu_s $MOCK_PID)" <<'PY'
import json, sys
mb, wall_ns, sluice, mock = json.loads(sys.argv[1])["mb"], *map(float, sys.argv[2:])
print(json.dumps({"in_memory_s": round(wall_ns / 1e9, 2), "sluice_cpu_s": sluice,
                  "mock_cpu_s": mock, "mb_per_sluice_cpu_s": round(mb / sluice, 2)}))
PY
  fi
  # The chunks Sluice made, for the anchors: same passages, same titles and heading paths.
  $PY "$ROOT/bench/rag/anchors.py" export-chunks "$STATE/data/sluice.db" "$STATE/chunks.jsonl"
  if [ "${RAG_BENCH_REPLICATE:-0}" = 1 ] && [ -n "${RAG_BENCH_REUSE:-}" ] && [ "$COPIES" -gt 1 ]; then
    # Xapian's database replicated the same way: copy0 indexed, merged COPIES times.
    mkdir -p "$STATE/anchors"
    $PY "$ROOT/bench/rag/anchors.py" export-chunks "$STATE/data/sluice.db" "$WORK/copy0.jsonl" \
      "d.external_id LIKE 'copy0/%'"
    $PY "$ROOT/bench/rag/anchors.py" xapian-replicate "$WORK/copy0.jsonl" "$COPIES" \
      "$STATE/anchors/xapian.db"
  fi
  [ -z "${RAG_BENCH_REUSE:-}" ] || echo "$COPIES $EMBED" > "$STATE/copies"
fi
echo "chunks : $(wc -l < "$STATE/chunks.jsonl")"
# Everything below measures Sluice on CPU 0 alone: restarted there (from its snapshot).
kill -TERM $SLUICE_PID; wait $SLUICE_PID 2>/dev/null || true
start_sluice 0
until curl -sf -o /dev/null "$URL/readyz"; do sleep 0.01; done

echo "quality and in-process latency (one thread):"
# With a reuse directory the anchors keep their databases there; without, they index in memory.
$PY "$ROOT/bench/rag/anchors.py" lexical "$STATE/chunks.jsonl" "$QUESTIONS" 3 \
  ${RAG_BENCH_REUSE:+"$STATE/anchors"}
$PY "$ROOT/bench/rag/client.py" search "$URL" pg "$QUESTIONS" bm25 "$WORK/sluice-bm25.jsonl"
$PY "$ROOT/bench/rag/anchors.py" score "$WORK/sluice-bm25.jsonl" "$QUESTIONS" "sluice-bm25 (http)"
if [ "$EMBED" = 1 ]; then
  for fusion in rrf linear; do
    $PY "$ROOT/bench/rag/client.py" search "$URL" pg "$QUESTIONS" hybrid \
      "$WORK/sluice-hybrid-$fusion.jsonl" $fusion
    $PY "$ROOT/bench/rag/anchors.py" score "$WORK/sluice-hybrid-$fusion.jsonl" "$QUESTIONS" \
      "sluice-hybrid $fusion (http)"
  done
  $PY "$ROOT/bench/rag/client.py" search "$URL" pg "$QUESTIONS" dense "$WORK/sluice-dense-docs.jsonl"
  $PY "$ROOT/bench/rag/anchors.py" score "$WORK/sluice-dense-docs.jsonl" "$QUESTIONS" \
    "sluice-dense (http)"
  # HNSW: Sluice's dense top 10 and hnswlib's Python binding against exact search, same vectors,
  # same M and ef_construction, over an ef_search sweep; Sluice's index also in-process (no HTTP),
  # on CPU 1 like the Python side.
  $PY "$ROOT/bench/rag/anchors.py" export-vectors "$STATE/data/sluice.db" "$WORK/vectors.npy" \
    "$WORK/vector_ids.json"
  $PY "$ROOT/bench/rag/client.py" dense "$URL" pg "$QUESTIONS" "http://127.0.0.1:$MOCK_PORT" \
    bench-embed "$WORK/queries.npy" "$WORK/sluice-dense.jsonl"
  $PY "$ROOT/bench/rag/anchors.py" dense-quality "$WORK/vectors.npy" "$WORK/vector_ids.json" \
    "$WORK/queries.npy" "$STATE/chunks.jsonl" "$QUESTIONS"
  taskset -c 1 $PY "$ROOT/bench/rag/anchors.py" vectors "$WORK/vectors.npy" \
    "$WORK/vector_ids.json" "$WORK/queries.npy" "$WORK/sluice-dense.jsonl"
  INDEX_BENCH=$(dirname "$BIN")/rag_index_bench
  [ -x "$INDEX_BENCH" ] || ninja -C "$(dirname "$BIN")" rag_index_bench > /dev/null
  taskset -c 1 "$INDEX_BENCH" --chunks 0 --vectors-file "$WORK/vectors.npy" \
    --queries-file "$WORK/queries.npy"
fi

# A wrk script sending every question in turn as FIELD of a JSON body with EXTRA's fields.
wrk_questions() {  # FIELD EXTRA_JSON
  $PY - "$QUESTIONS" "$1" "$2" <<'PY'
import json, sys
qs = [l.split("\t")[0] for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
bodies = [json.dumps({sys.argv[2]: q, **json.loads(sys.argv[3])}) for q in qs]
print("local bodies = {" + ",".join("[==[" + b + "]==]" for b in bodies) + "}")
print('local i = 0\nrequest = function()\n  i = i % #bodies + 1\n'
      '  return wrk.format("POST", nil, {["Content-Type"]="application/json"}, bodies[i])\nend')
PY
}
# Sluice's BM25 through HTTP on one connection: every question in turn.
wrk_questions query '{"top_k": 10, "mode": "bm25"}' > "$WORK/search.lua"
taskset -c 1 wrk -t1 -c1 -d10s --latency -s "$WORK/search.lua" "$URL/v1/collections/pg/search" \
  > "$WORK/wrk-search.txt"
read -r rps p50 p99 bad < <(wrk_summary "$WORK/wrk-search.txt")
echo "{\"engine\": \"sluice-bm25 (http, wrk -c1, top_k 10)\", \"qps\": $rps, \"p50_us\": $p50, \"p99_us\": $p99, \"non2xx\": $bad}"

rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
echo "sluice RSS with the index loaded: $(rss_kib $SLUICE_PID) KiB"
# Restart: the indexes come back from their snapshot (written at shutdown).
kill -TERM $SLUICE_PID; wait $SLUICE_PID 2>/dev/null || true
started=$(date +%s%N)
start_sluice
until curl -sf -o /dev/null "$URL/readyz"; do sleep 0.01; done
echo "restart to ready (snapshot): $(( ($(date +%s%N) - started) / 1000000 )) ms; RSS $(rss_kib $SLUICE_PID) KiB"
CHUNKS=$(wc -l < "$STATE/chunks.jsonl")
# Per million chunks only at scale: below that the process' baseline dominates.
[ "$CHUNKS" -lt 100000 ] ||
  echo "RSS per million chunks after the restart: $(( $(rss_kib $SLUICE_PID) * 1000000 / CHUNKS / 1024 )) MiB"

# The engine alone, without HTTP, snippets or chunk text: the server's BM25 snapshot loaded by
# rag_index_bench and the same questions run in process (top 10 for latency as wrk asks; top 50
# for quality as client.py asks).
INDEX_BENCH=$(dirname "$BIN")/rag_index_bench
[ -x "$INDEX_BENCH" ] || ninja -C "$(dirname "$BIN")" rag_index_bench > /dev/null
SNAPSHOT=$(ls "$STATE"/data/indexes/*.lexical | head -1)
taskset -c 0 "$INDEX_BENCH" --snapshot "$SNAPSHOT" --questions "$QUESTIONS" --top-k 10 | tail -1
taskset -c 0 "$INDEX_BENCH" --snapshot "$SNAPSHOT" --questions "$QUESTIONS" --top-k 50 --rounds 3 \
  --out "$WORK/sluice-inprocess.jsonl" > /dev/null
$PY "$ROOT/bench/rag/anchors.py" score "$WORK/sluice-inprocess.jsonl" "$QUESTIONS" \
  "sluice-bm25 (in-process, top 50)" "$STATE/chunks.jsonl"

# Answers: POST /v1/query, every question in turn on 8 connections, answered by the mock LLM
# through the gateway (rag.answer_model: bench-chat -> mock-upstream). First with the answer
# cache off (each query retrieves, builds the prompt, calls the model, renders citations), then
# with it on and warmed (each query a cache hit).
wrk_questions question '{"collection": "pg"}' > "$WORK/query.lua"
query_bench() {  # LABEL
  taskset -c 1 wrk -t1 -c8 -d10s --latency -s "$WORK/query.lua" "$URL/v1/query" > "$WORK/wrk-query.txt"
  read -r rps p50 p99 bad < <(wrk_summary "$WORK/wrk-query.txt")
  echo "{\"engine\": \"sluice /v1/query ($1, wrk -c8)\", \"rps\": $rps, \"p50_us\": $p50, \"p99_us\": $p99, \"non2xx\": $bad}"
}
kill -TERM $SLUICE_PID; wait $SLUICE_PID 2>/dev/null || true
SLUICE_RAG__CACHE_MAX_BYTES=0 start_sluice
until curl -sf -o /dev/null "$URL/readyz"; do sleep 0.01; done
query_bench "mock LLM, cache off"
kill -TERM $SLUICE_PID; wait $SLUICE_PID 2>/dev/null || true
start_sluice
until curl -sf -o /dev/null "$URL/readyz"; do sleep 0.01; done
taskset -c 1 wrk -t1 -c8 -d2s -s "$WORK/query.lua" "$URL/v1/query" > /dev/null  # warm the cache
query_bench "cache hits"
curl -s "$URL/metrics" | grep -E '^rag_(queries_total|cache_hits_total)' || true
