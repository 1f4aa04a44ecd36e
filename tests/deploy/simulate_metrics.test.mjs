// The simulator's metrics output read by Debian's real Prometheus with the shipped rules
// (lib/simulated_prometheus.mjs): the shipped example scenario
// (examples/simulate/provider-outage.yaml: two replicas of the gateway's own objects, 20 requests
// a second, provider openai answering every attempt with a 503 from minute 20 to minute 35 of the
// hour, a fallback alias behind it) is simulated, backfilled with its recording rules, and each
// alert of deploy/prometheus/alerts.yaml is evaluated over the hour. The alerts the incident
// should raise fire, inside the incident only; every other stays quiet (the fallback answers:
// the availability SLO's alerts, on the replicas' HTTP series, do not fire).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO } from "./lib/compose.mjs";
import { api, backfilledPrometheus, firingAlerts } from "./lib/simulated_prometheus.mjs";

const SLUICE = process.env.SLUICE_BINARY;
const SCENARIO = join(REPO, "examples/simulate/provider-outage.yaml");
// The scenario's outage of provider openai, in virtual seconds.
const OUTAGE_START = 1200;
const OUTAGE_END = 2100;

describe("simulated metrics backfilled into Prometheus, evaluated with the shipped rules", () => {
  let prometheus, start, written, backfilled;

  before(async () => {
    assert.ok(SLUICE, "SLUICE_BINARY names the sluice binary (ctest sets it)");
    prometheus = await backfilledPrometheus(SLUICE, SCENARIO);
    ({ start, written, backfilled } = prometheus);
  });

  after(async () => {
    await prometheus?.stop();
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
    const { fired, summary } = await firingAlerts(prometheus);
    t.diagnostic(`firing (seconds into the simulated hour): ${summary}`);
    assert.deepEqual(Object.keys(fired).sort(), ["SluiceCircuitOpen", "SluiceProviderDown"],
      `alerts firing over the simulated hour (seconds from its start): ${summary}`);

    // Provider openai fails most attempts: pending from the first 5 minutes of failures, firing
    // 5 minutes later, until the 5-minute rates forget the outage.
    const [down] = fired.SluiceProviderDown;
    assert.equal(fired.SluiceProviderDown.length, 1, summary);
    assert.equal(down.labels.provider, "openai");
    assert.ok(down.firing[0] - start >= OUTAGE_START + 300 && down.firing[0] - start <= OUTAGE_START + 660,
      summary);
    assert.ok(down.firing.at(-1) - start <= OUTAGE_END + 300, summary);

    // Its circuit never closes during the outage: min_over_time over 5 minutes, held 5 minutes.
    const [open] = fired.SluiceCircuitOpen;
    assert.equal(fired.SluiceCircuitOpen.length, 1, summary);
    assert.equal(open.labels.deployment, "openai/gpt-4o");
    assert.ok(open.firing[0] - start >= OUTAGE_START + 600 && open.firing[0] - start <= OUTAGE_START + 660,
      summary);
    assert.ok(open.firing.at(-1) - start <= OUTAGE_END + 300, summary);
  });
});
