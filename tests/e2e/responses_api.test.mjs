// The Responses API (POST /v1/responses) with real clients and default settings: the Vercel AI
// SDK (which calls it by default) and the official openai SDK, via sluice in front of mock-upstream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, tool, jsonSchema, stepCountIs } from 'ai';
import { startMockUpstream, startSluice, gatewayConfig } from './lib/processes.mjs';

let mock, sluice, openai, client;

before(async () => {
  mock = await startMockUpstream(['--chunks', '5']);
  sluice = await startSluice(gatewayConfig([{ name: 'primary', url: mock.url }]));
  openai = createOpenAI({ baseURL: `${sluice.url}/v1`, apiKey: 'sk-test' });
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${sluice.url}/v1` });
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  await mock.stop();
});

// The access log line of a request: written once the response is complete, which may be after
// the client has read it.
async function logLine(requestId) {
  for (let i = 0; i < 100; ++i) {
    const line = sluice.output().split('\n').find((l) => l.includes(`"request_id":"${requestId}"`));
    if (line) return JSON.parse(line);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no log line for ${requestId}`);
}

test('Vercel AI SDK generateText', async () => {
  const result = await generateText({ model: openai('test-model'), prompt: 'Say hello' });
  assert.match(result.text, /Mock reply to: Say hello\./);
  assert.equal(result.finishReason, 'stop');
  assert.ok(result.usage.inputTokens > 0 && result.usage.outputTokens > 0);
  assert.equal(result.usage.totalTokens, result.usage.inputTokens + result.usage.outputTokens);
  assert.match(result.response.id, /^resp_/);
  assert.equal(result.response.modelId, 'upstream-model');
  assert.equal(result.response.headers['x-sluice-deployment'], 'primary/upstream-model');
});

test('Vercel AI SDK generateText with a system prompt and a token limit', async () => {
  const result = await generateText({
    model: openai('test-model'), system: 'Be brief.', prompt: 'Limits', maxOutputTokens: 50,
  });
  assert.match(result.text, /Mock reply to: Limits\./);
});

test('Vercel AI SDK streamText', async () => {
  const result = streamText({ model: openai('test-model'), prompt: 'Stream please' });
  const pieces = [];
  for await (const part of result.fullStream) {
    assert.notEqual(part.type, 'error', String(part.error));
    if (part.type === 'text-delta') pieces.push(part.text);
  }
  assert.ok(pieces.length >= 3, `pieces: ${pieces.length}`);
  assert.match(pieces.join(''), /Mock reply to: Stream please\./);
  assert.equal(await result.finishReason, 'stop');
  const usage = await result.usage;
  assert.ok(usage.inputTokens > 0 && usage.outputTokens > 0);
  const log = await logLine((await result.response).headers['x-request-id']);
  assert.equal(log.path, '/v1/responses');
  assert.equal(log.model, 'test-model');
  assert.equal(log.deployment, 'primary/upstream-model');
  assert.equal(log.completion_tokens, usage.outputTokens);
  assert.equal(log.prompt_tokens, usage.inputTokens);
});

test('Vercel AI SDK tool call: the tool runs and its result goes back', async () => {
  const calls = [];
  const result = await generateText({
    model: openai('test-model'),
    prompt: 'What is the weather?',
    tools: {
      get_weather: tool({
        description: 'Current weather',
        inputSchema: jsonSchema({ type: 'object', properties: {}, additionalProperties: false }),
        execute: async (input) => { calls.push(input); return { forecast: 'sunny' }; },
      }),
    },
    toolChoice: 'required',
    // The mock answers every forced tool choice with a call: let the second step answer in text.
    prepareStep: ({ stepNumber }) => (stepNumber > 0 ? { toolChoice: 'none' } : {}),
    stopWhen: stepCountIs(3),
  });
  assert.deepEqual(calls, [{}]);
  assert.equal(result.steps.length, 2);
  assert.equal(result.steps[0].finishReason, 'tool-calls');
  assert.equal(result.steps[0].toolCalls[0].toolName, 'get_weather');
  assert.match(result.steps[0].toolCalls[0].toolCallId, /^call_/);
  assert.deepEqual(result.steps[0].toolResults[0].output, { forecast: 'sunny' });
  assert.match(result.text, /Mock reply to: What is the weather\?/);
  assert.equal(result.finishReason, 'stop');
});

test('Vercel AI SDK streamed tool call', async () => {
  const result = streamText({
    model: openai('test-model'),
    prompt: 'Stream a tool call',
    tools: { lookup: tool({ inputSchema: jsonSchema({ type: 'object', properties: {} }) }) },
    toolChoice: { type: 'tool', toolName: 'lookup' },
  });
  const calls = [];
  for await (const part of result.fullStream) if (part.type === 'tool-call') calls.push(part);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].toolName, 'lookup');
  assert.deepEqual(calls[0].input, {});
  assert.equal(await result.finishReason, 'tool-calls');
});

test('Vercel AI SDK multi-turn conversation with default settings', async () => {
  const alone = await generateText({ model: openai('test-model'), prompt: 'Third turn' });
  const first = await generateText({ model: openai('test-model'), prompt: 'First turn' });
  const history = [{ role: 'user', content: 'First turn' }, ...first.response.messages];
  // The SDK stores by default and sends the earlier answer as a reference to its item id.
  assert.match(history.at(-1).content[0].providerOptions.openai.itemId, /^msg_/);
  const second = streamText({ model: openai('test-model'),
                              messages: [...history, { role: 'user', content: 'Second turn' }] });
  assert.match(await second.text, /Mock reply to: Second turn\./);
  history.push({ role: 'user', content: 'Second turn' }, ...(await second.response).messages);
  // A streamed answer is referred to the same way.
  const third = await generateText({ model: openai('test-model'),
                                     messages: [...history, { role: 'user', content: 'Third turn' }] });
  assert.match(third.text, /Mock reply to: Third turn\./);
  // The upstream saw the whole conversation: both earlier answers, resolved from their ids.
  const secondUsage = await second.usage;
  assert.ok(third.usage.inputTokens >
            alone.usage.inputTokens + first.usage.outputTokens + secondUsage.outputTokens,
            `${third.usage.inputTokens} vs ${alone.usage.inputTokens}`);
});

test('Vercel AI SDK reference to an answer this instance does not have: a clear 400', async () => {
  // What a client sees after a restart: the id it kept is no longer stored.
  const messages = [
    { role: 'user', content: 'Earlier' },
    { role: 'assistant', content: [{ type: 'text', text: 'Earlier answer',
                                     providerOptions: { openai: { itemId: 'msg_gone' } } }] },
    { role: 'user', content: 'Now' },
  ];
  await assert.rejects(generateText({ model: openai('test-model'), messages, maxRetries: 0 }),
                       (error) => error.statusCode === 400 && /msg_gone' is not stored/.test(error.message));
  const full = await generateText({ model: openai('test-model'), messages,
                                    providerOptions: { openai: { store: false } } });
  assert.match(full.text, /Mock reply to: Now\./);
});

test('Vercel AI SDK chat completions model', async () => {
  const result = await generateText({ model: openai.chat('test-model'), prompt: 'Chat path' });
  assert.match(result.text, /Mock reply to: Chat path\./);
  assert.ok(result.usage.inputTokens > 0);
  const streamed = streamText({ model: openai.chat('test-model'), prompt: 'Chat stream' });
  let text = '';
  for await (const piece of streamed.textStream) text += piece;
  assert.match(text, /Mock reply to: Chat stream\./);
  assert.ok((await streamed.usage).outputTokens > 0);
});

test('openai SDK responses.create', async () => {
  const { data, response } = await client.responses
    .create({ model: 'test-model', input: 'Hello responses' })
    .withResponse();
  assert.equal(data.object, 'response');
  assert.equal(data.status, 'completed');
  assert.match(data.id, /^resp_/);
  assert.match(data.output_text, /Mock reply to: Hello responses\./);
  assert.equal(data.output[0].type, 'message');
  assert.equal(data.output[0].content[0].type, 'output_text');
  assert.ok(data.usage.input_tokens > 0 && data.usage.output_tokens > 0);
  assert.equal(data.usage.total_tokens, data.usage.input_tokens + data.usage.output_tokens);
  assert.equal(response.headers.get('x-sluice-deployment'), 'primary/upstream-model');
});

test('openai SDK responses.create with stream: true', async () => {
  const stream = await client.responses.create({
    model: 'test-model', input: [{ role: 'user', content: 'Stream responses' }], stream: true,
  });
  const events = [];
  for await (const event of stream) events.push(event);
  const types = events.map((e) => e.type);
  assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress',
                                       'response.output_item.added', 'response.content_part.added']);
  assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done',
                                     'response.output_item.done', 'response.completed']);
  assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i));
  const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
  assert.match(text, /Mock reply to: Stream responses\./);
  const completed = events.at(-1).response;
  assert.equal(completed.output[0].content[0].text, text);
  assert.ok(completed.usage.output_tokens > 0);
});

test('openai SDK responses.stream helper assembles the final response', async () => {
  const stream = client.responses.stream({ model: 'test-model', input: 'Helper' });
  const final = await stream.finalResponse();
  assert.match(final.output_text, /Mock reply to: Helper\./);
});

test('openai SDK function tools through responses.create', async () => {
  const tools = [{ type: 'function', name: 'get_time', description: 'Now',
                   parameters: { type: 'object', properties: {} }, strict: false }];
  const data = await client.responses.create({
    model: 'test-model', input: 'What time is it?', tools, tool_choice: 'required',
  });
  const call = data.output.find((o) => o.type === 'function_call');
  assert.equal(call.name, 'get_time');
  assert.equal(call.arguments, '{}');
  const answer = await client.responses.create({
    model: 'test-model', tools,
    input: ['What time is it?', call, { type: 'function_call_output', call_id: call.call_id, output: '12:00' }]
      .map((item) => (typeof item === 'string' ? { role: 'user', content: item } : item)),
  });
  assert.match(answer.output_text, /Mock reply to: What time is it\?/);
});

test('openai SDK chains turns with previous_response_id', async () => {
  const alone = await client.responses.create({ model: 'test-model', input: 'Third question', store: false });
  const first = await client.responses.create({ model: 'test-model', input: 'First question',
                                                instructions: 'Be brief.' });
  assert.equal(first.store, true);
  const second = await client.responses.create({ model: 'test-model', input: 'Second question',
                                                 previous_response_id: first.id });
  assert.equal(second.previous_response_id, first.id);
  assert.match(second.output_text, /Mock reply to: Second question\./);
  const stream = client.responses.stream({ model: 'test-model', input: 'Third question',
                                           previous_response_id: second.id });
  const third = await stream.finalResponse();
  assert.match(third.output_text, /Mock reply to: Third question\./);
  // Each turn sent the whole conversation upstream: prompts grow by at least the earlier answers.
  assert.ok(second.usage.input_tokens > first.usage.input_tokens + first.usage.output_tokens);
  assert.ok(third.usage.input_tokens >
            alone.usage.input_tokens + first.usage.output_tokens + second.usage.output_tokens);
  // A streamed response is stored too, and its items can be referred to.
  const fourth = await client.responses.create({
    model: 'test-model',
    input: [{ type: 'item_reference', id: third.output[0].id }, { role: 'user', content: 'Fourth' }],
  });
  assert.match(fourth.output_text, /Mock reply to: Fourth\./);
  assert.ok(fourth.usage.input_tokens > third.usage.output_tokens);
  // store: false keeps nothing to chain from.
  await assert.rejects(
    client.responses.create({ model: 'test-model', input: 'x', previous_response_id: alone.id }),
    (e) => e instanceof OpenAI.NotFoundError && e.param === 'previous_response_id');
});

test('openai SDK refers to an input item that inputItems.list names', async () => {
  const first = await client.responses.create({ model: 'test-model', input: 'The colour is blue' });
  const items = await client.responses.inputItems.list(first.id);
  assert.equal(items.data.length, 1);
  assert.match(items.data[0].id, /^msg_/);
  const again = await client.responses.create({
    model: 'test-model',
    input: [{ type: 'item_reference', id: items.data[0].id }],
  });
  assert.match(again.output_text, /Mock reply to: The colour is blue\./);
});

test('errors keep the OpenAI shape', async () => {
  await assert.rejects(client.responses.create({ model: 'nope', input: 'x' }),
                       (e) => e instanceof OpenAI.APIError && e.status === 404);
  await assert.rejects(
    client.responses.create({ model: 'test-model', input: 'x', tools: [{ type: 'web_search' }] }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'tools[0].type');
  await assert.rejects(
    client.responses.create({ model: 'test-model', input: 'x', previous_response_id: 'resp_1' }),
    (e) => e instanceof OpenAI.NotFoundError && e.type === 'not_found_error' &&
           e.param === 'previous_response_id' && /Previous response with id 'resp_1' not found/.test(e.message));
  await assert.rejects(
    client.responses.create({ model: 'test-model', input: [{ type: 'item_reference', id: 'msg_gone' }] }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'input[0]' && /not stored/.test(e.message));
});

test('a stream that breaks mid-way ends with an error event both SDKs raise', async () => {
  const stalling = await startMockUpstream(['--chunks', '10', '--stall-after-chunks', '3']);
  const broken = await startSluice(gatewayConfig([{ name: 'primary', url: stalling.url,
                                                    provider: { idle_timeout: '500ms' } }]));
  try {
    const stallingClient = new OpenAI({ apiKey: 'sk-test', baseURL: `${broken.url}/v1` });
    const stream = await stallingClient.responses.create({ model: 'test-model', input: 'x', stream: true });
    const types = [];
    await assert.rejects(async () => { for await (const event of stream) types.push(event.type); },
                         (e) => e instanceof OpenAI.APIError && /idle timeout/.test(e.message));
    assert.ok(types.includes('response.output_text.delta'));

    const provider = createOpenAI({ baseURL: `${broken.url}/v1`, apiKey: 'sk-test' });
    const result = streamText({ model: provider('test-model'), prompt: 'x', onError: () => {} });
    const errors = [];
    for await (const part of result.fullStream) if (part.type === 'error') errors.push(part.error);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /idle timeout/);
    assert.equal(await result.finishReason, 'error');
  } finally {
    await broken.stop();
    await stalling.stop();
  }
});
