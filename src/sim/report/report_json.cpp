#include "sim/report/report_json.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "core/json_text.hpp"
#include "sim/report/canary_report.hpp"

namespace sluice::sim {
namespace {

// Appends members and elements with the commas between them; keys in the order written.
class JsonWriter {
 public:
  std::string take() { return std::move(out_); }

  void begin_object(std::string_view key = {}) { open(key, '{'); }
  void end_object() { close('}'); }
  void begin_array(std::string_view key = {}) { open(key, '['); }
  void end_array() { close(']'); }

  void integer(std::string_view key, double value) {
    member(key);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(value)));
    out_ += buf;
  }
  void number(std::string_view key, double value) {
    member(key);
    if (!std::isfinite(value)) {
      out_ += "null";
      return;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.6f", value);
    // "-0.000000" and "0.000000" are the same number: one spelling.
    out_ += std::string_view(buf) == "-0.000000" ? "0.000000" : buf;
  }
  void string(std::string_view key, std::string_view value) {
    member(key);
    core::append_json_string(out_, value);
  }
  void boolean(std::string_view key, bool value) {
    member(key);
    out_ += value ? "true" : "false";
  }

 private:
  void member(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    if (!key.empty()) {
      out_ += '\n';
      out_.append(depth_ * 2, ' ');
      core::append_json_string(out_, key);
      out_ += ": ";
    } else if (depth_ > 0) {
      out_ += '\n';
      out_.append(depth_ * 2, ' ');
    }
  }
  void open(std::string_view key, char bracket) {
    if (depth_ > 0) member(key);
    out_ += bracket;
    ++depth_;
    first_ = true;
  }
  void close(char bracket) {
    --depth_;
    if (!first_) {
      out_ += '\n';
      out_.append(depth_ * 2, ' ');
    }
    out_ += bracket;
    first_ = false;
  }

  std::string out_;
  std::size_t depth_ = 0;
  bool first_ = true;
};

double ratio(double part, double whole) { return whole > 0 ? part / whole : 0; }

void percentiles(JsonWriter& w, std::string_view key, const QuantileSketch& sketch) {
  w.begin_object(key);
  w.integer("count", static_cast<double>(sketch.count()));
  w.number("mean", sketch.mean());
  w.number("p50", sketch.quantile(0.50));
  w.number("p90", sketch.quantile(0.90));
  w.number("p99", sketch.quantile(0.99));
  w.number("p999", sketch.quantile(0.999));
  w.number("max", sketch.max());
  w.end_object();
}

void errors(JsonWriter& w, const SeriesStats& s) {
  w.begin_object("errors");
  for (Cause cause : all_causes())
    if (cause != Cause::none)
      w.integer(to_string(cause), static_cast<double>(s.causes[static_cast<std::size_t>(cause)]));
  w.end_object();
}

// {total, per_hour, per_1000_requests} of a US-dollar amount.
void cost_object(JsonWriter& w, std::string_view key, double total, double hours, double finished) {
  w.begin_object(key);
  w.number("total", total);
  w.number("per_hour", ratio(total, hours));
  w.number("per_1000_requests", ratio(total, finished) * 1000);
  w.end_object();
}

// The members of one series (the totals, or a window of `seconds`).
void series(JsonWriter& w, const SeriesStats& s, double seconds) {
  const double requests = static_cast<double>(s.requests);
  const double finished = static_cast<double>(s.finished);
  w.integer("requests", requests);
  w.integer("finished", finished);
  w.integer("completed", static_cast<double>(s.completed));
  w.integer("failed", static_cast<double>(s.failed()));
  w.number("throughput_rps", ratio(static_cast<double>(s.completed), seconds));
  w.number("error_rate", ratio(static_cast<double>(s.failed()), finished));
  percentiles(w, "latency_s", s.latency);
  percentiles(w, "ttft_s", s.ttft);
  w.begin_object("queue_wait_s");
  w.integer("queued", static_cast<double>(s.queued));
  w.number("mean", s.queue_wait.mean());
  w.number("p50", s.queue_wait.quantile(0.50));
  w.number("p99", s.queue_wait.quantile(0.99));
  w.number("max", s.queue_wait.max());
  w.end_object();
  errors(w, s);
  const double refused =
      static_cast<double>(s.causes[static_cast<std::size_t>(Cause::shed)] +
                          s.causes[static_cast<std::size_t>(Cause::queue_timeout)]);
  w.number("shed_rate", ratio(refused, finished));
  w.integer("retries", s.gateway.retries);
  w.integer("fallbacks", s.gateway.fallbacks);
  w.number("retries_per_request", ratio(s.gateway.retries, finished));
  w.number("fallbacks_per_request", ratio(s.gateway.fallbacks, finished));
  w.number("attempts_per_request", ratio(static_cast<double>(s.attempts), finished));
  w.integer("breaker_openings", s.gateway.breaker_openings);
  cost_object(w, "cost_usd", s.cost_usd, seconds / 3600, finished);
  w.begin_object("tokens");
  w.integer("prompt", static_cast<double>(s.prompt_tokens));
  w.integer("completion", static_cast<double>(s.completion_tokens));
  w.end_object();
}

// A series' requests to each canaried alias, by version (a scenario with a canary only): one
// member per canary, keyed by its alias, in the gateway section's order.
void canary_counts(JsonWriter& w, const SeriesStats& s, const std::vector<CanaryRun>& runs) {
  w.begin_object("canary");
  for (const CanaryRun& run : runs) {
    const CanaryCounts& c = s.canary_of(run.alias);
    w.begin_object(run.alias);
    w.integer("baseline", static_cast<double>(c.baseline));
    w.integer("candidate", static_cast<double>(c.candidate));
    w.number("candidate_share",
             ratio(static_cast<double>(c.candidate), static_cast<double>(c.requests())));
    w.integer("baseline_failed", static_cast<double>(c.baseline_failed));
    w.integer("candidate_failed", static_cast<double>(c.candidate_failed));
    w.end_object();
  }
  w.end_object();
}

// The candidate's failures beyond its own baseline's error rate over the run.
double excess_failed(const CanaryCounts& c) {
  const double baseline_rate =
      ratio(static_cast<double>(c.baseline_failed), static_cast<double>(c.baseline));
  return static_cast<double>(c.candidate_failed) - static_cast<double>(c.candidate) * baseline_rate;
}

// canaries: each canary's rule, its rollbacks (per replica) and what the candidate cost.
void canaries(JsonWriter& w, const std::vector<CanaryRun>& runs, const SeriesStats& totals) {
  double excess = 0;
  w.begin_array("canaries");
  for (const CanaryRun& run : runs) {
    const CanaryCounts& c = totals.canary_of(run.alias);
    w.begin_object();
    w.string("alias", run.alias);
    w.string("candidate", run.candidate);
    w.number("weight", run.weight);
    w.string("metric", run.metric);
    w.number("threshold", run.threshold);
    w.number("window_s", run.window);
    w.integer("min_requests", static_cast<double>(run.min_requests));
    w.begin_array("rollbacks");
    for (const CanaryRollbackEvent& e : run.rollbacks) {
      w.begin_object();
      w.integer("replica", static_cast<double>(e.replica));
      w.number("at_s", e.at);
      w.string("reason", e.reason);
      w.number("candidate_value", e.candidate_value.value_or(NAN));
      w.number("baseline_value", e.baseline_value.value_or(NAN));
      w.end_object();
    }
    w.end_array();
    w.number("first_rollback_s", run.first_rollback().value_or(NAN));
    w.number("last_rollback_s", run.last_rollback().value_or(NAN));
    w.begin_object("cost");
    w.integer("candidate_failed", static_cast<double>(c.candidate_failed));
    w.number("excess_failed", excess_failed(c));
    w.end_object();
    w.end_object();
    excess += excess_failed(c);
  }
  w.end_array();
  // Over every canaried alias: the candidates' failures, and those beyond each one's baseline.
  w.begin_object("canary_cost");
  w.integer("candidate_failed", static_cast<double>(totals.canary.candidate_failed));
  w.number("excess_failed", excess);
  w.end_object();
}

void scale_events(JsonWriter& w, const std::vector<ScaleEvent>& events) {
  w.begin_array("scale_events");
  for (const ScaleEvent& e : events) {
    w.begin_object();
    w.number("at_s", e.at);
    w.integer("from", e.from);
    w.integer("to", e.to);
    w.string("reason", e.reason);
    w.end_object();
  }
  w.end_array();
}

// The server fleet (kind server, and a hybrid platform's API tier).
void server_tier(JsonWriter& w, const Simulation& simulation) {
  const ScenarioConfig& scenario = simulation.scenario();
  const PlatformConfig& p = scenario.platform;
  const FleetStats& fleet = simulation.fleet().stats();
  w.string("policy", p.autoscaling.policy.empty() ? "none" : p.autoscaling.policy);
  w.string("metric", p.autoscaling.metric);
  w.number("target", p.autoscaling.target);
  w.integer("min_replicas", p.replicas.min);
  w.integer("max_replicas", p.replicas.max);
  w.integer("peak_ready_replicas", fleet.peak_ready);
  w.number("replica_hours", fleet.replica_hours);
  cost_object(w, "cost_usd", fleet.cost_usd, scenario.duration.count() / 3600,
              static_cast<double>(simulation.stats().totals().finished));
  scale_events(w, fleet.scale_events);
}

// kind serverless: the pool's instances, cold starts, refusals and bill.
void serverless_pool(JsonWriter& w, const Simulation& simulation) {
  const ScenarioConfig& scenario = simulation.scenario();
  const ServerlessPlatformConfig& c = scenario.platform.serverless;
  const ServerlessStats& s = simulation.serverless()->stats();
  const double hours = scenario.duration.count() / 3600;
  const double finished = static_cast<double>(simulation.stats().totals().finished);
  w.string("preset", c.preset);
  w.integer("concurrency", c.concurrency);
  w.integer("min_instances", c.min_instances);
  w.integer("max_instances", c.max_instances);
  w.number("idle_expiry_s", c.idle_expiry.count());
  w.string("billing", c.billing);
  w.integer("invocations", static_cast<double>(s.invocations));
  w.integer("cold_starts", static_cast<double>(s.cold_starts_total));
  w.integer("cold_start_requests", static_cast<double>(s.cold_start_requests));
  w.number("cold_start_share",
           ratio(static_cast<double>(s.cold_start_requests), static_cast<double>(s.invocations)));
  percentiles(w, "cold_start_wait_s", s.cold_start_wait);
  w.integer("queued", static_cast<double>(s.queued));
  w.integer("throttled", static_cast<double>(s.throttled));
  w.integer("peak_instances", s.peak_instances);
  w.number("instance_hours", s.instance_seconds / 3600);
  w.number("billed_seconds", s.cost.compute_seconds);
  w.begin_object("cost_usd");
  w.number("requests", s.cost.requests);
  w.number("compute", s.cost.compute);
  w.number("warm", s.cost.warm);
  w.number("total", s.cost.total());
  w.number("per_hour", ratio(s.cost.total(), hours));
  w.number("per_1000_requests", ratio(s.cost.total(), finished) * 1000);
  w.end_object();
}

// kind hybrid: the workers, their queue and the jobs.
void async_tier(JsonWriter& w, const Simulation& simulation) {
  const ScenarioConfig& scenario = simulation.scenario();
  const WorkerPoolConfig& c = scenario.platform.workers;
  const AsyncStats& s = simulation.async_workers()->stats();
  const double hours = scenario.duration.count() / 3600;
  w.begin_object("async");
  w.begin_object("workers");
  w.string("policy", c.autoscaling.policy.empty() ? "none" : c.autoscaling.policy);
  w.string("metric", c.autoscaling.metric);
  w.number("target", c.autoscaling.target);
  w.integer("min", c.replicas.min);
  w.integer("max", c.replicas.max);
  w.integer("concurrency", c.concurrency);
  w.integer("peak_ready", s.peak_workers);
  w.number("worker_hours", s.worker_hours);
  w.begin_object("cost_usd");
  w.number("total", s.cost_usd);
  w.number("per_hour", ratio(s.cost_usd, hours));
  w.number("per_1000_jobs", ratio(s.cost_usd, static_cast<double>(s.jobs)) * 1000);
  w.end_object();
  scale_events(w, s.scale_events);
  w.end_object();
  w.begin_object("queue");
  w.number("lease_s", std::chrono::duration<double>(scenario.platform.queue.lease).count());
  w.integer("max_attempts", scenario.platform.queue.max_attempts);
  w.number("retry_base_s",
           std::chrono::duration<double>(scenario.platform.queue.retry_base).count());
  w.boolean("renew_leases", scenario.platform.workers.renew_leases);
  w.integer("peak_depth", s.peak_depth);
  w.end_object();
  w.integer("jobs", static_cast<double>(s.jobs));
  w.integer("done", static_cast<double>(s.done));
  w.integer("dead_letters", static_cast<double>(s.dead_letters));
  w.integer("attempts", static_cast<double>(s.attempts));
  w.integer("retries", static_cast<double>(s.retries));
  w.integer("expired_leases", static_cast<double>(s.expired_leases));
  w.integer("lease_renewals", static_cast<double>(s.lease_renewals));
  w.integer("lost_answers", static_cast<double>(s.lost_answers));
  percentiles(w, "queue_wait_s", s.queue_wait);
  percentiles(w, "job_latency_s", s.latency);
  w.end_object();
}

// platform (a scenario with a platform section only): the instances over time and their bill.
void platform(JsonWriter& w, const Simulation& simulation) {
  const ScenarioConfig& scenario = simulation.scenario();
  const double hours = scenario.duration.count() / 3600;
  const double finished = static_cast<double>(simulation.stats().totals().finished);
  w.begin_object("platform");
  w.string("kind", scenario.platform.kind);
  if (simulation.serverless())
    serverless_pool(w, simulation);
  else
    server_tier(w, simulation);
  if (simulation.async_workers()) async_tier(w, simulation);
  // Upstream tokens plus the platform's bill (a hybrid platform's workers included).
  cost_object(w, "total_cost_usd",
              simulation.stats().totals().cost_usd + simulation.platform_cost_usd(), hours,
              finished);
  w.end_object();
}

// keys (a scenario with keys only): per key, what its requests met and what it spent.
void keys(JsonWriter& w, const Simulation& simulation) {
  const ScenarioConfig& scenario = simulation.scenario();
  const double hours = scenario.duration.count() / 3600;
  w.begin_array("keys");
  for (std::size_t i = 0; i < scenario.keys.size(); ++i) {
    const KeySeries& k = simulation.key_stats().keys()[i];
    w.begin_object();
    w.string("name", scenario.keys[i].name);
    w.string("team", scenario.keys[i].team);
    w.integer("requests", static_cast<double>(k.requests));
    w.integer("completed", static_cast<double>(k.completed));
    w.integer("failed", static_cast<double>(k.failed()));
    w.integer("rate_limited", static_cast<double>(k.rate_limited));
    w.integer("budget_refused", static_cast<double>(k.budget_refused));
    w.integer("downgraded", static_cast<double>(k.downgraded));
    w.number("over_budget_at_s", k.over_budget_at.value_or(std::nan("")));
    w.begin_object("cost_usd");
    w.number("total", k.cost_usd);
    w.number("per_hour", ratio(k.cost_usd, hours));
    w.end_object();
    w.begin_array("cost_usd_per_window");
    for (double cost : k.window_cost_usd) w.number({}, cost);
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

// A region's requests (those it served, or those its clients sent): counts, latency, errors.
void region_series(JsonWriter& w, std::string_view key, const SeriesStats& s) {
  w.begin_object(key);
  w.integer("requests", static_cast<double>(s.requests));
  w.integer("finished", static_cast<double>(s.finished));
  w.integer("completed", static_cast<double>(s.completed));
  w.integer("failed", static_cast<double>(s.failed()));
  w.number("error_rate", ratio(static_cast<double>(s.failed()), static_cast<double>(s.finished)));
  percentiles(w, "latency_s", s.latency);
  percentiles(w, "ttft_s", s.ttft);
  errors(w, s);
  w.end_object();
}

// failover and regions (a scenario with regions only).
void regions(JsonWriter& w, const Regions& regions) {
  const FailoverConfig& f = regions.failover();
  w.begin_object("failover");
  w.string("policy", f.policy);
  w.number("interval_s", f.interval.count());
  w.integer("unhealthy_threshold", f.unhealthy_threshold);
  w.integer("healthy_threshold", f.healthy_threshold);
  w.number("dns_ttl_s", f.dns_ttl.count());
  w.begin_array("outages");
  for (const RegionOutageReport& o : regions.outages()) {
    w.begin_object();
    w.string("region", regions.config(o.region).name);
    w.number("from_s", o.from);
    w.number("to_s", o.to);
    w.number("failover_s", o.failover.value_or(NAN));
    w.number("failback_s", o.failback.value_or(NAN));
    w.end_object();
  }
  w.end_array();
  w.begin_array("health_events");
  for (const RegionHealthEvent& e : regions.health_events()) {
    w.begin_object();
    w.number("at_s", e.at);
    w.string("region", regions.config(e.region).name);
    w.string("state", e.healthy ? "healthy" : "unhealthy");
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.begin_array("regions");
  for (std::size_t r = 0; r < regions.size(); ++r) {
    w.begin_object();
    w.string("region", regions.config(r).name);
    w.integer("replicas", regions.config(r).replicas);
    w.number("client_share", regions.client_share(r));
    region_series(w, "served", regions.stats(r).served);
    region_series(w, "clients", regions.stats(r).clients);
    w.end_object();
  }
  w.end_array();
}

// A window's traffic by the region it was sent to.
void window_regions(JsonWriter& w, const Regions& regions, std::size_t window) {
  const auto& routed = regions.routed();
  double total = 0;
  if (window < routed.size())
    for (std::uint64_t n : routed[window]) total += static_cast<double>(n);
  w.begin_array("regions");
  for (std::size_t r = 0; r < regions.size(); ++r) {
    const double n = window < routed.size() ? static_cast<double>(routed[window][r]) : 0;
    w.begin_object();
    w.string("region", regions.config(r).name);
    w.integer("requests", n);
    w.number("share", ratio(n, total));
    w.end_object();
  }
  w.end_array();
}

void level(JsonWriter& w, std::string_view key, const LevelWindow& l) {
  w.begin_object(key);
  w.integer("min", l.min);
  w.integer("max", l.max);
  w.number("mean", l.mean);
  w.end_object();
}

// A window's platform series.
void platform_window(JsonWriter& w, const Simulation& simulation, std::size_t i) {
  if (const ServerlessFleet* pool = simulation.serverless()) {
    const ServerlessStats& s = pool->stats();
    if (i < s.instances.size()) level(w, "instances", s.instances[i]);
    if (i < s.cold_starts.size()) w.integer("cold_starts", static_cast<double>(s.cold_starts[i]));
    return;
  }
  if (i < simulation.fleet().stats().windows.size())
    level(w, "ready_replicas", simulation.fleet().stats().windows[i]);
  if (const AsyncWorkers* workers = simulation.async_workers()) {
    const AsyncStats& s = workers->stats();
    if (i < s.workers.size()) level(w, "workers", s.workers[i]);
    if (i < s.depth.size()) level(w, "queue_depth", s.depth[i]);
    if (i < s.done_per_window.size())
      w.integer("jobs_done", static_cast<double>(s.done_per_window[i]));
    if (i < s.dead_per_window.size())
      w.integer("dead_letters", static_cast<double>(s.dead_per_window[i]));
  }
}

}  // namespace

std::string render_report_json(const Simulation& simulation, std::string_view scenario_name) {
  const ScenarioConfig& scenario = simulation.scenario();
  const RunStats& stats = simulation.stats();
  JsonWriter w;
  w.begin_object();
  w.begin_object("scenario");
  w.string("file", scenario_name);
  w.integer("seed", static_cast<double>(scenario.seed));
  w.number("duration_s", scenario.duration.count());
  w.number("window_s", stats.window());
  w.integer("replicas", scenario.replicas.count);
  w.string("load_balancer", scenario.replicas.load_balancer);
  w.number("ended_s", simulation.ended_at());
  w.end_object();
  const std::vector<CanaryRun> canary_runs = collect_canaries(simulation);
  const bool canaried = !canary_runs.empty();
  w.begin_object("totals");
  series(w, stats.totals(), scenario.duration.count());
  if (canaried) canary_counts(w, stats.totals(), canary_runs);
  w.end_object();
  w.begin_array("deployments");
  for (const auto& [id, counters] : stats.deployments()) {
    w.begin_object();
    w.string("deployment", id);
    w.integer("attempts", counters.attempts());
    w.begin_object("outcomes");
    for (const auto& [outcome, count] : counters.outcomes) w.integer(outcome, count);
    w.end_object();
    w.integer("breaker_openings", counters.breaker_openings);
    w.end_object();
  }
  w.end_array();
  const bool on_platform = !scenario.platform.kind.empty();
  if (on_platform) platform(w, simulation);
  if (!scenario.keys.empty()) keys(w, simulation);
  if (const Regions* r = simulation.regions()) regions(w, *r);
  if (canaried) canaries(w, canary_runs, stats.totals());
  w.begin_array("windows");
  for (std::size_t i = 0; i < stats.windows().size(); ++i) {
    w.begin_object();
    w.number("start_s", static_cast<double>(i) * stats.window());
    w.number("end_s", static_cast<double>(i + 1) * stats.window());
    series(w, stats.windows()[i], stats.window());
    if (canaried) canary_counts(w, stats.windows()[i], canary_runs);
    if (on_platform) platform_window(w, simulation, i);
    if (const Regions* r = simulation.regions()) window_regions(w, *r, i);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  std::string out = w.take();
  out += '\n';
  return out;
}

}  // namespace sluice::sim
