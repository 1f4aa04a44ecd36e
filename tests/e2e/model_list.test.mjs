// The official openai SDK's model picker calls (models.list, models.retrieve) against sluice whose
// only provider comes from OPENAI_BASE_URL + OPENAI_API_KEY, with no config file: the listed
// models are the upstream's own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { listedModelIds, start, startMockUpstream } from './lib/processes.mjs';

let mock, sluice, client;

before(async () => {
  mock = await startMockUpstream(['--models', 'gpt-4o,gpt-4o-mini,meta-llama/llama-3']);
  sluice = await start(['serve', '--listen', '127.0.0.1:0'], {
    OPENAI_BASE_URL: `${mock.url}/v1`,
    OPENAI_API_KEY: 'sk-upstream',
    SLUICE_STORAGE__DATA_DIR: join(mkdtempSync(join(tmpdir(), 'sluice-e2e-')), 'data'),
  });
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${sluice.url}/v1` });
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  await mock.stop();
});

const listedIds = () => listedModelIds(client, 'openai/gpt-4o');

test('models.list returns the upstream models, prefixed and bare', async () => {
  const ids = await listedIds();
  for (const id of ['openai/gpt-4o', 'openai/gpt-4o-mini', 'openai/meta-llama/llama-3',
                    'gpt-4o', 'gpt-4o-mini', 'meta-llama/llama-3'])
    assert.ok(ids.includes(id), `${id} missing from ${ids}`);
  assert.equal(new Set(ids).size, ids.length, 'duplicate ids');
});

test('models.retrieve works for every listed id, slashes included', async () => {
  for (const id of await listedIds()) {
    const model = await client.models.retrieve(id);
    assert.equal(model.id, id);
    assert.equal(model.object, 'model');
    assert.equal(model.owned_by, 'openai');
  }
});

test('a listed model answers a chat', async () => {
  const { data, response } = await client.chat.completions
    .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
    .withResponse();
  assert.equal(data.object, 'chat.completion');
  assert.equal(response.headers.get('x-sluice-deployment'), 'openai/gpt-4o-mini');
});
