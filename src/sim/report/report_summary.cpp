#include "sim/report/report_summary.hpp"

#include <cstdarg>
#include <cstdio>

#include "sim/report/canary_report.hpp"

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
  const std::string runs_on = !scenario.platform.kind.empty()
                                  ? "platform " + scenario.platform.kind
                                  : std::to_string(scenario.replicas.count) +
                                        (scenario.replicas.count == 1 ? " replica" : " replicas");
  line(out, "%.*s: %s simulated in %.2fs (%.0fx real time), seed %lld, %s",
       static_cast<int>(scenario_name.size()), scenario_name.data(), span(duration).c_str(),
       wall_seconds, wall_seconds > 0 ? duration / wall_seconds : 0.0, scenario.seed,
       runs_on.c_str());
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
  for (const CanaryRun& run : collect_canaries(simulation)) {
    const CanaryCounts& c = t.canary_of(run.alias);
    line(out,
         "canary     %s -> %s at weight %g: candidate served %llu of %llu (%.2f%%), %llu failed",
         run.alias.c_str(), run.candidate.c_str(), run.weight,
         static_cast<unsigned long long>(c.candidate),
         static_cast<unsigned long long>(c.requests()),
         c.requests() > 0
             ? 100.0 * static_cast<double>(c.candidate) / static_cast<double>(c.requests())
             : 0.0,
         static_cast<unsigned long long>(c.candidate_failed));
    if (run.rollbacks.empty()) {
      line(out, "           not rolled back%s", run.metric.empty() ? " (no rollback rule)" : "");
    } else {
      line(out, "           rolled back on %zu of %zu replicas (%s), first at %s, last at %s",
           run.rollbacks.size(), simulation.replica_count(), run.rollbacks.front().reason.c_str(),
           span(*run.first_rollback()).c_str(), span(*run.last_rollback()).c_str());
    }
  }
  if (const ServerlessFleet* pool = simulation.serverless()) {
    const ServerlessStats& s = pool->stats();
    line(out,
         "platform   serverless (%s): peak %d instance%s, %llu cold starts, %llu requests "
         "waited for one (%.2f%%), %llu throttled",
         scenario.platform.serverless.preset.c_str(), s.peak_instances,
         s.peak_instances == 1 ? "" : "s", static_cast<unsigned long long>(s.cold_starts_total),
         static_cast<unsigned long long>(s.cold_start_requests),
         s.invocations > 0 ? 100.0 * static_cast<double>(s.cold_start_requests) /
                                 static_cast<double>(s.invocations)
                           : 0.0,
         static_cast<unsigned long long>(s.throttled));
    if (s.cold_start_wait.count() > 0)
      line(out, "cold start %s", quantiles(s.cold_start_wait).c_str());
    line(out,
         "           serverless $%.4f total, $%.4f/hour (requests $%.4f, compute $%.4f for "
         "%.0f s, warm $%.4f)",
         s.cost.total(), s.cost.total() / (duration / 3600), s.cost.requests, s.cost.compute,
         s.cost.compute_seconds, s.cost.warm);
  } else if (!scenario.platform.kind.empty()) {
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
  for (std::size_t i = 0; i < scenario.keys.size(); ++i) {
    const KeySeries& k = simulation.key_stats().keys()[i];
    std::string over_budget = "never over budget";
    if (k.over_budget_at) over_budget = "over budget at " + span(*k.over_budget_at);
    line(out,
         "key %s: %llu requests, %llu completed, rate limited %llu, budget refused %llu, "
         "downgraded %llu, $%.4f ($%.4f/hour), %s",
         scenario.keys[i].name.c_str(), static_cast<unsigned long long>(k.requests),
         static_cast<unsigned long long>(k.completed),
         static_cast<unsigned long long>(k.rate_limited),
         static_cast<unsigned long long>(k.budget_refused),
         static_cast<unsigned long long>(k.downgraded), k.cost_usd, k.cost_usd / (duration / 3600),
         over_budget.c_str());
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
  if (const AsyncWorkers* workers = simulation.async_workers()) {
    const AsyncStats& a = workers->stats();
    const WorkerPoolConfig& c = scenario.platform.workers;
    line(out,
         "async      %llu jobs: %llu done, %llu dead letters, %llu retries, %llu expired leases, "
         "queue depth peak %d",
         static_cast<unsigned long long>(a.jobs), static_cast<unsigned long long>(a.done),
         static_cast<unsigned long long>(a.dead_letters),
         static_cast<unsigned long long>(a.retries),
         static_cast<unsigned long long>(a.expired_leases), a.peak_depth);
    line(out, "job wait   %s", quantiles(a.queue_wait).c_str());
    line(out, "job done   %s", quantiles(a.latency).c_str());
    line(out, "workers    %s: peak %d ready, %.2f worker-hours, $%.4f total, $%.4f/hour",
         c.autoscaling.policy.empty()
             ? "fixed size"
             : (c.autoscaling.policy + " on " + c.autoscaling.metric).c_str(),
         a.peak_workers, a.worker_hours, a.cost_usd, a.cost_usd / (duration / 3600));
  }
  if (!scenario.platform.kind.empty()) {
    const double platform = simulation.platform_cost_usd();
    const double all = t.cost_usd + platform;
    line(out,
         "all-in     $%.4f total, $%.4f/hour, $%.4f per 1000 requests (upstream $%.4f + "
         "platform $%.4f)",
         all, all / (duration / 3600), finished > 0 ? all / finished * 1000 : 0.0, t.cost_usd,
         platform);
  }
  return out;
}

}  // namespace sluice::sim
