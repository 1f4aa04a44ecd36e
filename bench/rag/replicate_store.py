#!/usr/bin/python3
"""Bench-only shortcut to a large corpus: a stopped Sluice's store holding copy0 of the corpus
gets copies 1..COPIES-1 of its documents and chunks, as uploading the corpus COPIES times would
have left them (external ids copyN/FILE, the same titles, heading paths and chunk texts, fresh
document and chunk ids, one change per document), minus the original bodies and the job rows,
which searching never reads. Sluice then rebuilds its indexes from the store on start.

  replicate_store.py SLUICE.db COPIES
"""
import sqlite3
import sys


def replicate(db_path, copies):
    copies = int(copies)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    (collection_id, change_seq), = db.execute("SELECT id, change_seq FROM collections").fetchall()
    docs = db.execute("SELECT * FROM documents WHERE external_id LIKE 'copy0/%'").fetchall()
    columns = [c[1] for c in db.execute("PRAGMA table_info(documents)")]
    chunk_columns = [c[1] for c in db.execute("PRAGMA table_info(chunks)")]
    chunk_list = ", ".join(c for c in chunk_columns if c not in ("id", "document_id"))
    with db:
        for copy in range(1, copies):
            for doc in docs:
                row = dict(zip(columns, doc))
                old_id = row["id"]
                change_seq += 1
                row.update(seq=None, id=f"{old_id}_c{copy}", change_seq=change_seq,
                           external_id=row["external_id"].replace("copy0/", f"copy{copy}/", 1))
                db.execute(f"INSERT INTO documents ({', '.join(columns)}) VALUES "
                           f"({', '.join('?' * len(columns))})", [row[c] for c in columns])
                db.execute(f"INSERT INTO chunks (document_id, {chunk_list}) SELECT ?, {chunk_list} "
                           "FROM chunks WHERE document_id = ? ORDER BY id", (row["id"], old_id))
        documents, = db.execute("SELECT count(*) FROM documents").fetchone()
        chunks, = db.execute("SELECT count(*) FROM chunks").fetchone()
        db.execute("UPDATE collections SET change_seq = ?, document_count = ?, chunk_count = ?",
                   (change_seq, documents, chunks))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"replicated: {documents} documents, {chunks} chunks")


if __name__ == "__main__":
    replicate(*sys.argv[1:])
