#!/usr/bin/python3
"""The RAG benchmark's client of a running Sluice (standard library only).

  client.py upload URL COLLECTION DIR COPIES      upload every *.html of DIR COPIES times
                                                  (ids copyN/FILE), wait until all are indexed,
                                                  print MB/s
  client.py search URL COLLECTION QUESTIONS.tsv MODE OUT.jsonl [FUSION]
                                                  one search per question: ranked document ids
                                                  and the time each took (FUSION: rrf, linear)
  client.py dense URL COLLECTION QUESTIONS.tsv EMBEDDINGS_URL MODEL QUERIES.npy OUT.jsonl
                                                  mode=dense chunk ids per question, and the
                                                  questions' vectors from the embeddings API
"""
import concurrent.futures
import http.client
import json
import os
import sys
import time
import uuid
from urllib.parse import urlsplit

KEY = os.environ.get("SLUICE_API_KEY", "")
UPLOADERS = 4


class Client:
    def __init__(self, url):
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=120)

    def call(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if KEY:
            headers["Authorization"] = "Bearer " + KEY
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if method != "GET":
                raise
            # The server closed a connection left idle (a long upload's poller): open another.
            self.conn.close()
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)


def multipart(fields, file_name, content, media_type):
    boundary = "sluice" + uuid.uuid4().hex
    out = []
    for name, value in fields.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   f'{value}\r\n'.encode())
    out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
               f'filename="{file_name}"\r\nContent-Type: {media_type}\r\n\r\n'.encode())
    out.append(content)
    out.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


def upload(url, collection, directory, copies):
    client = Client(url)
    status, body = client.call("POST", "/v1/collections", {"name": collection})
    if status not in (201, 409):
        sys.exit(f"cannot create collection: {status} {body}")
    files = sorted(f for f in os.listdir(directory) if f.endswith(".html"))
    work = [(copy, name) for copy in range(int(copies)) for name in files]
    started = time.perf_counter()

    def send(part):  # one connection per thread: uploads overlap as real clients' do
        own = Client(url)
        sent, ids = 0, []
        for copy, name in part:
            content = open(os.path.join(directory, name), "rb").read()
            payload, media = multipart({"id": f"copy{copy}/{name}"}, name, content, "text/html")
            status, body = own.call("POST", f"/v1/collections/{collection}/documents", payload,
                                    {"Content-Type": media})
            if status != 202:
                raise SystemExit(f"upload of {name} failed: {status} {body}")
            sent += len(content)
            ids.append(body["job_id"])
        return sent, ids

    with concurrent.futures.ThreadPoolExecutor(UPLOADERS) as pool:
        results = list(pool.map(send, [work[i::UPLOADERS] for i in range(UPLOADERS)]))
    total = sum(sent for sent, _ in results)
    jobs = [job for _, ids in results for job in ids]
    uploaded_s = time.perf_counter() - started
    # Done when no job is queued or running (admin route; auth is off in the dev profile).
    while True:
        busy = False
        for state in ("queued", "running"):
            status, body = client.call("GET", f"/v1/admin/jobs?state={state}&limit=1")
            if status != 200:
                sys.exit(f"cannot list jobs: {status} {body}")
            busy = busy or bool(body["data"])
        if not busy:
            break
        time.sleep(0.05)
    status, body = client.call("GET", "/v1/admin/jobs?state=dead&limit=1")
    if status == 200 and body["data"]:
        sys.exit(f"dead jobs, e.g. {body['data'][0]}")
    indexed_s = time.perf_counter() - started
    status, info = client.call("GET", f"/v1/collections/{collection}")
    print(json.dumps({"documents": len(jobs), "mb": round(total / 1e6, 1),
                      "upload_s": round(uploaded_s, 2), "indexed_s": round(indexed_s, 2),
                      "mb_per_s": round(total / 1e6 / indexed_s, 2),
                      "chunks": info.get("chunk_count") if status == 200 else None}))


def read_questions(path):
    with open(path, encoding="utf-8") as f:
        return [line.split("\t")[0] for line in f if line.strip() and not line.startswith("#")]


def search(url, collection, questions_path, mode, out_path, fusion=""):
    client = Client(url)
    extra = {"fusion": fusion} if fusion else {}  # hybrid's fusion: rrf (default) or linear
    with open(out_path, "w", encoding="utf-8") as out:
        for question in read_questions(questions_path):
            started = time.perf_counter()
            status, body = client.call("POST", f"/v1/collections/{collection}/search",
                                       {"query": question, "top_k": 50, "mode": mode, **extra})
            seconds = time.perf_counter() - started
            if status != 200:
                sys.exit(f"search failed: {status} {body}")
            docs = [hit.get("id") or hit["document_id"] for hit in body["data"]]
            out.write(json.dumps({"docs": docs, "seconds": seconds,
                                  "chunk_ids": [hit["chunk_id"] for hit in body["data"]]}) + "\n")


def dense(url, collection, questions_path, embeddings_url, model, queries_out, out_path):
    """Sluice's dense search per question (top 10 chunk ids), and each question's vector from
    the same embeddings API, for exact search and hnswlib to be compared on."""
    import numpy as np
    client, embedder = Client(url), Client(embeddings_url)
    vectors = []
    with open(out_path, "w", encoding="utf-8") as out:
        for question in read_questions(questions_path):
            status, body = embedder.call("POST", "/v1/embeddings", {"model": model, "input": question})
            if status != 200:
                sys.exit(f"embeddings failed: {status} {body}")
            vectors.append(body["data"][0]["embedding"])
            started = time.perf_counter()
            status, body = client.call("POST", f"/v1/collections/{collection}/search",
                                       {"query": question, "top_k": 10, "mode": "dense"})
            seconds = time.perf_counter() - started
            if status != 200:
                sys.exit(f"dense search failed: {status} {body}")
            out.write(json.dumps({"chunk_ids": [h["chunk_id"] for h in body["data"]],
                                  "seconds": seconds}) + "\n")
    np.save(queries_out, np.array(vectors, dtype=np.float32))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"upload": upload, "search": search, "dense": dense}[command](*args)
