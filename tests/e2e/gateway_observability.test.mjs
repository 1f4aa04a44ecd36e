// What the gateway tells operators and upstreams: trace propagation, usage, cost, metrics that
// pass promtool, access log fields, timeouts, and providers discovered from the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { answeredModelList, start, startMockUpstream, startSluice, gatewayConfig, listedModelIds, mockStats, waitForLog, metricValue } from './lib/processes.mjs';

// A minimal OpenAI-compatible upstream that records what it was sent.
async function recordingUpstream(usage = { prompt_tokens: 1000, completion_tokens: 500 }) {
  const seen = [];
  const server = http.createServer((req, res) => {
    if (answeredModelList(req, res)) return;
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      seen.push({ headers: req.headers, body: JSON.parse(body), url: req.url });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        id: 'chatcmpl-rec', object: 'chat.completion', created: 1, model: 'priced-model',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { seen, url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}


test('traceparent continues upstream with a new span; request id and key are forwarded', async () => {
  const upstream = await recordingUpstream();
  const sluice = await startSluice(gatewayConfig([{ name: 'rec', url: upstream.url, model: 'priced-model' }]));
  try {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const r = await fetch(`${sluice.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${trace}-00f067aa0ba902b7-01`,
                 'x-request-id': 'client-req-7' },
      body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], custom_field: { kept: true } }),
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-request-id'), 'client-req-7');
    const sent = upstream.seen[0];
    assert.equal(sent.url, '/v1/chat/completions');
    const parts = sent.headers.traceparent.split('-');
    assert.equal(parts[1], trace);
    assert.notEqual(parts[2], '00f067aa0ba902b7');  // our own span
    assert.equal(sent.headers['x-request-id'], 'client-req-7');
    assert.equal(sent.headers.authorization, 'Bearer upstream-key');
    assert.equal(sent.body.model, 'priced-model');  // the alias became the upstream's model id
    assert.deepEqual(sent.body.custom_field, { kept: true });  // unknown fields pass through
  } finally {
    await sluice.stop();
    upstream.close();
  }
});

test('cost from the price table reaches metrics and the access log; metrics pass promtool', async () => {
  const upstream = await recordingUpstream({ prompt_tokens: 1000, completion_tokens: 500 });
  const config = gatewayConfig([{ name: 'rec', url: upstream.url, model: 'priced-model' }],
    { gateway: { prices: [{ model: 'priced-model', input_per_million: 2.5, output_per_million: 10 }] } });
  const sluice = await startSluice(config);
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1` });
    for (let i = 0; i < 2; i++) await client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] });
    await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }));
    const text = await (await fetch(`${sluice.url}/metrics`)).text();
    // 2 x (1000 x 2.5 + 500 x 10) / 1e6 = 0.015 USD
    assert.ok(Math.abs(metricValue(text, 'sluice_cost_usd_total', 'model="priced-model",alias="test-model",key=""') - 0.015) < 1e-9);
    assert.equal(metricValue(text, 'gen_ai_client_token_usage_sum',
      'gen_ai_operation_name="chat",gen_ai_provider_name="rec",gen_ai_request_model="test-model",gen_ai_token_type="input"'), 2000);
    assert.equal(metricValue(text, 'gen_ai_client_operation_duration_seconds_count',
      'gen_ai_operation_name="chat",gen_ai_provider_name="rec",gen_ai_request_model="test-model",error_type=""'), 2);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-prom-'));
    writeFileSync(join(dir, 'scrape.prom'), text);
    const lint = execFileSync('sh', ['-c', `promtool check metrics < ${join(dir, 'scrape.prom')} 2>&1; echo rc=$?`]).toString();
    assert.equal(lint.trim(), 'rc=0', lint);
    const log = await waitForLog(sluice, (l) => l.includes('"route":"/v1/chat/completions"') && l.includes('"status":200'));
    assert.equal(log.deployment, 'rec/priced-model');
    assert.equal(log.prompt_tokens, 1000);
    assert.equal(log.completion_tokens, 500);
    assert.ok(Math.abs(log.cost_usd - 0.0075) < 1e-12);
    assert.equal(log.attempts, 1);
  } finally {
    await sluice.stop();
    upstream.close();
  }
});

test('usage is estimated, and marked so, when the upstream reports none', async () => {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content: 'twelve bytes' }, finish_reason: 'stop' }] }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const sluice = await startSluice(gatewayConfig([{ name: 'bare', url: `http://127.0.0.1:${server.address().port}` }]));
  try {
    const r = await fetch(`${sluice.url}/v1/chat/completions`, { method: 'POST',
      body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'count me please' }] }) });
    assert.equal(r.status, 200);
    await r.text();
    const log = await waitForLog(sluice, (l) => l.includes('"route":"/v1/chat/completions"'));
    assert.equal(log.usage_estimated, true);
    assert.equal(log.completion_tokens, 3);  // 12 bytes / 4
    assert.ok(log.prompt_tokens > 0);
  } finally {
    await sluice.stop();
    server.close();
  }
});

test('a slow first byte hits first_byte_timeout and answers 504', async () => {
  const slow = await startMockUpstream(['--latency-ms', '3000']);
  const sluice = await startSluice(gatewayConfig([{ name: 'slow', url: slow.url, provider: { first_byte_timeout: '300ms' } }],
                                                 { gateway: { retry: { max_attempts: 1 } } }));
  try {
    const started = Date.now();
    const r = await fetch(`${sluice.url}/v1/chat/completions`, { method: 'POST',
      body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] }) });
    assert.equal(r.status, 504);
    const body = await r.json();
    assert.equal(body.error.type, 'server_error');
    assert.match(body.error.message, /first-byte timeout/);
    assert.ok(Date.now() - started < 2000);
    const m = await (await fetch(`${sluice.url}/metrics`)).text();
    assert.equal(metricValue(m, 'sluice_upstream_requests_total', 'deployment="slow/upstream-model",outcome="timeout"'), 1);
  } finally {
    await sluice.stop();
    await slow.stop();
  }
});

test('providers come from OPENAI_API_KEY / OPENAI_BASE_URL when the config names none', async () => {
  const mock = await startMockUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-env-'));
  const sluice = await start(['serve', '--listen', '127.0.0.1:0'],
    { OPENAI_API_KEY: 'sk-from-env', OPENAI_BASE_URL: `${mock.url}/v1`, SLUICE_STORAGE__DATA_DIR: dir });
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1` });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    assert.match(data.choices[0].message.content, /hello/);
    assert.equal(response.headers.get('x-sluice-deployment'), 'openai/gpt-4o-mini');
    const viaPrefix = await client.chat.completions.create({ model: 'openai/gpt-4.1', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(viaPrefix.model, 'gpt-4.1');
    assert.equal((await mockStats(mock)).chat, 2);
  } finally {
    await sluice.stop();
    await mock.stop();
  }
});

test('a keyless OPENAI_BASE_URL sends no Authorization; x-mock-* pass only when opted in', async () => {
  const upstream = await recordingUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-keyless-'));
  const keyless = await start(['serve', '--listen', '127.0.0.1:0'],
    { OPENAI_BASE_URL: `${upstream.url}/v1`, SLUICE_ENV: 'staging', SLUICE_STORAGE__DATA_DIR: dir,
      SLUICE_AUTH__ADMIN_KEY: 'sk-staging' });
  const opted = await startSluice(gatewayConfig([{ name: 'rec', url: upstream.url,
                                                   provider: { forward_mock_headers: true } }]));
  try {
    const chat = (gateway, model) => fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST',
      headers: { 'x-mock-latency-ms': '5', 'X-Mock-Status': '200',
                 authorization: 'Bearer sk-staging' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
    const first = await chat(keyless, 'llama-3');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-sluice-deployment'), 'openai/llama-3');
    const second = await chat(opted, 'test-model');
    assert.equal(second.status, 200);
    assert.equal(upstream.seen.length, 2);
    assert.equal(upstream.seen[0].headers.authorization, undefined);
    assert.equal(upstream.seen[0].headers['x-mock-latency-ms'], undefined);
    assert.equal(upstream.seen[1].headers.authorization, 'Bearer upstream-key');
    assert.equal(upstream.seen[1].headers['x-mock-latency-ms'], '5');
    assert.equal(upstream.seen[1].headers['x-mock-status'], '200');
  } finally {
    await keyless.stop();
    await opted.stop();
    upstream.close();
  }
});

test('with no provider at all the built-in mock answers in dev, and says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-none-'));
  const sluice = await start(['serve', '--listen', '127.0.0.1:0'], { SLUICE_STORAGE__DATA_DIR: dir });
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1` });
    assert.deepEqual(await listedModelIds(client, 'mock/mock'), ['mock', 'mock/mock']);
    const { data: answer, response } = await client.chat.completions
      .create({ model: 'mock', messages: [{ role: 'user', content: 'ping' }] }).withResponse();
    assert.match(answer.choices[0].message.content, /ping/);
    assert.match(response.headers.get('x-sluice-deployment'), /^mock\//);
    const warnings = sluice.output().split('\n').filter((l) => l.includes('serving fake answers'));
    assert.equal(warnings.length, 1, sluice.output());
    assert.match(warnings[0], /"level":"warn"/);
  } finally {
    await sluice.stop();
  }
});
