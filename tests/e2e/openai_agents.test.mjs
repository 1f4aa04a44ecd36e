// The OpenAI Agents SDK (@openai/agents), unmodified and with its default settings but the base
// URL and key, runs an agent with a function tool through sluice to mock-upstream (whose model
// calls the tool on its own, then answers with what the tool returned), on both model APIs the
// SDK speaks: the Responses API (its default) and Chat Completions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { Agent, OpenAIProvider, Runner, getDefaultModel, setTraceProcessors, tool } from '@openai/agents';
import { z } from 'zod';
import {
  startMockUpstream, startSluice, gatewayConfig, mockStats, lastMockRequest,
} from './lib/processes.mjs';

// The one default this test changes: importing the SDK installs a trace exporter that posts every
// run's trace to api.openai.com whenever OPENAI_API_KEY is set in the environment (it is not the
// key given to the client below). The suite runs without network, and a developer's key must not
// upload test runs: no trace processors, so nothing is exported.
setTraceProcessors([]);

let mock, sluice, client;

before(async () => {
  mock = await startMockUpstream(['--auto-tool-calls', '1', '--record-requests', '16']);
  // The model an agent uses when it names none: the SDK's default, served by the mock.
  sluice = await startSluice(gatewayConfig([{ name: 'primary', url: mock.url }], {
    models: [{ alias: getDefaultModel(), deployments: [{ provider: 'primary', model: 'upstream-model' }] }],
  }));
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${sluice.url}/v1` });
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  await mock.stop();
});

function weatherAgent(calls) {
  const getWeather = tool({
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls.push(city);
      return `Sunny in ${city}, 21C`;
    },
  });
  return new Agent({ name: 'Weather agent', instructions: 'Use the weather tool.', tools: [getWeather] });
}

// A runner whose model provider talks to sluice over `api`: the Responses API or Chat Completions.
const runner = (api) =>
  new Runner({ modelProvider: new OpenAIProvider({ openAIClient: client, useResponses: api === 'responses' }) });

for (const api of ['responses', 'chat_completions']) {
  for (const stream of [false, true]) {
    test(`${api}${stream ? ' streamed' : ''}: a function tool round trip`, async () => {
      const calls = [];
      const before = await mockStats(mock);
      const result = await runner(api).run(weatherAgent(calls), 'Paris', { stream });
      if (stream) {
        for await (const event of result) void event;  // the SDK's own consumption
        await result.completed;
      }
      assert.deepEqual(calls, ['Paris'], 'the tool ran once, with the arguments the model chose');
      assert.match(result.finalOutput, /^Tool results: Sunny in Paris, 21C\. Mock reply to: Paris\./);
      const after = await mockStats(mock);
      assert.equal(after.chat - before.chat, 2, 'the tool call turn, then the answer');
      assert.equal(after.stream - before.stream, stream ? 2 : 0);
      // The tool's output reached the model as the answer to its call.
      const sent = JSON.parse((await lastMockRequest(mock)).body);
      const [call] = sent.messages.find((m) => m.role === 'assistant').tool_calls;
      assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
      const output = sent.messages.find((m) => m.role === 'tool');
      assert.equal(output.tool_call_id, call.id);
      const kinds = result.newItems.map((item) => item.type);
      assert.deepEqual(kinds, ['tool_call_item', 'tool_call_output_item', 'message_output_item']);
    });
  }
}
