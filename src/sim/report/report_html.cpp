#include "sim/report/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/html_escape.hpp"
#include "sim/report/canary_report.hpp"

namespace sluice::sim {
namespace {

// Fixed formatting: the same value is the same text on every machine.
std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) value = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string text = buf;
  if (text.find_first_not_of("-0.") == std::string::npos && text.starts_with('-'))
    text.erase(0, 1);  // "-0.00" is "0.00"
  return text;
}

double ratio(double part, double whole) { return whole > 0 ? part / whole : 0; }

struct Series {
  std::string id;     // data-series attribute: what a test or a reader looks for
  std::string label;  // the legend's text
  std::vector<double> values;
};

// A colour-blind-safe palette (Okabe and Ito), in legend order.
constexpr const char* kColours[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                    "#e69f00", "#56b4e9", "#f0e442", "#000000"};

// The largest of 1, 2, 5 times a power of ten at or above `value`: a round top for the y axis.
double round_top(double value) {
  if (!(value > 0)) return 1;
  const double power = std::pow(10, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 5.0, 10.0})
    if (step * power >= value * (1 - 1e-12)) return step * power;
  return 10 * power;
}

// An instant marked on a chart by a vertical line (a canary's rollback on one replica).
struct Marker {
  std::string kind;   // data-marker attribute
  double at = 0;      // seconds of virtual time
  std::string label;  // its tooltip
};

// One line chart: x is the window's end (minutes of virtual time), y the series' values;
// `markers` are drawn across the plot at their instants.
void chart(std::string& out, std::string_view id, std::string_view title, std::string_view unit,
           const std::vector<Series>& series, double window_seconds, int decimals,
           const std::vector<Marker>& markers = {}) {
  constexpr double kWidth = 760, kHeight = 240, kLeft = 64, kRight = 12, kTop = 12, kBottom = 36;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  std::size_t points = 0;
  double top = 0;
  for (const Series& s : series) {
    points = std::max(points, s.values.size());
    for (double v : s.values) top = std::max(top, std::isfinite(v) ? v : 0);
  }
  top = round_top(top);
  const double span = std::max(1.0, static_cast<double>(points)) * window_seconds / 60;
  const auto x = [&](std::size_t i) {
    return kLeft + plot_w * (static_cast<double>(i + 1) * window_seconds / 60) / span;
  };
  const auto y = [&](double v) { return kTop + plot_h * (1 - (std::isfinite(v) ? v : 0) / top); };
  out += "<section id=\"" + std::string(id) + "\">\n<h2>" + core::html_escape(title) + "</h2>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + fixed(kWidth, 0) + " " +
         fixed(kHeight, 0) + "\" role=\"img\" aria-label=\"" + core::html_escape(title) + "\">\n";
  // Axes, four horizontal grid lines with their values, and the x axis in minutes.
  for (int g = 0; g <= 4; ++g) {
    const double v = top * g / 4, gy = y(v);
    out += "<line class=\"grid\" x1=\"" + fixed(kLeft, 1) + "\" y1=\"" + fixed(gy, 1) + "\" x2=\"" +
           fixed(kWidth - kRight, 1) + "\" y2=\"" + fixed(gy, 1) + "\"/>";
    out += "<text class=\"tick\" x=\"" + fixed(kLeft - 6, 1) + "\" y=\"" + fixed(gy + 4, 1) +
           "\" text-anchor=\"end\">" + fixed(v, decimals) + "</text>\n";
  }
  for (int g = 0; g <= 4; ++g) {
    const double minutes = span * g / 4, gx = kLeft + plot_w * g / 4;
    out += "<text class=\"tick\" x=\"" + fixed(gx, 1) + "\" y=\"" +
           fixed(kHeight - kBottom + 16, 1) + "\" text-anchor=\"middle\">" + fixed(minutes, 1) +
           "</text>";
  }
  out += "\n<text class=\"tick\" x=\"" + fixed(kLeft + plot_w / 2, 1) + "\" y=\"" +
         fixed(kHeight - 4, 1) + "\" text-anchor=\"middle\">minutes (virtual time); " +
         core::html_escape(unit) + "</text>\n";
  for (const Marker& m : markers) {
    const double mx = kLeft + plot_w * std::clamp(m.at / 60 / span, 0.0, 1.0);
    out += "<line class=\"marker\" data-marker=\"" + m.kind + "\" x1=\"" + fixed(mx, 1) +
           "\" y1=\"" + fixed(kTop, 1) + "\" x2=\"" + fixed(mx, 1) + "\" y2=\"" +
           fixed(kTop + plot_h, 1) + "\"><title>" + core::html_escape(m.label) +
           "</title></line>\n";
  }
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    out += "<polyline data-series=\"" + s.id + "\" fill=\"none\" stroke=\"" +
           kColours[k % std::size(kColours)] + "\" stroke-width=\"1.5\" points=\"";
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      if (i > 0) out += ' ';
      out += fixed(x(i), 1) + "," + fixed(y(s.values[i]), 1);
    }
    out += "\"><title>" + core::html_escape(s.label) + "</title></polyline>\n";
  }
  out += "</svg>\n<p class=\"legend\">";
  for (std::size_t k = 0; k < series.size(); ++k)
    out += "<span><i style=\"background:" + std::string(kColours[k % std::size(kColours)]) +
           "\"></i>" + core::html_escape(series[k].label) + "</span>";
  out += "</p>\n</section>\n";
}

void row(std::string& out, std::string_view name, const std::string& value) {
  out += "<tr><th>" + core::html_escape(name) + "</th><td>" + core::html_escape(value) +
         "</td></tr>\n";
}

std::string quantiles(const QuantileSketch& s) {
  if (s.count() == 0) return "none";
  return "p50 " + fixed(s.quantile(0.5), 3) + " s, p90 " + fixed(s.quantile(0.9), 3) + " s, p99 " +
         fixed(s.quantile(0.99), 3) + " s, max " + fixed(s.max(), 3) + " s";
}

void headline(std::string& out, const Simulation& simulation) {
  const ScenarioConfig& scenario = simulation.scenario();
  const SeriesStats& t = simulation.stats().totals();
  const double duration = scenario.duration.count();
  const double finished = static_cast<double>(t.finished);
  out += "<table id=\"headline\">\n";
  row(out, "requests", std::to_string(t.requests));
  row(out, "completed",
      std::to_string(t.completed) + " (" +
          fixed(100 * ratio(static_cast<double>(t.completed), finished), 2) + "%)");
  row(out, "throughput", fixed(ratio(static_cast<double>(t.completed), duration), 2) + " /s");
  row(out, "latency", quantiles(t.latency));
  row(out, "time to first token", quantiles(t.ttft));
  std::string errors;
  for (Cause cause : all_causes()) {
    const auto n = t.causes[static_cast<std::size_t>(cause)];
    if (cause == Cause::none || n == 0) continue;
    if (!errors.empty()) errors += ", ";
    errors += std::string(to_string(cause)) + " " + std::to_string(n);
  }
  row(out, "errors", errors.empty() ? "none" : errors);
  row(out, "retries per request", fixed(ratio(t.gateway.retries, finished), 4));
  row(out, "fallbacks per request", fixed(ratio(t.gateway.fallbacks, finished), 4));
  row(out, "breaker openings", fixed(t.gateway.breaker_openings, 0));
  row(out, "cost",
      "$" + fixed(t.cost_usd, 4) + " total, $" + fixed(ratio(t.cost_usd, duration / 3600), 4) +
          " per hour, $" + fixed(ratio(t.cost_usd, finished) * 1000, 4) + " per 1000 requests");
  if (const Regions* regions = simulation.regions()) {
    for (std::size_t r = 0; r < regions->size(); ++r) {
      const SeriesStats& served = regions->stats(r).served;
      row(out, "region " + regions->config(r).name,
          std::to_string(regions->config(r).replicas) + " replicas, " +
              fixed(100 * regions->client_share(r), 1) + "% of clients; served " +
              std::to_string(served.requests) + ", failed " + std::to_string(served.failed()));
    }
    for (const RegionOutageReport& o : regions->outages())
      row(out, "outage of " + regions->config(o.region).name,
          fixed(o.from, 0) + " s to " + fixed(o.to, 0) + " s: " +
              (o.failover ? "failed over after " + fixed(*o.failover, 1) + " s, " +
                                (o.failback ? "failed back " + fixed(*o.failback, 1) +
                                                  " s after it came back"
                                            : "never failed back")
                          : "not detected"));
  }
  out += "</table>\n";
}

// Per key (a scenario with keys only): a table of what its requests met, and its spend over time.
void keys(std::string& out, const Simulation& simulation, double window) {
  const ScenarioConfig& scenario = simulation.scenario();
  const double hours = scenario.duration.count() / 3600;
  out += "<section id=\"keys\">\n<h2>Keys</h2>\n<table id=\"key-table\">\n";
  out +=
      "<tr><th>key</th><th>team</th><th>requests</th><th>completed</th><th>rate limited</th>"
      "<th>budget refused</th><th>downgraded</th><th>over budget at</th><th>cost</th></tr>\n";
  std::vector<Series> spend;
  for (std::size_t i = 0; i < scenario.keys.size(); ++i) {
    const KeySeries& k = simulation.key_stats().keys()[i];
    const std::string name = core::html_escape(scenario.keys[i].name);
    out += "<tr><td>" + name + "</td><td>" + core::html_escape(scenario.keys[i].team) +
           "</td><td>" + std::to_string(k.requests) + "</td><td>" + std::to_string(k.completed) +
           "</td><td>" + std::to_string(k.rate_limited) + "</td><td>" +
           std::to_string(k.budget_refused) + "</td><td>" + std::to_string(k.downgraded) +
           "</td><td>" + (k.over_budget_at ? fixed(*k.over_budget_at / 60, 1) + " min" : "never") +
           "</td><td>$" + fixed(k.cost_usd, 4) + " ($" + fixed(ratio(k.cost_usd, hours), 4) +
           " per hour)</td></tr>\n";
    Series series{"key_cost_per_hour_" + name, scenario.keys[i].name, {}};
    for (double cost : k.window_cost_usd) series.values.push_back(cost / (window / 3600));
    spend.push_back(std::move(series));
  }
  out += "</table>\n</section>\n";
  chart(out, "key-cost", "Cost by key", "US dollars per hour, at each window's rate", spend, window,
        2);
}

// The share of each window's requests sent to each region.
std::vector<Series> region_shares(const Regions& regions, std::size_t windows) {
  std::vector<Series> shares;
  for (std::size_t r = 0; r < regions.size(); ++r)
    shares.push_back(
        {"region_share_" + core::html_escape(regions.config(r).name), regions.config(r).name, {}});
  for (std::size_t i = 0; i < windows; ++i) {
    const std::vector<std::uint64_t>* routed =
        i < regions.routed().size() ? &regions.routed()[i] : nullptr;
    double total = 0;
    if (routed)
      for (std::uint64_t n : *routed) total += static_cast<double>(n);
    for (std::size_t r = 0; r < regions.size(); ++r)
      shares[r].values.push_back(routed ? ratio(static_cast<double>((*routed)[r]), total) : 0);
  }
  return shares;
}

std::vector<double> means(const std::vector<LevelWindow>& levels) {
  std::vector<double> out;
  for (const LevelWindow& l : levels) out.push_back(l.mean);
  return out;
}
std::vector<double> maxima(const std::vector<LevelWindow>& levels) {
  std::vector<double> out;
  for (const LevelWindow& l : levels) out.push_back(l.max);
  return out;
}

// A platform section: what it ran on, what that cost, and its instances (replicas, serverless
// instances, workers, the job queue) per window.
void platform_section(std::string& out, const Simulation& simulation) {
  const ScenarioConfig& scenario = simulation.scenario();
  const SeriesStats& t = simulation.stats().totals();
  const double hours = scenario.duration.count() / 3600;
  const double window = simulation.stats().window();
  const double platform = simulation.platform_cost_usd();
  out += "<h2>Platform: " + core::html_escape(scenario.platform.kind) + "</h2>\n";
  out += "<table id=\"platform\">\n";
  const ServerlessFleet* pool = simulation.serverless();
  const AsyncWorkers* workers = simulation.async_workers();
  if (pool) {
    const ServerlessStats& s = pool->stats();
    row(out, "instances",
        "peak " + std::to_string(s.peak_instances) + ", " + fixed(s.instance_seconds / 3600, 2) +
            " instance-hours");
    row(out, "cold starts",
        std::to_string(s.cold_starts_total) + "; " + std::to_string(s.cold_start_requests) +
            " requests waited for one (" +
            fixed(100 * ratio(static_cast<double>(s.cold_start_requests),
                              static_cast<double>(s.invocations)),
                  2) +
            "%): " + quantiles(s.cold_start_wait));
    row(out, "throttled", std::to_string(s.throttled));
    row(out, "serverless cost",
        "$" + fixed(s.cost.total(), 4) + " ($" + fixed(s.cost.requests, 4) + " requests, $" +
            fixed(s.cost.compute, 4) + " compute, $" + fixed(s.cost.warm, 4) + " warm)");
  } else {
    const FleetStats& fleet = simulation.fleet().stats();
    row(out, "replicas",
        "peak " + std::to_string(fleet.peak_ready) + " ready, " + fixed(fleet.replica_hours, 2) +
            " replica-hours, " + std::to_string(fleet.scale_events.size()) + " scale events");
    row(out, "always-on cost", "$" + fixed(fleet.cost_usd, 4));
  }
  if (workers) {
    const AsyncStats& a = workers->stats();
    row(out, "jobs",
        std::to_string(a.jobs) + ": " + std::to_string(a.done) + " done, " +
            std::to_string(a.dead_letters) + " dead letters, " + std::to_string(a.retries) +
            " retries, " + std::to_string(a.expired_leases) + " expired leases");
    row(out, "job queue wait", quantiles(a.queue_wait));
    row(out, "job latency", quantiles(a.latency));
    row(out, "workers",
        "peak " + std::to_string(a.peak_workers) + " ready, " + fixed(a.worker_hours, 2) +
            " worker-hours, $" + fixed(a.cost_usd, 4));
  }
  const double all = t.cost_usd + platform;
  row(out, "all-in cost",
      "$" + fixed(all, 4) + " total, $" + fixed(ratio(all, hours), 4) + " per hour (upstream $" +
          fixed(t.cost_usd, 4) + " + platform $" + fixed(platform, 4) + ")");
  out += "</table>\n";
  if (pool) {
    const ServerlessStats& s = pool->stats();
    std::vector<double> cold(s.cold_starts.begin(), s.cold_starts.end());
    chart(out, "instances", "Serverless instances", "instances alive (starting, busy or idle)",
          {{"instances_mean", "mean", means(s.instances)},
           {"instances_max", "most", maxima(s.instances)}},
          window, 1);
    chart(out, "cold_starts", "Cold starts", "instances started per window",
          {{"cold_starts", "cold starts", cold}}, window, 0);
  } else {
    const FleetStats& fleet = simulation.fleet().stats();
    chart(out, "replicas", "Ready replicas", "replicas",
          {{"ready_replicas_mean", "mean", means(fleet.windows)},
           {"ready_replicas_max", "most", maxima(fleet.windows)}},
          window, 1);
  }
  if (workers) {
    const AsyncStats& a = workers->stats();
    chart(out, "job_queue", "Job queue", "runnable jobs waiting for a worker",
          {{"queue_depth_mean", "mean", means(a.depth)},
           {"queue_depth_max", "most", maxima(a.depth)}},
          window, 1);
    chart(out, "workers", "Workers", "ready workers", {{"workers_mean", "mean", means(a.workers)}},
          window, 1);
  }
}

// Per canary (a scenario with one only): a table row, and per window the candidate's share of
// the alias' requests against its configured weight, each version's requests per second and
// each version's error rate, with every replica's rollback marked on each chart.
void canaries(std::string& out, const Simulation& simulation, const std::vector<CanaryRun>& runs) {
  const RunStats& stats = simulation.stats();
  const double window = stats.window();
  out += "<section id=\"canaries\">\n<h2>Canary releases</h2>\n<table id=\"canary-table\">\n";
  out +=
      "<tr><th>alias</th><th>candidate</th><th>weight</th><th>candidate served</th>"
      "<th>failed: candidate</th><th>failed: baseline</th><th>rolled back</th></tr>\n";
  for (const CanaryRun& run : runs) {
    const CanaryCounts& c = stats.totals().canary_of(run.alias);
    const auto rate = [](std::uint64_t failed, std::uint64_t of) {
      return std::to_string(failed) + " (" +
             fixed(100 * ratio(static_cast<double>(failed), static_cast<double>(of)), 2) + "%)";
    };
    out +=
        "<tr><td>" + core::html_escape(run.alias) + "</td><td>" + core::html_escape(run.candidate) +
        "</td><td>" + fixed(run.weight, 4) + "</td><td>" + std::to_string(c.candidate) + " of " +
        std::to_string(c.requests()) + " (" +
        fixed(100 * ratio(static_cast<double>(c.candidate), static_cast<double>(c.requests())), 2) +
        "%)</td><td>" + rate(c.candidate_failed, c.candidate) + "</td><td>" +
        rate(c.baseline_failed, c.baseline) + "</td><td>" +
        (run.rollbacks.empty()
             ? std::string(run.metric.empty() ? "no rule" : "never")
             : "on " + std::to_string(run.rollbacks.size()) + " of " +
                   std::to_string(simulation.replica_count()) + " replicas, " +
                   fixed(*run.first_rollback(), 1) + " s to " + fixed(*run.last_rollback(), 1) +
                   " s (" + core::html_escape(run.rollbacks.front().reason) + ")") +
        "</td></tr>\n";
  }
  out += "</table>\n</section>\n";
  for (const CanaryRun& run : runs) {
    const std::string name = core::html_escape(run.alias);
    std::vector<Marker> rollbacks;
    for (const CanaryRollbackEvent& e : run.rollbacks)
      rollbacks.push_back({"rollback", e.at,
                           "replica " + std::to_string(e.replica) + " rolled back at " +
                               fixed(e.at, 1) + " s (" + e.reason + ")"});
    Series weight{"canary_weight_" + name, "configured weight", {}};
    Series share{"canary_share_" + name, "candidate's share of requests", {}};
    Series baseline_rps{"canary_baseline_rps_" + name, "baseline /s", {}};
    Series candidate_rps{"canary_candidate_rps_" + name, "candidate /s", {}};
    Series baseline_errors{"canary_baseline_error_rate_" + name, "baseline", {}};
    Series candidate_errors{"canary_candidate_error_rate_" + name, "candidate", {}};
    for (const SeriesStats& w : stats.windows()) {
      const CanaryCounts& c = w.canary_of(run.alias);
      weight.values.push_back(run.weight);
      share.values.push_back(
          ratio(static_cast<double>(c.candidate), static_cast<double>(c.requests())));
      baseline_rps.values.push_back(static_cast<double>(c.baseline) / window);
      candidate_rps.values.push_back(static_cast<double>(c.candidate) / window);
      baseline_errors.values.push_back(
          ratio(static_cast<double>(c.baseline_failed), static_cast<double>(c.baseline)));
      candidate_errors.values.push_back(
          ratio(static_cast<double>(c.candidate_failed), static_cast<double>(c.candidate)));
    }
    const std::string title = "Canary " + run.alias + " \u2192 " + run.candidate + ": ";
    chart(out, "canary-split-" + name, title + "split",
          "share of the alias' requests that ended in the window; dashed: a replica's rollback",
          {weight, share}, window, 2, rollbacks);
    chart(out, "canary-requests-" + name, title + "requests", "requests per second, by version",
          {baseline_rps, candidate_rps}, window, 1, rollbacks);
    chart(out, "canary-errors-" + name, title + "error rate",
          "failed share of each version's requests", {baseline_errors, candidate_errors}, window, 3,
          rollbacks);
  }
}

constexpr const char* kStyle =
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:800px;color:#222}"
    "h1{font-size:1.4em}h2{font-size:1.1em;margin:1.5em 0 .3em}"
    "table{border-collapse:collapse}th,td{text-align:left;padding:2px 12px 2px 0}"
    "th{font-weight:600}svg{width:100%;height:auto}"
    ".grid{stroke:#ddd;stroke-width:1}.tick{font-size:11px;fill:#555}"
    ".marker{stroke:#c00;stroke-width:1;stroke-dasharray:4 3}"
    ".legend span{margin-right:1.2em}.legend i{display:inline-block;width:12px;height:3px;"
    "margin-right:4px;vertical-align:middle}";

}  // namespace

std::string render_report_html(const Simulation& simulation, std::string_view scenario_name) {
  const ScenarioConfig& scenario = simulation.scenario();
  const RunStats& stats = simulation.stats();
  const std::vector<SeriesStats>& windows = stats.windows();
  const double window = stats.window();

  Series p50{"latency_p50", "p50", {}}, p99{"latency_p99", "p99", {}};
  Series arrived{"arrivals", "arrived /s", {}}, completed{"throughput", "completed /s", {}};
  Series cost{"cost_per_hour", "cost, $ per hour", {}};
  std::vector<Series> errors;
  for (Cause cause : all_causes()) {
    if (cause == Cause::none || stats.totals().causes[static_cast<std::size_t>(cause)] == 0)
      continue;
    errors.push_back(
        {"errors_" + std::string(to_string(cause)), std::string(to_string(cause)), {}});
  }
  for (const SeriesStats& w : windows) {
    p50.values.push_back(w.latency.count() ? w.latency.quantile(0.5) : 0);
    p99.values.push_back(w.latency.count() ? w.latency.quantile(0.99) : 0);
    arrived.values.push_back(static_cast<double>(w.requests) / window);
    completed.values.push_back(static_cast<double>(w.completed) / window);
    cost.values.push_back(w.cost_usd / (window / 3600));
    std::size_t k = 0;
    for (Cause cause : all_causes()) {
      if (cause == Cause::none || stats.totals().causes[static_cast<std::size_t>(cause)] == 0)
        continue;
      errors[k++].values.push_back(static_cast<double>(w.causes[static_cast<std::size_t>(cause)]));
    }
  }

  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>sluice simulate: " + core::html_escape(scenario_name) + "</title>\n";
  out += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  out += "<h1>sluice simulate: " + core::html_escape(scenario_name) + "</h1>\n";
  const std::string runs_on = !scenario.platform.kind.empty()
                                  ? "platform " + core::html_escape(scenario.platform.kind)
                                  : std::to_string(scenario.replicas.count) + " replica" +
                                        (scenario.replicas.count == 1 ? "" : "s") + " (" +
                                        core::html_escape(scenario.replicas.load_balancer) + ")";
  out += "<p id=\"run\">" + fixed(scenario.duration.count() / 60, 1) +
         " minutes of traffic, seed " + std::to_string(scenario.seed) + ", " + runs_on +
         ", windows of " + fixed(window, 0) + " s; the last request ended at " +
         fixed(simulation.ended_at(), 1) + " s.</p>\n";
  headline(out, simulation);
  chart(out, "latency", "Latency of completed requests (arrival to last byte)", "seconds",
        {p50, p99}, window, 2);
  chart(out, "throughput", "Throughput", "requests per second", {arrived, completed}, window, 1);
  if (errors.empty()) {
    out +=
        "<section id=\"errors\">\n<h2>Errors by cause</h2>\n<p>No request failed.</p>\n"
        "</section>\n";
  } else {
    chart(out, "errors", "Errors by cause", "failed requests per window", errors, window, 0);
  }
  chart(out, "cost", "Cost", "US dollars per hour, at each window's rate", {cost}, window, 2);
  if (!scenario.keys.empty()) keys(out, simulation, window);
  if (const Regions* regions = simulation.regions())
    chart(out, "regions", "Traffic by serving region", "share of the window's requests",
          region_shares(*regions, windows.size()), window, 2);
  if (const std::vector<CanaryRun> runs = collect_canaries(simulation); !runs.empty())
    canaries(out, simulation, runs);
  if (!scenario.platform.kind.empty()) platform_section(out, simulation);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace sluice::sim
