// A Sluice with every signal the dashboard and the alerts read switched on, and traffic that
// moves each of them: JSON and streamed chats, a deployment that always fails (retries within an
// alias, a fallback to another alias, open circuits, 5xx answers), embeddings through a slow
// upstream behind a one-slot admission gate (waits and shedding), a key over its rate limit, a key
// over its budget, a canary rolled back by its rule, documents ingested (and one that cannot be) and answered (the second answer
// from the cache), and JWT verification on (its reload counter). Upstreams are `sluice mock-upstream` processes.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockUpstream, startSluice } from "../../e2e/lib/processes.mjs";

const ADMIN_KEY = "sk-dashboard-admin-0123456789";
const MESSAGES = [{ role: "user", content: "How do circuits open?" }];

function jwksFile(dir) {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const path = join(dir, "jwks.json");
  writeFileSync(path, JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1",
    alg: "ES256", use: "sig" }] }));
  return path;
}

function config(good, bad, slow, jwks) {
  const provider = (name, mock) => ({ name, type: "openai", base_url: `${mock.url}/v1`, api_key: "upstream" });
  return {
    server: { threads: 1 },
    auth: { api_keys: [{ name: "ops", key: ADMIN_KEY, role: "admin" }], jwt: { jwks_file: jwks } },
    admission: { routes: [{ route: "/v1/embeddings", max_concurrency: 1, max_queue: 1 }],
      max_wait: "100ms" },
    gateway: {
      providers: [provider("good", good), provider("bad", bad), provider("slow", slow)],
      models: [
        { alias: "chat", deployments: [{ provider: "good", model: "mock-model" }] },
        { alias: "mixed", deployments: [{ provider: "bad", model: "m1" },
          { provider: "good", model: "mock-model", priority: 1 }] },
        { alias: "flaky", deployments: [{ provider: "bad", model: "m2" }], fallbacks: ["chat"] },
        { alias: "broken", deployments: [{ provider: "bad", model: "m3" }] },
        // A canary whose candidate always fails: its rule rolls it back after two requests.
        { alias: "release", deployments: [{ provider: "good", model: "mock-model" }],
          canary: { alias: "broken", weight: 1,
            rollback: { metric: "error_rate", threshold: 0.5, window: "1m", min_requests: 2 } } },
        { alias: "embed", deployments: [{ provider: "slow", model: "mock-model" }] },
      ],
      prices: [{ model: "mock-model", input_per_million: 1, output_per_million: 2 }],
      retry: { max_attempts: 3, base_backoff: "10ms", max_backoff: "50ms", budget: "2s" },
      // Opens after two failures and half-opens after a second, so that every round fails again.
      circuit_breaker: { failure_threshold: 2, cooldown: "1s", half_open_requests: 1 },
    },
  };
}

/** Starts the upstreams and Sluice; resolves with { sluice, run(), stop() } once keys exist. */
export async function startScenario() {
  const dir = mkdtempSync(join(tmpdir(), "sluice-dashboard-"));
  const processes = [];
  const stopAll = async () => {
    for (const p of processes.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const good = await startMockUpstream();
    processes.push(good);
    const bad = await startMockUpstream(["--error-rate", "1", "--error-status", "503", "--models", "m1,m2,m3"]);
    processes.push(bad);
    const slow = await startMockUpstream(["--latency-ms", "300"]);
    processes.push(slow);
    const sluice = await startSluice(config(good, bad, slow, jwksFile(dir)));
    processes.push(sluice);
    const api = client(sluice.url);
    await api.waitForModel("bad/m1");
    const limited = await api.createKey({ name: "limited", roles: ["query"], requests_per_minute: 1 });
    const capped = await api.createKey({ name: "capped", roles: ["query"], daily_budget_usd: 0.000001 });
    let round = 0;
    return { sluice, stop: stopAll, run: () => api.round(++round, limited, capped) };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

function client(base) {
  const call = async (path, { body, key = ADMIN_KEY, method = body ? "POST" : "GET" } = {}) => {
    const response = await fetch(base + path, { method, body: body && JSON.stringify(body),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" } });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) };
  };
  const expect = async (path, options, status) => {
    const r = await call(path, options);
    if (r.status !== status) throw new Error(`${path}: ${r.status}, not ${status}: ${r.text}`);
    return r.json();
  };
  return {
    async waitForModel(id, timeoutMs = 20000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { data } = await expect("/v1/models", {}, 200);
        if (data.some((m) => m.id === id)) return;
        if (Date.now() > deadline) throw new Error(`/v1/models never listed ${id}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async createKey(fields) {
      return (await expect("/v1/admin/keys", { body: fields }, 201)).key;
    },
    async waitForJob(id, timeoutMs = 20000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await expect(`/v1/jobs/${id}`, {}, 200);
        if (!["queued", "running"].includes(job.state ?? job.status)) return;
        if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    // One round of every kind of traffic; statuses are what the metrics record, not checked here.
    async round(n, limited, capped) {
      const chat = (model, extra = {}) => call("/v1/chat/completions",
        { body: { model, messages: MESSAGES, ...extra } });
      await chat("chat");
      await chat("chat", { stream: true, stream_options: { include_usage: true } });
      await chat("mixed");
      await chat("flaky");
      await chat("broken");
      await chat("release");
      const embed = () => call("/v1/embeddings", { body: { model: "embed", input: "circuit breakers" } });
      await Promise.all([embed(), embed(), embed()]);
      await call("/v1/chat/completions", { key: limited, body: { model: "chat", messages: MESSAGES } });
      await call("/v1/chat/completions", { key: capped, body: { model: "chat", messages: MESSAGES } });
      const doc = await expect("/v1/collections/default/documents", { body: {
        id: `note-${n}`, text: `Note ${n}: a circuit opens after consecutive failures and half-opens after its cooldown.` } }, 202);
      await this.waitForJob(doc.job_id);
      // A PDF that does not parse: its job is dead at once.
      const form = new FormData();
      form.append("file", new Blob([`%PDF-1.4 torn ${n}`], { type: "application/pdf" }), `torn-${n}.pdf`);
      const torn = await fetch(`${base}/v1/collections/default/documents`, { method: "POST", body: form,
        headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      if (torn.status !== 202) throw new Error(`torn PDF upload: ${torn.status} ${await torn.text()}`);
      await this.waitForJob((await torn.json()).job_id);
      for (let i = 0; i < 2; i++) await call("/v1/query", { body: { question: "When does a circuit half-open?" } });
      await call("/v1/models");
    },
  };
}
