// Opens N concurrent streaming chat completions against URL and reports inter-chunk gaps.
// usage: node stream_client.mjs URL N   -> one JSON line on stdout
import http from 'node:http';

const [url, countText] = process.argv.slice(2);
const count = Number(countText);
const target = new URL(url);
const body = JSON.stringify({ model: 'bench-model', stream: true,
                              messages: [{ role: 'user', content: 'Tell me a long story.' }] });
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const gaps = [];
let events = 0, failed = 0, opened = 0;

function one() {
  return new Promise((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent,
                               headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        if (res.statusCode !== 200) { failed++; res.resume(); res.on('end', resolve); return; }
        opened++;
        let last = 0;
        res.on('data', (data) => {
          const now = performance.now();
          const n = data.toString().split('data: ').length - 1;
          if (n > 0) {
            if (last) gaps.push(now - last);
            last = now;
            events += n;
          }
        });
        res.on('end', resolve);
        res.on('error', () => { failed++; resolve(); });
      });
    req.on('error', () => { failed++; resolve(); });
    req.end(body);
  });
}

const started = performance.now();
await Promise.all(Array.from({ length: count }, one));
const seconds = (performance.now() - started) / 1000;
gaps.sort((a, b) => a - b);
const q = (p) => gaps.length ? gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))] : 0;
console.log(JSON.stringify({ streams: count, opened, failed, events, seconds: +seconds.toFixed(2),
  gap_p50_ms: +q(0.5).toFixed(2), gap_p99_ms: +q(0.99).toFixed(2), gap_max_ms: +q(1).toFixed(2) }));
agent.destroy();
