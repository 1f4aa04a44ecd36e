// The built-in status page (/ui) in Debian's headless Chromium, against a running sluice with
// authentication on and traffic through mock-upstream: its charts draw the instance's own
// metrics, it loads nothing from another origin and logs no error. Saves a screenshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { chromium } from 'playwright-core';
import { gatewayConfig, mockConfig, startMockUpstream, startSluice } from './lib/processes.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT_DIR = process.env.SLUICE_TEST_OUTPUT ?? join(tmpdir(), 'sluice-test-output');
const KEY = 'sk-status-page-test';
const ADMIN_KEY = 'sk-status-page-admin-key';

// What a chart section says it drew.
async function chart(page, id) {
  return page.$eval(`section[data-chart="${id}"]`, (section) => ({
    points: Number(section.dataset.points ?? 0),
    series: (section.dataset.series ?? '').split('|').filter(Boolean),
    max: Number(section.dataset.max ?? 0),
    colors: (section.dataset.colors ?? '').split('|'),
  }));
}

// Waits until `check(chart)` holds for chart `id`; fails with what the chart last showed.
async function chartShows(page, id, check, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await chart(page, id);
    if (check(seen)) return seen;
    if (Date.now() > deadline) assert.fail(`chart ${id} never showed the traffic: ${JSON.stringify(seen)}`);
    await page.waitForTimeout(100);
  }
}

// Pixels of the canvas within a small distance of `hex`: a drawn line, not just the axes.
function pixelsOfColor(page, id, hex) {
  return page.$eval(`section[data-chart="${id}"] canvas`, (canvas, color) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 60 &&
          data[i + 3] > 200) count++;
    }
    return count;
  }, hex);
}

test('the status page charts live traffic from /metrics, with auth on, same origin only', async () => {
  const mock = await startMockUpstream(['--latency-ms', '15', '--chunks', '6', '--chunk-interval-ms', '5']);
  const config = gatewayConfig([{ name: 'mock', url: mock.url, model: 'mock-model' }], {
    gateway: { prices: [{ model: 'mock-model', input_per_million: 3, output_per_million: 15 }],
               retry: { max_attempts: 1 } },
    root: { auth: { api_keys: [{ name: 'app', key: KEY, role: 'user' }] } },
  });
  const sluice = await startSluice(config);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = [];
    const foreign = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith(`${sluice.url}/`)) foreign.push(r.url()); });

    const response = await page.goto(`${sluice.url}/ui`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-security-policy'], /default-src 'self'/);
    await page.waitForSelector('body[data-scrapes]', { timeout: 15000 });

    // Traffic after the first scrape, so that its rates show: chats, streams, an upstream error
    // (5xx) and a request without a key (401).
    const client = new OpenAI({ apiKey: KEY, baseURL: `${sluice.url}/v1`, maxRetries: 0 });
    const ask = () => client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'hello' }] });
    for (let i = 0; i < 12; i++) await ask();
    for (let i = 0; i < 3; i++) {
      const stream = await client.chat.completions.create({ model: 'test-model', stream: true,
        stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'a story' }] });
      for await (const _ of stream);
    }
    await mockConfig(mock, { error_rate: 1 });
    await assert.rejects(ask(), (e) => e.status >= 500);
    await fetch(`${mock.url}/mock/config`, { method: 'DELETE' });
    const unauthorized = await fetch(`${sluice.url}/v1/models`);
    assert.equal(unauthorized.status, 401);

    const requests = await chartShows(page, 'request-rate',
      (c) => c.series.includes('/v1/chat/completions') && c.max > 0 && c.points > 1);
    await chartShows(page, 'error-rate', (c) => c.max > 0);
    await chartShows(page, 'latency', (c) => c.points > 0);
    await chartShows(page, 'ttft', (c) => c.points > 0);
    await chartShows(page, 'tokens', (c) => c.series.includes('test-model · app') && c.max > 0);
    await chartShows(page, 'cost', (c) => c.series.some((s) => s.includes('mock-model')) && c.max > 0);
    await chartShows(page, 'upstream', (c) => c.series.includes('success') && c.series.includes('upstream_5xx'));
    for (const id of ['concurrency', 'memory', 'cpu', 'refusals']) await chartShows(page, id, (c) => c.points > 0);

    // The chat route's line is on the canvas, not only in the data attributes: three scrapes
    // after the traffic it spans several seconds of the chart.
    const scrapes = () => page.$eval('body', (b) => Number(b.dataset.scrapes));
    const enough = (await scrapes()) + 3;
    await page.waitForFunction((n) => Number(document.body.dataset.scrapes) >= n, enough, { timeout: 30000 });
    const color = requests.colors[requests.series.indexOf('/v1/chat/completions')];
    const pixels = await pixelsOfColor(page, 'request-rate', color);
    assert.ok(pixels > 30, `the ${color} line of /v1/chat/completions: ${pixels} pixels`);
    const routes = await page.$$eval('#routes tbody td.route', (cells) => cells.map((c) => c.textContent));
    assert.ok(routes.includes('/v1/chat/completions'), `routes table: ${routes}`);
    const upstreams = await page.$$eval('#upstreams tbody td.route', (cells) => cells.map((c) => c.textContent));
    assert.ok(upstreams.includes('mock/mock-model'), `upstreams table: ${upstreams}`);
    assert.ok(await page.$eval('#canaries-panel', (s) => s.hidden), 'no canary: no canaries panel');
    assert.equal(await page.$eval('body', (b) => b.dataset.status), 'ready');

    mkdirSync(OUTPUT_DIR, { recursive: true });
    const screenshot = join(OUTPUT_DIR, 'status_page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`screenshot: ${screenshot}`);

    assert.deepEqual(problems, [], 'console errors or warnings');
    assert.deepEqual(foreign, [], 'requests outside the instance');
  } finally {
    await browser.close();
    await sluice.stop();
    await mock.stop();
  }
});

test('the status page lists canaries: the candidate serving its share, then rolled back', async () => {
  const mock = await startMockUpstream([]);
  const config = gatewayConfig([{ name: 'mock', url: mock.url }], {
    models: [
      { alias: 'chat', deployments: [{ provider: 'mock', model: 'base-model' }],
        canary: { alias: 'chat-v2', weight: 0.5 } },
      { alias: 'chat-v2', deployments: [{ provider: 'mock', model: 'candidate-model' }] },
    ],
    root: { auth: { admin_key: ADMIN_KEY } },
  });
  const sluice = await startSluice(config);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(`${sluice.url}/ui`);
    await page.waitForSelector('body[data-scrapes]', { timeout: 15000 });
    const row = () => page.$$eval('#canaries tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent)));
    const rowShows = async (check) => {
      const deadline = Date.now() + 30000;
      for (;;) {
        const seen = await row();
        if (check(seen)) return seen;
        if (Date.now() > deadline) assert.fail(`canaries table: ${JSON.stringify(seen)}`);
        await page.waitForTimeout(100);
      }
    };

    const client = new OpenAI({ apiKey: ADMIN_KEY, baseURL: `${sluice.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 20; i++) {
      await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    }
    const serving = await rowShows((rows) => rows.length === 1 && rows[0][1] === 'serving' && rows[0][3] !== '–');
    assert.equal(serving[0][0], 'chat');
    assert.equal(serving[0][2], '50%');
    assert.equal(serving[0][4], '0');
    assert.ok(await page.$eval('#canaries-panel', (s) => !s.hidden));

    const rolledBack = await fetch(`${sluice.url}/v1/admin/canaries/chat/rollback`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    assert.equal(rolledBack.status, 200);
    const after = await rowShows((rows) => rows[0]?.[1] === 'rolled back');
    assert.equal(after[0][2], '0%');
    assert.equal(after[0][4], '1');
    assert.deepEqual(problems, [], 'console errors or warnings');
  } finally {
    await browser.close();
    await sluice.stop();
    await mock.stop();
  }
});
