// The shipped alerts on the replicas' HTTP series and on `up`, evaluated over simulated runs
// backfilled into Debian's real Prometheus (lib/simulated_prometheus.mjs): a simulated replica
// records every request it answers in http_server_request_duration_seconds with the status the
// server would answer, and the OpenMetrics file carries `up 0` for a replica Prometheus could not
// have scraped.
// - examples/simulate/slo-incident.yaml: the only provider down from minute 20 to 35 (every
//   request 503) and a batch key refused two requests in three at its rate limit all hour. The
//   availability SLO's fast burn and SluiceRateLimitStorm fire, each when its rule says.
// - The same file without either (OUTAGE_FROM=2h OUTAGE_TO=3h BATCH_RPM=600): no alert fires.
// - examples/simulate/two-region-failover.yaml: region us-east (replicas 0 to 2) down from minute
//   10 to 15. Its replicas' scrapes fail meanwhile: SluiceInstanceDown fires for them, only.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO } from "./lib/compose.mjs";
import { api, backfilledPrometheus, firingAlerts, STEP } from "./lib/simulated_prometheus.mjs";

const SLUICE = process.env.SLUICE_BINARY;
const INCIDENT = join(REPO, "examples/simulate/slo-incident.yaml");
const CALM = { OUTAGE_FROM: "2h", OUTAGE_TO: "3h", BATCH_RPM: "600" };
const REGIONS = join(REPO, "examples/simulate/two-region-failover.yaml");
// slo-incident.yaml's outage, in seconds from the run's start.
const OUTAGE_START = 1200;
const OUTAGE_END = 2100;

/**
 * The replicas' chat completions by status at the run's last scrape (after its last request
 * ended), summed over replicas: { status: count }.
 */
async function answeredByStatus(prometheus) {
  const data = await api(prometheus.url, "query", {
    query: 'sum by (status) (last_over_time(http_server_request_duration_seconds_count{job="sluice", route="/v1/chat/completions"}[10m]))',
    time: prometheus.end + 10 * STEP,
  });
  return Object.fromEntries(data.result.map((r) => [r.metric.status, Number(r.value[1])]));
}

/** Seconds from `start` of the first and last evaluation at which `series` fired. */
const span = (series, start) => [series.firing[0] - start, series.firing.at(-1) - start];

describe("a simulated incident fires the SLO burn-rate and rate-limit storm alerts", () => {
  let prometheus, fired, summary;

  before(async () => {
    assert.ok(SLUICE, "SLUICE_BINARY names the sluice binary (ctest sets it)");
    prometheus = await backfilledPrometheus(SLUICE, INCIDENT);
    ({ fired, summary } = await firingAlerts(prometheus));
  });

  after(async () => {
    await prometheus?.stop();
  });

  it("is backfilled whole, every request under the status the server answers its cause with", async () => {
    assert.equal(prometheus.backfilled, prometheus.written);
    const { totals } = prometheus.report;
    const { errors } = totals;
    assert.deepEqual(await answeredByStatus(prometheus), {
      200: totals.completed + errors.stream_broken,
      429: errors.rate_limit_exceeded + errors.rate_limited,
      503: errors.upstream_5xx + errors.circuit_open,
    });
    assert.ok(errors.rate_limit_exceeded > 0 && errors.circuit_open > 0);
    assert.equal(totals.failed, errors.rate_limit_exceeded + errors.rate_limited + errors.upstream_5xx +
      errors.circuit_open + errors.stream_broken);
  });

  it("fires SluiceAvailabilityBudgetBurn two minutes into the outage, not before", (t) => {
    t.diagnostic(`firing (seconds into the simulated hour): ${summary}`);
    const burn = fired.SluiceAvailabilityBudgetBurn;
    assert.equal(burn?.length, 1, summary);
    assert.equal(burn[0].labels.job, "sluice");
    // Every request but the refused ones (7.4 a second) fails from the outage's start. The 503
    // series appears at the first scrape inside it (its first value is no increase to rate()),
    // and the hour's ratio (20 minutes of data then) passes 14.4 x 0.1% about 180 failures (25 s)
    // after it, the 5-minute ratio sooner; the rule holds for 2 minutes.
    const [from, to] = span(burn[0], prometheus.start);
    assert.ok(from >= OUTAGE_START + 120 && from <= OUTAGE_START + 120 + 4 * STEP, summary);
    assert.ok(to >= OUTAGE_END, summary);
  });

  it("fires SluiceRateLimitStorm for the key limit once the refusals have lasted 10 minutes", () => {
    const storm = fired.SluiceRateLimitStorm;
    assert.equal(storm?.length, 1, summary);
    assert.equal(storm[0].labels.limit, "key");
    // Refused from the first seconds (a burst of one request): each replica admits one request a
    // second after the last admitted one, 1 in 1.5 s of its 2 a second (Poisson), and refuses
    // 2 x (2 - 2/3) = 2.67 a second, a quarter of the traffic. The 5-minute rate over a window
    // that starts before the run passes the rule's 1 a second at about 300 / 2.67 = 112 s; the
    // rule holds for 10 minutes; nothing ends the storm before the run does.
    const [from, to] = span(storm[0], prometheus.start);
    assert.ok(from >= 600 + 105 && from <= 600 + 135, summary);
    assert.ok(to >= 3600 - STEP, summary);
  });

  it("fires no alert but the incident's", () => {
    assert.deepEqual(Object.keys(fired).sort(), [
      "SluiceAvailabilityBudgetBurn", // the fast burn, above
      "SluiceAvailabilityBudgetBurnSlow", // a quarter of the hour's requests failed: over 0.3%
      "SluiceCircuitOpen", // openai's breaker open through the outage
      "SluiceErrorRateSpike", // over 10% of chat completions 5xx for 5 minutes
      "SluiceProviderDown", // openai fails every attempt
      "SluiceRateLimitStorm", // above
    ], summary);
  });
});

describe("the same hour without the incident fires no alert", () => {
  let prometheus;

  before(async () => {
    assert.ok(SLUICE, "SLUICE_BINARY names the sluice binary (ctest sets it)");
    prometheus = await backfilledPrometheus(SLUICE, INCIDENT, { env: CALM });
  });

  after(async () => {
    await prometheus?.stop();
  });

  it("has every replica's HTTP series, and no alert fires", async () => {
    assert.equal(prometheus.backfilled, prometheus.written);
    assert.deepEqual(await answeredByStatus(prometheus), { 200: prometheus.report.totals.requests });
    const { fired, summary } = await firingAlerts(prometheus);
    assert.deepEqual(fired, {}, summary);
  });
});

describe("a simulated region outage fails its replicas' scrapes", () => {
  let prometheus, fired, summary;

  before(async () => {
    assert.ok(SLUICE, "SLUICE_BINARY names the sluice binary (ctest sets it)");
    prometheus = await backfilledPrometheus(SLUICE, REGIONS, { duration: 1800 });
    ({ fired, summary } = await firingAlerts(prometheus));
  });

  after(async () => {
    await prometheus?.stop();
  });

  it("fires SluiceInstanceDown for the down region's replicas, inside the outage only", () => {
    assert.deepEqual(Object.keys(fired), ["SluiceInstanceDown"], summary);
    const down = fired.SluiceInstanceDown;
    assert.deepEqual(down.map((s) => s.labels.instance).sort(), ["replica-0", "replica-1", "replica-2"],
      summary);
    // us-east is down in [600 s, 900 s): its replicas' scrapes at 600 s to 885 s fail (up 0), so
    // `up == 0` holds from 600 s, for the rule's 3 minutes at 780 s, until the scrape at 900 s
    // answers again.
    for (const series of down) assert.deepEqual(span(series, prometheus.start), [780, 885], summary);
  });
});
