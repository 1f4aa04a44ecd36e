// The response headers Anthropic's SDK reads, through sluice with the official SDK unmodified:
// request ids (`request-id`, which the SDK exposes as `_request_id` and APIError.requestID, is
// sluice's own; the Anthropic upstream's id comes as `anthropic-request-id`), the upstream
// account's rate-limit headers (not relayed), and Retry-After on the errors the SDK retries:
// an upstream's 429 or 529, and sluice's own rate limits and open circuits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startMockUpstream, startSluice, waitForLog, mockStats } from './lib/processes.mjs';

const UPSTREAM_MODEL = 'claude-upstream';
let mock, down, sluice, limited, client;

const claude = (name, url, extra = {}) =>
  ({ name, type: 'anthropic', base_url: url, api_key: 'sk-provider', ...extra });

before(async () => {
  mock = await startMockUpstream(['--chunks', '3']);
  down = await startMockUpstream(['--error-rate', '1', '--error-status', '529', '--retry-after', '1']);
  sluice = await startSluice({
    gateway: {
      providers: [
        claude('claude', mock.url),
        claude('claude-faults', mock.url, { forward_mock_headers: true }),
        claude('claude-down', down.url),
        { name: 'oai', type: 'openai', base_url: `${mock.url}/v1`, api_key: 'sk-provider' },
      ],
      models: [
        { alias: 'claude', deployments: [{ provider: 'claude', model: UPSTREAM_MODEL }] },
        { alias: 'faults', deployments: [{ provider: 'claude-faults', model: UPSTREAM_MODEL }] },
        { alias: 'down', deployments: [{ provider: 'claude-down', model: UPSTREAM_MODEL }] },
        { alias: 'gpt', deployments: [{ provider: 'oai', model: 'gpt-upstream' }] },
      ],
      // One attempt per request: what the SDK sees is the upstream's answer, and its retries
      // are the SDK's own. A circuit opens at a deployment's second failure in a row.
      retry: { max_attempts: 1 },
      circuit_breaker: { failure_threshold: 2, cooldown: '30s' },
    },
  });
  // A key allowed one request a second, token counts included.
  limited = await startSluice({
    auth: { api_keys: [{ name: 'app', key: 'sk-limited', role: 'user', requests_per_minute: 60 }] },
    rate_limits: { burst: '1s' },
    gateway: {
      providers: [claude('claude', mock.url)],
      models: [{ alias: 'claude', deployments: [{ provider: 'claude', model: UPSTREAM_MODEL }] }],
    },
  });
  client = new Anthropic({ apiKey: 'sk-test', baseURL: sluice.url });
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  assert.equal(await limited.stop(), 0);
  await mock.stop();
  await down.stop();
});

const ask = { max_tokens: 50, messages: [{ role: 'user', content: 'Which id?' }] };

// An SDK client whose every HTTP exchange is kept: when it went out, and what came back.
function recordingClient(baseURL, options = {}) {
  const exchanges = [];
  const recorded = new Anthropic({
    apiKey: 'sk-test', baseURL, ...options,
    fetch: async (url, init) => {
      const sent = Date.now();
      const response = await fetch(url, init);
      exchanges.push({ sent, status: response.status, headers: response.headers });
      return response;
    },
  });
  return { client: recorded, exchanges };
}

test('JSON: request-id is sluice\'s, anthropic-request-id the upstream\'s', async () => {
  const { data: message, response } = await client.messages.create({ model: 'claude', ...ask })
    .withResponse();
  const ours = response.headers.get('x-request-id');
  assert.ok(ours);
  assert.equal(message._request_id, ours, 'the SDK\'s _request_id names sluice\'s log line');
  assert.equal(response.headers.get('request-id'), ours);
  const theirs = response.headers.get('anthropic-request-id');
  assert.match(theirs, /^req_mock[0-9a-f]+$/);
  const line = await waitForLog(sluice, (l) => l.includes(`"request_id":"${ours}"`));
  assert.equal(line.upstream_request_id, theirs, 'the access log ties the two together');
});

test('stream: the same ids go out with the stream\'s head', async () => {
  const { data: stream, response } = await client.messages
    .create({ model: 'claude', ...ask, stream: true }).withResponse();
  const types = [];
  for await (const event of stream) types.push(event.type);
  assert.equal(types.at(-1), 'message_stop');
  assert.equal(response.headers.get('request-id'), response.headers.get('x-request-id'));
  assert.match(response.headers.get('anthropic-request-id'), /^req_mock/);

  // So does the stream helper's.
  const helper = client.messages.stream({ model: 'claude', ...ask });
  await helper.finalMessage();
  const { response: head, request_id } = await helper.withResponse();
  assert.equal(request_id, head.headers.get('x-request-id'));
  assert.equal(helper.request_id, request_id);
});

test('a translated answer has sluice\'s id only', async () => {
  const { data: message, response } = await client.messages.create({ model: 'gpt', ...ask })
    .withResponse();
  assert.equal(message._request_id, response.headers.get('x-request-id'));
  assert.equal(response.headers.get('anthropic-request-id'), null);
});

test('the upstream account\'s rate-limit headers are not relayed', async () => {
  const direct = await fetch(`${mock.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: UPSTREAM_MODEL, ...ask }),
  });
  assert.equal(direct.headers.get('anthropic-ratelimit-requests-limit'), '4000', 'the mock sends them');
  const { response } = await client.messages.create({ model: 'claude', ...ask }).withResponse();
  for (const [name] of response.headers) assert.ok(!name.startsWith('anthropic-ratelimit-'), name);
});

test('errors: the SDK\'s requestID is sluice\'s id, the upstream\'s beside it', async () => {
  const strict = new Anthropic({ apiKey: 'sk-test', baseURL: sluice.url, maxRetries: 0 });
  await assert.rejects(
    strict.messages.create({ model: 'faults', ...ask }, { headers: { 'x-mock-status': '400' } }),
    (e) => {
      assert.ok(e instanceof Anthropic.BadRequestError, e.constructor.name);
      assert.equal(e.requestID, e.headers.get('x-request-id'));
      assert.equal(e.error.request_id, e.requestID, 'the body names the same request');
      assert.match(e.headers.get('anthropic-request-id'), /^req_mock/);
      return true;
    });
  // Refused by sluice itself (a model that does not route): no upstream took part.
  await assert.rejects(
    strict.messages.create({ model: 'no-such-model', ...ask }),
    (e) => e instanceof Anthropic.NotFoundError && e.requestID === e.headers.get('x-request-id') &&
      e.headers.get('anthropic-request-id') === null);
});

test('an upstream 429 reaches the SDK with a Retry-After it waits for', async () => {
  const before = await mockStats(mock);
  const { client: sdk, exchanges } = recordingClient(sluice.url, { maxRetries: 1 });
  await assert.rejects(
    sdk.messages.create({ model: 'faults', ...ask },
                        { headers: { 'x-mock-status': '429', 'x-mock-retry-after': '1' } }),
    (e) => e instanceof Anthropic.RateLimitError && e.error?.error?.type === 'rate_limit_error');
  assert.equal(exchanges.length, 2, 'the SDK retried once');
  const [first, second] = exchanges;
  assert.equal(first.status, 429);
  assert.equal(first.headers.get('retry-after'), '1');
  assert.equal(first.headers.get('retry-after-ms'), '1000');
  assert.equal(first.headers.get('x-should-retry'), null, 'the SDK decides by status: it retries');
  assert.ok(second.sent - first.sent >= 950, `retried after ${second.sent - first.sent} ms`);
  assert.equal((await mockStats(mock)).messages - before.messages, 2, 'one upstream call each');
});

test('an upstream 529 reaches the SDK as 529 with its Retry-After; then sluice\'s own', async () => {
  const { client: sdk, exchanges } = recordingClient(sluice.url, { maxRetries: 2 });
  await assert.rejects(
    sdk.messages.create({ model: 'down', ...ask }),
    (e) => e instanceof Anthropic.InternalServerError && e.status === 529 &&
      e.error?.error?.type === 'overloaded_error');
  assert.equal(exchanges.length, 3);
  const [first, second, ours] = exchanges;
  for (const upstream of [first, second]) {
    assert.equal(upstream.status, 529);
    assert.equal(upstream.headers.get('retry-after'), '1', 'the upstream\'s, relayed');
  }
  assert.ok(second.sent - first.sent >= 950, `retried after ${second.sent - first.sent} ms`);
  assert.ok(ours.sent - second.sent >= 950, `retried after ${ours.sent - second.sent} ms`);
  // The second failure opened the circuit: sluice answers the last retry itself, with the time
  // until the cool-down lets a probe through.
  assert.equal(ours.status, 529);
  const wait = Number(ours.headers.get('retry-after'));
  assert.ok(wait >= 28 && wait <= 30, `Retry-After: ${wait}`);
  assert.equal((await mockStats(down)).messages, 2, 'the last retry never reached the upstream');
});

test('sluice\'s own 429 carries a Retry-After the SDK waits for; token counts count', async () => {
  const sdk = new Anthropic({ apiKey: 'sk-limited', baseURL: limited.url, maxRetries: 0 });
  await sdk.messages.create({ model: 'claude', ...ask });
  // The key's next request within the second is refused, whichever Messages route it calls.
  await assert.rejects(
    sdk.messages.countTokens({ model: 'claude', messages: ask.messages }),
    (e) => {
      assert.ok(e instanceof Anthropic.RateLimitError, e.constructor.name);
      assert.equal(e.error?.error?.type, 'rate_limit_error');
      assert.equal(e.headers.get('retry-after'), '1');
      assert.ok(Number(e.headers.get('retry-after-ms')) > 0);
      assert.equal(e.requestID, e.headers.get('x-request-id'));
      return true;
    });
  const { client: patient, exchanges } = recordingClient(limited.url, { apiKey: 'sk-limited' });
  const counted = await patient.messages.countTokens({ model: 'claude', messages: ask.messages });
  assert.ok(counted.input_tokens > 0);
  for (let i = 1; i < exchanges.length; ++i) {
    const asked = Number(exchanges[i - 1].headers.get('retry-after-ms'));
    assert.equal(exchanges[i - 1].status, 429);
    assert.ok(exchanges[i].sent - exchanges[i - 1].sent >= asked - 20,
              `waited ${exchanges[i].sent - exchanges[i - 1].sent} ms of ${asked}`);
  }
  assert.equal(exchanges.at(-1).status, 200);
});
