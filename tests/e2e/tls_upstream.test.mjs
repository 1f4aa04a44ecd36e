// TLS to upstreams: a private CA given as ca_file is trusted, the system CAs don't trust it, and
// the certificate must name the host that was dialled. Addresses, not names: a bare build root
// may have no /etc/hosts entry for localhost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import OpenAI from 'openai';
import { makeCa } from './lib/certificates.mjs';
import { answeredModelList, startSluice } from './lib/processes.mjs';

let ca;
const upstreams = {};

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
  ca = makeCa();
  upstreams.right = await serve(ca.certificate('right', 'IP:127.0.0.1'));
  upstreams.wrong = await serve(ca.certificate('wrong', 'DNS:somewhere-else.test'));
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
  const sluice = await startSluice(config(upstreams.right, ca.caFile));
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
  const sluice = await startSluice(config(upstreams.wrong, ca.caFile));  // names another host
  try {
    const r = await fetch(`${sluice.url}/v1/chat/completions`, { method: 'POST',
      body: JSON.stringify({ model: 'secure', messages: [{ role: 'user', content: 'x' }] }) });
    assert.equal(r.status, 502);
    assert.match((await r.json()).error.message, /TLS handshake/);
  } finally {
    await sluice.stop();
  }
});
