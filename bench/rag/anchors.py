#!/usr/bin/python3
"""The RAG benchmark's anchors and scoring, on exactly the chunks Sluice indexed.

  anchors.py lexical CHUNKS.jsonl QUESTIONS.tsv [ROUNDS] [CACHE_DIR]
                                                      Xapian (BM25) and SQLite FTS5 (bm25); with
                                                      CACHE_DIR their databases are kept there and
                                                      reused (built once for a large corpus);
                                                      RAG_ANCHORS="xapian" skips FTS5
  anchors.py export-chunks SLUICE.db CHUNKS.jsonl [WHERE]
                                                      the chunks Sluice made, in id order
  anchors.py xapian-replicate CHUNKS.jsonl COPIES DEST
                                                      Xapian's database of CHUNKS replicated
  anchors.py score RESULTS.jsonl QUESTIONS.tsv NAME [CHUNKS.jsonl]
                                                      quality of another engine's rankings; with
                                                      CHUNKS, results name chunk_ids, not docs
  anchors.py vectors VECTORS.npy IDS.json QUERIES.npy SLUICE_DENSE.jsonl
                                                      exact search vs hnswlib vs Sluice's HNSW
  anchors.py dense-quality VECTORS.npy IDS.json QUERIES.npy CHUNKS.jsonl QUESTIONS.tsv
                                                      quality of exact dense search alone
  anchors.py export-vectors SLUICE.db VECTORS.npy IDS.json   the chunk vectors Sluice stored

Chunks come from Sluice's own store (one JSON object per line: id, doc, title, heading, text),
so every engine ranks the same passages. Quality is judged per document: a ranking of chunks
becomes a ranking of their documents (first occurrence wins) and the expected document's rank
gives hit@1, hit@5 and MRR@10. Run with Debian's /usr/bin/python3 (python3-xapian,
python3-hnswlib and numpy come from Debian packages).
"""
import json
import statistics
import sqlite3
import sys
import time

TOP_CHUNKS = 50  # chunks asked of every engine; enough for ten distinct documents


def read_questions(path):
    questions = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            text, expected = line.rstrip("\n").split("\t")
            questions.append((text, expected))
    return questions


def read_chunks(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def document_rank(chunk_docs, expected):
    """1-based rank of `expected` among the distinct documents of a chunk ranking; 0 if absent.
    A replicated corpus names copies `copyN/file`: any copy of the file counts."""
    seen = []
    for doc in chunk_docs:
        name = doc.rsplit("/", 1)[-1]
        if name not in seen:
            seen.append(name)
        if name == expected:
            return len(seen)
    return 0


def quality(ranks):
    n = len(ranks)
    return {
        "hit@1": sum(1 for r in ranks if r == 1) / n,
        "hit@5": sum(1 for r in ranks if 1 <= r <= 5) / n,
        "mrr@10": sum(1.0 / r for r in ranks if 1 <= r <= 10) / n,
    }


def latency(samples_s):
    ordered = sorted(samples_s)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6
    return {"p50_us": round(pick(0.50)), "p99_us": round(pick(0.99)),
            "qps": round(len(ordered) / sum(ordered))}


def timed(search, questions, rounds):
    """Runs every question `rounds` times; returns (last rankings, per-query seconds)."""
    samples, rankings = [], []
    for _ in range(rounds):
        rankings = []
        for text, _ in questions:
            started = time.perf_counter()
            docs = search(text)
            samples.append(time.perf_counter() - started)
            rankings.append(docs)
    return rankings, samples


def xapian_engine(chunks, path=None):
    """`path`: an on-disk database there, built only when absent. Xapian's docid n is the n-th
    chunk."""
    import os
    import xapian
    stemmer = xapian.Stem("english")
    if path and os.path.exists(path):
        db = xapian.Database(path)
    else:
        db = (xapian.WritableDatabase(path + ".tmp", xapian.DB_CREATE_OR_OVERWRITE) if path else
              xapian.WritableDatabase("", xapian.DB_BACKEND_INMEMORY))
        indexer = xapian.TermGenerator()
        indexer.set_stemmer(stemmer)
        indexer.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
        for chunk in chunks():
            document = xapian.Document()
            indexer.set_document(document)
            # The same field weights as Sluice's BM25F-lite: title x2, heading path x1.5 (rounded).
            indexer.index_text(chunk.get("title", ""), 2)
            indexer.index_text(chunk.get("heading", ""), 2)
            indexer.index_text(chunk["text"])
            db.add_document(document)
        if path:
            db.close()
            os.rename(path + ".tmp", path)
            db = xapian.Database(path)
    if path and os.path.exists(path + ".docs"):  # a replicated database's own docid order
        with open(path + ".docs", encoding="utf-8") as f:
            docs = f.read().splitlines()
    else:
        docs = [chunk["doc"] for chunk in chunks()]
    parser = xapian.QueryParser()
    parser.set_stemmer(stemmer)
    parser.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    parser.set_default_op(xapian.Query.OP_OR)
    stopper = xapian.SimpleStopper()
    for word in ENGLISH_STOP_WORDS:
        stopper.add(word)
    parser.set_stopper(stopper)
    enquire = xapian.Enquire(db)
    enquire.set_weighting_scheme(xapian.BM25Weight())

    def search(text):
        enquire.set_query(parser.parse_query(text))
        return [docs[m.docid - 1] for m in enquire.get_mset(0, TOP_CHUNKS)]
    return search


def fts5_engine(chunks, path=None):
    """`path`: a database file there, built only when absent."""
    import os
    if path and os.path.exists(path):
        db = sqlite3.connect(path)
    else:
        db = sqlite3.connect(path + ".tmp" if path else ":memory:")
        db.execute("CREATE VIRTUAL TABLE c USING fts5(title, heading, body, doc UNINDEXED, "
                   "tokenize='porter unicode61')")
        db.executemany("INSERT INTO c(title, heading, body, doc) VALUES (?, ?, ?, ?)",
                       ((ch.get("title", ""), ch.get("heading", ""), ch["text"], ch["doc"])
                        for ch in chunks()))
        db.commit()
        if path:
            db.close()
            os.rename(path + ".tmp", path)
            db = sqlite3.connect(path)

    def search(text):
        words = [w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split()
                 if w not in ENGLISH_STOP_WORDS]
        if not words:
            return []
        query = " OR ".join('"' + w + '"' for w in words)
        rows = db.execute("SELECT doc FROM c WHERE c MATCH ? ORDER BY bm25(c, 2.0, 1.5, 1.0) "
                          "LIMIT ?", (query, TOP_CHUNKS)).fetchall()
        return [r[0] for r in rows]
    return search


ENGLISH_STOP_WORDS = set("""a an and are as at be but by can do does for from has have how i if in
into is it its of on or so such that the their then there these they this to was what when where
which who will with would you your""".split())


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def lexical(chunks_path, questions_path, rounds="5", cache_dir=None):
    import os
    rounds = int(rounds)
    chunks = lambda: read_chunks(chunks_path)  # streamed: a million chunks need not sit in memory
    questions = read_questions(questions_path)
    if cache_dir:
        os.makedirs(cache_dir, exist_ok=True)
    engines = os.environ.get("RAG_ANCHORS", "xapian fts5").split()  # FTS5 is slow to build at 1M
    for name, make, file in (("xapian", xapian_engine, "xapian.db"),
                             ("fts5", fts5_engine, "fts5.db")):
        if name not in engines:
            continue
        path = os.path.join(cache_dir, file) if cache_dir else None
        reused = bool(path and os.path.exists(path))
        started = time.perf_counter()
        search = make(chunks, path)
        build_s = time.perf_counter() - started
        search(questions[0][0])  # warm-up: an on-disk database's first query reads its tables
        rankings, samples = timed(search, questions, rounds)
        ranks = [document_rank(r, expected) for r, (_, expected) in zip(rankings, questions)]
        print(json.dumps({"engine": name, "chunks": count_lines(chunks_path),
                          "build_s": "reused" if reused else round(build_s, 2),
                          **quality(ranks), **latency(samples)}))


def xapian_replicate(chunks_path, copies, dest):
    """Xapian's database of a corpus replicated COPIES times, as replicate_store.py replicates
    Sluice's: the chunks of CHUNKS.jsonl (copy0) indexed once, then merged COPIES times into one
    database by Xapian's own compactor (docids concatenated), with DEST.docs naming each docid's
    document. Same postings and statistics as indexing every copy, in minutes less."""
    import os
    import xapian
    chunks = lambda: read_chunks(chunks_path)
    xapian_engine(chunks, dest + ".copy0")
    combined = xapian.Database()
    for _ in range(int(copies)):
        combined.add_database(xapian.Database(dest + ".copy0"))
    combined.compact(dest + ".tmp", xapian.DBCOMPACT_MULTIPASS)
    names = [chunk["doc"].split("/", 1)[-1] for chunk in chunks()]
    with open(dest + ".docs", "w", encoding="utf-8") as out:
        for copy in range(int(copies)):
            out.writelines(f"copy{copy}/{name}\n" for name in names)
    os.rename(dest + ".tmp", dest)


def export_chunks(db_path, out_path, where="1"):
    """The chunks with their document's id and title, one JSON object per line, in id order."""
    db = sqlite3.connect(db_path)
    rows = db.execute("SELECT c.id, d.external_id, d.title, c.heading_path, c.text FROM chunks c "
                      f"JOIN documents d ON d.id = c.document_id WHERE {where} ORDER BY c.id")
    with open(out_path, "w", encoding="utf-8") as out:
        for chunk_id, doc, title, heading, text in rows:
            out.write(json.dumps({"id": chunk_id, "doc": doc, "title": title,
                                  "heading": heading, "text": text}) + "\n")


def score(results_path, questions_path, name, chunks_path=None):
    """RESULTS.jsonl: one line per question, in order: {"docs": [...], "seconds": s}, or with
    `chunks_path` {"chunk_ids": [...], "seconds": s}."""
    questions = read_questions(questions_path)
    with open(results_path, encoding="utf-8") as f:
        results = [json.loads(line) for line in f if line.strip()]
    if chunks_path:
        wanted = {c for r in results for c in r["chunk_ids"]}
        doc_of = {ch["id"]: ch["doc"] for ch in read_chunks(chunks_path) if ch["id"] in wanted}
        for r in results:
            r["docs"] = [doc_of[c] for c in r["chunk_ids"] if c in doc_of]
    ranks = [document_rank(r["docs"], expected) for r, (_, expected) in zip(results, questions)]
    out = {"engine": name, **quality(ranks)}
    if results and "seconds" in results[0]:
        out.update(latency([r["seconds"] for r in results]))
    print(json.dumps(out))


HNSW = {"M": 24, "ef_construction": 100}  # Sluice's VectorIndexOptions defaults
EF_SWEEP = (16, 32, 48, 64, 80, 128)  # Sluice: 64
ROUNDS = 20  # every question this many times per measured setting: QPS of a few ms in all


def unit_rows(path):
    import numpy as np
    rows = np.load(path).astype(np.float32)
    return rows / (np.linalg.norm(rows, axis=1, keepdims=True) + 1e-12)


def exact_top(data, queries, k):
    import numpy as np
    return [set(np.argsort(-(data @ q))[:k].tolist()) for q in queries]


def recall_at(found, exact, k):
    return statistics.mean(len(set(f[:k]) & e) / k for f, e in zip(found, exact))


def vectors(vectors_path, ids_path, queries_path, sluice_dense_path, k=10):
    """Recall@10 against exact search and single-thread QPS of hnswlib's Python binding (one
    knn_query per question, as a service would call it) at Sluice's M and ef_construction, over
    an ef_search sweep; then the recall of Sluice's dense top 10 served over HTTP."""
    import hnswlib
    import numpy as np
    data, queries = unit_rows(vectors_path), unit_rows(queries_path)
    ids = json.load(open(ids_path))
    exact = exact_top(data, queries, k)
    index = hnswlib.Index(space="ip", dim=data.shape[1])
    index.set_num_threads(1)
    started = time.perf_counter()
    index.init_index(max_elements=len(data), **HNSW)
    index.add_items(data, np.arange(len(data)))
    build_s = time.perf_counter() - started
    for ef in EF_SWEEP:
        index.set_ef(max(ef, k))
        found, samples, cpu_s = [], [], 0.0
        for _ in range(ROUNDS):
            found = []
            for q in queries:
                t, cpu = time.perf_counter(), time.thread_time()
                labels, _ = index.knn_query(q, k=k)
                cpu_s += time.thread_time() - cpu
                samples.append(time.perf_counter() - t)
                found.append(labels[0].tolist())
        print(json.dumps({"engine": "hnswlib-python", "vectors": len(data), "dim": data.shape[1],
                          **HNSW, "ef_search": ef, "build_s": round(build_s, 2),
                          "recall@10": round(recall_at(found, exact, k), 4), **latency(samples),
                          "cpu_qps": round(len(samples) / cpu_s)}))
    position = {chunk_id: i for i, chunk_id in enumerate(ids)}
    with open(sluice_dense_path, encoding="utf-8") as f:
        sluice = [json.loads(line) for line in f if line.strip()]
    found = [[position.get(c, -1) for c in r["chunk_ids"]] for r in sluice]
    out = {"engine": "sluice-hnsw (http)", "recall@10": round(recall_at(found, exact, k), 4)}
    if sluice and "seconds" in sluice[0]:
        out.update(latency([r["seconds"] for r in sluice]))
    print(json.dumps(out))


def dense_quality(vectors_path, ids_path, queries_path, chunks_path, questions_path):
    """hit@1/hit@5/MRR@10 of exact dense search alone: what the embeddings are worth."""
    data, queries = unit_rows(vectors_path), unit_rows(queries_path)
    import numpy as np
    doc_of = {c["id"]: c["doc"] for c in read_chunks(chunks_path)}
    ids = json.load(open(ids_path))
    questions = read_questions(questions_path)
    ranks = []
    for q, (_, expected) in zip(queries, questions):
        order = np.argsort(-(data @ q))[:TOP_CHUNKS]
        ranks.append(document_rank([doc_of[ids[i]] for i in order], expected))
    print(json.dumps({"engine": "dense (exact)", **quality(ranks)}))


def export_vectors(db_path, vectors_out, ids_out):
    """The chunk vectors Sluice stored (float32 BLOBs), in chunk id order."""
    import numpy as np
    db = sqlite3.connect(db_path)
    rows = db.execute("SELECT id, embedding FROM chunks WHERE length(embedding) > 0 "
                      "ORDER BY id").fetchall()
    np.save(vectors_out, np.stack([np.frombuffer(blob, dtype=np.float32) for _, blob in rows]))
    json.dump([chunk_id for chunk_id, _ in rows], open(ids_out, "w"))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"lexical": lexical, "score": score, "vectors": vectors, "dense-quality": dense_quality,
     "export-vectors": export_vectors, "export-chunks": export_chunks,
     "xapian-replicate": xapian_replicate}[command](*args)
