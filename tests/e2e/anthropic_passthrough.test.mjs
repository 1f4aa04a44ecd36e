// The official Anthropic SDK, unmodified and with its default settings but the base URL, through
// sluice to an `anthropic` provider (mock-upstream speaking the Messages API): POST /v1/messages
// passes through, so what chat cannot express (extended thinking and its signatures,
// cache_control, documents with citations, server tools, beta headers) reaches the upstream as
// the client wrote it and comes back as the upstream wrote it; usage is still counted, and an
// itinerary may fall back from an Anthropic deployment to an OpenAI-compatible one. Token counts
// come from the upstream's count_tokens, and 1-hour cache writes are priced at their own price.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import {
  startMockUpstream, startSluice, mockStats, waitForLog, lastMockRequest, metrics, metricValue,
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
        // The same overloaded upstream, with a circuit of its own.
        { name: 'claude-busy', type: 'anthropic', base_url: down.url, api_key: 'sk-provider' },
        { name: 'oai', type: 'openai', base_url: `${mock.url}/v1`, api_key: 'sk-provider' },
      ],
      models: [
        { alias: 'claude', deployments: [{ provider: 'claude', model: UPSTREAM_MODEL }] },
        { alias: 'claude-or-gpt', deployments: [
          { provider: 'claude-down', model: UPSTREAM_MODEL, priority: 0 },
          { provider: 'oai', model: 'gpt-upstream', priority: 1 }] },
        // Counting skips the chat deployment: down, then the healthy Anthropic one.
        { alias: 'count-fallback', deployments: [
          { provider: 'claude-down', model: UPSTREAM_MODEL, priority: 0 },
          { provider: 'oai', model: 'gpt-upstream', priority: 1 },
          { provider: 'claude', model: UPSTREAM_MODEL, priority: 2 }] },
        { alias: 'claude-busy', deployments: [{ provider: 'claude-busy', model: UPSTREAM_MODEL }] },
        { alias: 'gpt', deployments: [{ provider: 'oai', model: 'gpt-upstream' }] },
      ],
      // 1-hour cache writes: no price of their own, so twice the input price ($6).
      prices: [{ model: UPSTREAM_MODEL, input_per_million: 3, output_per_million: 15,
                 cache_write_per_million: 3.75 }],
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

test('count_tokens is the upstream\'s count, the request passed through', async () => {
  const params = {
    model: 'claude', system: 'You count carefully.',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'How many tokens is this?',
                                           cache_control: { type: 'ephemeral' } }] }],
    thinking,
  };
  const before = await mockStats(mock);
  const { data: counted, response } = await client.messages.countTokens(params).withResponse();
  assert.equal(response.headers.get('x-sluice-token-count'), 'upstream');
  assert.equal(response.headers.get('x-sluice-deployment'), `claude/${UPSTREAM_MODEL}`);
  const received = await lastRequest();
  assert.equal(received.target, '/v1/messages/count_tokens');
  assert.equal(received.body, JSON.stringify({ ...params, model: UPSTREAM_MODEL }));
  assert.equal(received.headers['x-api-key'], 'sk-provider');
  assert.match(received.headers['anthropic-version'], /^\d{4}-\d{2}-\d{2}$/);
  assert.equal((await mockStats(mock)).count_tokens - before.count_tokens, 1);

  // The mock counts what /v1/messages then reports as every input token of the same request.
  const message = await client.messages.create({ ...params, max_tokens: 2048 });
  const u = message.usage;
  assert.equal(counted.input_tokens,
               u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens);

  const beta = await client.beta.messages.countTokens({
    ...params, betas: ['token-efficient-tools-2025-02-19'] });
  assert.equal(beta.input_tokens, counted.input_tokens);
  // As the SDK sent it (it adds a flag of its own to the betas asked for).
  const betas = (await lastRequest()).headers['anthropic-beta'].split(',');
  assert.ok(betas.includes('token-efficient-tools-2025-02-19'), betas.join(','));

  // Logged as a call of its own, which cost nothing.
  const line = await waitForLog(sluice, (l) => l.includes('"route":"/v1/messages/count_tokens"'));
  assert.equal(line.deployment, `claude/${UPSTREAM_MODEL}`);
  assert.equal(line.outcome, 'success');
  assert.equal(line.cost_usd, 0);
  assert.equal(line.status, 200);
  const text = await metrics(sluice);
  assert.ok(text.includes('gen_ai_operation_name="count_tokens"'), 'its own operation metrics');
});

test('count_tokens falls back to another Anthropic deployment, never to a chat one', async () => {
  const before = await mockStats(mock);
  const { data, response } = await client.messages.countTokens({
    model: 'count-fallback', messages: [{ role: 'user', content: 'Count me' }] }).withResponse();
  assert.equal(response.headers.get('x-sluice-deployment'), `claude/${UPSTREAM_MODEL}`);
  assert.equal(response.headers.get('x-sluice-token-count'), 'upstream');
  assert.ok(data.input_tokens > 0);
  const after = await mockStats(mock);
  assert.equal(after.count_tokens - before.count_tokens, 1);
  assert.equal(after.chat - before.chat, 0, 'the chat deployment was not asked');
});

test('count_tokens without an Anthropic deployment is Sluice\'s estimate, and says so', async () => {
  const before = await mockStats(mock);
  const { data, response } = await client.messages.countTokens({
    model: 'gpt', messages: [{ role: 'user', content: 'Estimate me' }] }).withResponse();
  assert.ok(data.input_tokens > 0);
  assert.deepEqual(Object.keys(data), ['input_tokens']);
  assert.equal(response.headers.get('x-sluice-token-count'), 'estimate');
  assert.equal(response.headers.get('x-sluice-deployment'), null, 'no deployment was asked');
  const after = await mockStats(mock);
  for (const call of ['count_tokens', 'chat', 'messages'])
    assert.equal(after[call], before[call], `nothing was sent (${call})`);
});

test('count_tokens errors keep Anthropic\'s shape, status and Retry-After', async () => {
  const strict = new Anthropic({ apiKey: 'sk-test', baseURL: sluice.url, maxRetries: 0 });
  await assert.rejects(
    strict.messages.countTokens({ model: 'claude-busy', messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof Anthropic.InternalServerError && e.status === 529 &&
      e.error?.type === 'error' && e.error?.error?.type === 'overloaded_error' &&
      e.headers.get('retry-after') === '1');
  await assert.rejects(
    strict.messages.countTokens({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof Anthropic.NotFoundError && e.error?.error?.type === 'not_found_error');
  await assert.rejects(
    strict.messages.countTokens({ model: 'claude', messages: [] }),
    (e) => e instanceof Anthropic.BadRequestError && /at least one message/.test(e.message));
});

test('1-hour cache writes are counted apart and priced at twice the input price', async () => {
  const stamp = Date.now();
  const params = (tag) => ({
    model: 'claude', max_tokens: 100,
    system: [{ type: 'text', text: `Standing orders ${tag} ${stamp}: ${'keep it short. '.repeat(40)}`,
               cache_control: { type: 'ephemeral', ttl: '1h' } }],
    messages: [{ role: 'user', content: [{ type: 'text', text: `Today's task ${tag}: ${'sum it up. '.repeat(20)}`,
                                           cache_control: { type: 'ephemeral', ttl: '5m' } }] }],
  });
  const message = await client.messages.create(params('json'));
  const u = message.usage;
  const hour = u.cache_creation.ephemeral_1h_input_tokens;
  const fiveMinutes = u.cache_creation.ephemeral_5m_input_tokens;
  assert.ok(hour > 0 && fiveMinutes > 0, JSON.stringify(u));
  assert.equal(hour + fiveMinutes, u.cache_creation_input_tokens);
  assert.deepEqual(JSON.parse((await lastRequest()).body).system, params('json').system,
                   'the ttl reached the upstream');

  // By hand: input $3, 5-minute writes $3.75, 1-hour writes 2 x $3, output $15 per million.
  const expected = (u.input_tokens * 3 + fiveMinutes * 3.75 + hour * 6 + u.output_tokens * 15) / 1e6;
  const line = await waitForLog(sluice, (l) => l.includes('"cache_write_1h_tokens":'));
  assert.equal(line.cache_write_1h_tokens, hour);
  assert.equal(line.cache_write_tokens, hour + fiveMinutes);
  assert.equal(line.prompt_tokens, u.input_tokens + hour + fiveMinutes);
  assert.ok(Math.abs(line.cost_usd - expected) < 1e-12, `${line.cost_usd} != ${expected}`);

  // A stream reports them in message_start; they are counted the same way.
  const stream = client.messages.stream(params('stream'));
  const streamed = await stream.finalMessage();
  const s = streamed.usage;
  assert.ok(s.cache_creation.ephemeral_1h_input_tokens > 0, JSON.stringify(s));
  const streamedLine = await waitForLog(
    sluice, (l) => l.includes('"cache_write_1h_tokens":') && l.includes('"ttft_ms":'));
  assert.equal(streamedLine.cache_write_1h_tokens, s.cache_creation.ephemeral_1h_input_tokens);

  // sluice_tokens_total's types add up to the prompt: the hour's writes are a type of their own.
  const text = await metrics(sluice);
  const series = (type) => metricValue(text, 'sluice_tokens_total', `alias="claude",key="",type="${type}"`);
  assert.equal(series('cache_write_1h'), hour + s.cache_creation.ephemeral_1h_input_tokens);
  const sum = ['input', 'cached_input', 'cache_write', 'cache_write_1h']
    .reduce((total, type) => total + series(type), 0);
  const input = metricValue(text, 'gen_ai_client_token_usage_sum',
    'gen_ai_operation_name="chat",gen_ai_provider_name="claude",gen_ai_request_model="claude",gen_ai_token_type="input"');
  assert.equal(sum, input, 'every prompt token counted once');
});
