// The simulator's metrics output read by Debian's real Prometheus with the shipped rules: the
// shipped example scenario (examples/simulate/provider-outage.yaml: two replicas of the gateway's
// own objects, 20 requests a second, provider openai answering every attempt with a 503 from
// minute 20 to minute 35 of the hour, a fallback alias behind it) is simulated with
// `sluice simulate --openmetrics`, which writes every replica's registry as OpenMetrics with
// timestamps, backfilled with `promtool tsdb create-blocks-from openmetrics`,
// its recording rules backfilled with `promtool tsdb create-blocks-from rules` (Prometheus
// evaluates rules only from the time it starts, never over backfilled history), and each alert of
// deploy/prometheus/alerts.yaml is evaluated over the hour as the rule manager would: its
// expression at every 15 s evaluation (query_range), firing once present for its `for:`. The
// alerts the incident should raise fire, inside the incident only; every other stays quiet.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO } from "./lib/compose.mjs";
import { startDaemon } from "./lib/daemon.mjs";
import { PROMETHEUS } from "./lib/prometheus.mjs";
import { loadRules, RULES_FILE } from "./lib/promql.mjs";

const SLUICE = process.env.SLUICE_BINARY;
const SCENARIO = join(REPO, "examples/simulate/provider-outage.yaml");
const PROMTOOL = process.env.PROMTOOL ?? "promtool";
const STEP = 15; // seconds: the simulated scrape interval, and the rules' evaluation interval
const HOUR = 3600;
// The scenario's outage of provider openai, in virtual seconds.
const OUTAGE_START = 1200;
const OUTAGE_END = 2100;

function seconds(duration) {
  if (!duration) return 0;
  const m = /^(\d+)([smhd])$/.exec(duration);
  if (!m) throw new Error(`unexpected duration ${duration}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
}

function run(command, args) {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

async function api(url, path, params) {
  const response = await fetch(`${url}/api/v1/${path}`, { method: "POST", body: new URLSearchParams(params) });
  const body = await response.json();
  if (body.status !== "success") throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
  return body.data;
}

/** Series key: the labels but __name__, sorted. */
const keyOf = (metric) => JSON.stringify(Object.entries(metric).filter(([k]) => k !== "__name__").sort());

/**
 * Where `rule` fires between `start` and `end`, as Prometheus' rule manager evaluating every STEP
 * would have it: [{ labels, firing: [unix seconds...] }] for each label set that fired.
 */
async function firing(url, rule, start, end) {
  const data = await api(url, "query_range", { query: rule.expr, start, end, step: STEP });
  const hold = seconds(rule.for);
  const fired = [];
  for (const series of data.result) {
    const times = series.values.map(([t]) => Math.round(Number(t)));
    const firingAt = [];
    let activeAt = null;
    let previous = null;
    for (const t of times) {
      if (previous === null || t - previous > STEP) activeAt = t; // absent at an evaluation: reset
      if (t - activeAt >= hold) firingAt.push(t);
      previous = t;
    }
    if (firingAt.length) fired.push({ labels: series.metric, firing: firingAt });
  }
  return fired;
}

describe("simulated metrics backfilled into Prometheus, evaluated with the shipped rules", () => {
  let root, data, start, end, prometheus, written, backfilled;
  const alerts = loadRules().filter((r) => r.alert);

  async function startPrometheus() {
    const scratch = mkdtempSync(join(root, "daemon-"));
    return startDaemon(PROMETHEUS, (listen) => [`--config.file=${join(root, "prometheus.yml")}`,
      `--storage.tsdb.path=${data}`, `--web.listen-address=${listen}`, "--log.level=warn"], scratch);
  }

  before(async () => {
    assert.ok(SLUICE, "SLUICE_BINARY names the sluice binary (ctest sets it)");
    root = mkdtempSync(join(tmpdir(), "sluice-sim-metrics-"));
    data = join(root, "data");
    // The simulated hour ends an hour before now, on a whole hour: inside any retention, and
    // clear of the head block Prometheus writes from now on.
    start = (Math.floor(Date.now() / 1000 / HOUR) - 2) * HOUR;
    end = start + HOUR;
    const file = join(root, "outage.om");
    run(SLUICE, ["simulate", SCENARIO, "--openmetrics", file, "--metrics-start", String(start)]);
    written = readFileSync(file, "utf8").split("\n").filter((l) => l && !l.startsWith("#")).length;
    // promtool prints a table of the blocks it wrote: ULID, MIN TIME, MAX TIME, DURATION, NUM
    // SAMPLES, ...
    const blocks = run(PROMTOOL, ["tsdb", "create-blocks-from", "openmetrics", file, data]);
    backfilled = blocks.split("\n").filter((l) => /^[0-9A-Z]{26}\s/.test(l))
      .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[4]), 0);
    copyFileSync(RULES_FILE, join(root, "alerts.yaml"));
    writeFileSync(join(root, "prometheus.yml"),
      `global:\n  evaluation_interval: ${STEP}s\nrule_files:\n  - alerts.yaml\n`);
    prometheus = await startPrometheus();
    // Recording rules over the hour, read from the backfilled series through this Prometheus,
    // into blocks of their own; Prometheus loads them on its next start.
    const recorded = join(root, "recorded");
    run(PROMTOOL, ["tsdb", "create-blocks-from", "rules", `--start=${start}`, `--end=${end}`,
      `--url=${prometheus.url}`, `--output-dir=${recorded}`, `--eval-interval=${STEP}s`,
      join(root, "alerts.yaml")]);
    await prometheus.stop();
    for (const block of readdirSync(recorded)) renameSync(join(recorded, block), join(data, block));
    prometheus = await startPrometheus();
  });

  after(async () => {
    await prometheus?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  // promtool drops a sample that is not later than its series' previous one without a word.
  it("is backfilled whole: promtool keeps every sample of the file", () => {
    assert.ok(written > 40000, `${written} samples written`);
    assert.equal(backfilled, written);
  });

  it("holds every replica's series at the simulated instants, as scraped targets", async () => {
    const at = start + 1800;
    const up = await api(prometheus.url, "query", { query: 'up{job="sluice"}', time: at });
    assert.deepEqual(up.result.map((r) => r.metric.instance).sort(), ["replica-0", "replica-1"]);
    // The share of openai's answered attempts that were 5xx: its background error rate (0.2%)
    // before the incident, all of them in it (the breaker lets a probe through every cooldown).
    const share = 'sum(increase(sluice_upstream_requests_total{job="sluice", deployment="openai/gpt-4o", outcome="upstream_5xx"}[10m]))' +
      ' / sum(increase(sluice_upstream_requests_total{job="sluice", deployment="openai/gpt-4o", outcome=~"success|upstream_5xx"}[10m]))';
    // Minutes 23 to 33: the attempts that started before the outage (and may succeed) are over.
    const during = Number((await api(prometheus.url, "query", { query: share, time: start + OUTAGE_START + 780 })).result[0].value[1]);
    const before = Number((await api(prometheus.url, "query", { query: share, time: start + OUTAGE_START - 1 })).result[0].value[1]);
    assert.ok(before < 0.01, `share of openai's attempts failed before the incident: ${before}`);
    assert.ok(during > 0.9, `share of openai's attempts failed in the incident: ${during}`);
  });

  it("holds the recording rules over the hour", async () => {
    const attempts = await api(prometheus.url, "query", { query: "sluice_provider:upstream_attempts:rate5m", time: start + 1800 });
    assert.deepEqual(attempts.result.map((r) => r.metric.provider).sort(), ["fallback", "openai"]);
    const failures = await api(prometheus.url, "query", { query: "sluice_provider:upstream_failures:rate5m", time: start + 1800 });
    assert.ok(failures.result.some((r) => r.metric.provider === "openai" && Number(r.value[1]) > 0));
  });

  it("fires the incident's alerts inside the incident and keeps every other alert quiet", async (t) => {
    const fired = {};
    for (const rule of alerts) {
      const result = await firing(prometheus.url, rule, start, end);
      if (result.length) fired[rule.alert] = result;
    }
    const summary = Object.fromEntries(Object.entries(fired).map(([name, series]) => [name,
      series.map((s) => ({ labels: keyOf(s.labels), from: s.firing[0] - start, to: s.firing.at(-1) - start }))]));
    t.diagnostic(`firing (seconds into the simulated hour): ${JSON.stringify(summary)}`);
    assert.deepEqual(Object.keys(fired).sort(), ["SluiceCircuitOpen", "SluiceProviderDown"],
      `alerts firing over the simulated hour (seconds from its start): ${JSON.stringify(summary)}`);

    // Provider openai fails most attempts: pending from the first 5 minutes of failures, firing
    // 5 minutes later, until the 5-minute rates forget the outage.
    const [down] = fired.SluiceProviderDown;
    assert.equal(fired.SluiceProviderDown.length, 1, JSON.stringify(summary));
    assert.equal(down.labels.provider, "openai");
    assert.ok(down.firing[0] - start >= OUTAGE_START + 300 && down.firing[0] - start <= OUTAGE_START + 660,
      JSON.stringify(summary));
    assert.ok(down.firing.at(-1) - start <= OUTAGE_END + 300, JSON.stringify(summary));

    // Its circuit never closes during the outage: min_over_time over 5 minutes, held 5 minutes.
    const [open] = fired.SluiceCircuitOpen;
    assert.equal(fired.SluiceCircuitOpen.length, 1, JSON.stringify(summary));
    assert.equal(open.labels.deployment, "openai/gpt-4o");
    assert.ok(open.firing[0] - start >= OUTAGE_START + 600 && open.firing[0] - start <= OUTAGE_START + 660,
      JSON.stringify(summary));
    assert.ok(open.firing.at(-1) - start <= OUTAGE_END + 300, JSON.stringify(summary));
  });
});
