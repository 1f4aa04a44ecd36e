// Debian's real Prometheus on a loopback port, configured from the compose stack's own config:
// compose.yaml's Prometheus mounts laid out under a temporary root (prometheus.yml beside
// alerts.yaml, as in the container), then scrape and rule intervals shortened, the `sluice` job
// pointed at a test instance, and Alertmanager left out. Queried through its HTTP API.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { layOutMounts, loadCompose } from "./compose.mjs";

export const PROMETHEUS = process.env.PROMETHEUS ?? "prometheus";
const CONFIG_IN_CONTAINER = "/etc/prometheus/prometheus.yml";

/** A port free on 127.0.0.1 now (Prometheus cannot be told to pick one and say which). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The compose Prometheus config, scraping `target` every `interval` as job `sluice`. */
export function derivedConfig(text, target, interval) {
  const config = parse(text);
  const jobs = config.scrape_configs.filter((j) => j.job_name === "sluice");
  if (jobs.length !== 1) throw new Error("the compose Prometheus config has no single job `sluice`");
  config.global = { ...config.global, scrape_interval: interval, evaluation_interval: interval };
  delete config.alerting;
  jobs[0].static_configs = [{ targets: [target] }];
  return stringify(config);
}

/**
 * Starts Prometheus scraping `target`; resolves with { url, query(expr), stop() } once it is
 * ready. Its files live under a temporary root that stop() removes.
 */
export async function startPrometheus(target, { interval = "1s", timeoutMs = 60000 } = {}) {
  const root = layOutMounts(loadCompose().services.prometheus);
  const configPath = join(root, CONFIG_IN_CONTAINER);
  writeFileSync(configPath, derivedConfig(readFileSync(configPath, "utf8"), target, interval));
  const storage = join(root, "data");
  mkdirSync(storage);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(PROMETHEUS, [`--config.file=${configPath}`, `--storage.tsdb.path=${storage}`,
    `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
  { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout.on("data", (d) => { output += d; });
  proc.stderr.on("data", (d) => { output += d; });
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(root, { recursive: true, force: true });
  };
  process.once("exit", () => proc.kill("SIGKILL"));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${proc.exitCode}:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, output: () => output, stop, query: (expr) => instantQuery(url, expr) };
}

/**
 * Evaluates `expr` now: { error } when Prometheus refuses it, else { series, values } with every
 * sample's value (NaN included) of a vector, or the one value of a scalar.
 */
export async function instantQuery(url, expr) {
  const response = await fetch(`${url}/api/v1/query`, {
    method: "POST", body: new URLSearchParams({ query: expr }),
  });
  const body = await response.json();
  if (body.status !== "success") return { error: `${body.errorType}: ${body.error}` };
  const { resultType, result } = body.data;
  if (resultType === "scalar") return { series: [{}], values: [Number(result[1])] };
  if (resultType !== "vector") return { error: `unexpected result type ${resultType}` };
  return { series: result.map((r) => r.metric), values: result.map((r) => Number(r.value[1])) };
}

/** The values of label `label` over the series `selector` matches (Grafana's label_values). */
export async function labelValues(url, label, selector) {
  const params = new URLSearchParams({ "match[]": selector });
  const body = await (await fetch(`${url}/api/v1/label/${label}/values?${params}`)).json();
  if (body.status !== "success") throw new Error(`label values of ${selector}: ${body.error}`);
  return body.data;
}
