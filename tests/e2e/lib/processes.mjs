// Starts sluice processes (serve, mock-upstream) on ephemeral loopback ports and stops them.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BINARY = process.env.SLUICE_BINARY ?? new URL('../../../build/release/sluice', import.meta.url).pathname;

const running = new Set();
process.on('exit', () => { for (const p of running) p.kill('SIGKILL'); });

// Spawns `sluice ...args`, resolves with { port, proc, output(), stop() } once it logs "listening".
export function start(args, env = {}, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BINARY, args, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', SLUICE_LOG__FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(proc);
    let out = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`no "listening" line within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    function finish(error, port) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) { proc.kill('SIGKILL'); reject(error); return; }
      resolve({
        port,
        proc,
        url: `http://127.0.0.1:${port}`,
        output: () => out,
        stop: () => new Promise((res) => {
          if (proc.exitCode !== null) { running.delete(proc); res(proc.exitCode); return; }
          proc.once('exit', (code) => { running.delete(proc); res(code); });
          proc.kill('SIGTERM');
        }),
      });
    }
    const onData = (data) => {
      out += data.toString();
      const match = out.match(/"msg":"listening".*?"port":(\d+)/);
      if (match) finish(null, Number(match[1]));
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => finish(new Error(`exited with ${code} before listening:\n${out}`)));
  });
}

export function startMockUpstream(flags = []) {
  return start(['mock-upstream', '--listen', '127.0.0.1:0', ...flags]);
}

// Starts `sluice serve` with `config` (an object rendered as JSON, which is valid YAML).
export function startSluice(config = {}, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  const file = join(dir, 'sluice.json.yaml');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return start(['serve', '--listen', '127.0.0.1:0', '--config', file],
               { SLUICE_STORAGE__DATA_DIR: join(dir, 'data'), ...env });
}

// A gateway config with one alias served by an OpenAI-compatible upstream at `upstreamUrl`.
export function gatewayConfig(upstreams, extra = {}) {
  return {
    gateway: {
      providers: upstreams.map((u) => ({ name: u.name, type: 'openai', base_url: `${u.url}/v1`,
                                         api_key: 'upstream-key', ...(u.provider ?? {}) })),
      models: extra.models ?? [{ alias: 'test-model', deployments: upstreams.map((u, i) => ({
        provider: u.name, model: u.model ?? 'upstream-model', priority: u.priority ?? i })) }],
      ...(extra.gateway ?? {}),
    },
    ...(extra.root ?? {}),
  };
}

// The ids `client.models.list()` returns once they include `id` (upstream model lists are
// fetched in the background after start), or what it returns after `timeoutMs`.
export async function listedModelIds(client, id, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    if (ids.includes(id) || Date.now() > deadline) return ids;
    await new Promise((r) => setTimeout(r, 20));
  }
}

// For hand-written fake upstreams: answers their model list (empty) and returns true.
export function answeredModelList(req, res) {
  if (req.method !== 'GET' || !req.url.endsWith('/models')) return false;
  res.setHeader('content-type', 'application/json');
  res.end('{"object":"list","data":[]}');
  return true;
}

export async function mockStats(mock) {
  const r = await fetch(`${mock.url}/mock/stats`);
  return r.json();
}

// The last call mock-upstream received that was not its model list (GET /v1/models, which sluice
// may fetch at any time): {method, target, headers (lower-cased names), body (text as sent)}.
// Needs mock-upstream started with --record-requests N.
export async function lastMockRequest(mock) {
  const r = await fetch(`${mock.url}/mock/requests`);
  if (!r.ok) throw new Error(`mock requests failed: ${r.status} ${await r.text()}`);
  const { requests } = await r.json();
  const calls = requests.filter((q) => q.method !== 'GET');
  if (calls.length === 0) throw new Error('mock-upstream recorded no call');
  return calls[calls.length - 1];
}

export async function mockConfig(mock, settings) {
  const r = await fetch(`${mock.url}/mock/config`, { method: 'POST', body: JSON.stringify(settings),
                                                     headers: { 'content-type': 'application/json' } });
  if (!r.ok) throw new Error(`mock config failed: ${r.status} ${await r.text()}`);
}

// The first JSON log line of `proc` for which `match(line)` holds, parsed; waits for it, since a
// request's access-log line is written just after its response.
export async function waitForLog(proc, match, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = proc.output().split('\n').find((l) => l.startsWith('{') && match(l));
    if (line) return JSON.parse(line);
    if (Date.now() > deadline) throw new Error(`no matching log line in:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function metrics(sluice) {
  return (await fetch(`${sluice.url}/metrics`)).text();
}

// The value of the series `name{labels}` (labels exactly as rendered), 0 when absent.
export function metricValue(text, name, labels) {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}
