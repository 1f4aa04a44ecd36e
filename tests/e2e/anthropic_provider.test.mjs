// The official openai SDK through sluice to an `anthropic` provider: mock-upstream speaking
// Anthropic's Messages API, so every request and answer crosses the translation both ways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, startSluice, mockStats } from './lib/processes.mjs';

const UPSTREAM_MODEL = 'claude-upstream';
const WEATHER_TOOL = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city',
              parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

// Providers are {name, url, type}; `models` as the config takes them.
function config(providers, models, gateway = {}) {
  return {
    gateway: {
      providers: providers.map((p) => ({
        name: p.name, type: p.type ?? 'anthropic', api_key: 'k',
        // Anthropic's base URL is the host: the provider adds /v1/messages.
        base_url: p.base_url ?? ((p.type ?? 'anthropic') === 'anthropic' ? p.url : `${p.url}/v1`),
      })),
      models,
      ...gateway,
    },
  };
}

const claudeOnly = (url, gateway = {}) => config(
  [{ name: 'claude', url }],
  [{ alias: 'claude-model', deployments: [{ provider: 'claude', model: UPSTREAM_MODEL }] }], gateway);

const ask = (client, content = 'Say hello', extra = {}) => client.chat.completions.create({
  model: 'claude-model', messages: [{ role: 'user', content }], ...extra });

let mock, sluice, client;

before(async () => {
  mock = await startMockUpstream(['--chunks', '5']);
  // The same mock behind an OpenAI-type provider too: both must hand the client the same answer.
  sluice = await startSluice(config(
    [{ name: 'claude', url: mock.url }, { name: 'oai', type: 'openai', url: mock.url }],
    [{ alias: 'claude-model', deployments: [{ provider: 'claude', model: UPSTREAM_MODEL }] },
     { alias: 'openai-model', deployments: [{ provider: 'oai', model: UPSTREAM_MODEL }] }]));
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  await mock.stop();
});

test('non-streaming chat: content, usage and finish_reason mapped from the Messages API', async () => {
  const statsBefore = await mockStats(mock);
  const { data, response } = await client.chat.completions
    .create({ model: 'claude-model', messages: [{ role: 'system', content: 'Be brief.' },
                                                { role: 'user', content: 'Say hello' }] })
    .withResponse();
  assert.equal(data.object, 'chat.completion');
  assert.match(data.id, /^chatcmpl-/);
  assert.equal(data.model, UPSTREAM_MODEL);
  assert.equal(data.choices.length, 1);
  assert.equal(data.choices[0].message.role, 'assistant');
  assert.match(data.choices[0].message.content, /^Mock reply to: Say hello\./);
  assert.equal(data.choices[0].finish_reason, 'stop');
  // "Be brief." and "Say hello": ceil(18 / 4) + 4 per message, the system prompt counting as one.
  assert.equal(data.usage.prompt_tokens, 5 + 2 * 4);
  assert.equal(data.usage.completion_tokens, Math.ceil(data.choices[0].message.content.length / 4));
  assert.equal(data.usage.total_tokens, data.usage.prompt_tokens + data.usage.completion_tokens);
  assert.equal(data.usage.prompt_tokens_details.cached_tokens, 0);
  assert.equal(response.headers.get('x-sluice-deployment'), `claude/${UPSTREAM_MODEL}`);
  const statsAfter = await mockStats(mock);
  assert.equal(statsAfter.messages - statsBefore.messages, 1);
  assert.equal(statsAfter.chat - statsBefore.chat, 0);
});

test('the same conversation gets the same answer and usage through either provider type', async () => {
  const messages = [{ role: 'system', content: 'Answer in French.' },
                    { role: 'user', content: 'What is the capital of France?' },
                    { role: 'assistant', content: 'Paris.' },
                    { role: 'user', content: 'And of Italy?' }];
  const viaAnthropic = await client.chat.completions.create({ model: 'claude-model', messages });
  const viaOpenAi = await client.chat.completions.create({ model: 'openai-model', messages });
  assert.equal(viaAnthropic.choices[0].message.content, viaOpenAi.choices[0].message.content);
  assert.equal(viaAnthropic.usage.prompt_tokens, viaOpenAi.usage.prompt_tokens);
  assert.equal(viaAnthropic.usage.completion_tokens, viaOpenAi.usage.completion_tokens);
});

test('streaming with include_usage: deltas, a finish chunk, then one usage chunk', async () => {
  const stream = await ask(client, 'Stream please',
                           { stream: true, stream_options: { include_usage: true } });
  let text = '';
  const chunks = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.match(text, /^Mock reply to: Stream please\./);
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  assert.ok(chunks.filter((c) => c.choices[0]?.delta?.content).length >= 5, 'one chunk per delta');
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.equal(last.usage.prompt_tokens, Math.ceil('Stream please'.length / 4) + 4);
  assert.equal(last.usage.completion_tokens, Math.ceil(text.length / 4));
  assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
  assert.equal(chunks.filter((c) => c.usage).length, 1);
  assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.id, chunks[0].id);
    assert.equal(c.model, UPSTREAM_MODEL, 'streamed chunks name the model as the JSON answer does');
  }
});

test('streaming without include_usage relays no usage chunk', async () => {
  const chunks = [];
  for await (const chunk of await ask(client, 'No usage', { stream: true })) chunks.push(chunk);
  assert.ok(chunks.length >= 3);
  assert.ok(chunks.every((c) => c.choices.length === 1 && !c.usage));
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
});

test('a tool call round: tool_choice required, then the tool result answered', async () => {
  const question = { role: 'user', content: 'Weather in Paris?' };
  const first = await client.chat.completions.create({
    model: 'claude-model', messages: [question], tools: [WEATHER_TOOL], tool_choice: 'required' });
  const message = first.choices[0].message;
  assert.equal(first.choices[0].finish_reason, 'tool_calls');
  assert.equal(message.content, null);
  assert.equal(message.tool_calls.length, 1);
  const call = message.tool_calls[0];
  assert.match(call.id, /^toolu_/);
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), {});

  // The assistant's tool_use and the tool's result go back as Anthropic turns that alternate.
  const second = await client.chat.completions.create({
    model: 'claude-model', tools: [WEATHER_TOOL],
    messages: [question, message,
               { role: 'tool', tool_call_id: call.id, content: '{"celsius":21}' }] });
  assert.equal(second.choices[0].finish_reason, 'stop');
  assert.match(second.choices[0].message.content, /^Mock reply to: Weather in Paris\?/);
});

test('a streamed tool call arrives as OpenAI tool_calls deltas', async () => {
  const stream = await client.chat.completions.create({
    model: 'claude-model', stream: true, messages: [{ role: 'user', content: 'Weather?' }],
    tools: [WEATHER_TOOL],
    tool_choice: { type: 'function', function: { name: 'get_weather' } } });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const deltas = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
  assert.match(deltas[0].id, /^toolu_/);
  assert.equal(deltas[0].function.name, 'get_weather');
  assert.equal(deltas.map((d) => d.function.arguments ?? '').join(''), '{}');
  assert.ok(deltas.every((d) => d.index === 0));
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'tool_calls');
});

test('a base_url given with /v1, as for OpenAI-style providers, reaches /v1/messages too', async () => {
  const gateway = await startSluice(config(
    [{ name: 'with-v1', url: mock.url, base_url: `${mock.url}/v1` }],
    [{ alias: 'claude-model', deployments: [{ provider: 'with-v1', model: UPSTREAM_MODEL }] }]));
  try {
    const c = new OpenAI({ apiKey: 'k', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const data = await ask(c);
    assert.match(data.choices[0].message.content, /^Mock reply to: Say hello\./);
  } finally {
    await gateway.stop();
  }
});

test('an upstream 529 (overloaded_error) surfaces as a 503', async () => {
  const overloaded = await startMockUpstream(['--error-rate', '1', '--error-status', '529']);
  const gateway = await startSluice(claudeOnly(overloaded.url, { retry: { max_attempts: 1 } }));
  try {
    const c = new OpenAI({ apiKey: 'k', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await assert.rejects(ask(c), (error) => {
      assert.ok(error instanceof OpenAI.InternalServerError, `got ${error?.constructor?.name}`);
      assert.equal(error.status, 503);
      assert.match(error.message, /Overloaded/);
      return true;
    });
    assert.equal((await mockStats(overloaded)).messages, 1);
  } finally {
    await gateway.stop();
    await overloaded.stop();
  }
});

test('an upstream 529 is retried on the fallback deployment', async () => {
  const overloaded = await startMockUpstream(['--error-rate', '1', '--error-status', '529']);
  const healthy = await startMockUpstream();
  const gateway = await startSluice(config(
    [{ name: 'busy', url: overloaded.url }, { name: 'spare', url: healthy.url }],
    [{ alias: 'claude-model', deployments: [{ provider: 'busy', model: UPSTREAM_MODEL, priority: 0 },
                                            { provider: 'spare', model: UPSTREAM_MODEL, priority: 1 }] }],
    { circuit_breaker: { failure_threshold: 1000 } }));
  try {
    const c = new OpenAI({ apiKey: 'k', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    for (const stream of [false, true]) {
      const { data, response } = await ask(c, 'hello', { stream }).withResponse();
      assert.equal(response.headers.get('x-sluice-deployment'), `spare/${UPSTREAM_MODEL}`);
      if (stream) for await (const chunk of data) assert.equal(chunk.object, 'chat.completion.chunk');
      else assert.match(data.choices[0].message.content, /^Mock reply to: hello\./);
    }
    assert.equal((await mockStats(overloaded)).messages, 2);
    assert.equal((await mockStats(healthy)).messages, 2);
  } finally {
    await gateway.stop();
    await overloaded.stop();
    await healthy.stop();
  }
});

test("an upstream 400 surfaces as BadRequestError with Anthropic's message", async () => {
  const rejecting = await startMockUpstream(['--error-rate', '1', '--error-status', '400']);
  const gateway = await startSluice(claudeOnly(rejecting.url));
  try {
    const c = new OpenAI({ apiKey: 'k', baseURL: `${gateway.url}/v1`, maxRetries: 2 });
    await assert.rejects(ask(c), (error) => {
      assert.ok(error instanceof OpenAI.BadRequestError, `got ${error?.constructor?.name}`);
      assert.equal(error.status, 400);
      assert.equal(error.type, 'invalid_request_error');
      assert.match(error.message, /Injected fault: sluice mock-upstream answered 400\./);
      return true;
    });
    assert.equal((await mockStats(rejecting)).messages, 1, 'a 400 is not retried');
  } finally {
    await gateway.stop();
    await rejecting.stop();
  }
});
