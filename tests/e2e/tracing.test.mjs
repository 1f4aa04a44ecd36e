// Traces: spans exported with OTLP/HTTP to a collector on loopback that decodes each request
// with the official OpenTelemetry protocol definitions (the protobufjs root generated from
// opentelemetry-proto that @opentelemetry/otlp-transformer ships), checked for names, parentage,
// attributes and token counts; and a collector that refuses or hangs never slows requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { createRequire } from 'node:module';
import { answeredModelList, startSluice, gatewayConfig, metrics, metricValue } from './lib/processes.mjs';

const require = createRequire(import.meta.url);
const { opentelemetry } = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const ExportTraceServiceRequest = opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const ExportTraceServiceResponse = opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
const SpanKind = opentelemetry.proto.trace.v1.Span.SpanKind;
const StatusCode = opentelemetry.proto.trace.v1.Status.StatusCode;

const hex = (bytes) => Buffer.from(bytes ?? []).toString('hex');
// int64 and fixed64 decode as Long objects (or numbers when small).
const num = (v) => (typeof v === 'number' ? v : Number(v.toString()));

// Plain JS values of a KeyValue list.
function attributesOf(list) {
  const out = {};
  for (const { key, value } of list ?? []) {
    // `value` is the oneof: the name of the member that is set.
    out[key] = value.value === 'intValue' ? num(value.intValue) : value[value.value];
  }
  return out;
}

// An OTLP/HTTP collector: decodes every export, keeps each span with its resource's attributes.
async function startCollector() {
  const spans = [];
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push({ url: req.url, headers: req.headers });
      const decoded = ExportTraceServiceRequest.decode(Buffer.concat(chunks));
      ExportTraceServiceRequest.verify(decoded);
      for (const rs of decoded.resourceSpans) {
        const resource = attributesOf(rs.resource?.attributes);
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({
              traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: hex(s.parentSpanId),
              name: s.name, kind: s.kind, attributes: attributesOf(s.attributes),
              start: BigInt(s.startTimeUnixNano.toString()), end: BigInt(s.endTimeUnixNano.toString()),
              status: s.status ?? {}, flags: s.flags, resource, scope: ss.scope?.name,
            });
          }
        }
      }
      res.setHeader('content-type', 'application/x-protobuf');
      res.end(Buffer.from(ExportTraceServiceResponse.encode({}).finish()));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { spans, requests, url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

// An OpenAI-compatible upstream answering with fixed usage (or `status`), recording traceparent.
async function startUpstream({ status = 200 } = {}) {
  const seen = [];
  const server = http.createServer((req, res) => {
    if (answeredModelList(req, res)) return;
    req.resume();
    req.on('end', () => {
      seen.push(req.headers.traceparent);
      res.setHeader('content-type', 'application/json');
      if (status !== 200) {
        res.statusCode = status;
        res.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
        return;
      }
      res.end(JSON.stringify({
        id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'upstream-model',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { seen, url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

async function waitFor(what, check, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function chat(sluice, headers = {}) {
  return fetch(`${sluice.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'tracing-test/1', ...headers },
    body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 20, temperature: 0.5 }),
  });
}

const tracingConfig = (upstreams, tracing) => gatewayConfig(upstreams, {
  root: { server: { threads: 1 }, tracing: { batch_delay: '50ms', ...tracing } },
});

test('spans: server request and each upstream attempt, continuing the caller\'s trace', async () => {
  const collector = await startCollector();
  const failing = await startUpstream({ status: 503 });
  const upstream = await startUpstream();
  const sluice = await startSluice(
    tracingConfig([{ name: 'flaky', url: failing.url }, { name: 'steady', url: upstream.url }], {}),
    { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'sluice-e2e',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20collector-token' });
  try {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const r = await chat(sluice, { traceparent: `00-${traceId}-${callerSpan}-01` });
    assert.equal(r.status, 200);
    await r.text();

    const mine = () => collector.spans.filter((s) => s.traceId === traceId);
    await waitFor('three spans', () => mine().length >= 3);
    const spans = mine();
    assert.equal(spans.length, 3);
    const server = spans.find((s) => s.kind === SpanKind.SPAN_KIND_SERVER);
    const attempts = spans.filter((s) => s.kind === SpanKind.SPAN_KIND_CLIENT)
      .sort((a, b) => a.attributes['sluice.attempt'] - b.attributes['sluice.attempt']);
    assert.ok(server, 'a server span');
    assert.equal(attempts.length, 2);

    // The server span continues the caller's trace under the caller's span.
    assert.equal(server.name, 'POST /v1/chat/completions');
    assert.equal(server.parentSpanId, callerSpan);
    assert.equal(server.attributes['http.request.method'], 'POST');
    assert.equal(server.attributes['http.route'], '/v1/chat/completions');
    assert.equal(server.attributes['http.response.status_code'], 200);
    assert.equal(server.attributes['user_agent.original'], 'tracing-test/1');
    assert.equal(server.attributes['sluice.request_id'], r.headers.get('x-request-id'));
    assert.equal(server.resource['service.name'], 'sluice-e2e');
    assert.ok(server.resource['service.version']);
    assert.equal(server.scope, 'sluice');
    assert.equal(server.flags & 0xff, 1);

    // Each attempt is a client span under the server span, after the GenAI conventions; its own
    // span id is what the upstream received.
    const [first, second] = attempts;
    for (const [attempt, up] of [[first, failing], [second, upstream]]) {
      assert.equal(attempt.parentSpanId, server.spanId);
      assert.equal(attempt.name, 'chat upstream-model');
      assert.equal(attempt.attributes['gen_ai.operation.name'], 'chat');
      assert.equal(attempt.attributes['gen_ai.request.model'], 'upstream-model');
      assert.equal(attempt.attributes['gen_ai.request.max_tokens'], 20);
      assert.equal(attempt.attributes['gen_ai.request.temperature'], 0.5);
      assert.equal(attempt.attributes['sluice.model'], 'test-model');
      assert.equal(up.seen.length, 1);
      assert.equal(up.seen[0], `00-${traceId}-${attempt.spanId}-01`);
      assert.ok(attempt.start >= server.start && attempt.end <= server.end, 'inside the request');
    }
    assert.equal(first.attributes['gen_ai.provider.name'], 'flaky');
    assert.equal(first.attributes['error.type'], 'upstream_5xx');
    assert.equal(first.status.code, StatusCode.STATUS_CODE_ERROR);
    assert.equal(first.attributes['sluice.attempt.kind'], 'first');
    assert.equal(second.attributes['gen_ai.provider.name'], 'steady');
    assert.equal(second.attributes['sluice.deployment'], 'steady/upstream-model');
    assert.equal(second.attributes['sluice.attempt'], 2);
    assert.equal(second.attributes['gen_ai.usage.input_tokens'], 12);
    assert.equal(second.attributes['gen_ai.usage.output_tokens'], 3);
    assert.equal(second.attributes['error.type'], undefined);
    assert.notEqual(second.status.code, StatusCode.STATUS_CODE_ERROR);

    // OTLP/HTTP as specified: protobuf POSTed to /v1/traces, with the configured headers.
    assert.equal(collector.requests[0].url, '/v1/traces');
    assert.equal(collector.requests[0].headers['content-type'], 'application/x-protobuf');
    assert.equal(collector.requests[0].headers.authorization, 'Bearer collector-token');
    await waitFor('the exported counter', async () => {
      const m = (await metrics(sluice)).match(/^sluice_trace_spans_exported_total (\S+)$/m);
      return m && Number(m[1]) >= 3;
    });
  } finally {
    await sluice.stop();
    collector.close(); failing.close(); upstream.close();
  }
});

test('a request without traceparent starts a trace; one the caller did not sample is not recorded', async () => {
  const collector = await startCollector();
  const upstream = await startUpstream();
  const sluice = await startSluice(tracingConfig([{ name: 'steady', url: upstream.url }], { endpoint: collector.url }));
  try {
    const unsampled = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    await (await chat(sluice, { traceparent: `00-${unsampled}-00f067aa0ba902b7-00` })).text();
    // Its context still goes upstream, unsampled.
    assert.match(upstream.seen[0], new RegExp(`^00-${unsampled}-[0-9a-f]{16}-00$`));
    await (await chat(sluice)).text();
    // One event loop: the second request's spans come after whatever the first would have made.
    const server = await waitFor('a new trace', () => collector.spans.find(
      (s) => s.kind === SpanKind.SPAN_KIND_SERVER && s.traceId !== unsampled));
    await waitFor('its attempt', () => collector.spans.some((s) => s.parentSpanId === server.spanId));
    assert.equal(server.parentSpanId, '');
    assert.equal(upstream.seen[1].split('-')[1], server.traceId);
    assert.equal(collector.spans.filter((s) => s.traceId === unsampled).length, 0);
  } finally {
    await sluice.stop();
    collector.close(); upstream.close();
  }
});

// Sequential requests' wall time through a sluice with the given tracing settings.
async function timedRequests(sluice, count) {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const r = await chat(sluice);
    assert.equal(r.status, 200);
    await r.text();
  }
  return performance.now() - started;
}

async function closedPort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  await new Promise((r) => server.close(r));
  return port;
}

// Accepts connections and never answers: a hung collector.
async function startBlackhole() {
  const sockets = new Set();
  const server = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); s.resume(); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, connections: () => sockets.size,
           close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

for (const [name, collectorFor] of [
  ['refuses connections', async () => ({ url: `http://127.0.0.1:${await closedPort()}`, close() {} })],
  ['accepts and never answers', startBlackhole],
]) {
  test(`a collector that ${name} never slows requests; lost spans are counted`, async () => {
    const collector = await collectorFor();
    const upstream = await startUpstream();
    const config = (tracing) => tracingConfig([{ name: 'steady', url: upstream.url }], tracing);
    const plain = await startSluice(config({}));
    const traced = await startSluice(config({ endpoint: collector.url, queue_size: 16, batch_size: 8, timeout: '30s' }));
    try {
      const count = 300;
      await timedRequests(plain, 20);  // warm both: connections pooled, pages touched
      await timedRequests(traced, 20);
      // Interleaved rounds, so that a busy moment of the machine hits both alike.
      let plainMs = 0; let tracedMs = 0;
      for (let round = 0; round < 3; round++) {
        plainMs += await timedRequests(plain, count / 3);
        tracedMs += await timedRequests(traced, count / 3);
      }
      // A blocked export would cost whole timeouts (30 s) here; the margin is for a loaded machine.
      assert.ok(tracedMs < plainMs * 1.5 + 500, `traced ${tracedMs.toFixed(0)} ms vs plain ${plainMs.toFixed(0)} ms for ${count} requests`);
      const dropped = await waitFor('dropped spans counted', async () => {
        const text = await metrics(traced);
        const lost = metricValue(text, 'sluice_trace_spans_dropped_total', 'reason="queue_full"') +
          metricValue(text, 'sluice_trace_spans_dropped_total', 'reason="export_failed"');
        return lost > 0 ? lost : 0;
      });
      assert.ok(dropped > 0);
      if (collector.connections) assert.ok(collector.connections() > 0, 'the exporter did connect');
      // Shutdown is not held by the collector either (the final export has a short budget).
      const stopping = performance.now();
      await traced.stop();
      assert.ok(performance.now() - stopping < 8000, 'stopped in time');
    } finally {
      await plain.stop();
      await traced.stop();
      collector.close(); upstream.close();
    }
  });
}

test('an answer from a collection: retrieval and answer spans, the model call under the answer', async () => {
  const collector = await startCollector();
  const upstream = await startUpstream();
  const sluice = await startSluice(
    tracingConfig([{ name: 'steady', url: upstream.url }], { endpoint: collector.url }),
    { SLUICE_RAG__INDEX_FOLLOW: '50ms' });
  const api = async (path, body, method = 'POST') => {
    const r = await fetch(`${sluice.url}${path}`, { method, headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: await r.json() };
  };
  try {
    assert.equal((await api('/v1/collections', { name: 'kb' })).status, 201);
    const put = await api('/v1/collections/kb/documents', { id: 'tea.md', format: 'markdown',
      text: '# Brewing\n\nGreen tea steeps for two minutes at 80 degrees.\n' });
    assert.equal(put.status, 202);
    await waitFor('the document indexed', async () =>
      (await api('/v1/collections/kb/search', { query: 'green tea' })).body.data?.length > 0, 20000);

    const traceId = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    const r = await fetch(`${sluice.url}/v1/query`, {
      method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ question: 'How long does green tea steep?', collection: 'kb', model: 'test-model' }),
    });
    assert.equal(r.status, 200);
    await r.json();
    const mine = () => collector.spans.filter((s) => s.traceId === traceId);
    await waitFor('four spans', () => mine().length >= 4);
    const byName = Object.fromEntries(mine().map((s) => [s.name, s]));
    const server = byName['POST /v1/query'];
    const retrieval = byName['retrieval kb'];
    const answer = byName['answer test-model'];
    const call = byName['chat upstream-model'];
    assert.ok(server && retrieval && answer && call, `spans: ${Object.keys(byName)}`);
    assert.equal(retrieval.kind, SpanKind.SPAN_KIND_INTERNAL);
    assert.equal(retrieval.parentSpanId, server.spanId);
    assert.equal(retrieval.attributes['sluice.rag.collection'], 'kb');
    assert.equal(retrieval.attributes['sluice.rag.hits'], 1);
    assert.ok(retrieval.attributes['sluice.rag.top_k'] >= 1);
    assert.equal(answer.kind, SpanKind.SPAN_KIND_INTERNAL);
    assert.equal(answer.parentSpanId, server.spanId);
    assert.ok(answer.start + 1000n >= retrieval.end, "the answer follows the retrieval");
    assert.equal(call.parentSpanId, answer.spanId);
    assert.equal(call.attributes['gen_ai.usage.input_tokens'], 12);
    assert.equal(upstream.seen.at(-1), `00-${traceId}-${call.spanId}-01`);
  } finally {
    await sluice.stop();
    collector.close(); upstream.close();
  }
});
