// Fault handling through sluice against misbehaving mock-upstream instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { startMockUpstream, startSluice, gatewayConfig, mockStats, mockConfig, metrics, metricValue } from './lib/processes.mjs';

const ask = (client, extra = {}) => client.chat.completions.create({
  model: 'test-model', messages: [{ role: 'user', content: 'hello' }], ...extra });


test('primary answering 500 -> the fallback serves every request', async () => {
  const broken = await startMockUpstream(['--error-rate', '1', '--error-status', '500']);
  const healthy = await startMockUpstream();
  const sluice = await startSluice(gatewayConfig(
    [{ name: 'primary', url: broken.url }, { name: 'secondary', url: healthy.url }],
    { gateway: { circuit_breaker: { failure_threshold: 1000 } } }));
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 20; i++) {
      const { data, response } = await ask(client).withResponse();
      assert.equal(data.choices[0].finish_reason, 'stop');
      assert.equal(response.headers.get('x-sluice-deployment'), 'secondary/upstream-model');
    }
    assert.equal((await mockStats(healthy)).chat, 20);
    assert.equal((await mockStats(broken)).chat, 20);  // tried first each time (priority 0)
    const m = await metrics(sluice);
    assert.equal(metricValue(m, 'sluice_upstream_requests_total', 'deployment="primary/upstream-model",outcome="upstream_5xx"'), 20);
    assert.equal(metricValue(m, 'sluice_upstream_requests_total', 'deployment="secondary/upstream-model",outcome="success"'), 20);
  } finally {
    await sluice.stop(); await broken.stop(); await healthy.stop();
  }
});

test('fallback aliases serve when every deployment of the alias fails', async () => {
  const broken = await startMockUpstream(['--error-rate', '1', '--error-status', '503']);
  const healthy = await startMockUpstream();
  const config = gatewayConfig([{ name: 'a', url: broken.url }, { name: 'b', url: healthy.url }], {
    models: [
      { alias: 'test-model', deployments: [{ provider: 'a', model: 'm1' }], fallbacks: ['backup'] },
      { alias: 'backup', deployments: [{ provider: 'b', model: 'm2' }] },
    ] });
  const sluice = await startSluice(config);
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
    const { response } = await ask(client).withResponse();
    assert.equal(response.headers.get('x-sluice-deployment'), 'b/m2');
  } finally {
    await sluice.stop(); await broken.stop(); await healthy.stop();
  }
});

test('circuit opens after the threshold and half-opens after the cool-down', async () => {
  const flaky = await startMockUpstream(['--error-rate', '1', '--error-status', '502']);
  const healthy = await startMockUpstream();
  const sluice = await startSluice(gatewayConfig(
    [{ name: 'primary', url: flaky.url }, { name: 'secondary', url: healthy.url }],
    { gateway: { circuit_breaker: { failure_threshold: 3, cooldown: '1s', half_open_requests: 1 } } }));
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await ask(client);
    assert.equal((await mockStats(flaky)).chat, 3);
    let m = await metrics(sluice);
    assert.equal(metricValue(m, 'sluice_circuit_state', 'deployment="primary/upstream-model"'), 2);
    for (let i = 0; i < 5; i++) await ask(client);  // open: the primary is skipped
    assert.equal((await mockStats(flaky)).chat, 3);
    await mockConfig(flaky, { error_rate: 0 });  // the primary recovers
    await new Promise((r) => setTimeout(r, 1200));
    m = await metrics(sluice);
    assert.equal(metricValue(m, 'sluice_circuit_state', 'deployment="primary/upstream-model"'), 1);
    const { response } = await ask(client).withResponse();  // the half-open probe succeeds
    assert.equal(response.headers.get('x-sluice-deployment'), 'primary/upstream-model');
    m = await metrics(sluice);
    assert.equal(metricValue(m, 'sluice_circuit_state', 'deployment="primary/upstream-model"'), 0);
  } finally {
    await sluice.stop(); await flaky.stop(); await healthy.stop();
  }
});

test('readiness stays green while every deployment is circuit-open; chat answers 503 with Retry-After', async () => {
  const broken = await startMockUpstream(['--error-rate', '1', '--error-status', '500']);
  const sluice = await startSluice(gatewayConfig([{ name: 'only', url: broken.url }],
    { gateway: { circuit_breaker: { failure_threshold: 2, cooldown: '30s' }, retry: { max_attempts: 1 } } }));
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
    assert.equal((await fetch(`${sluice.url}/readyz`)).status, 200);
    for (let i = 0; i < 2; i++) await assert.rejects(ask(client), OpenAI.InternalServerError);
    assert.equal((await fetch(`${sluice.url}/readyz`)).status, 200);
    const ready = await fetch(`${sluice.url}/readyz?verbose`);
    assert.equal(ready.status, 200);
    assert.match(await ready.text(), /"upstreams":\[\{"name":"only\/upstream-model","ok":false,"detail":"circuit open"\}\]/);
    const refused = await fetch(`${sluice.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] }) });
    assert.equal(refused.status, 503);
    assert.equal((await refused.json()).error.code, 'deployments_unavailable');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 30, `Retry-After ${retryAfter}`);
    const m = await metrics(sluice);
    assert.equal(metricValue(m, 'sluice_circuit_transitions_total', 'deployment="only/upstream-model",to="open"'), 1);
  } finally {
    await sluice.stop(); await broken.stop();
  }
});

test('connection reset before the first byte is retried', async () => {
  const resetting = await startMockUpstream(['--reset-rate', '1']);
  const healthy = await startMockUpstream();
  const sluice = await startSluice(gatewayConfig(
    [{ name: 'primary', url: resetting.url }, { name: 'secondary', url: healthy.url }]));
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
    const { response } = await ask(client).withResponse();
    assert.equal(response.headers.get('x-sluice-deployment'), 'secondary/upstream-model');
    assert.ok((await mockStats(resetting)).resets >= 1);
  } finally {
    await sluice.stop(); await resetting.stop(); await healthy.stop();
  }
});

test('same deployment retried with backoff after a reset', async () => {
  const mock = await startMockUpstream();
  const sluice = await startSluice(gatewayConfig([{ name: 'only', url: mock.url }],
    { gateway: { retry: { max_attempts: 3, base_backoff: '10ms' } } }));
  try {
    await mockConfig(mock, { reset_rate: 1 });
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
    await assert.rejects(ask(client), (e) => e.status === 502);
    assert.equal((await mockStats(mock)).resets, 3);  // max_attempts, then give up
  } finally {
    await sluice.stop(); await mock.stop();
  }
});

test('an upstream stall mid-stream hits the idle timeout and ends with an error event', async () => {
  const stalling = await startMockUpstream(['--chunks', '10', '--stall-after-chunks', '3']);
  const sluice = await startSluice(gatewayConfig([{ name: 'primary', url: stalling.url,
                                                    provider: { idle_timeout: '500ms' } }]));
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
    const stream = await ask(client, { stream: true });
    let chunks = 0;
    const started = Date.now();
    await assert.rejects(async () => { for await (const _ of stream) chunks++; }, (error) => {
      assert.ok(error instanceof OpenAI.APIError, `got ${error?.constructor?.name}: ${error}`);
      assert.match(error.message, /idle timeout/);
      return true;
    });
    assert.ok(chunks >= 1 && chunks <= 4, `chunks before the stall: ${chunks}`);
    assert.ok(Date.now() - started < 5000);
    assert.equal((await mockStats(stalling)).stream, 1);  // never retried after bytes reached us
  } finally {
    await sluice.stop(); await stalling.stop();
  }
});

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)[1]);
}

test('a slow client reading a fast stream keeps gateway memory bounded', async () => {
  const mock = await startMockUpstream(['--chunks', '20000', '--reply-tokens', '4000000']);
  const sluice = await startSluice(gatewayConfig([{ name: 'primary', url: mock.url }]));
  try {
    const before = rssKiB(sluice.proc.pid);
    const body = JSON.stringify({ model: 'test-model', stream: true,
                                  messages: [{ role: 'user', content: 'x'.repeat(200) }] });
    const socket = net.connect(sluice.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.pause();  // read nothing: the gateway must stop pulling from the upstream
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n` +
                 `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await new Promise((r) => setTimeout(r, 2000));
    const during = rssKiB(sluice.proc.pid);
    // ~16 MB of answer in 20000 chunks: more than loopback socket buffers can absorb, so the
    // gateway has to stop reading from the upstream and hold little itself.
    assert.ok(during - before < 2048, `gateway RSS grew ${during - before} KiB for one stalled reader`);
    let received = 0;
    socket.on('data', (d) => { received += d.length; });
    socket.resume();
    await new Promise((r) => socket.on('end', r).on('close', r));
    assert.ok(received > 16_000_000, `the whole stream arrives once the client reads: ${received} bytes`);
  } finally {
    await sluice.stop(); await mock.stop();
  }
});
