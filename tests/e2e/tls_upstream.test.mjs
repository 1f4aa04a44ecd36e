// TLS to upstreams: a private CA given as ca_file is trusted, the system CAs don't trust it, and
// the certificate must name the host that was dialled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startSluice } from './lib/processes.mjs';

let dir, upstream, port;

// A CA and a certificate for "localhost", made with the openssl CLI for this run only.
function makeCertificates() {
  dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
      '-days', '2', '-subj', '/CN=Sluice Test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr',
      '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
}

before(async () => {
  makeCertificates();
  upstream = https.createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
    (req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const request = JSON.parse(body);
        if (request.stream) {
          res.setHeader('content-type', 'text/event-stream');
          const chunk = (delta, finish) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm',
                                              choices: [{ index: 0, delta, finish_reason: finish }] });
          res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'over ' }, null))}\n\n`);
          res.write(`data: ${JSON.stringify(chunk({ content: 'tls' }, 'stop'))}\n\n`);
          res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [],
                                              usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })}\n\n`);
          res.end('data: [DONE]\n\n');
          return;
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'over tls' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }));
      });
    });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  port = upstream.address().port;
});

after(() => upstream.close());

function config(host, caFile) {
  return { gateway: {
    providers: [{ name: 'tls', type: 'openai', base_url: `https://${host}:${port}/v1`, api_key: 'k',
                  ...(caFile ? { ca_file: caFile } : {}) }],
    models: [{ alias: 'secure', deployments: [{ provider: 'tls', model: 'm' }] }],
    retry: { max_attempts: 1 },
  } };
}

test('a provider behind a private CA works with ca_file, JSON and streamed', async () => {
  const sluice = await startSluice(config('localhost', join(dir, 'ca.pem')));
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${sluice.url}/v1`, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: 'secure', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(answer.choices[0].message.content, 'over tls');
    let text = '';
    for await (const chunk of await client.chat.completions.create({
      model: 'secure', stream: true, messages: [{ role: 'user', content: 'x' }] }))
      text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'over tls');
  } finally {
    await sluice.stop();
  }
});

test('without ca_file the private CA is not trusted', async () => {
  const sluice = await startSluice(config('localhost', null));
  try {
    const r = await fetch(`${sluice.url}/v1/chat/completions`, { method: 'POST',
      body: JSON.stringify({ model: 'secure', messages: [{ role: 'user', content: 'x' }] }) });
    assert.equal(r.status, 502);
    assert.match((await r.json()).error.message, /TLS handshake/);
  } finally {
    await sluice.stop();
  }
});

test('a certificate for another name is refused', async () => {
  const sluice = await startSluice(config('127.0.0.1', join(dir, 'ca.pem')));  // cert says localhost
  try {
    const r = await fetch(`${sluice.url}/v1/chat/completions`, { method: 'POST',
      body: JSON.stringify({ model: 'secure', messages: [{ role: 'user', content: 'x' }] }) });
    assert.equal(r.status, 502);
    assert.match((await r.json()).error.message, /TLS handshake/);
  } finally {
    await sluice.stop();
  }
});
