// Anthropic's Messages API (POST /v1/messages) with the official Anthropic SDK, unmodified and
// with its default settings but the base URL: sluice translates to the OpenAI-compatible
// mock-upstream and back, so any provider answers Anthropic's clients.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startMockUpstream, startSluice, gatewayConfig } from './lib/processes.mjs';

let mock, sluice, guarded, client;

before(async () => {
  mock = await startMockUpstream(['--chunks', '4']);
  const upstream = { name: 'primary', url: mock.url, provider: { forward_mock_headers: true } };
  sluice = await startSluice(gatewayConfig([upstream]));
  guarded = await startSluice({
    ...gatewayConfig([upstream]),
    auth: { api_keys: [{ name: 'app', key: 'sk-anthropic-client', role: 'user' }] },
  });
  client = new Anthropic({ apiKey: 'sk-test', baseURL: sluice.url });
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  assert.equal(await guarded.stop(), 0);
  await mock.stop();
});

test('messages.create: text, usage and the deployment that answered', async () => {
  const { data: message, response } = await client.messages
    .create({
      model: 'test-model',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'First question' },
        { role: 'assistant', content: 'First answer' },
        { role: 'user', content: 'Say hello' },
      ],
    })
    .withResponse();
  assert.match(message.id, /^msg_/);
  assert.equal(message.type, 'message');
  assert.equal(message.role, 'assistant');
  assert.equal(message.model, 'upstream-model');
  assert.equal(message.content.length, 1);
  assert.equal(message.content[0].type, 'text');
  assert.match(message.content[0].text, /Mock reply to: Say hello\./);
  assert.equal(message.stop_reason, 'end_turn');
  assert.equal(message.stop_sequence, null);
  assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
  assert.equal(response.headers.get('x-sluice-deployment'), 'primary/upstream-model');
});

test('messages.stream: events, text and finalMessage()', async () => {
  const stream = client.messages.stream({
    model: 'test-model', max_tokens: 100, messages: [{ role: 'user', content: 'Stream please' }],
  });
  const types = [];
  let text = '';
  stream.on('streamEvent', (event) => types.push(event.type));
  stream.on('text', (delta) => { text += delta; });
  const message = await stream.finalMessage();
  assert.equal(types[0], 'message_start');
  assert.equal(types.at(-1), 'message_stop');
  assert.ok(types.filter((t) => t === 'content_block_delta').length >= 3, types.join(' '));
  assert.match(text, /Mock reply to: Stream please\./);
  assert.equal(message.content[0].text, text);
  assert.equal(message.stop_reason, 'end_turn');
  assert.ok(message.usage.output_tokens > 0, JSON.stringify(message.usage));
  assert.ok(message.usage.input_tokens > 0, JSON.stringify(message.usage));
});

const weather = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } } },
};

test('tool use round trip', async () => {
  const messages = [{ role: 'user', content: 'Weather in Paris?' }];
  const first = await client.messages.create({
    model: 'test-model', max_tokens: 100, tools: [weather],
    tool_choice: { type: 'tool', name: 'get_weather' }, messages,
  });
  assert.equal(first.stop_reason, 'tool_use');
  const call = first.content.find((block) => block.type === 'tool_use');
  assert.ok(call, JSON.stringify(first.content));
  assert.equal(call.name, 'get_weather');
  assert.deepEqual(call.input, {});
  messages.push({ role: 'assistant', content: first.content });
  messages.push({ role: 'user', content: [
    { type: 'tool_result', tool_use_id: call.id, content: 'Sunny, 21C' },
    { type: 'text', text: 'Thanks, summarise' },
  ] });
  const second = await client.messages.create({
    model: 'test-model', max_tokens: 100, tools: [weather], messages,
  });
  assert.equal(second.stop_reason, 'end_turn');
  assert.match(second.content[0].text, /Mock reply to: Thanks, summarise\./);
});

test('streamed tool use: tool_use block with its input in finalMessage()', async () => {
  const stream = client.messages.stream({
    model: 'test-model', max_tokens: 100, tools: [weather], tool_choice: { type: 'any' },
    messages: [{ role: 'user', content: 'Stream a tool call' }],
  });
  const message = await stream.finalMessage();
  assert.equal(message.stop_reason, 'tool_use');
  const call = message.content.find((block) => block.type === 'tool_use');
  assert.ok(call, JSON.stringify(message.content));
  assert.equal(call.name, 'get_weather');
  assert.deepEqual(call.input, {});
});

test('count_tokens', async () => {
  const short = await client.messages.countTokens({
    model: 'test-model', messages: [{ role: 'user', content: 'Hi' }],
  });
  const long = await client.messages.countTokens({
    model: 'test-model', system: 'You are a careful assistant. '.repeat(20),
    messages: [{ role: 'user', content: 'Hi' }], tools: [weather],
  });
  assert.ok(short.input_tokens > 0);
  assert.ok(long.input_tokens > short.input_tokens + 100, `${short.input_tokens} ${long.input_tokens}`);
});

test('errors are Anthropic-shaped and raise the SDK error classes', async () => {
  await assert.rejects(
    client.messages.create({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof Anthropic.BadRequestError && e.error?.error?.type === 'invalid_request_error' &&
      /max_tokens: Field required/.test(e.message));
  await assert.rejects(
    client.messages.create({ model: 'no-such-model', max_tokens: 5,
                             messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof Anthropic.NotFoundError && e.error?.error?.type === 'not_found_error');
  // An upstream's refusal is relayed in Anthropic's shape.
  await assert.rejects(
    client.messages.create({ model: 'test-model', max_tokens: 5,
                             messages: [{ role: 'user', content: 'x' }] },
                           { headers: { 'x-mock-status': '400' } }),
    (e) => e instanceof Anthropic.BadRequestError && e.error?.type === 'error');
});

test('x-api-key (the SDK default) and Authorization: Bearer both authenticate', async () => {
  const body = { model: 'test-model', max_tokens: 20, messages: [{ role: 'user', content: 'Key' }] };
  const byApiKey = new Anthropic({ apiKey: 'sk-anthropic-client', baseURL: guarded.url });
  assert.match((await byApiKey.messages.create(body)).content[0].text, /Mock reply to: Key\./);
  const byBearer = new Anthropic({ apiKey: null, authToken: 'sk-anthropic-client',
                                   baseURL: guarded.url });
  assert.match((await byBearer.messages.create(body)).content[0].text, /Mock reply to: Key\./);
  const wrong = new Anthropic({ apiKey: 'sk-wrong', baseURL: guarded.url, maxRetries: 0 });
  await assert.rejects(wrong.messages.create(body),
    (e) => e instanceof Anthropic.AuthenticationError && e.error?.error?.type === 'authentication_error');
});
