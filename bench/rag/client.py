#!/usr/bin/python3
"""The RAG benchmark's client of a running Sluice (standard library only).

  client.py upload URL COLLECTION DIR COPIES      upload every *.html of DIR COPIES times
                                                  (ids copyN/FILE), wait until all are indexed,
                                                  print MB/s
  client.py search URL COLLECTION QUESTIONS.tsv MODE OUT.jsonl
                                                  one search per question: ranked document ids
                                                  and the time each took
  client.py dense URL COLLECTION QUERIES.txt OUT.jsonl   mode=dense chunk ids, per query
"""
import http.client
import json
import os
import sys
import time
import uuid
from urllib.parse import urlsplit

KEY = os.environ.get("SLUICE_API_KEY", "")


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
    total, jobs = 0, []
    started = time.perf_counter()
    for copy in range(int(copies)):
        for name in files:
            content = open(os.path.join(directory, name), "rb").read()
            payload, media = multipart({"id": f"copy{copy}/{name}"}, name, content, "text/html")
            status, body = client.call("POST", f"/v1/collections/{collection}/documents", payload,
                                       {"Content-Type": media})
            if status != 202:
                sys.exit(f"upload of {name} failed: {status} {body}")
            total += len(content)
            jobs.append(body["job_id"])
    uploaded_s = time.perf_counter() - started
    pending = set(jobs)
    while pending:
        for job in list(pending):
            status, body = client.call("GET", f"/v1/jobs/{job}")
            if status == 200 and body.get("state") in ("succeeded", "cancelled"):
                pending.discard(job)
            elif status == 200 and body.get("state") == "dead":
                sys.exit(f"job {job} dead: {body.get('last_error')}")
        if pending:
            time.sleep(0.2)
    indexed_s = time.perf_counter() - started
    status, info = client.call("GET", f"/v1/collections/{collection}")
    print(json.dumps({"documents": len(jobs), "mb": round(total / 1e6, 1),
                      "upload_s": round(uploaded_s, 2), "indexed_s": round(indexed_s, 2),
                      "mb_per_s": round(total / 1e6 / indexed_s, 2),
                      "chunks": info.get("chunk_count") if status == 200 else None}))


def read_questions(path):
    with open(path, encoding="utf-8") as f:
        return [line.split("\t")[0] for line in f if line.strip() and not line.startswith("#")]


def search(url, collection, questions_path, mode, out_path):
    client = Client(url)
    with open(out_path, "w", encoding="utf-8") as out:
        for question in read_questions(questions_path):
            started = time.perf_counter()
            status, body = client.call("POST", f"/v1/collections/{collection}/search",
                                       {"query": question, "top_k": 50, "mode": mode})
            seconds = time.perf_counter() - started
            if status != 200:
                sys.exit(f"search failed: {status} {body}")
            docs = [hit.get("id") or hit["document_id"] for hit in body["data"]]
            out.write(json.dumps({"docs": docs, "seconds": seconds,
                                  "chunk_ids": [hit["chunk_id"] for hit in body["data"]]}) + "\n")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"upload": upload, "search": search}[command](*args)
