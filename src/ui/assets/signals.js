// What the page keeps of each scrape: the metric families reduced to the values its charts,
// tiles and tables read (small maps, so the ring of samples stays small).
import { bucketsBy, sumBy } from './prometheus.js';

const HTTP = 'http_server_request_duration_seconds';

// Joins the non-empty, distinct parts of a series name ("model · alias · key").
const joined = (...parts) => [...new Set(parts.filter(Boolean))].join(' · ');

export function extractSignals(families) {
  const one = (name, absent = NaN) => sumBy(families, name).get('') ?? absent;
  const queued = sumBy(families, 'sluice_admission_queue_depth', (l) => l.route);
  const build = families.get('sluice_build_info')?.[0]?.labels ?? {};
  return {
    requests: sumBy(families, `${HTTP}_count`, (l) => l.route),
    status: sumBy(families, `${HTTP}_count`, (l) => `${(l.status ?? '?')[0]}xx`),
    routeErrors: sumBy(families, `${HTTP}_count`, (l) => (l.status >= '500' ? l.route : null)),
    latency: bucketsBy(families, HTTP, (l) => l.route),
    ttft: bucketsBy(families, 'gen_ai_server_time_to_first_token_seconds'),
    tokens: sumBy(families, 'sluice_tokens_total', (l) => joined(l.alias, l.key) || 'unknown'),
    cost: sumBy(families, 'sluice_cost_usd_total',
      (l) => joined(l.model, l.alias, l.key) || 'unknown'),
    outcomes: sumBy(families, 'sluice_upstream_requests_total', (l) => l.outcome),
    attempts: sumBy(families, 'sluice_upstream_requests_total', (l) => l.deployment),
    successes: sumBy(families, 'sluice_upstream_requests_total',
      (l) => (l.outcome === 'success' ? l.deployment : null)),
    ragQueries: sumBy(families, 'rag_queries_total', (l) => l.status),
    circuits: sumBy(families, 'sluice_circuit_state', (l) => l.deployment),
    inFlight: sumBy(families, 'sluice_upstream_in_flight', (l) => l.deployment),
    canaryWeight: sumBy(families, 'sluice_canary_weight', (l) => l.alias),
    canaryCandidate: sumBy(families, 'sluice_canary_requests_total',
      (l) => (l.version === 'candidate' ? l.alias : null)),
    canaryRequests: sumBy(families, 'sluice_canary_requests_total', (l) => l.alias),
    canaryRollbacks: sumBy(families, 'sluice_canary_rollbacks_total', (l) => l.alias),
    concurrency: new Map([
      ['open connections', one('sluice_http_open_connections')],
      ['active requests', one('http_server_active_requests')],
      ['active streams', one('sluice_active_streams')],
      // The global gate ("*") when there is one: a request queued there waits in no other.
      ['queued (admission)', queued.get('*') ?? [...queued.values()].reduce((a, b) => a + b, 0)],
    ]),
    refusals: new Map([
      ['shed (admission)', sumBy(families, 'sluice_shed_total').get('') ?? 0],
      ['rate limited', sumBy(families, 'sluice_ratelimited_total').get('') ?? 0],
      ['connection limit', one('sluice_http_connections_rejected_total', 0)],
      ['over budget', sumBy(families, 'sluice_budget_exceeded_total',
        (l) => (l.action === 'refused' ? '' : null)).get('') ?? 0],
    ]),
    memory: new Map([['resident', one('process_resident_memory_bytes')]]),
    cpu: new Map([['cpu', one('process_cpu_seconds_total')]]),
    startTime: one('process_start_time_seconds'),
    draining: one('sluice_draining'),
    version: build.version ? `${build.version} (${build.revision})` : '',
  };
}
