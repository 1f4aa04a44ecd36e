// LangChain JS (@langchain/openai ChatOpenAI and OpenAIEmbeddings), default settings, via sluice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { startMockUpstream, startSluice, gatewayConfig } from './lib/processes.mjs';

let mock, sluice;

before(async () => {
  mock = await startMockUpstream(['--chunks', '6']);
  sluice = await startSluice(gatewayConfig([{ name: 'primary', url: mock.url }]));
});

after(async () => {
  await sluice.stop();
  await mock.stop();
});

const chat = () => new ChatOpenAI({ model: 'test-model', apiKey: 'sk-test',
                                    configuration: { baseURL: `${sluice.url}/v1` } });

test('invoke returns the answer with token usage', async () => {
  const message = await chat().invoke('What is a sluice?');
  assert.match(message.content, /What is a sluice\?/);
  assert.ok(message.usage_metadata.input_tokens > 0);
  assert.ok(message.usage_metadata.output_tokens > 0);
});

test('stream yields the answer in pieces', async () => {
  const pieces = [];
  for await (const chunk of await chat().stream('Stream it')) pieces.push(chunk.content);
  assert.ok(pieces.length >= 3, `pieces: ${pieces.length}`);
  assert.match(pieces.join(''), /Stream it/);
});

test('batch of prompts', async () => {
  const answers = await chat().batch(['one', 'two', 'three']);
  assert.deepEqual(answers.map((a) => /Mock reply to: (\w+)/.exec(a.content)[1]), ['one', 'two', 'three']);
});

test('embeddings for documents and a query', async () => {
  const embeddings = new OpenAIEmbeddings({ model: 'test-model', apiKey: 'sk-test',
                                            configuration: { baseURL: `${sluice.url}/v1` } });
  const docs = await embeddings.embedDocuments(['alpha', 'beta']);
  assert.equal(docs.length, 2);
  assert.ok(docs[0].length > 0);
  assert.notDeepEqual(docs[0], docs[1]);
  const query = await embeddings.embedQuery('alpha');
  assert.deepEqual(query, docs[0]);
});
