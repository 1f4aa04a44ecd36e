// Azure OpenAI and cached-token accounting with real clients. mock-upstream's Azure routes are
// first checked against the official SDK's AzureOpenAI client (so that they are the URL shape
// Azure has), then the openai and Anthropic SDKs talk to sluice with an `azure` provider and
// cached prompt tokens reported upstream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { AzureOpenAI } from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startMockUpstream, startSluice, waitForLog, metrics, metricValue } from './lib/processes.mjs';

const API_VERSION = '2024-10-21';
let mock, sluice, client;

async function recorded() {
  const r = await fetch(`${mock.url}/mock/requests`);
  return (await r.json()).requests;
}

before(async () => {
  mock = await startMockUpstream(['--record-requests', '16', '--chunks', '4']);
  sluice = await startSluice({
    gateway: {
      providers: [
        { name: 'az', type: 'azure', base_url: mock.url, api_key: 'az-key', api_version: API_VERSION,
          forward_mock_headers: true },
        { name: 'claude', type: 'anthropic', base_url: mock.url, api_key: 'sk-ant',
          forward_mock_headers: true },
      ],
      models: [
        { alias: 'chat', deployments: [{ provider: 'az', model: 'gpt-4o-prod' }] },
        { alias: 'reasoner', deployments: [{ provider: 'az', model: 'o3-mini' }] },
        { alias: 'sonnet', deployments: [{ provider: 'claude', model: 'claude-sonnet-4' }] },
      ],
      prices: [{ model: 'gpt-4o-prod', input_per_million: 2.5, cached_input_per_million: 1.25,
                 output_per_million: 10 }],
    },
  });
  client = new OpenAI({ apiKey: 'sk-client', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  await mock.stop();
});

test("mock-upstream's Azure routes are what the official AzureOpenAI client calls", async () => {
  const azure = new AzureOpenAI({ endpoint: mock.url, apiKey: 'direct-key', apiVersion: API_VERSION,
                                  deployment: 'my-deployment', maxRetries: 0 });
  const answer = await azure.chat.completions.create({
    model: 'ignored-by-azure', messages: [{ role: 'user', content: 'Hello Azure' }] });
  assert.match(answer.choices[0].message.content, /Hello Azure/);
  assert.equal(answer.model, 'my-deployment');
  const [sent] = (await recorded()).slice(-1);
  assert.equal(sent.target, `/openai/deployments/my-deployment/chat/completions?api-version=${API_VERSION}`);
  assert.equal(sent.headers['api-key'], 'direct-key');
  // And it refuses what Azure refuses: no api-version.
  const r = await fetch(`${mock.url}/openai/deployments/my-deployment/chat/completions`, {
    method: 'POST', headers: { 'api-key': 'k', 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }) });
  assert.equal(r.status, 404);
});

test('the openai SDK through sluice to an Azure deployment, JSON and streamed', async () => {
  const { data, response } = await client.chat.completions
    .create({ model: 'chat', messages: [{ role: 'user', content: 'Say hello' }] }).withResponse();
  assert.match(data.choices[0].message.content, /Say hello/);
  assert.equal(response.headers.get('x-sluice-deployment'), 'az/gpt-4o-prod');
  let sent = (await recorded()).at(-1);
  assert.equal(sent.target, `/openai/deployments/gpt-4o-prod/chat/completions?api-version=${API_VERSION}`);
  assert.equal(sent.headers['api-key'], 'az-key');
  assert.equal(sent.headers.authorization, undefined);

  const stream = await client.chat.completions.create({
    model: 'chat', stream: true, stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Stream to me' }] });
  let text = '';
  let usage;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  assert.match(text, /Stream to me/);
  assert.ok(usage.prompt_tokens > 0 && usage.completion_tokens > 0);
  sent = (await recorded()).at(-1);
  assert.equal(JSON.parse(sent.body).stream, true);
});

test('a reasoning deployment gets max_completion_tokens; its sampling parameters are dropped', async () => {
  const data = await client.chat.completions.create({
    model: 'reasoner', max_tokens: 40, temperature: 0.7, top_p: 0.5,
    messages: [{ role: 'user', content: 'Think' }] });
  assert.equal(data.object, 'chat.completion');
  const body = JSON.parse((await recorded()).at(-1).body);
  assert.equal(body.max_completion_tokens, 40);
  assert.equal(body.max_tokens, undefined);
  assert.equal(body.temperature, undefined);
  assert.equal(body.top_p, undefined);
  const text = await metrics(sluice);
  assert.equal(metricValue(text, 'sluice_param_rule_edits_total', 'provider="az",param="temperature",action="dropped"'), 1);
});

test("Azure's content filter reaches the SDK as a 400 it can read", async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] },
                                   { headers: { 'x-mock-content-filter': '1' } }),
    (err) => {
      assert.equal(err.status, 400);
      assert.equal(err.code, 'content_filter');
      assert.equal(err.param, 'prompt');
      assert.equal(err.type, 'invalid_request_error');
      return true;
    });
});

test('cached prompt tokens: the SDK sees them, the cost prices them at the cached rate', async () => {
  const data = await client.chat.completions.create(
    { model: 'chat', messages: [{ role: 'user', content: 'cached please' }] },
    { headers: { 'x-mock-cached-tokens': '2000' } });
  const { prompt_tokens: prompt, completion_tokens: completion } = data.usage;
  assert.equal(data.usage.prompt_tokens_details.cached_tokens, 2000);
  // (prompt - 2,000) x $2.50 + 2,000 x $1.25 + completion x $10, per million tokens.
  const expected = ((prompt - 2000) * 2.5 + 2000 * 1.25 + completion * 10) / 1e6;
  const log = await waitForLog(sluice, (l) => l.includes('"cached_tokens":2000'));
  assert.ok(Math.abs(log.cost_usd - expected) < 1e-12, `${log.cost_usd} != ${expected}`);
  const text = await metrics(sluice);
  assert.equal(metricValue(text, 'sluice_tokens_total', 'alias="chat",key="",type="cached_input"'), 2000);
});

test("the Anthropic SDK sees Anthropic's cache fields through sluice", async () => {
  const anthropic = new Anthropic({ apiKey: 'sk-client', baseURL: sluice.url, maxRetries: 0 });
  const headers = { 'x-mock-cached-tokens': '3000', 'x-mock-cache-write-tokens': '500' };
  const message = await anthropic.messages.create(
    { model: 'sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }, { headers });
  assert.equal(message.usage.cache_read_input_tokens, 3000);
  assert.equal(message.usage.cache_creation_input_tokens, 500);
  assert.ok(message.usage.input_tokens > 0);

  const stream = anthropic.messages.stream(
    { model: 'sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }, { headers });
  const final = await stream.finalMessage();
  assert.equal(final.usage.cache_read_input_tokens, 3000);
  assert.equal(final.usage.cache_creation_input_tokens, 500);
  const text = await metrics(sluice);
  assert.equal(metricValue(text, 'sluice_tokens_total', 'alias="sonnet",key="",type="cache_write"'), 1000);
});
