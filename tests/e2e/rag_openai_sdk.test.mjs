// Model rag/<collection> through the official openai SDK: answers from ingested documents, with
// the citations in the documented extra `citations` field (top level; first and last chunk of a
// stream). Also /v1/query with a model served through the gateway (mock-upstream).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, startSluice, gatewayConfig } from './lib/processes.mjs';

let mock, sluice, client;

async function api(path, body, method = 'POST') {
  const response = await fetch(`${sluice.url}${path}`, {
    method, headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function until(condition, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

before(async () => {
  mock = await startMockUpstream();
  sluice = await startSluice(gatewayConfig([{ name: 'primary', url: mock.url }]),
                             { SLUICE_RAG__INDEX_FOLLOW: '50ms' });
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${sluice.url}/v1` });
  assert.equal((await api('/v1/collections', { name: 'kb' })).status, 201);
  const put = await api('/v1/collections/kb/documents', {
    id: 'tea.md', title: 'Tea', format: 'markdown',
    text: '# Brewing\n\nGreen tea steeps for two minutes at 80 degrees. Black tea takes longer.\n',
  });
  assert.equal(put.status, 202);
  await until(async () => (await api(`/v1/jobs/${put.body.job_id}`, undefined, 'GET')).body.state === 'succeeded');
  await until(async () => (await api('/v1/collections/kb/search', { query: 'green tea' })).body.data?.length > 0);
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  await mock.stop();
});

test('rag/<collection> answers a chat completion with citations', async () => {
  const completion = await client.chat.completions.create({
    model: 'rag/kb', messages: [{ role: 'user', content: 'How long does green tea steep?' }],
  });
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.model, 'rag/kb');
  assert.match(completion.choices[0].message.content, /two minutes.*\[1\]/);
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.equal(completion.citations.length, 1);
  const [citation] = completion.citations;
  assert.equal(citation.index, 1);
  assert.equal(citation.id, 'tea.md');
  assert.equal(citation.title, 'Tea');
  assert.equal(citation.heading_path, 'Brewing');
  assert.equal(completion.template_version, 'rag-v1');
});

test('rag/<collection> streams with citations on the first and last chunks', async () => {
  const stream = await client.chat.completions.create({
    model: 'rag/kb', stream: true, stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'How long does green tea steep?' }],
  });
  const chunks = [];
  let text = '';
  for await (const chunk of stream) {
    chunks.push(chunk);
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.match(text, /two minutes/);
  assert.equal(chunks[0].citations[0].id, 'tea.md');
  const last = chunks.findLast((c) => c.choices[0]?.finish_reason === 'stop');
  assert.equal(last.citations[0].index, 1);
  assert.ok(chunks.at(-1).usage, 'include_usage ends with a usage chunk');
});

test('models.list and models.retrieve know rag/<collection>', async () => {
  const ids = [];
  for await (const model of client.models.list()) ids.push(model.id);
  assert.ok(ids.includes('rag/kb'), `rag/kb missing from ${ids}`);
  assert.equal((await client.models.retrieve('rag/kb')).id, 'rag/kb');
  await assert.rejects(client.models.retrieve('rag/nope'), (error) => error.status === 404);
});

test('an unknown collection is a 404 the SDK raises', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'rag/nope', messages: [{ role: 'user', content: 'q' }] }),
    (error) => error.status === 404 && error.param === 'collection');
});

test('/v1/query with a model routed through the gateway relays its answer', async () => {
  const { status, body } = await api('/v1/query', { question: 'green tea time?', collection: 'kb', model: 'test-model' });
  assert.equal(status, 200);
  assert.equal(body.model, 'test-model');
  assert.ok(body.answer.length > 0);
  assert.ok(body.usage.prompt_tokens > 0);
  assert.equal(body.citations[0].id, 'tea.md');
});
