// Debian's real Prometheus and Alertmanager on loopback ports, configured from the compose stack's
// own files: each service's compose.yaml mounts laid out under a temporary root (prometheus.yml
// beside alerts.yaml, as in the container), then Prometheus' scrape and rule intervals
// shortened, its `sluice` job pointed at a test instance and its Alertmanager at the test's.
// Queried through their HTTP APIs.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { layOutMounts, loadCompose } from "./compose.mjs";
import { startDaemon } from "./daemon.mjs";

export const PROMETHEUS = process.env.PROMETHEUS ?? "prometheus";
export const ALERTMANAGER = process.env.ALERTMANAGER ?? "prometheus-alertmanager";

/** The compose Prometheus config, scraping `target` every `interval` as job `sluice`. */
export function derivedConfig(text, { target, interval, alertmanager }) {
  const config = parse(text);
  const jobs = config.scrape_configs.filter((j) => j.job_name === "sluice");
  if (jobs.length !== 1) throw new Error("the compose Prometheus config has no single job `sluice`");
  config.global = { ...config.global, scrape_interval: interval, evaluation_interval: interval };
  jobs[0].static_configs = [{ targets: [target] }];
  const managers = config.alerting.alertmanagers;
  if (managers.length !== 1) throw new Error("the compose Prometheus config has no single Alertmanager");
  managers[0].static_configs = [{ targets: [alertmanager] }];
  return stringify(config);
}

/** Alertmanager with the compose config; resolves with { url, alerts(), stop() } once ready. */
export async function startAlertmanager() {
  const root = layOutMounts(loadCompose().services.alertmanager);
  mkdirSync(join(root, "data"));
  const daemon = await startDaemon(ALERTMANAGER, (listen) => [
    `--config.file=${join(root, "etc/alertmanager/alertmanager.yml")}`,
    `--storage.path=${join(root, "data")}`, `--web.listen-address=${listen}`,
    "--cluster.listen-address=", "--log.level=warn"], root);
  const alerts = async () => (await fetch(`${daemon.url}/api/v2/alerts`)).json();
  return { ...daemon, alerts };
}

/**
 * Prometheus scraping `target` and alerting `alertmanager` (host:port); resolves with
 * { url, query(expr), stop() } once ready.
 */
export async function startPrometheus(target, alertmanager, interval = "1s") {
  const root = layOutMounts(loadCompose().services.prometheus);
  const configPath = join(root, "etc/prometheus/prometheus.yml");
  writeFileSync(configPath, derivedConfig(readFileSync(configPath, "utf8"), { target, interval, alertmanager }));
  mkdirSync(join(root, "data"));
  const daemon = await startDaemon(PROMETHEUS, (listen) => [`--config.file=${configPath}`,
    `--storage.tsdb.path=${join(root, "data")}`, `--web.listen-address=${listen}`,
    "--log.level=warn"], root);
  return { ...daemon, query: (expr) => instantQuery(daemon.url, expr) };
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
