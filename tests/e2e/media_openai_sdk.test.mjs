// The official openai SDK's image and audio calls, unmodified, through sluice to mock-upstream:
// JSON and multipart requests (the SDK streams `fs.createReadStream` uploads and sends `model`
// after `file` when the call names the file first), binary speech answers, usage where the
// upstream reports it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { startMockUpstream, startSluice, waitForLog } from './lib/processes.mjs';

let mock, sluice, client, dir;

const deployments = {
  painter: 'gpt-image-1', stt: 'gpt-4o-transcribe', whisper: 'whisper-1', tts: 'tts-1',
};

before(async () => {
  mock = await startMockUpstream();
  sluice = await startSluice({
    gateway: {
      providers: [{ name: 'primary', type: 'openai', base_url: `${mock.url}/v1`, api_key: 'upstream-key' }],
      models: Object.entries(deployments).map(([alias, model]) => ({
        alias, deployments: [{ provider: 'primary', model }] })),
    },
  });
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${sluice.url}/v1` });
  dir = mkdtempSync(join(tmpdir(), 'sluice-media-'));
});

after(async () => {
  assert.equal(await sluice.stop(), 0);
  await mock.stop();
});

// 64-bit FNV-1a, as mock-upstream reports the files it received.
function fnv1a(bytes) {
  let hash = 0xcbf29ce484222325n;
  for (const b of bytes) hash = ((hash ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
}

function audioBytes(size) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 10)) & 0xff;
  return bytes;
}

test('images.generate answers b64 images and gpt-image-1 usage', async () => {
  const { data: result, response } = await client.images
    .generate({ model: 'painter', prompt: 'a red fox in the snow', n: 2 })
    .withResponse();
  assert.equal(result.data.length, 2);
  assert.ok(Buffer.from(result.data[0].b64_json, 'base64').subarray(1, 4).equals(Buffer.from('PNG')));
  assert.equal(result.usage.input_tokens, 6);
  assert.equal(result.usage.output_tokens, 544);
  assert.equal(response.headers.get('x-sluice-deployment'), 'primary/gpt-image-1');
  const line = await waitForLog(sluice, (l) => l.includes('"model":"painter"'));
  assert.equal(line.prompt_tokens, 6);
  assert.equal(line.completion_tokens, 544);
});

test('images.edit uploads the image as multipart', async () => {
  const png = audioBytes(20_000);
  const result = await client.images.edit({
    model: 'painter', prompt: 'add a hat', image: await toFile(png, 'fox.png', { type: 'image/png' }),
  });
  assert.equal(result.data[0].revised_prompt,
               `Edited 1 image of 20000 bytes (fnv1a ${fnv1a(png)}) with gpt-image-1: add a hat`);
});

// `{file, model}`: the SDK streams the file and sends the model field after it.
test('audio.transcriptions.create with fs.createReadStream, model after the file', async () => {
  const bytes = audioBytes(512 * 1024);
  const path = join(dir, 'talk.mp3');
  writeFileSync(path, bytes);
  const result = await client.audio.transcriptions.create({ file: createReadStream(path), model: 'stt' });
  assert.equal(result.text,
               `Transcribed ${bytes.length} bytes of talk.mp3 (fnv1a ${fnv1a(bytes)}) with gpt-4o-transcribe.`);
  assert.equal(result.usage.type, 'tokens');
  assert.equal(result.usage.input_tokens, 512);
  const line = await waitForLog(sluice, (l) => l.includes('"model":"stt"') && l.includes('upload_bytes'));
  assert.equal(line.prompt_tokens, 512);
  assert.ok(line.spooled_bytes > bytes.length, 'the file came before the model: it was kept');
});

test('audio.transcriptions.create with toFile, model first, as text', async () => {
  const bytes = audioBytes(100_000);
  const text = await client.audio.transcriptions.create({
    model: 'whisper', file: await toFile(bytes, 'note.wav'), response_format: 'text',
  });
  assert.equal(text.trim(),
               `Transcribed 100000 bytes of note.wav (fnv1a ${fnv1a(bytes)}) with whisper-1.`);
  // whisper-1 bills seconds of audio, not tokens: nothing is counted as tokens.
  const line = await waitForLog(sluice, (l) => l.includes('"model":"whisper"'));
  assert.equal(line.usage, 'not_reported');
  assert.equal(line.cost_usd, 0);
});

test('audio.translations.create', async () => {
  const bytes = audioBytes(4096);
  const result = await client.audio.translations.create({ file: await toFile(bytes, 'de.mp3'), model: 'whisper' });
  assert.match(result.text, /^Translated 4096 bytes of de\.mp3 .* with whisper-1\.$/);
});

test('audio.speech.create answers audio bytes', async () => {
  const input = 'Hello from the gateway';
  const response = await client.audio.speech.create({ model: 'tts', voice: 'alloy', input });
  assert.equal(response.headers.get('content-type'), 'audio/mpeg');
  const audio = Buffer.from(await response.arrayBuffer());
  assert.equal(audio.length, input.length * 1024);
  for (const i of [0, 1, 1000, audio.length - 1]) assert.equal(audio[i], (i * 131 + 17) % 251);
  const line = await waitForLog(sluice, (l) => l.includes('"model":"tts"'));
  assert.equal(line.usage, 'not_reported');
});

test('errors come back in the SDK\'s shape', async () => {
  await assert.rejects(
    client.audio.transcriptions.create({ file: await toFile(audioBytes(10), 'a.mp3'), model: 'nope' }),
    OpenAI.NotFoundError);
  await assert.rejects(client.images.generate({ model: 'painter', prompt: '' }),
                       (e) => e instanceof OpenAI.BadRequestError && e.param === 'prompt');
});
