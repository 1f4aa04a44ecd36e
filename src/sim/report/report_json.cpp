#include "sim/report/report_json.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "core/json_text.hpp"

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
  w.begin_object("cost_usd");
  w.number("total", s.cost_usd);
  w.number("per_hour", ratio(s.cost_usd, seconds / 3600));
  w.number("per_1000_requests", ratio(s.cost_usd, finished) * 1000);
  w.end_object();
  w.begin_object("tokens");
  w.integer("prompt", static_cast<double>(s.prompt_tokens));
  w.integer("completion", static_cast<double>(s.completion_tokens));
  w.end_object();
}

// platform (a scenario with a platform section only): the fleet over time and its bill.
void platform(JsonWriter& w, const Simulation& simulation) {
  const ScenarioConfig& scenario = simulation.scenario();
  const PlatformConfig& p = scenario.platform;
  const FleetStats& fleet = simulation.fleet().stats();
  const double hours = scenario.duration.count() / 3600;
  const double finished = static_cast<double>(simulation.stats().totals().finished);
  w.begin_object("platform");
  w.string("kind", p.kind);
  w.string("policy", p.autoscaling.policy.empty() ? "none" : p.autoscaling.policy);
  w.string("metric", p.autoscaling.metric);
  w.number("target", p.autoscaling.target);
  w.integer("min_replicas", p.replicas.min);
  w.integer("max_replicas", p.replicas.max);
  w.integer("peak_ready_replicas", fleet.peak_ready);
  w.number("replica_hours", fleet.replica_hours);
  w.begin_object("cost_usd");
  w.number("total", fleet.cost_usd);
  w.number("per_hour", ratio(fleet.cost_usd, hours));
  w.number("per_1000_requests", ratio(fleet.cost_usd, finished) * 1000);
  w.end_object();
  w.begin_array("scale_events");
  for (const ScaleEvent& e : fleet.scale_events) {
    w.begin_object();
    w.number("at_s", e.at);
    w.integer("from", e.from);
    w.integer("to", e.to);
    w.string("reason", e.reason);
    w.end_object();
  }
  w.end_array();
  w.end_object();
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

double or_null(const std::optional<double>& v) {
  return v ? *v : std::numeric_limits<double>::quiet_NaN();
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
    w.number("failover_s", or_null(o.failover));
    w.number("failback_s", or_null(o.failback));
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
  w.begin_object("totals");
  series(w, stats.totals(), scenario.duration.count());
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
  if (const Regions* r = simulation.regions()) regions(w, *r);
  w.begin_array("windows");
  for (std::size_t i = 0; i < stats.windows().size(); ++i) {
    w.begin_object();
    w.number("start_s", static_cast<double>(i) * stats.window());
    w.number("end_s", static_cast<double>(i + 1) * stats.window());
    series(w, stats.windows()[i], stats.window());
    if (on_platform && i < simulation.fleet().stats().windows.size()) {
      const ReplicaWindow& r = simulation.fleet().stats().windows[i];
      w.begin_object("ready_replicas");
      w.integer("min", r.min);
      w.integer("max", r.max);
      w.number("mean", r.mean);
      w.end_object();
    }
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
