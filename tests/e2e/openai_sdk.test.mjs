// The official openai SDK, with default settings, against sluice in front of mock-upstream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, startSluice, gatewayConfig, listedModelIds, mockStats } from './lib/processes.mjs';

let mock, sluice, client;

before(async () => {
  mock = await startMockUpstream(['--chunks', '5']);
  sluice = await startSluice(gatewayConfig([{ name: 'primary', url: mock.url }]));
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${sluice.url}/v1` });
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  await mock.stop();
});

test('non-streaming chat completion', async () => {
  const { data, response } = await client.chat.completions
    .create({ model: 'test-model', messages: [{ role: 'user', content: 'Say hello' }] })
    .withResponse();
  assert.equal(data.object, 'chat.completion');
  assert.match(data.choices[0].message.content, /Say hello/);
  assert.equal(data.choices[0].finish_reason, 'stop');
  assert.ok(data.usage.prompt_tokens > 0 && data.usage.completion_tokens > 0);
  assert.equal(data.usage.total_tokens, data.usage.prompt_tokens + data.usage.completion_tokens);
  assert.equal(response.headers.get('x-sluice-deployment'), 'primary/upstream-model');
  assert.match(response.headers.get('x-request-id'), /^req_/);
});

test('streaming with include_usage ends with one usage chunk', async () => {
  const stream = await client.chat.completions.create({
    model: 'test-model', stream: true, stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Stream please' }],
  });
  let text = '';
  const chunks = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.match(text, /Stream please/);
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.ok(last.usage.completion_tokens > 0);
  assert.equal(chunks.filter((c) => c.usage).length, 1);
  assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
  for (const c of chunks) assert.equal(c.object, 'chat.completion.chunk');
});

test('streaming without include_usage relays no usage chunk', async () => {
  const stream = await client.chat.completions.create({
    model: 'test-model', stream: true, messages: [{ role: 'user', content: 'No usage' }],
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(chunks.length >= 3);
  assert.ok(chunks.every((c) => c.choices.length === 1), 'the gateway-requested usage chunk leaked');
});

test('embeddings, batched, in the SDK default base64 encoding', async () => {
  const result = await client.embeddings.create({ model: 'test-model', input: ['one', 'two', 'three'] });
  assert.equal(result.data.length, 3);
  assert.deepEqual(result.data.map((d) => d.index), [0, 1, 2]);
  const dims = result.data[0].embedding.length;
  assert.ok(dims > 0);
  const norm = Math.sqrt(result.data[0].embedding.reduce((s, x) => s + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-3, `unit vector expected, norm ${norm}`);
  assert.ok(result.usage.prompt_tokens > 0);
});

test('models list names the configured aliases and the upstream\'s models', async () => {
  const ids = await listedModelIds(client, 'primary/mock-model');
  assert.deepEqual(ids, ['test-model', 'primary/mock-model']);
  const one = await client.models.retrieve('test-model');
  assert.equal(one.id, 'test-model');
  await assert.rejects(client.models.retrieve('nope'), OpenAI.NotFoundError);
});

test('a bad request surfaces as BadRequestError', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'test-model', messages: [] }),
    (error) => {
      assert.ok(error instanceof OpenAI.BadRequestError, `got ${error?.constructor?.name}`);
      assert.equal(error.status, 400);
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.param, 'messages');
      return true;
    });
});

test('an unknown model is a 404 with code model_not_found', async () => {
  const strict = await startSluice(gatewayConfig([{ name: 'primary', url: mock.url }]));
  try {
    const c = new OpenAI({ apiKey: 'k', baseURL: `${strict.url}/v1` });
    await assert.rejects(c.chat.completions.create({ model: 'gpt-nope', messages: [{ role: 'user', content: 'x' }] }),
      (error) => error instanceof OpenAI.NotFoundError && error.code === 'model_not_found');
  } finally {
    await strict.stop();
  }
});

test('upstream 429 surfaces as RateLimitError after the SDK honoured Retry-After', async () => {
  const limited = await startMockUpstream(['--error-rate', '1', '--error-status', '429', '--retry-after', '1']);
  const gateway = await startSluice(gatewayConfig([{ name: 'limited', url: limited.url }],
                                                  { gateway: { retry: { max_attempts: 1 } } }));
  try {
    const c = new OpenAI({ apiKey: 'k', baseURL: `${gateway.url}/v1`, maxRetries: 2 });
    const started = Date.now();
    await assert.rejects(c.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] }),
      (error) => {
        assert.ok(error instanceof OpenAI.RateLimitError, `got ${error?.constructor?.name}`);
        assert.equal(error.status, 429);
        assert.equal(error.headers.get('retry-after'), '1');
        return true;
      });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1900, `two SDK retries should each wait Retry-After=1s, took ${elapsed} ms`);
    assert.equal((await mockStats(limited)).chat, 3);  // 1 try + the SDK's 2 retries
  } finally {
    await gateway.stop();
    await limited.stop();
  }
});

test('large bodies both ways: a 300 KB prompt and a 6 MB embeddings answer', async () => {
  const big = 'lorem ipsum '.repeat(25_000);  // parsed on the blocking pool, not the event loop
  const answer = await client.chat.completions.create({
    model: 'test-model', messages: [{ role: 'user', content: `START ${big}` }] });
  assert.match(answer.choices[0].message.content, /START lorem ipsum/);
  assert.ok(answer.usage.prompt_tokens > 70_000);
  const inputs = Array.from({ length: 512 }, (_, i) => `document ${i}`);
  const result = await client.embeddings.create({ model: 'test-model', input: inputs, dimensions: 1536,
                                                  encoding_format: 'float' });
  assert.equal(result.data.length, 512);
  assert.equal(result.data[511].embedding.length, 1536);
  assert.ok(result.usage.prompt_tokens >= 512);
});

test('legacy completions: JSON and streamed, translated onto chat', async () => {
  const completion = await client.completions.create({
    model: 'test-model', prompt: 'Complete me', max_tokens: 40,
  });
  assert.equal(completion.object, 'text_completion');
  assert.match(completion.id, /^cmpl-/);
  assert.match(completion.choices[0].text, /Mock reply to: Complete me\./);
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);

  const stream = await client.completions.create({
    model: 'test-model', prompt: 'Stream me', max_tokens: 40, stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let usage = null;
  let finish = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'text_completion');
    for (const choice of chunk.choices) {
      text += choice.text;
      finish = choice.finish_reason ?? finish;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.match(text, /Mock reply to: Stream me\./);
  assert.equal(finish, 'stop');
  assert.ok(usage && usage.completion_tokens > 0, JSON.stringify(usage));

  await assert.rejects(
    client.completions.create({ model: 'test-model', prompt: 'x', echo: true }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'echo');
});
