// SIGTERM while a long streamed answer is in flight: the stream completes, then sluice exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockUpstream, startSluice, gatewayConfig } from './lib/processes.mjs';

test('a stream in flight finishes during the drain; new connections are refused after it', async () => {
  const mock = await startMockUpstream(['--chunks', '30', '--chunk-interval-ms', '50']);  // ~1.5 s
  const sluice = await startSluice(gatewayConfig([{ name: 'up', url: mock.url }],
                                                 { root: { shutdown: { drain_delay: '200ms', grace: '10s' } } }));
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'test-model', stream: true, messages: [{ role: 'user', content: 'a long story' }] });
    let text = '';
    let chunks = 0;
    const exited = new Promise((resolve) => sluice.proc.once('exit', (code) => resolve(code)));
    for await (const chunk of stream) {
      if (chunks++ === 2) sluice.proc.kill('SIGTERM');  // mid-stream
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    assert.ok(chunks >= 30, `all chunks arrived: ${chunks}`);
    assert.match(text, /a long story/);
    assert.equal(await exited, 0);
    const log = sluice.output();
    assert.ok(log.indexOf('"msg":"draining"') < log.indexOf('"msg":"stopped"'));
    assert.doesNotMatch(log, /grace period over/);
    await assert.rejects(fetch(`${sluice.url}/livez`));  // nothing listens any more
  } finally {
    await sluice.stop();
    await mock.stop();
  }
});
