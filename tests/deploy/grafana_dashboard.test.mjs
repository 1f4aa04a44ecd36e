// deploy/grafana/sluice-dashboard.json: templated by data source and instance, every panel on
// that data source and on the grid, every raw series selected by job and instance, every
// recording rule it reads recorded by deploy/prometheus/alerts.yaml, and the signals an operator
// needs each on a panel. prometheus_queries.test.mjs evaluates its queries against Prometheus.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dashboardQueries, loadDashboard, loadRules, panelsOf, selectors } from "./lib/promql.mjs";

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

// Signal -> a pattern some panel query must match.
const SIGNALS = {
  "request rate by route": /sum by \(route\) \(rate\(http_server_request_duration_seconds_count/,
  "error rate": /http_server_request_duration_seconds_count\{[^}]*status=~"(5\.\.|\[45\]\.\.)"/,
  "latency p50 by route": /histogram_quantile\(0\.5, sum by \(route, le\) \(rate\(http_server_request_duration_seconds_bucket/,
  "latency p95 by route": /histogram_quantile\(0\.95, sum by \(route, le\) \(rate\(http_server_request_duration_seconds_bucket/,
  "latency p99 by route": /histogram_quantile\(0\.99, sum by \(route, le\) \(rate\(http_server_request_duration_seconds_bucket/,
  "time to first token": /gen_ai_server_time_to_first_token_seconds_bucket/,
  "tokens by model": /by \([^)]*gen_ai_request_model[^)]*\) \(rate\(gen_ai_client_token_usage_sum/,
  "tokens by alias": /by \(alias[^)]*\) \(rate\(sluice_tokens_total/,
  "tokens by key": /by \(key[^)]*\) \(rate\(sluice_tokens_total/,
  "cost by model": /by \(model\) \(rate\(sluice_cost_usd_total/,
  "cost by alias": /by \(alias\) \(rate\(sluice_cost_usd_total/,
  "cost by key": /by \(key\) \(rate\(sluice_cost_usd_total/,
  "upstream outcomes": /by \(deployment, outcome\) \(rate\(sluice_upstream_requests_total/,
  "circuit states": /sluice_circuit_state\{/,
  "answer cache hit rate": /rag_cache_hits_total/,
  "active streams": /sluice_active_streams\{/,
  "instance up": /^up\{/,
  "instance ready": /sluice_draining\{.*sluice_index_collections_loading\{/,
  "instance draining": /^sluice_draining\{/,
  "open connections": /sluice_http_open_connections\{/,
  "process memory": /process_resident_memory_bytes\{/,
  "process CPU": /rate\(process_cpu_seconds_total\{/,
  "load shedding": /sluice_shed_total\{/,
  "admission queue": /sluice_admission_queue_depth\{/,
  "rate limits": /sluice_ratelimited_total\{/,
  "budgets": /sluice_budget_exceeded_total\{/,
  "ingestion queue": /sluice_jobs\{/,
  "ingestion queue age": /sluice_job_queue_oldest_age_seconds\{/,
};

describe("deploy/grafana/sluice-dashboard.json", () => {
  const dashboard = loadDashboard();
  const panels = panelsOf(dashboard).filter((p) => p.type !== "row");
  const queries = dashboardQueries(dashboard);

  it("is templated by data source and by instance", () => {
    const [datasource, instance] = dashboard.templating.list;
    assert.equal(datasource.name, "datasource");
    assert.equal(datasource.type, "datasource");
    assert.equal(datasource.query, "prometheus");
    assert.equal(instance.name, "instance");
    assert.deepEqual(instance.datasource, DATASOURCE);
    assert.equal(instance.query.query, 'label_values(up{job="sluice"}, instance)');
    assert.ok(instance.multi && instance.includeAll && instance.allValue === ".*");
  });

  it("puts every panel on the data source variable and the grid, ids unique, none overlapping", () => {
    const ids = panelsOf(dashboard).map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, "unique panel ids");
    const cells = new Map();
    for (const panel of panelsOf(dashboard)) {
      const { x, y, w, h } = panel.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24, `${panel.title}: within 24 columns`);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          const other = cells.get(`${i},${j}`);
          assert.ok(!other, `${panel.title} overlaps ${other}`);
          cells.set(`${i},${j}`, panel.title);
        }
      }
      if (panel.type === "row") continue;
      assert.deepEqual(panel.datasource, DATASOURCE, panel.title);
      assert.ok(panel.targets.length > 0, `${panel.title}: a query`);
      const refIds = panel.targets.map((t) => t.refId);
      assert.equal(new Set(refIds).size, refIds.length, `${panel.title}: unique refIds`);
      for (const t of panel.targets) assert.deepEqual(t.datasource, DATASOURCE, panel.title);
    }
  });

  it("selects raw series by job and instance, and reads only recording rules that exist", () => {
    const recorded = new Set(loadRules().filter((r) => r.record).map((r) => r.record));
    for (const { panel, expr } of queries) {
      for (const s of selectors(expr)) {
        if (s.name.includes(":")) {
          assert.ok(recorded.has(s.name), `${panel}: ${s.name} is recorded by alerts.yaml`);
          continue;
        }
        assert.match(s.matchers, /job="sluice"/, `${panel}: ${s.selector}`);
        assert.match(s.matchers, /instance=~"\$instance"/, `${panel}: ${s.selector}`);
      }
    }
  });

  it("shows every signal on some panel", () => {
    const missing = Object.entries(SIGNALS).filter(([, pattern]) =>
      !queries.some((q) => pattern.test(q.expr))).map(([signal]) => signal);
    assert.deepEqual(missing, []);
    assert.ok(panels.length >= Object.keys(SIGNALS).length / 2);
  });

  it("has a row for each area, admission, rate limits, budgets and ingestion included", () => {
    const rows = panelsOf(dashboard).filter((p) => p.type === "row").map((p) => p.title);
    for (const word of ["Traffic", "Models", "Upstreams", "Answers", "Admission", "Rate limits",
      "Budgets", "Ingestion", "Instance health"]) {
      assert.ok(rows.some((r) => r.includes(word)), `a row about ${word}: ${rows.join(", ")}`);
    }
  });
});
