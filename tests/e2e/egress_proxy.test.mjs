// Upstream calls through a corporate egress proxy: a real one (Debian's tinyproxy, on an
// ephemeral loopback port, with a config file written here) between sluice and mock-upstream.
// https upstreams go through CONNECT with TLS inside the tunnel, checked against the upstream's
// name; http ones as absolute-form requests. tinyproxy's own log proves what went through it.
// The TLS upstream is mock-upstream behind a Node TLS front on 127.0.0.2, so that the upstream's
// address differs from the proxy's (127.0.0.1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import OpenAI, { toFile } from 'openai';
import { makeCa } from './lib/certificates.mjs';
import { BINARY, mockStats, startMockUpstream, startSluice, waitForLog } from './lib/processes.mjs';

let ca;
let mock;
let proxy;      // open to anyone on loopback
let authProxy;  // Basic credentials sluice / s3cret
const fronts = {};

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilListening(port, proc, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) return false;
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

// tinyproxy in the foreground with its own config and log; `requests()` are its log's request
// lines ("CONNECT 127.0.0.2:4431 HTTP/1.1", "POST http://127.0.0.1:80/v1/... HTTP/1.1").
async function startTinyproxy({ user, password } = {}) {
  assert.ok(existsSync('/usr/bin/tinyproxy'), 'tinyproxy is missing: run scripts/deps.sh');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tinyproxy-'));
  const logFile = join(dir, 'tinyproxy.log');
  for (let tries = 0; ; ++tries) {
    const port = await freePort();
    writeFileSync(join(dir, 'tinyproxy.conf'), [
      `Port ${port}`, 'Listen 127.0.0.1', 'Timeout 60', `LogFile "${logFile}"`, 'LogLevel Connect',
      'MaxClients 64', 'Allow 127.0.0.1', 'DisableViaHeader Yes',
      ...(user ? [`BasicAuth ${user} ${password}`] : []), ''].join('\n'));
    const proc = spawn('tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: 'ignore' });
    if (await waitUntilListening(port, proc)) {
      return {
        port,
        url: `http://127.0.0.1:${port}`,
        requests: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
          .split('\n').map((l) => l.match(/Request \(file descriptor \d+\): (.*)$/)?.[1]).filter(Boolean),
        stop: () => new Promise((resolve) => {
          if (proc.exitCode !== null) { resolve(); return; }
          proc.once('exit', resolve);
          proc.kill('SIGTERM');
        }),
      };
    }
    proc.kill('SIGKILL');
    if (tries === 2) throw new Error(`tinyproxy did not start:\n${readFileSync(logFile, 'utf8')}`);
  }
}

// TLS terminated here, the bytes relayed to mock-upstream; records each handshake's SNI.
async function tlsFront(certificate, host) {
  const seen = { handshakes: 0, servernames: [] };
  const server = tls.createServer(certificate, (socket) => {
    seen.handshakes += 1;
    seen.servernames.push(socket.servername);
    const upstream = net.connect(mock.port, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise((resolve) => server.listen(0, host, resolve));
  return { server, seen, host, port: server.address().port };
}

before(async () => {
  ca = makeCa();
  mock = await startMockUpstream();
  fronts.right = await tlsFront(ca.certificate('upstream', 'IP:127.0.0.2'), '127.0.0.2');
  // A certificate for the proxy's address, not the upstream's: must never be accepted.
  fronts.proxyNamed = await tlsFront(ca.certificate('proxy-address', 'IP:127.0.0.1'), '127.0.0.2');
  fronts.byName = await tlsFront(ca.certificate('localhost', 'DNS:localhost'), '127.0.0.1');
  proxy = await startTinyproxy();
  authProxy = await startTinyproxy({ user: 'sluice', password: 's3cret' });
});

after(async () => {
  for (const front of Object.values(fronts)) front.server.close();
  await proxy?.stop();
  await authProxy?.stop();
  await mock?.stop();
});

function provider(name, baseUrl, extra = {}) {
  return { name, type: 'openai', base_url: baseUrl, api_key: 'k', ca_file: ca.caFile, ...extra };
}
const tlsUrl = (front) => `https://${front.host}:${front.port}/v1`;
const plainUrl = () => `http://127.0.0.1:${mock.port}/v1`;

// One event loop, no background model-list fetches and no retries: what the proxy sees is
// exactly the test's requests.
function config(providers, root = {}, gateway = {}) {
  return {
    server: { threads: 1 },
    gateway: {
      providers,
      models: providers.map((p) => ({ alias: p.name, deployments: [{ provider: p.name, model: 'm' }] })),
      models_refresh: 0,
      retry: { max_attempts: 1 },
      ...gateway,
    },
    ...root,
  };
}

function client(sluice) {
  return new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
}

async function chat(sluice, model, content) {
  const answer = await client(sluice).chat.completions.create({ model, messages: [{ role: 'user', content }] });
  return answer.choices[0].message.content;
}

async function streamedChat(sluice, model, content) {
  let text = '';
  for await (const chunk of await client(sluice).chat.completions.create({
    model, stream: true, messages: [{ role: 'user', content }] }))
    text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

async function rawChat(sluice, model) {
  const r = await fetch(`${sluice.url}/v1/chat/completions`, { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }) });
  return { status: r.status, body: await r.json() };
}

test('an https upstream is reached through CONNECT, TLS inside one pooled tunnel', async () => {
  const seenBefore = proxy.requests().length;
  const handshakesBefore = fronts.right.seen.handshakes;
  const statsBefore = await mockStats(mock);
  const sluice = await startSluice(config([provider('corp', tlsUrl(fronts.right))],
                                          { egress_proxy: { url: proxy.url } }));
  try {
    const connect = `CONNECT 127.0.0.2:${fronts.right.port} HTTP/1.1`;
    assert.match(await chat(sluice, 'corp', 'Through the tunnel'), /Through the tunnel/);
    assert.match(await chat(sluice, 'corp', 'Once more'), /Once more/);
    // One CONNECT and one TLS handshake for two calls: the tunnel was pooled and reused.
    assert.deepEqual(proxy.requests().slice(seenBefore), [connect]);
    assert.equal(fronts.right.seen.handshakes - handshakesBefore, 1);
    assert.match(await streamedChat(sluice, 'corp', 'Streamed through'), /Streamed through/);
    const stats = await mockStats(mock);
    assert.equal(stats.chat - statsBefore.chat, 3);
    assert.equal(stats.stream - statsBefore.stream, 1);
    // Every TLS session the upstream saw came through a CONNECT to it.
    const connects = proxy.requests().slice(seenBefore);
    assert.ok(connects.every((line) => line === connect), connects.join('\n'));
    assert.equal(connects.length, fronts.right.seen.handshakes - handshakesBefore);
    const route = await waitForLog(sluice, (l) => l.includes('"msg":"egress route"'));
    assert.equal(route.provider, 'corp');
    assert.equal(route.egress_proxy, proxy.url);
    assert.equal(route.set_by, 'egress_proxy.url');
  } finally {
    await sluice.stop();
  }
});

test('the certificate is checked against the upstream, never the proxy', async () => {
  const seenBefore = proxy.requests().length;
  const sluice = await startSluice(config([provider('corp', tlsUrl(fronts.proxyNamed))],
                                          { egress_proxy: { url: proxy.url } }));
  try {
    const { status, body } = await rawChat(sluice, 'corp');
    assert.equal(status, 502);
    assert.match(body.error.message, /TLS handshake with 127\.0\.0\.2 failed/);
    assert.deepEqual(proxy.requests().slice(seenBefore), [`CONNECT 127.0.0.2:${fronts.proxyNamed.port} HTTP/1.1`]);
  } finally {
    await sluice.stop();
  }
});

test('SNI names the upstream, whose name only the proxy resolves', async (t) => {
  try {
    await lookup('localhost');
  } catch {
    t.skip('this machine cannot resolve localhost, so neither can the proxy');
    return;
  }
  const sluice = await startSluice(config([provider('named', `https://localhost:${fronts.byName.port}/v1`)],
                                          { egress_proxy: { url: proxy.url } }));
  try {
    assert.match(await chat(sluice, 'named', 'By name'), /By name/);
    assert.deepEqual(fronts.byName.seen.servernames, ['localhost']);
    assert.ok(proxy.requests().includes(`CONNECT localhost:${fronts.byName.port} HTTP/1.1`));
  } finally {
    await sluice.stop();
  }
});

test('a plain-http upstream gets absolute-form requests through the proxy of HTTP_PROXY', async () => {
  const seenBefore = proxy.requests().length;
  const statsBefore = await mockStats(mock);
  const sluice = await startSluice(config([provider('plain', plainUrl())]), { HTTP_PROXY: proxy.url });
  try {
    assert.match(await chat(sluice, 'plain', 'Forwarded'), /Forwarded/);
    assert.match(await streamedChat(sluice, 'plain', 'Forwarded stream'), /Forwarded stream/);
    assert.equal((await mockStats(mock)).chat - statsBefore.chat, 2);
    const line = `POST http://127.0.0.1:${mock.port}/v1/chat/completions HTTP/1.1`;
    assert.deepEqual(proxy.requests().slice(seenBefore), [line, line]);
    const route = await waitForLog(sluice, (l) => l.includes('"msg":"egress route"'));
    assert.equal(route.set_by, 'HTTP_PROXY');
  } finally {
    await sluice.stop();
  }
});

test('NO_PROXY sends the hosts it lists direct, and only those', async () => {
  const seenBefore = proxy.requests().length;
  const statsBefore = await mockStats(mock);
  const sluice = await startSluice(
    config([provider('plain', plainUrl()), provider('corp', tlsUrl(fronts.right))]),
    { http_proxy: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: 'example.test, 127.0.0.1' });
  try {
    assert.match(await chat(sluice, 'plain', 'Direct'), /Direct/);
    assert.match(await streamedChat(sluice, 'corp', 'Proxied'), /Proxied/);
    assert.equal((await mockStats(mock)).chat - statsBefore.chat, 2);
    // Only the https upstream on 127.0.0.2 went through the proxy.
    assert.deepEqual(proxy.requests().slice(seenBefore), [`CONNECT 127.0.0.2:${fronts.right.port} HTTP/1.1`]);
    const direct = await waitForLog(sluice, (l) => l.includes('"msg":"egress route"') && l.includes('"plain"'));
    assert.equal(direct.egress_proxy, 'none');
    assert.equal(direct.set_by, 'NO_PROXY entry 127.0.0.1');
  } finally {
    await sluice.stop();
  }
});

test('trace exports follow the same settings', async () => {
  // mock-upstream plays the collector: what it answers does not matter, the proxy's log does.
  const exports = `POST http://127.0.0.1:${mock.port}/v1/traces HTTP/1.1`;
  const chats = `POST http://127.0.0.1:${mock.port}/v1/chat/completions HTTP/1.1`;
  const count = (line) => proxy.requests().filter((l) => l === line).length;
  const [exportsBefore, chatsBefore] = [count(exports), count(chats)];
  const sluice = await startSluice(
    config([provider('plain', plainUrl(), { egress_proxy: 'none' })],
           { tracing: { endpoint: `http://127.0.0.1:${mock.port}`, batch_delay: '50ms' } }),
    { HTTP_PROXY: proxy.url });
  try {
    assert.match(await chat(sluice, 'plain', 'Traced'), /Traced/);
    const deadline = Date.now() + 5000;
    while (count(exports) === exportsBefore) {
      assert.ok(Date.now() < deadline, `no export through the proxy:\n${proxy.requests().join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(count(chats), chatsBefore);  // the provider's own `none` kept its call direct
  } finally {
    await sluice.stop();
  }
});

test('proxy credentials: Basic from the URL user and password_file, through CONNECT and forwarding', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-proxy-secret-'));
  const passwordFile = join(dir, 'proxy-password');
  writeFileSync(passwordFile, 's3cret\n');
  const seenBefore = authProxy.requests().length;
  const sluice = await startSluice(config(
    [provider('corp', tlsUrl(fronts.right)), provider('plain', plainUrl())],
    { egress_proxy: { url: `http://sluice@127.0.0.1:${authProxy.port}`, password_file: passwordFile } }));
  try {
    assert.match(await chat(sluice, 'corp', 'Authenticated tunnel'), /Authenticated tunnel/);
    assert.match(await chat(sluice, 'plain', 'Authenticated forward'), /Authenticated forward/);
    assert.equal(authProxy.requests().length - seenBefore, 2);
    assert.doesNotMatch(sluice.output(), /s3cret/);
  } finally {
    await sluice.stop();
  }
});

test('a 407 is a connect failure that names the proxy status, bounded by the retry policy', async () => {
  const sluice = await startSluice(config(
    [provider('corp', tlsUrl(fronts.right)), provider('plain', plainUrl())],
    { egress_proxy: { url: `http://127.0.0.1:${authProxy.port}` } },  // no credentials
    { retry: { max_attempts: 2, base_backoff: '10ms', max_backoff: '20ms' } }));
  try {
    for (const [model, what] of [['corp', /refused CONNECT 127\.0\.0\.2:\d+: 407 Proxy Authentication Required/],
                                 ['plain', /refused to forward to 127\.0\.0\.1: 407 Proxy Authentication Required/]]) {
      const { status, body } = await rawChat(sluice, model);
      assert.equal(status, 502);
      assert.match(body.error.message, what);
      assert.match(body.error.message, /no credentials were sent/);
      const line = await waitForLog(sluice, (l) => l.includes('"route":"/v1/chat/completions"') &&
                                                  l.includes(`"model":"${model}"`));
      assert.equal(line.outcome, 'connect');
      assert.equal(line.attempts, 2);
      assert.match(line.upstream_error, /407/);
    }
  } finally {
    await sluice.stop();
  }
});

// An upload can be sent once: through a forwarding proxy it waits for 100 Continue, so that the
// proxy's 407 takes none of it and the next deployment gets it whole, the model first or after a
// spooled file. Through a proxy that accepts, it arrives whole.
test('an upload the proxy refuses (407) goes whole to the next deployment', async () => {
  const sluice = await startSluice({
    server: { threads: 1 },
    gateway: {
      providers: [
        provider('refused', plainUrl(), { egress_proxy: `http://127.0.0.1:${authProxy.port}` }),
        provider('forwarded', plainUrl(), { egress_proxy: proxy.url }),
        provider('direct', plainUrl(), { egress_proxy: 'none' }),
      ],
      models: [
        { alias: 'failover', deployments: [{ provider: 'refused', model: 'whisper-1' },
                                           { provider: 'direct', model: 'whisper-1', priority: 1 }] },
        { alias: 'forwarded', deployments: [{ provider: 'forwarded', model: 'whisper-1' }] },
      ],
      models_refresh: 0,
    },
  });
  try {
    const bytes = Buffer.alloc(200_000, 7);
    const openai = client(sluice);
    for (const [order, params] of [['model first', async () => ({ model: 'failover', file: await toFile(bytes, 'a.wav') })],
                                   ['model last', async () => ({ file: await toFile(bytes, 'a.wav'), model: 'failover' })]]) {
      const { data, response } = await openai.audio.transcriptions.create(await params()).withResponse();
      assert.match(data.text, /^Transcribed 200000 bytes of a\.wav .* with whisper-1\.$/, order);
      assert.equal(response.headers.get('x-sluice-deployment'), 'direct/whisper-1', order);
    }
    const uploads = () => sluice.output().split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"route":"/v1/audio/transcriptions"'));
    for (const deadline = Date.now() + 3000; uploads().length < 2 && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 20));  // the access log follows the answer
    assert.equal(uploads().length, 2, sluice.output());
    for (const line of uploads().map((l) => JSON.parse(l))) {
      assert.equal(line.attempts, 2);
      assert.equal(line.status, 200);
    }
    const seenBefore = proxy.requests().length;
    const text = await openai.audio.transcriptions.create({ model: 'forwarded', file: await toFile(bytes, 'b.wav') });
    assert.match(text.text, /^Transcribed 200000 bytes of b\.wav /);
    assert.deepEqual(proxy.requests().slice(seenBefore),
                     [`POST http://127.0.0.1:${mock.port}/v1/audio/transcriptions HTTP/1.1`]);
  } finally {
    await sluice.stop();
  }
});

test('any refusal of CONNECT is a connect failure with the proxy status (tinyproxy: 401 for a wrong password)', async () => {
  const sluice = await startSluice(config([provider('corp', tlsUrl(fronts.right))],
                                          { egress_proxy: { url: `http://sluice:wrong@127.0.0.1:${authProxy.port}` } }));
  try {
    const { status, body } = await rawChat(sluice, 'corp');
    assert.equal(status, 502);
    assert.match(body.error.message, /egress proxy 127\.0\.0\.1:\d+ refused CONNECT 127\.0\.0\.2:\d+: 401 Unauthorized/);
    assert.doesNotMatch(JSON.stringify(body), /wrong/);
    const line = await waitForLog(sluice, (l) => l.includes('"route":"/v1/chat/completions"'));
    assert.equal(line.outcome, 'connect');
    assert.doesNotMatch(sluice.output(), /wrong/);
  } finally {
    await sluice.stop();
  }
});

test('a proxy that is down gives the client a clear error', async () => {
  const closed = await freePort();
  const sluice = await startSluice(config([provider('corp', tlsUrl(fronts.right))],
                                          { egress_proxy: { url: `http://127.0.0.1:${closed}` } }));
  try {
    const { status, body } = await rawChat(sluice, 'corp');
    assert.equal(status, 502);
    assert.match(body.error.message, new RegExp(`cannot connect to egress proxy 127\\.0\\.0\\.1:${closed}`));
    const line = await waitForLog(sluice, (l) => l.includes('"route":"/v1/chat/completions"'));
    assert.equal(line.outcome, 'connect');
  } finally {
    await sluice.stop();
  }
});

function check(cfg, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-check-'));
  const file = join(dir, 'sluice.json.yaml');
  writeFileSync(file, JSON.stringify({ ...cfg, server: { listen: '127.0.0.1:0' } }));
  return new Promise((resolve) => {
    execFile(BINARY, ['check', '--config', file],
             { env: { PATH: process.env.PATH, SLUICE_STORAGE__DATA_DIR: join(dir, 'data'), ...env } },
             (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stderr }));
  });
}

test('sluice check shows the proxy without its password and probes the tunnel', async () => {
  const good = await check(config([provider('corp', tlsUrl(fronts.right))],
                                  { egress_proxy: { url: `http://sluice:s3cret@127.0.0.1:${authProxy.port}` } }));
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stderr, new RegExp(`https upstreams via http://sluice:<redacted>@127\\.0\\.0\\.1:${authProxy.port} \\(egress_proxy\\.url\\)`));
  assert.match(good.stderr, /provider corp via http:\/\/sluice:<redacted>@/);
  assert.doesNotMatch(good.stderr, /s3cret/);

  const refused = await check(config([provider('corp', tlsUrl(fronts.right))],
                                     { egress_proxy: { url: `http://sluice:wrong@127.0.0.1:${authProxy.port}` } }));
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /egress_proxy\.url: provider corp is unreachable through the egress proxy: .*refused CONNECT 127\.0\.0\.2:\d+: 401 Unauthorized/);
  assert.doesNotMatch(refused.stderr, /wrong/);

  const anonymous = await check(config([provider('corp', tlsUrl(fronts.right))], {}),
                                { HTTPS_PROXY: `127.0.0.1:${authProxy.port}` });
  assert.equal(anonymous.code, 1, anonymous.stderr);
  assert.match(anonymous.stderr, /HTTPS_PROXY: provider corp is unreachable through the egress proxy: .*407 Proxy Authentication Required/);
});
