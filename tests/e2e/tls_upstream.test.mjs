// TLS to upstreams: a private CA given as ca_file is trusted, the system CAs don't trust it, and
// the certificate must name the host that was dialled. Addresses, not names: a bare build root
// may have no /etc/hosts entry for localhost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { answeredModelList, startSluice } from './lib/processes.mjs';

let dir;
const upstreams = {};

// A CA, and certificates it signs for `san` (openssl's subjectAltName syntax), made with the
// openssl CLI for this run only.
function makeCa() {
  dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key',
                           '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Sluice Test CA'],
               { cwd: dir, stdio: 'pipe' });
}
function makeCertificate(name, san) {
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`,
      '-subj', `/CN=${name}`);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) };
}

async function serve(certificate) {
  const server = https.createServer(certificate, (req, res) => {
      if (answeredModelList(req, res)) return;
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
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

before(async () => {
  makeCa();
  upstreams.right = await serve(makeCertificate('right', 'IP:127.0.0.1'));
  upstreams.wrong = await serve(makeCertificate('wrong', 'DNS:somewhere-else.test'));
});

after(() => { upstreams.right.close(); upstreams.wrong.close(); });

function config(upstream, caFile) {
  return { gateway: {
    providers: [{ name: 'tls', type: 'openai', base_url: `https://127.0.0.1:${upstream.address().port}/v1`,
                  api_key: 'k',
                  ...(caFile ? { ca_file: caFile } : {}) }],
    models: [{ alias: 'secure', deployments: [{ provider: 'tls', model: 'm' }] }],
    retry: { max_attempts: 1 },
  } };
}

test('a provider behind a private CA works with ca_file, JSON and streamed', async () => {
  const sluice = await startSluice(config(upstreams.right, join(dir, 'ca.pem')));
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
  const sluice = await startSluice(config(upstreams.right, null));
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
  const sluice = await startSluice(config(upstreams.wrong, join(dir, 'ca.pem')));  // names another host
  try {
    const r = await fetch(`${sluice.url}/v1/chat/completions`, { method: 'POST',
      body: JSON.stringify({ model: 'secure', messages: [{ role: 'user', content: 'x' }] }) });
    assert.equal(r.status, 502);
    assert.match((await r.json()).error.message, /TLS handshake/);
  } finally {
    await sluice.stop();
  }
});
