// The status page: polls this instance's own metrics (same origin), keeps the last ten minutes
// in a ring, and charts them. Each chart's section exposes what it drew as data-points,
// data-series and data-max, for tests and for curious operators.
import { PALETTE, drawChart } from './chart.js';
import * as format from './format.js';
import { History, bucketIncrease, quantile, rates } from './history.js';
import { byName, parseMetrics } from './prometheus.js';
import { extractSignals } from './signals.js';

const INTERVAL_MS = 2000;
const HISTORY_MS = 10 * 60 * 1000;
const RATE_WINDOW_MS = 10 * 1000;
const QUANTILE_WINDOW_MS = 30 * 1000;
const TABLE_WINDOW_MS = 60 * 1000;
const MAX_SERIES = 6;
const RED = '#dc2626';
const AMBER = '#d97706';
const GREEN = '#16a34a';
const BLUE = '#2563eb';

// Where /metrics is served (metrics.path), written into the page by the server. Only a path of
// this origin is fetched.
const metricsPath = (() => {
  const path = document.querySelector('meta[name="sluice-metrics-path"]')?.content ?? '';
  return path.startsWith('/') && !path.startsWith('//') ? path : '/metrics';
})();

const OPS_ROUTES = new Set(['/livez', '/health/live', '/readyz', '/health/ready', '/health',
  'unmatched', metricsPath]);
const isApiRoute = (route) => !OPS_ROUTES.has(route) && route !== '/ui' && !route.startsWith('/ui/');

const PANELS = [
  { id: 'request-rate', title: 'Requests by route', unit: '/s', kind: 'rate', signal: 'requests',
    format: format.number },
  { id: 'error-rate', title: 'Errors', unit: '/s', kind: 'rate', signal: 'status',
    keys: ['5xx', '4xx'], colors: { '5xx': RED, '4xx': AMBER }, format: format.number },
  { id: 'latency', title: 'Latency of API routes (p50, p95, p99)', kind: 'quantiles',
    signal: 'latency', include: isApiRoute, format: format.duration },
  { id: 'ttft', title: 'Time to first token (p50, p95, p99)', kind: 'quantiles', signal: 'ttft',
    format: format.duration },
  { id: 'tokens', title: 'Tokens by alias · key', unit: '/min', kind: 'rate', signal: 'tokens',
    scale: 60, format: format.number },
  { id: 'cost', title: 'Cost by model · alias · key', unit: '/min', kind: 'rate', signal: 'cost',
    scale: 60, format: format.usd },
  { id: 'upstream', title: 'Upstream attempts by outcome', unit: '/s', kind: 'rate',
    signal: 'outcomes', colors: { success: GREEN, upstream_5xx: RED, timeout: AMBER },
    format: format.number },
  { id: 'rag', title: 'RAG queries by result', unit: '/s', kind: 'rate', signal: 'ragQueries',
    keys: ['success', 'cached', 'error'], colors: { success: GREEN, cached: BLUE, error: RED },
    format: format.number },
  { id: 'concurrency', title: 'Connections, requests and streams', kind: 'gauge',
    signal: 'concurrency', format: format.number },
  { id: 'refusals', title: 'Shedding and limits: refused', unit: '/s', kind: 'rate',
    signal: 'refusals', format: format.number },
  { id: 'memory', title: 'Memory (resident)', unit: ' MiB', kind: 'gauge', signal: 'memory',
    scale: 1 / 2 ** 20, format: format.number },
  { id: 'cpu', title: 'CPU (share of one core)', kind: 'rate', signal: 'cpu',
    format: format.percent },
];
const QUANTILES = [['p50', 0.5, BLUE], ['p95', 0.95, AMBER], ['p99', 0.99, RED]];
const CIRCUIT = { 0: ['closed', 'ok'], 1: ['half-open', 'warn'], 2: ['open', 'bad'] };

const history = new History(Math.ceil(HISTORY_MS / INTERVAL_MS));
const $ = (selector) => document.querySelector(selector);
let scrapes = 0;
let ready = null;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function buildPanels() {
  const grid = $('#charts');
  for (const panel of PANELS) {
    const section = element('section', 'panel');
    section.dataset.chart = panel.id;
    const head = element('header');
    head.append(element('h2', '', panel.title), element('span', 'unit', panel.unit ?? ''));
    panel.canvas = element('canvas');
    panel.canvas.setAttribute('role', 'img');
    panel.canvas.setAttribute('aria-label', panel.title);
    panel.legend = element('ul', 'legend');
    section.append(head, panel.canvas, panel.legend);
    grid.append(section);
    panel.section = section;
  }
}

// { times, series: Map name -> values (aligned with times) } for one panel.
function panelData(panel) {
  const samples = history.samples;
  const times = [];
  const rows = [];
  const first = panel.kind === 'gauge' ? 0 : 1;
  for (let i = first; i < samples.length; i++) {
    const now = samples[i].values[panel.signal];
    let row;
    if (panel.kind === 'gauge') {
      row = now;
    } else if (panel.kind === 'rate') {
      const j = history.windowStart(i, RATE_WINDOW_MS);
      row = rates(samples[j].values[panel.signal], now, (samples[i].t - samples[j].t) / 1000);
    } else {
      const j = history.windowStart(i, QUANTILE_WINDOW_MS);
      const increase = bucketIncrease(samples[j].values[panel.signal], now, panel.include);
      row = new Map(QUANTILES.map(([name, q]) => [name, quantile(q, increase)]));
    }
    times.push(samples[i].t);
    rows.push(row);
  }
  const names = panel.kind === 'quantiles' ? QUANTILES.map(([name]) => name)
    : panel.keys ?? [...new Set(rows.flatMap((row) => [...row.keys()]))];
  const scale = panel.scale ?? 1;
  // A series absent from a scrape had not counted anything yet: 0 (gauges and quantiles: a gap).
  const absent = panel.kind === 'rate' ? 0 : NaN;
  let series = new Map(names.map((name) => [name,
    rows.map((row) => (row.get(name) ?? absent) * scale)]));
  if (series.size > MAX_SERIES) series = keepLargest(series);
  return { times, series };
}

// The MAX_SERIES - 1 series with the most in them, and the rest summed as "other".
function keepLargest(series) {
  const total = (values) => values.reduce((sum, v) => sum + (Number.isFinite(v) ? v : 0), 0);
  const ranked = [...series].sort((a, b) => total(b[1]) - total(a[1]));
  const kept = new Map(ranked.slice(0, MAX_SERIES - 1));
  const rest = ranked.slice(MAX_SERIES - 1);
  kept.set('other', rest[0][1].map((_, i) => rest.reduce((sum, [, v]) => sum + (v[i] || 0), 0)));
  return kept;
}

function colorOf(panel, name, index) {
  if (panel.kind === 'quantiles') return QUANTILES.find(([q]) => q === name)[2];
  return panel.colors?.[name] ?? PALETTE[index % PALETTE.length];
}

function renderPanel(panel, range) {
  const { times, series } = panelData(panel);
  const drawn = [...series].map(([name, values], index) => ({
    name,
    color: colorOf(panel, name, index),
    points: values.map((v, i) => [times[i], v]),
    latest: values.findLast((v) => Number.isFinite(v)),
  }));
  const points = drawChart(panel.canvas, drawn, { ...range, format: panel.format,
    clock: format.clock });
  const values = drawn.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  Object.assign(panel.section.dataset, {
    points: String(points),
    series: drawn.map((s) => s.name).join('|'),
    max: String(values.length ? Math.max(...values) : 0),
    colors: drawn.map((s) => s.color).join('|'),
  });
  panel.legend.replaceChildren(...drawn.map((s) => {
    const item = element('li');
    const swatch = element('span', 'swatch');
    swatch.style.background = s.color;
    const value = s.latest === undefined ? '–' : panel.format(s.latest) + (panel.unit ?? '');
    item.append(swatch, element('span', 'name', s.name), element('span', 'value', value));
    item.title = s.name;
    return item;
  }));
}

// Per-second rates of a signal over the last `windowMs`, or an empty map without two samples.
function recentRates(signal, windowMs) {
  const last = history.samples.length - 1;
  const j = history.windowStart(last, windowMs);
  if (j < 0) return new Map();
  const [a, b] = [history.samples[j], history.samples[last]];
  return rates(a.values[signal], b.values[signal], (b.t - a.t) / 1000);
}

const sum = (map) => [...map.values()].reduce((a, b) => a + b, 0);

function setTile(id, value, state) {
  const tile = $(`#tile-${id}`);
  tile.querySelector('.value').textContent = value;
  tile.dataset.state = state ?? '';
}

function renderTiles(latest) {
  const v = latest.values;
  const draining = v.draining > 0;
  const status = draining ? ['draining', 'warn'] : ready === true ? ['ready', 'ok']
    : ready === false ? ['not ready', 'bad'] : ['unknown', 'warn'];
  setTile('status', ...status);
  document.body.dataset.status = status[0];
  setTile('version', v.version || '–');
  setTile('uptime', format.uptime(latest.t / 1000 - v.startTime));
  const requests = sum(recentRates('requests', RATE_WINDOW_MS));
  setTile('rps', `${format.number(requests)}/s`);
  const statuses = recentRates('status', TABLE_WINDOW_MS);
  const errors = (statuses.get('5xx') ?? 0) / sum(statuses);
  setTile('errors', format.percent(sum(statuses) > 0 ? errors : 0), errors > 0.01 ? 'bad' : '');
  setTile('streams', format.number(v.concurrency.get('active streams')));
  setTile('connections', format.number(v.concurrency.get('open connections')));
  setTile('memory', format.bytes(v.memory.get('resident')));
}

function cells(row, ...values) {
  for (const value of values) row.append(value instanceof Node ? value : element('td', '', value));
  return row;
}

function renderRoutes() {
  const last = history.samples.length - 1;
  const j = history.windowStart(last, TABLE_WINDOW_MS);
  const body = $('#routes tbody');
  if (j < 0) return;
  const [a, b] = [history.samples[j], history.samples[last]];
  const requests = rates(a.values.requests, b.values.requests, (b.t - a.t) / 1000);
  const errors = rates(a.values.routeErrors, b.values.routeErrors, (b.t - a.t) / 1000);
  const rows = [...requests].filter(([, r]) => r > 0).sort((x, y) => y[1] - x[1]).map(([route, r]) => {
    const increase = bucketIncrease(a.values.latency, b.values.latency, (g) => g === route);
    const q = (p) => format.duration(quantile(p, increase));
    const row = element('tr');
    row.append(element('td', 'route', route));
    return cells(row, `${format.number(r)}/s`, format.percent((errors.get(route) ?? 0) / r),
      q(0.5), q(0.95), q(0.99));
  });
  body.replaceChildren(...(rows.length ? rows : [emptyRow(6, 'no requests in the last minute')]));
}

function renderUpstreams(latest) {
  const last = history.samples.length - 1;
  const attempts = recentRates('attempts', TABLE_WINDOW_MS);
  const successes = recentRates('successes', TABLE_WINDOW_MS);
  const v = latest.values;
  const deployments = [...new Set([...v.circuits.keys(), ...v.attempts.keys()])].sort();
  const rows = deployments.map((deployment) => {
    const [state, tone] = CIRCUIT[v.circuits.get(deployment)] ?? ['–', ''];
    const chip = element('td');
    const badge = element('span', `chip ${tone}`, state);
    chip.append(badge);
    const row = element('tr');
    row.append(element('td', 'route', deployment));
    const rate = attempts.get(deployment) ?? 0;
    return cells(row, chip, format.number(v.inFlight.get(deployment) ?? 0),
      last > 0 ? `${format.number(rate)}/s` : '–',
      rate > 0 ? format.percent((successes.get(deployment) ?? 0) / rate) : '–');
  });
  $('#upstreams tbody').replaceChildren(...(rows.length ? rows
    : [emptyRow(5, 'no upstream deployments')]));
}

// Canary releases (gateway.models[].canary): shown only when the instance has one.
function renderCanaries(latest) {
  const v = latest.values;
  const section = $('#canaries-panel');
  section.hidden = v.canaryWeight.size === 0;
  if (section.hidden) return;
  const candidate = recentRates('canaryCandidate', TABLE_WINDOW_MS);
  const requests = recentRates('canaryRequests', TABLE_WINDOW_MS);
  const rows = [...v.canaryWeight.keys()].sort().map((alias) => {
    const weight = v.canaryWeight.get(alias);
    const rollbacks = v.canaryRollbacks.get(alias) ?? 0;
    // Weight 0 after a rollback: out until an admin resumes it (a configured 0 is just idle).
    const [state, tone] = weight === 0 && rollbacks > 0 ? ['rolled back', 'bad']
      : weight === 0 ? ['idle', ''] : ['serving', 'ok'];
    const chip = element('td');
    chip.append(element('span', `chip ${tone}`, state));
    const row = element('tr');
    row.append(element('td', 'route', alias));
    const rate = requests.get(alias) ?? 0;
    return cells(row, chip, format.percent(weight),
      rate > 0 ? format.percent((candidate.get(alias) ?? 0) / rate) : '–', format.number(rollbacks));
  });
  $('#canaries tbody').replaceChildren(...rows);
}

function emptyRow(columns, text) {
  const row = element('tr', 'empty');
  const cell = element('td', '', text);
  cell.colSpan = columns;
  row.append(cell);
  return row;
}

function render() {
  const latest = history.latest;
  if (!latest) return;
  const to = latest.t;
  const span = Math.min(HISTORY_MS, Math.max(60 * 1000, to - history.samples[0].t));
  for (const panel of PANELS) renderPanel(panel, { from: to - span, to });
  renderTiles(latest);
  renderRoutes();
  renderUpstreams(latest);
  renderCanaries(latest);
  $('#updated').textContent = `updated ${format.clock(to)}`;
}

async function scrape() {
  const [response, readiness] = await Promise.all([
    fetch(metricsPath, { cache: 'no-store', headers: { accept: 'text/plain' } }),
    fetch('/readyz', { cache: 'no-store' }).then((r) => r.status === 200, () => null),
  ]);
  if (!response.ok) throw new Error(`${metricsPath} answered ${response.status}`);
  const values = extractSignals(byName(parseMetrics(await response.text())));
  const t = Date.now();
  // Another process (a restart) starts its counters from zero: begin a new history.
  if (history.latest && history.latest.values.startTime !== values.startTime) history.clear();
  history.push({ t, values });
  ready = readiness;
  scrapes++;
  document.body.dataset.scrapes = String(scrapes);
  delete document.body.dataset.error;
  render();
}

async function poll() {
  const started = Date.now();
  try {
    await scrape();
  } catch (error) {
    document.body.dataset.error = String(error.message ?? error);
    document.body.dataset.status = 'unreachable';
    setTile('status', 'unreachable', 'bad');
  }
  setTimeout(poll, Math.max(200, INTERVAL_MS - (Date.now() - started)));
}

$('#host').textContent = location.host;
$('#metrics-link').href = metricsPath;
$('#metrics-link').textContent = metricsPath;
buildPanels();
window.addEventListener('resize', render);
poll();
