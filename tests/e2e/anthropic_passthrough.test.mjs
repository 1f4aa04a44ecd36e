// The official Anthropic SDK, unmodified and with its default settings but the base URL, through
// sluice to an `anthropic` provider (mock-upstream speaking the Messages API): POST /v1/messages
// passes through, so what chat cannot express (extended thinking and its signatures,
// cache_control, documents with citations, server tools, beta headers) reaches the upstream as
// the client wrote it and comes back as the upstream wrote it; usage is still counted, and an
// itinerary may fall back from an Anthropic deployment to an OpenAI-compatible one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import {
  startMockUpstream, startSluice, mockStats, waitForLog, lastMockRequest,
} from './lib/processes.mjs';

const UPSTREAM_MODEL = 'claude-upstream';
let mock, down, sluice, client;

before(async () => {
  mock = await startMockUpstream(['--chunks', '4', '--record-requests', '16']);
  // An Anthropic upstream that is overloaded on every request.
  down = await startMockUpstream(['--error-rate', '1', '--error-status', '529']);
  sluice = await startSluice({
    gateway: {
      providers: [
        { name: 'claude', type: 'anthropic', base_url: mock.url, api_key: 'sk-provider' },
        { name: 'claude-down', type: 'anthropic', base_url: down.url, api_key: 'sk-provider' },
        { name: 'oai', type: 'openai', base_url: `${mock.url}/v1`, api_key: 'sk-provider' },
      ],
      models: [
        { alias: 'claude', deployments: [{ provider: 'claude', model: UPSTREAM_MODEL }] },
        { alias: 'claude-or-gpt', deployments: [
          { provider: 'claude-down', model: UPSTREAM_MODEL, priority: 0 },
          { provider: 'oai', model: 'gpt-upstream', priority: 1 }] },
      ],
      prices: [{ model: UPSTREAM_MODEL, input_per_million: 3, output_per_million: 15 }],
    },
  });
  client = new Anthropic({ apiKey: 'sk-test', baseURL: sluice.url });
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  await mock.stop();
  await down.stop();
});

// What mock-upstream last received: method, target, lower-cased headers and the body as text.
const lastRequest = () => lastMockRequest(mock);

const thinking = { type: 'enabled', budget_tokens: 1024 };

test('extended thinking: the signed thinking block survives a multi-turn round trip', async () => {
  const question = { role: 'user', content: 'Why is the sky blue?' };
  const first = await client.messages.create({
    model: 'claude', max_tokens: 2048, thinking, messages: [question] });
  assert.match(first.id, /^msg_/);
  assert.equal(first.model, UPSTREAM_MODEL, 'the upstream answer, unchanged');
  assert.deepEqual(first.content.map((b) => b.type), ['thinking', 'text']);
  const [thought] = first.content;
  assert.match(thought.thinking, /^Mock thinking about: Why is the sky blue\?/);
  assert.ok(thought.signature.length > 10, thought.signature);

  // The mock checks every thinking block sent back against the signature it gave.
  const history = [question, { role: 'assistant', content: first.content }];
  const second = await client.messages.create({
    model: 'claude', max_tokens: 2048, thinking,
    messages: [...history, { role: 'user', content: 'And sunsets?' }] });
  assert.match(second.content.at(-1).text, /Mock reply to: And sunsets\?/);
  const sent = JSON.parse((await lastRequest()).body);
  assert.deepEqual(sent.messages[1].content[0], thought, 'thinking and signature as received');

  const altered = { ...thought, signature: `${thought.signature}x` };
  await assert.rejects(
    client.messages.create({ model: 'claude', max_tokens: 2048, thinking, messages: [
      question, { role: 'assistant', content: [altered, first.content[1]] },
      { role: 'user', content: 'And sunsets?' }] }),
    (e) => e instanceof Anthropic.BadRequestError && /Invalid `signature`/.test(e.message));
});

test('the body reaches the upstream byte for byte but for its model', async () => {
  const params = {
    model: 'claude', max_tokens: 300, temperature: 0.5,
    messages: [{ role: 'user', content: [
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The grass is green.' },
        title: 'Facts', citations: { enabled: true } },
      { type: 'text', text: 'What colour is the grass?' }] }],
    tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 1 }],
    metadata: { user_id: 'u-42' },
  };
  await client.messages.create(params);
  const received = await lastRequest();
  assert.equal(received.target, '/v1/messages');
  assert.equal(received.body, JSON.stringify({ ...params, model: UPSTREAM_MODEL }));
  assert.equal(received.headers['x-api-key'], 'sk-provider', "the provider's key, not the client's");
  assert.match(received.headers['anthropic-version'], /^\d{4}-\d{2}-\d{2}$/, "the SDK's version");
});

test('cache_control reaches the upstream, and its cache usage is counted', async () => {
  const params = {
    model: 'claude', max_tokens: 100,
    system: [{ type: 'text', text: `Policy ${Date.now()}: ${'be careful. '.repeat(100)}`,
               cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: 'Summarise the policy' }],
  };
  const write = await client.messages.create(params);
  assert.deepEqual(JSON.parse((await lastRequest()).body).system, params.system);
  assert.ok(write.usage.cache_creation_input_tokens > 0, JSON.stringify(write.usage));
  assert.equal(write.usage.cache_read_input_tokens, 0);
  const read = await client.messages.create(params);
  assert.ok(read.usage.cache_read_input_tokens > 0, JSON.stringify(read.usage));
  assert.equal(read.usage.cache_read_input_tokens, write.usage.cache_creation_input_tokens);

  // The access log counts every input token, with the cache's parts, and prices them.
  const u = read.usage;
  const line = await waitForLog(sluice, (l) => l.includes('"cached_tokens":'));
  assert.equal(line.prompt_tokens, u.input_tokens + u.cache_read_input_tokens);
  assert.equal(line.cached_tokens, u.cache_read_input_tokens);
  assert.equal(line.completion_tokens, u.output_tokens);
  assert.ok(line.cost_usd > 0, JSON.stringify(line));
  const written = await waitForLog(sluice, (l) => l.includes('"cache_write_tokens":'));
  assert.equal(written.cache_write_tokens, write.usage.cache_creation_input_tokens);
});

test('anthropic-beta reaches the upstream', async () => {
  const message = await client.beta.messages.create({
    model: 'claude', max_tokens: 50, betas: ['interleaved-thinking-2025-05-14', 'files-api-2025-04-14'],
    messages: [{ role: 'user', content: 'Beta please' }] });
  assert.match(message.content[0].text, /Mock reply to: Beta please\./);
  const received = await lastRequest();
  assert.equal(received.headers['anthropic-beta'], 'interleaved-thinking-2025-05-14,files-api-2025-04-14');
  assert.equal(JSON.parse(received.body).betas, undefined, 'betas travel as the header');
});

test('a stream is relayed event by event: thinking, signature, text, finalMessage()', async () => {
  const stream = client.messages.stream({
    model: 'claude', max_tokens: 2048, thinking,
    messages: [{ role: 'user', content: 'Stream your thoughts' }] });
  const events = [];
  stream.on('streamEvent', (event) => events.push(event));
  const message = await stream.finalMessage();
  const types = events.map((e) => e.type);
  assert.equal(types[0], 'message_start');
  assert.equal(types.at(-1), 'message_stop');
  const deltas = events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta.type);
  assert.ok(deltas.includes('thinking_delta') && deltas.includes('signature_delta'), deltas.join(' '));
  assert.ok(deltas.filter((d) => d === 'text_delta').length >= 3, deltas.join(' '));
  assert.equal(events[0].message.id, message.id, "the upstream's message id");
  assert.deepEqual(message.content.map((b) => b.type), ['thinking', 'text']);
  assert.match(message.content[1].text, /Mock reply to: Stream your thoughts\./);
  assert.ok(message.usage.output_tokens > 0 && message.usage.input_tokens > 0, JSON.stringify(message.usage));

  // The streamed signature is as good as the JSON one.
  const followUp = await client.messages.create({ model: 'claude', max_tokens: 2048, thinking, messages: [
    { role: 'user', content: 'Stream your thoughts' }, { role: 'assistant', content: message.content },
    { role: 'user', content: 'Thanks' }] });
  assert.match(followUp.content.at(-1).text, /Mock reply to: Thanks\./);
});

// The SDK drops ping events before its callers see them: raw SSE shows what went over the wire.
async function rawEvents(url, model, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-test', 'anthropic-version': '2023-06-01',
               ...headers },
    body: JSON.stringify({ model, max_tokens: 2048, stream: true, thinking,
                           messages: [{ role: 'user', content: 'Raw stream' }] }),
  });
  assert.equal(response.status, 200);
  const events = [];
  for (const frame of (await response.text()).split('\n\n')) {
    const name = frame.match(/^event: (.*)$/m)?.[1];
    const data = frame.match(/^data: (.*)$/m)?.[1];
    if (name) events.push({ name, data });
  }
  return events;
}

test('the stream on the wire is the upstream stream, event for event, ping included', async () => {
  const relayed = await rawEvents(`${sluice.url}/v1/messages`, 'claude', { 'anthropic-version': '2099-01-01' });
  assert.equal((await lastRequest()).headers['anthropic-version'], '2099-01-01', "the client's version");
  const direct = await rawEvents(`${mock.url}/v1/messages`, UPSTREAM_MODEL);
  assert.deepEqual(relayed.map((e) => e.name), direct.map((e) => e.name));
  assert.ok(relayed.some((e) => e.name === 'ping'));
  // Byte for byte but message_start, which carries the message's own id.
  assert.deepEqual(relayed.slice(1), direct.slice(1));
  assert.equal(JSON.parse(relayed[0].data).message.model, UPSTREAM_MODEL);
});

test('an overloaded Anthropic deployment falls back to an OpenAI-compatible one', async () => {
  const before = await mockStats(mock);
  const { data: message, response } = await client.messages.create({
    model: 'claude-or-gpt', max_tokens: 100, thinking,
    messages: [{ role: 'user', content: 'Fall back please' }] }).withResponse();
  assert.equal(response.headers.get('x-sluice-deployment'), 'oai/gpt-upstream');
  assert.equal(message.type, 'message');
  assert.match(message.content[0].text, /Mock reply to: Fall back please\./);
  const after = await mockStats(mock);
  assert.equal(after.chat - before.chat, 1, 'the fallback spoke chat');
  assert.equal(after.messages - before.messages, 0);
  const down_stats = await mockStats(down);
  assert.ok(down_stats.errors >= 1, JSON.stringify(down_stats));

  const stream = client.messages.stream({ model: 'claude-or-gpt', max_tokens: 100,
    messages: [{ role: 'user', content: 'Stream the fallback' }] });
  const streamed = await stream.finalMessage();
  assert.match(streamed.content[0].text, /Mock reply to: Stream the fallback\./);
  assert.equal(streamed.stop_reason, 'end_turn');

  // What chat cannot say (a server tool) is refused by the chat deployment, with the reason.
  await assert.rejects(
    client.messages.create({ model: 'claude-or-gpt', max_tokens: 100,
      tools: [{ type: 'web_search_20250305', name: 'web_search' }],
      messages: [{ role: 'user', content: 'Search' }] }),
    (e) => e instanceof Anthropic.BadRequestError && /server tools/.test(e.message));
});
