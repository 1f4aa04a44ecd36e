// The rest of the OpenAI surface with the official openai SDK, unmodified: moderations, and
// stored responses (retrieve, input items, delete); rerank in Cohere's and Jina's shape with plain
// fetch. Through sluice in front of mock-upstream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, startSluice, gatewayConfig, mockStats } from './lib/processes.mjs';

let mock, sluice, client;

before(async () => {
  mock = await startMockUpstream();
  sluice = await startSluice(gatewayConfig([{ name: 'primary', url: mock.url }],
                                           { gateway: { default_provider: 'primary' } }));
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  await mock.stop();
});

test('moderations.create: the default model, one result per input, the marker flagged', async () => {
  const moderation = await client.moderations.create({
    input: ['A calm afternoon by the river.', 'This is unsafe.'],
  });
  assert.equal(moderation.model, 'omni-moderation-latest');
  assert.match(moderation.id, /^modr-/);
  assert.equal(moderation.results.length, 2);
  assert.equal(moderation.results[0].flagged, false);
  assert.equal(moderation.results[1].flagged, true);
  assert.equal(moderation.results[1].categories.violence, true);
  assert.ok(moderation.results[1].category_scores.violence > 0.9);
  assert.deepEqual(moderation.results[0].category_applied_input_types.violence, ['text']);
});

test('moderations.create with an image part and a named model', async () => {
  const { data, response } = await client.moderations.create({
    model: 'test-model',
    input: [{ type: 'text', text: 'describe this' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }],
  }).withResponse();
  assert.equal(response.headers.get('x-sluice-deployment'), 'primary/upstream-model');
  assert.equal(data.results.length, 1);
  assert.deepEqual(data.results[0].category_applied_input_types.violence, ['text', 'image']);
});

test('moderations.create with a malformed input is a BadRequestError', async () => {
  await assert.rejects(client.moderations.create({ input: [] }),
                       (e) => e instanceof OpenAI.BadRequestError && e.param === 'input');
});

test('responses.create, then retrieve, inputItems.list and delete', async () => {
  const created = await client.responses.create({
    model: 'test-model',
    instructions: 'Be brief.',
    input: [
      { role: 'user', content: 'First question' },
      { role: 'assistant', content: 'First answer' },
      { role: 'user', content: 'Second question' },
    ],
  });
  assert.match(created.output_text, /Mock reply to: Second question\./);

  const retrieved = await client.responses.retrieve(created.id);
  assert.deepEqual(retrieved, created);
  assert.equal(retrieved.output_text, created.output_text);

  // The SDK pages by `after` = the last id; one item a page walks every cursor.
  const texts = [];
  for await (const item of client.responses.inputItems.list(created.id, { limit: 1, order: 'asc' })) {
    assert.equal(item.type, 'message');
    assert.match(item.id, /^msg_/);
    texts.push(item.content[0].text);
  }
  assert.deepEqual(texts, ['First question', 'First answer', 'Second question']);
  const newestFirst = await client.responses.inputItems.list(created.id);
  assert.deepEqual(newestFirst.data.map((item) => item.content[0].text),
                   ['Second question', 'First answer', 'First question']);
  assert.equal(newestFirst.has_more, false);

  await client.responses.delete(created.id);
  await assert.rejects(client.responses.retrieve(created.id), OpenAI.NotFoundError);
  await assert.rejects(client.responses.inputItems.list(created.id), OpenAI.NotFoundError);
  await assert.rejects(client.responses.delete(created.id), OpenAI.NotFoundError);
});

test('a streamed response is retrievable once complete', async () => {
  const stream = await client.responses.create({ model: 'test-model', input: 'Stream, then keep', stream: true });
  let completed;
  for await (const event of stream) if (event.type === 'response.completed') completed = event.response;
  assert.ok(completed, 'no response.completed event');
  // The SDK adds output_text to what retrieve() returns, not to stream events.
  const { output_text: text, ...retrieved } = await client.responses.retrieve(completed.id);
  assert.deepEqual(retrieved, completed);
  assert.match(text, /Mock reply to: Stream, then keep\./);
});

test('a response created with store: false is not retrievable', async () => {
  const created = await client.responses.create({ model: 'test-model', input: 'Keep nothing', store: false });
  await assert.rejects(client.responses.retrieve(created.id), OpenAI.NotFoundError);
});

async function rerank(body) {
  const response = await fetch(`${sluice.url}/v1/rerank`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

test('rerank: documents ranked by relevance, top_n and documents as asked', async () => {
  const before = (await mockStats(mock)).rerank;
  const { status, headers, body } = await rerank({
    model: 'test-model',
    query: 'How do rivers reach the sea?',
    documents: ['Mountains are tall.', { text: 'Rivers flow downhill and reach the sea.' },
                'The sea is salty.'],
    top_n: 2,
  });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(headers.get('x-sluice-deployment'), 'primary/upstream-model');
  assert.deepEqual(body.results.map((r) => r.index), [1, 2]);
  assert.ok(body.results[0].relevance_score > body.results[1].relevance_score);
  assert.equal(body.results[0].document.text, 'Rivers flow downhill and reach the sea.');
  assert.ok(body.usage.total_tokens > 0);
  assert.equal((await mockStats(mock)).rerank, before + 1);
});

test('rerank: bad requests are 400s in OpenAI\'s error shape', async () => {
  const empty = await rerank({ model: 'test-model', query: 'q', documents: [] });
  assert.equal(empty.status, 400);
  assert.equal(empty.body.error.param, 'documents');
  assert.equal(empty.body.error.type, 'invalid_request_error');
  const topN = await rerank({ model: 'test-model', query: 'q', documents: ['a'], top_n: 0 });
  assert.equal(topN.status, 400);
  assert.equal(topN.body.error.param, 'top_n');
});
