#include "sim/report/report_summary.hpp"

#include <cstdarg>
#include <cstdio>

namespace sluice::sim {
namespace {

void line(std::string& out, const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  out += buf;
  out += '\n';
}

std::string span(double seconds) {
  char buf[32];
  if (seconds >= 3600)
    std::snprintf(buf, sizeof buf, "%.4gh", seconds / 3600);
  else if (seconds >= 60)
    std::snprintf(buf, sizeof buf, "%.4gm", seconds / 60);
  else
    std::snprintf(buf, sizeof buf, "%.4gs", seconds);
  return buf;
}

std::string quantiles(const QuantileSketch& s) {
  if (s.count() == 0) return "none";
  char buf[160];
  std::snprintf(buf, sizeof buf, "p50 %.3fs  p90 %.3fs  p99 %.3fs  p99.9 %.3fs  (mean %.3fs)",
                s.quantile(0.5), s.quantile(0.9), s.quantile(0.99), s.quantile(0.999), s.mean());
  return buf;
}

}  // namespace

std::string render_summary(const Simulation& simulation, std::string_view scenario_name,
                           double wall_seconds) {
  const ScenarioConfig& scenario = simulation.scenario();
  const SeriesStats& t = simulation.stats().totals();
  const double duration = scenario.duration.count();
  const double finished = static_cast<double>(t.finished);
  std::string out;
  line(out, "%.*s: %s simulated in %.2fs (%.0fx real time), seed %lld, %d replica%s",
       static_cast<int>(scenario_name.size()), scenario_name.data(), span(duration).c_str(),
       wall_seconds, wall_seconds > 0 ? duration / wall_seconds : 0.0, scenario.seed,
       scenario.replicas.count, scenario.replicas.count == 1 ? "" : "s");
  if (const ReplayedTraffic* log = scenario.replayed.get())
    line(out, "replayed   %zu chat completions of %zu lines of %s (at %gx)", log->requests.size(),
         log->lines, scenario.traffic.replay.file.c_str(), scenario.traffic.replay.speed);
  line(out, "requests   %llu, completed %llu (%.2f%%), throughput %.2f/s",
       static_cast<unsigned long long>(t.requests), static_cast<unsigned long long>(t.completed),
       finished > 0 ? 100.0 * static_cast<double>(t.completed) / finished : 0.0,
       static_cast<double>(t.completed) / duration);
  line(out, "latency    %s", quantiles(t.latency).c_str());
  if (t.ttft.count() > 0) line(out, "ttft       %s", quantiles(t.ttft).c_str());
  if (t.queued > 0)
    line(out, "queued     %llu requests, wait p99 %.3fs", static_cast<unsigned long long>(t.queued),
         t.queue_wait.quantile(0.99));
  std::string errors;
  for (Cause cause : all_causes()) {
    const auto n = t.causes[static_cast<std::size_t>(cause)];
    if (cause == Cause::none || n == 0) continue;
    if (!errors.empty()) errors += ", ";
    errors += std::string(to_string(cause)) + " " + std::to_string(n);
  }
  line(out, "errors     %s", errors.empty() ? "none" : errors.c_str());
  line(out, "retries    %.4f/request, fallbacks %.4f/request, breaker openings %.0f",
       finished > 0 ? t.gateway.retries / finished : 0.0,
       finished > 0 ? t.gateway.fallbacks / finished : 0.0, t.gateway.breaker_openings);
  line(out, "cost       $%.4f total, $%.4f/hour, $%.4f per 1000 requests", t.cost_usd,
       t.cost_usd / (duration / 3600), finished > 0 ? t.cost_usd / finished * 1000 : 0.0);
  if (!scenario.platform.kind.empty()) {
    const FleetStats& fleet = simulation.fleet().stats();
    line(
        out, "platform   %s, %s: ready replicas peak %d, %zu scale events, %.2f replica-hours",
        scenario.platform.kind.c_str(),
        scenario.platform.autoscaling.policy.empty()
            ? "fixed size"
            : (scenario.platform.autoscaling.policy + " on " + scenario.platform.autoscaling.metric)
                  .c_str(),
        fleet.peak_ready, fleet.scale_events.size(), fleet.replica_hours);
    line(out, "           always-on $%.4f total, $%.4f/hour (upstream $%.4f/hour)", fleet.cost_usd,
         fleet.cost_usd / (duration / 3600), t.cost_usd / (duration / 3600));
  }
  if (const Regions* regions = simulation.regions()) {
    const FailoverConfig& f = regions->failover();
    line(out, "failover   %s: checks every %s, unhealthy after %d failures, healthy after %d%s",
         f.policy.c_str(), span(f.interval.count()).c_str(), f.unhealthy_threshold,
         f.healthy_threshold,
         f.dns_ttl.count() > 0 ? (", DNS TTL " + span(f.dns_ttl.count())).c_str() : "");
    for (std::size_t r = 0; r < regions->size(); ++r) {
      const SeriesStats& served = regions->stats(r).served;
      const SeriesStats& clients = regions->stats(r).clients;
      line(out,
           "region     %s: %d replica%s, %.1f%% of clients; served %llu (failed %llu), its "
           "clients' latency p50 %.3fs p99 %.3fs",
           regions->config(r).name.c_str(), regions->config(r).replicas,
           regions->config(r).replicas == 1 ? "" : "s", 100 * regions->client_share(r),
           static_cast<unsigned long long>(served.requests),
           static_cast<unsigned long long>(served.failed()),
           clients.latency.count() ? clients.latency.quantile(0.5) : 0.0,
           clients.latency.count() ? clients.latency.quantile(0.99) : 0.0);
    }
    for (const RegionOutageReport& o : regions->outages()) {
      const std::string& name = regions->config(o.region).name;
      if (!o.failover) {
        line(out, "outage     %s down %s to %s: not detected (shorter than the health checks need)",
             name.c_str(), span(o.from).c_str(), span(o.to).c_str());
        continue;
      }
      if (o.failback)
        line(out, "outage     %s down %s to %s: failed over after %.1fs, back %.1fs after it ended",
             name.c_str(), span(o.from).c_str(), span(o.to).c_str(), *o.failover, *o.failback);
      else
        line(out,
             "outage     %s down %s to %s: failed over after %.1fs, not back when the run ended",
             name.c_str(), span(o.from).c_str(), span(o.to).c_str(), *o.failover);
    }
  }
  return out;
}

}  // namespace sluice::sim
