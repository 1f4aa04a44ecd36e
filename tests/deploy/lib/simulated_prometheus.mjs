// A simulated run read by Debian's real Prometheus with the shipped rules: the scenario is
// simulated with `sluice simulate --openmetrics` (every replica's registry as OpenMetrics with
// timestamps), backfilled with `promtool tsdb create-blocks-from openmetrics`, its recording rules
// backfilled with `promtool tsdb create-blocks-from rules` (Prometheus evaluates rules only from
// the time it starts, never over backfilled history), and each alert of
// deploy/prometheus/alerts.yaml evaluated over the run as the rule manager would: its expression
// at every 15 s evaluation (query_range), firing once present for its `for:`.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDaemon } from "./daemon.mjs";
import { PROMETHEUS } from "./prometheus.mjs";
import { loadRules, RULES_FILE } from "./promql.mjs";

export const PROMTOOL = process.env.PROMTOOL ?? "promtool";
export const STEP = 15; // seconds: the simulated scrape interval, and the rules' evaluation interval
const HOUR = 3600;

export function seconds(duration) {
  if (!duration) return 0;
  const m = /^(\d+)([smhd])$/.exec(duration);
  if (!m) throw new Error(`unexpected duration ${duration}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
}

function run(command, args, env) {
  return execFileSync(command, args, {
    encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
}

export async function api(url, path, params) {
  const response = await fetch(`${url}/api/v1/${path}`, { method: "POST", body: new URLSearchParams(params) });
  const body = await response.json();
  if (body.status !== "success") throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
  return body.data;
}

/** Series key: the labels but __name__, sorted. */
export const keyOf = (metric) => JSON.stringify(Object.entries(metric).filter(([k]) => k !== "__name__").sort());

/**
 * Where `rule` fires between `start` and `end`, as Prometheus' rule manager evaluating every STEP
 * would have it: [{ labels, firing: [unix seconds...] }] for each label set that fired. An alert's
 * labels are its expression's without __name__ (which an `or` of comparisons may vary from one
 * evaluation to the next): series that differ only by it are one alert.
 */
export async function firing(url, rule, start, end) {
  const data = await api(url, "query_range", { query: rule.expr, start, end, step: STEP });
  const hold = seconds(rule.for);
  const alerts = new Map();
  for (const series of data.result) {
    const { __name__, ...labels } = series.metric;
    const key = keyOf(labels);
    if (!alerts.has(key)) alerts.set(key, { labels, times: new Set() });
    for (const [t] of series.values) alerts.get(key).times.add(Math.round(Number(t)));
  }
  const fired = [];
  for (const { labels, times: present } of alerts.values()) {
    const times = [...present].sort((a, b) => a - b);
    const firingAt = [];
    let activeAt = null;
    let previous = null;
    for (const t of times) {
      if (previous === null || t - previous > STEP) activeAt = t; // absent at an evaluation: reset
      if (t - activeAt >= hold) firingAt.push(t);
      previous = t;
    }
    if (firingAt.length) fired.push({ labels, firing: firingAt });
  }
  return fired;
}

/**
 * Every shipped alert that fires over the run: { fired: { alertname: [{ labels, firing }] },
 * summary: the same with times in seconds from the run's start, for messages }.
 */
export async function firingAlerts(backfilled) {
  const { url, start, end } = backfilled;
  const fired = {};
  for (const rule of loadRules().filter((r) => r.alert)) {
    const result = await firing(url, rule, start, end);
    if (result.length) fired[rule.alert] = result;
  }
  const summary = JSON.stringify(Object.fromEntries(Object.entries(fired).map(([name, series]) => [name,
    series.map((s) => ({ labels: keyOf(s.labels), from: s.firing[0] - start, to: s.firing.at(-1) - start }))])));
  return { fired, summary };
}

/**
 * Simulates `scenario` (with `env` added to the environment) over `duration` seconds, backfills
 * it and its recording rules, and starts a Prometheus on the result. The run starts on a whole
 * hour two hours before now: inside any retention, and clear of the head block Prometheus writes
 * from now on. Resolves with { url, start, end, written (samples in the file), backfilled
 * (samples promtool wrote), report (the run's --json report), stop() }.
 */
export async function backfilledPrometheus(sluice, scenario, { env = {}, duration = HOUR } = {}) {
  const root = mkdtempSync(join(tmpdir(), "sluice-sim-metrics-"));
  const data = join(root, "data");
  const startPrometheus = () => startDaemon(PROMETHEUS, (listen) => [`--config.file=${join(root, "prometheus.yml")}`,
    `--storage.tsdb.path=${data}`, `--web.listen-address=${listen}`, "--log.level=warn"],
  mkdtempSync(join(root, "daemon-")));
  let prometheus;
  try {
    const start = (Math.floor(Date.now() / 1000 / HOUR) - 2) * HOUR;
    const end = start + duration;
    const file = join(root, "run.om");
    const json = join(root, "report.json");
    run(sluice, ["simulate", scenario, "--openmetrics", file, "--metrics-start", String(start),
      "--json", json], env);
    const report = JSON.parse(readFileSync(json, "utf8"));
    const written = readFileSync(file, "utf8").split("\n").filter((l) => l && !l.startsWith("#")).length;
    // promtool prints a table of the blocks it wrote: ULID, MIN TIME, MAX TIME, DURATION, NUM
    // SAMPLES, ...
    const blocks = run(PROMTOOL, ["tsdb", "create-blocks-from", "openmetrics", file, data]);
    const backfilled = blocks.split("\n").filter((l) => /^[0-9A-Z]{26}\s/.test(l))
      .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[4]), 0);
    copyFileSync(RULES_FILE, join(root, "alerts.yaml"));
    writeFileSync(join(root, "prometheus.yml"),
      `global:\n  evaluation_interval: ${STEP}s\nrule_files:\n  - alerts.yaml\n`);
    prometheus = await startPrometheus();
    // Recording rules over the run, read from the backfilled series through this Prometheus,
    // into blocks of their own; Prometheus loads them on its next start.
    const recorded = join(root, "recorded");
    run(PROMTOOL, ["tsdb", "create-blocks-from", "rules", `--start=${start}`, `--end=${end}`,
      `--url=${prometheus.url}`, `--output-dir=${recorded}`, `--eval-interval=${STEP}s`,
      join(root, "alerts.yaml")]);
    await prometheus.stop();
    for (const block of readdirSync(recorded)) renameSync(join(recorded, block), join(data, block));
    prometheus = await startPrometheus();
    const daemon = prometheus;
    return {
      url: daemon.url, start, end, written, backfilled, report,
      stop: async () => {
        await daemon.stop();
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await prometheus?.stop();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
