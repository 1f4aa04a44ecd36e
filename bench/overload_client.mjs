// Open-loop load: sends non-streaming chat completions at a fixed rate (arrivals do not wait for
// answers, as real clients do not), and reports latency per status.
// usage: node overload_client.mjs URL RATE_PER_S DURATION_S  -> one JSON line on stdout
import http from 'node:http';

const [url, rateText, durationText] = process.argv.slice(2);
const rate = Number(rateText), duration = Number(durationText);
const target = new URL(url);
const body = JSON.stringify({ model: 'bench-model', max_tokens: 16,
                              messages: [{ role: 'user', content: 'One sentence about rivers.' }] });
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const latencies = new Map();  // status -> [ms]
let sent = 0, errors = 0, inFlight = 0;

function one() {
  const started = performance.now();
  inFlight++;
  const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent,
                             headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
    (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode;
        if (!latencies.has(status)) latencies.set(status, []);
        latencies.get(status).push(performance.now() - started);
        inFlight--;
      });
    });
  req.on('error', () => { errors++; inFlight--; });
  req.end(body);
}

const quantile = (sorted, q) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
const begin = performance.now();
const timer = setInterval(() => {
  const elapsed = (performance.now() - begin) / 1000;
  if (elapsed >= duration) {
    clearInterval(timer);
    const waitForAnswers = setInterval(() => {
      if (inFlight > 0 && performance.now() - begin < (duration + 10) * 1000) return;
      clearInterval(waitForAnswers);
      const out = { rate, duration, sent, errors, statuses: {} };
      for (const [status, values] of latencies) {
        values.sort((a, b) => a - b);
        out.statuses[status] = { count: values.length, p50_ms: +quantile(values, 0.5).toFixed(2),
                                 p99_ms: +quantile(values, 0.99).toFixed(2),
                                 max_ms: +values[values.length - 1].toFixed(2) };
      }
      console.log(JSON.stringify(out));
      agent.destroy();
    }, 50);
    return;
  }
  for (const due = Math.floor(elapsed * rate); sent < due; sent++) one();
}, 1);
