// deploy/grafana/sluice-dashboard.json and deploy/prometheus/alerts.yaml against Debian's real
// Prometheus and Alertmanager (configured from deploy/compose's files) scraping the real binary
// while traffic moves every signal: each dashboard query, with Grafana's variables substituted,
// must evaluate and return data; each recording rule must evaluate, return data and be recorded;
// each alert expression must evaluate; every series a panel or a rule reads must exist, so that
// nothing watches a name or a label value Sluice does not export; and the alerts that fire reach
// Alertmanager and its receiver.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { labelValues, startAlertmanager, startPrometheus } from "./lib/prometheus.mjs";
import { dashboardQueries, loadDashboard, loadRules, selectors, substitute, withoutOffsets }
  from "./lib/promql.mjs";
import { startScenario } from "./lib/traffic.mjs";

// Grafana's interval variables: windows that hold several of the test's 1 s scrapes and rounds.
const WINDOWS = { __rate_interval: "30s", __interval: "15s", __range: "5m" };
// run-node-tests.sh gives a test file 120 s in all.
const WAIT_FOR_DATA_MS = 90000;

const hasData = (result) => !result.error && result.values.some((v) => !Number.isNaN(v));
function show(result) {
  if (result.error) return `ERROR ${result.error}`;
  const numbers = result.values.filter((v) => !Number.isNaN(v));
  const nan = result.values.length - numbers.length;
  return `${result.values.length} series` + (numbers.length ? `, max ${Math.max(...numbers)}` : "") +
    (nan ? ` (${nan} NaN: no observations in the window)` : "");
}

describe("dashboard and rule queries against Prometheus scraping Sluice", () => {
  const dashboard = loadDashboard();
  const rules = loadRules();
  // Rules reading their own recorded past (`offset`): empty until Prometheus holds that history.
  const historical = new Set(rules.filter((r) => r.record && /\boffset\b/.test(r.expr)).map((r) => r.record));
  let scenario, alertmanager, prometheus, instances, variables, last, delivered;
  let traffic = Promise.resolve();
  let trafficStopped = false;

  async function evaluate() {
    const query = prometheus.query;
    const panels = [];
    for (const q of dashboardQueries(dashboard)) {
      const expr = substitute(q.expr, variables);
      panels.push({ ...q, expr, result: await query(expr) });
    }
    const records = [];
    const alerts = [];
    for (const rule of rules) {
      if (rule.alert) { alerts.push({ name: rule.alert, expr: rule.expr, result: await query(rule.expr) }); continue; }
      const now = historical.has(rule.record) ? withoutOffsets(rule.expr) : rule.expr;
      records.push({ name: rule.record, expr: now, historical: historical.has(rule.record),
        result: await query(now), recorded: await query(rule.record) });
    }
    const reads = new Map();
    for (const { name, expr } of [...panels.map((p) => ({ name: p.panel, expr: p.expr })), ...alerts, ...records]) {
      for (const s of selectors(expr)) {
        if (!reads.has(s.selector)) reads.set(s.selector, { name: s.name, readers: new Set(), result: await query(`group(${s.selector})`) });
        reads.get(s.selector).readers.add(name);
      }
    }
    return { panels, records, alerts, reads };
  }

  const complete = ({ panels, records, alerts, reads }) =>
    panels.every((p) => hasData(p.result)) && alerts.every((a) => !a.result.error) &&
    records.every((r) => hasData(r.result) && (r.historical || hasData(r.recorded))) &&
    [...reads.values()].every((r) => historical.has(r.name) || hasData(r.result));

  before(async () => {
    scenario = await startScenario();
    await scenario.run();
    alertmanager = await startAlertmanager();
    prometheus = await startPrometheus(`127.0.0.1:${scenario.sluice.port}`, new URL(alertmanager.url).host);
    let trafficFailed = false;
    traffic = (async () => { while (!trafficStopped) await scenario.run(); })();
    traffic.catch(() => { trafficFailed = true; });  // reported by its own test
    const deadline = Date.now() + WAIT_FOR_DATA_MS;
    for (;;) {
      instances = await labelValues(prometheus.url, "instance", 'up{job="sluice"}');
      // Grafana formats a multi-value variable as a regex of its values, dots escaped.
      variables = { ...WINDOWS, instance: instances.map((i) => i.replace(/\./g, "\\\\.")).join("|") || "none" };
      last = await evaluate();
      delivered = await alertmanager.alerts();
      if ((complete(last) && delivered.length > 0) || trafficFailed || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }, { timeout: WAIT_FOR_DATA_MS + 25000 });

  after(async () => {
    trafficStopped = true;
    await traffic.catch(() => {});
    await prometheus?.stop();
    await alertmanager?.stop();
    await scenario?.stop();
  });

  it("offers the scraped instance in the dashboard's instance variable", () => {
    const variable = dashboard.templating.list.find((v) => v.name === "instance");
    assert.match(variable.query.query, /^label_values\(up\{job="sluice"\}, instance\)$/);
    assert.deepEqual(instances, [`127.0.0.1:${scenario.sluice.port}`]);
  });

  it("keeps the traffic going without failing", async () => {
    trafficStopped = true;
    await traffic;
  });

  it("returns data for every dashboard query", (t) => {
    for (const p of last.panels) t.diagnostic(`${p.panel} [${p.refId}]: ${show(p.result)}`);
    const empty = last.panels.filter((p) => !hasData(p.result));
    assert.deepEqual(empty.map((p) => `${p.panel} [${p.refId}]: ${show(p.result)}: ${p.expr}`), []);
  });

  it("evaluates and records every recording rule", (t) => {
    for (const r of last.records) {
      t.diagnostic(`${r.name}: ${show(r.result)}; recorded: ${show(r.recorded)}` +
        (r.historical ? " (reads an hour ago or more: evaluated without its offset)" : ""));
    }
    const failing = last.records.filter((r) => !hasData(r.result) || (!r.historical && !hasData(r.recorded)));
    assert.deepEqual(failing.map((r) => `${r.name}: ${show(r.result)}; recorded: ${show(r.recorded)}`), []);
  });

  it("evaluates every alert expression", (t) => {
    for (const a of last.alerts) t.diagnostic(`${a.name}: ${show(a.result)}`);
    assert.deepEqual(last.alerts.filter((a) => a.result.error).map((a) => `${a.name}: ${a.result.error}`), []);
  });

  it("has series for everything a panel or a rule reads", (t) => {
    const missing = [];
    for (const [selector, r] of last.reads) {
      if (hasData(r.result)) continue;
      if (historical.has(r.name)) {
        t.diagnostic(`${selector}: no series yet, recorded from an hour ago or more (read by ${[...r.readers].join(", ")})`);
        continue;
      }
      missing.push(`${selector} (read by ${[...r.readers].join(", ")}): ${show(r.result)}`);
    }
    t.diagnostic(`${last.reads.size} selectors read`);
    assert.deepEqual(missing, []);
  });

  it("delivers the alerts that fire to Alertmanager, which routes them to its receiver", (t) => {
    const names = new Set(rules.filter((r) => r.alert).map((r) => r.alert));
    for (const a of delivered) {
      t.diagnostic(`${a.labels.alertname}: ${a.status.state}, receivers ${a.receivers.map((r) => r.name)}`);
    }
    assert.ok(delivered.length > 0, "some alert reached Alertmanager");
    for (const a of delivered) {
      assert.ok(names.has(a.labels.alertname), a.labels.alertname);
      assert.equal(a.labels.job, "sluice");
      assert.equal(a.status.state, "active", a.labels.alertname);
      assert.deepEqual(a.receivers.map((r) => r.name), ["null"]);
    }
  });
});
