#include "sim/scenario/scenario_validate.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "core/principal.hpp"
#include "sim/scenario/distribution_spec.hpp"
#include "sim/scenario/hpa_behavior_config.hpp"
#include "sim/scenario/protection_config.hpp"
#include "sim/scenario/region_topology.hpp"

namespace sluice::sim {
namespace {

using core::detail::Reporter;
using Given = std::map<std::string, std::string>;

// Reports not a limit of the simulator but a typo: beyond these the run would not fit a machine.
constexpr double kMaxDurationSeconds = 366.0 * 86400;
constexpr double kMaxWindows = 20'000;  // each holds three percentile sketches
constexpr int kMaxReplicas = 1000;

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string at(const std::string& path, std::size_t i) { return path + "." + std::to_string(i); }

void validate_run(const ScenarioConfig& s, Reporter& report) {
  const double duration = s.duration.count();
  if (!(duration > 0) || duration > kMaxDurationSeconds)
    report.add("duration", "must be greater than 0 and at most 366d", "e.g. 1h");
  if (s.seed < 0)
    report.add("seed", "must not be negative, got " + std::to_string(s.seed), "e.g. 1");
  if (!(s.window.count() > 0))
    report.add("window", "must be greater than 0", "e.g. 60s");
  else if (duration > 0 && duration / s.window.count() > kMaxWindows)
    report.add("window", "makes more than 20000 windows of duration", "use a longer window");
  if (s.replicas.count < 1 || s.replicas.count > kMaxReplicas)
    report.add("replicas.count",
               "must be between 1 and 1000, got " + std::to_string(s.replicas.count), "e.g. 2");
  if (s.replicas.load_balancer != "round_robin" && s.replicas.load_balancer != "least_connections")
    report.add("replicas.load_balancer", "unknown load balancer '" + s.replicas.load_balancer + "'",
               "use round_robin or least_connections");
}

}  // namespace

namespace {

// The provider and upstream model a name that is not an alias goes to (provider/model, or the
// default provider), as the catalog routes it; nullopt for an alias or an unroutable name.
std::optional<std::pair<std::string, std::string>> direct_target(const core::GatewayConfig& g,
                                                                 const std::string& model) {
  for (const core::ModelAliasConfig& m : g.models)
    if (m.alias == model) return std::nullopt;
  if (const auto slash = model.find('/'); slash != std::string::npos && slash + 1 < model.size())
    for (const core::ProviderConfig& p : g.providers)
      if (p.name == model.substr(0, slash)) return std::pair{p.name, model.substr(slash + 1)};
  if (!g.default_provider.empty()) return std::pair{g.default_provider, model};
  return std::nullopt;
}

}  // namespace

bool routable(const core::GatewayConfig& g, const std::string& model) {
  for (const core::ModelAliasConfig& m : g.models)
    if (m.alias == model) return true;
  if (const auto slash = model.find('/'); slash != std::string::npos && slash + 1 < model.size())
    for (const core::ProviderConfig& p : g.providers)
      if (p.name == model.substr(0, slash)) return true;
  return !g.default_provider.empty();
}

void check_model(const ScenarioConfig& s, const std::string& model, const std::string& path,
                 Reporter& report) {
  if (model.empty())
    report.add(path, "must not be empty", "name an alias of gateway.models");
  else if (!routable(s.gateway, model))
    report.add(path, "'" + model + "' is not an alias of gateway.models",
               "name a configured alias, or provider/model of a configured provider");
  else if (const auto direct = direct_target(s.gateway, model);
           direct && !upstream_for(s.providers, direct->first, direct->second))
    report.add(path, "no entry of providers simulates " + direct->first + "/" + direct->second,
               "add {provider: " + direct->first +
                   ", ttft: {...}, per_token: {...}} under "
                   "providers");
}

namespace {

// traffic.replay: the log stands for the rate, the phases and the mix.
void validate_replay(const TrafficConfig& t, const Given& given, Reporter& report) {
  if (t.replay.file.empty())
    report.add("traffic.replay.file", "must not be empty", "the path of a Sluice access log");
  if (!(t.replay.speed > 0))
    report.add("traffic.replay.speed", "must be greater than 0", "1 replays at the logged pace");
  for (const char* key :
       {"traffic.rate", "traffic.phases", "traffic.mix", "traffic.repeat", "traffic.arrivals"})
    if (given.contains(key))
      report.add(key, "is given together with traffic.replay",
                 "a replay's requests come from the log: remove one of them");
}

void validate_traffic(const ScenarioConfig& s, const Given& given, Reporter& report) {
  const TrafficConfig& t = s.traffic;
  if (given.contains("traffic.replay.file") || given.contains("traffic.replay.speed") ||
      given.contains("traffic.replay.answers"))
    return validate_replay(t, given, report);
  const bool has_rate = given.contains("traffic.rate");
  if (has_rate && !t.phases.empty())
    report.add("traffic.rate", "is given together with traffic.phases",
               "give a constant rate or phases, not both");
  if (!has_rate && t.phases.empty())
    report.add("traffic", "has neither a rate nor phases",
               "e.g. traffic: {rate: 50, mix: [...]}, or phases: [{duration: 10m, rate: 50}]");
  if (has_rate && !(t.rate > 0))
    report.add("traffic.rate", "must be greater than 0, got " + number_text(t.rate),
               "requests per second, e.g. 50");
  bool any_traffic = false;
  for (std::size_t i = 0; i < t.phases.size(); ++i) {
    const PhaseConfig& p = t.phases[i];
    const std::string path = at("traffic.phases", i);
    if (!(p.duration.count() > 0))
      report.add(path + ".duration", "must be greater than 0", "e.g. 10m");
    if (!(p.rate >= 0))
      report.add(path + ".rate", "must not be negative, got " + number_text(p.rate),
                 "requests per second; 0 for a quiet spell");
    if (p.ramp != "step" && p.ramp != "linear")
      report.add(path + ".ramp", "unknown ramp '" + p.ramp + "'",
                 "use step (the rate holds) or linear (from the previous phase's rate)");
    any_traffic = any_traffic || p.rate > 0;
  }
  if (!t.phases.empty() && !any_traffic)
    report.add("traffic.phases", "every phase has rate 0: no request would arrive",
               "give some phase a rate above 0");
  if (t.arrivals != "poisson" && t.arrivals != "uniform")
    report.add("traffic.arrivals", "unknown arrival process '" + t.arrivals + "'",
               "use poisson (random, independent arrivals) or uniform (evenly spaced)");
  if (t.mix.empty())
    report.add("traffic.mix", "must list at least one kind of request",
               "e.g. [{model: chat, prompt_tokens: {dist: constant, value: 500}, "
               "completion_tokens: {dist: constant, value: 200}}]");
  for (std::size_t i = 0; i < t.mix.size(); ++i) {
    const MixEntryConfig& m = t.mix[i];
    const std::string path = at("traffic.mix", i);
    if (!(m.weight > 0))
      report.add(path + ".weight", "must be greater than 0, got " + number_text(m.weight),
                 "a share of the traffic, e.g. 1");
    check_model(s, m.model, path + ".model", report);
    if (!core::parse_priority(m.priority))
      report.add(path + ".priority", "unknown priority '" + m.priority + "'",
                 "use low, normal or high");
    check_distribution(m.prompt_tokens, path + ".prompt_tokens", given, true, report);
    check_distribution(m.completion_tokens, path + ".completion_tokens", given, true, report);
  }
}

bool valid_fail_with(const std::string& mode) {
  return mode == "5xx" || mode == "429" || mode == "reset" || mode == "connect" ||
         mode == "timeout";
}

void validate_upstreams(const ScenarioConfig& s, const Given& given, Reporter& report) {
  std::vector<std::string> names;
  for (const core::ProviderConfig& p : s.gateway.providers) names.push_back(p.name);
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < s.providers.size(); ++i) {
    const UpstreamConfig& u = s.providers[i];
    const std::string path = at("providers", i);
    if (std::find(names.begin(), names.end(), u.provider) == names.end()) {
      std::string choices;
      for (const std::string& n : names) choices += (choices.empty() ? "" : ", ") + n;
      report.add(
          path + ".provider", "'" + u.provider + "' is not a provider of gateway.providers",
          choices.empty() ? "add the provider under gateway.providers" : "use one of: " + choices);
    } else if (!seen.emplace(u.provider, u.model).second) {
      report.add(path + (u.model.empty() ? ".provider" : ".model"),
                 "'" + u.provider + (u.model.empty() ? "" : "/" + u.model) +
                     "' is simulated by an earlier entry too",
                 "keep one entry per provider (or per provider and model)");
    }
    check_distribution(u.ttft, path + ".ttft", given, true, report);
    check_distribution(u.per_token, path + ".per_token", given, true, report);
    check_distribution(u.error_latency, path + ".error_latency", given, false, report);
    if (u.concurrency < 0)
      report.add(path + ".concurrency", "must not be negative", "0 serves any number at once");
    const RateLimitConfig& r = u.rate_limit;
    if (!(r.requests_per_second >= 0))
      report.add(path + ".rate_limit.requests_per_second", "must not be negative",
                 "0 for no limit, e.g. 40");
    if (!(r.burst >= 0))
      report.add(path + ".rate_limit.burst", "must not be negative",
                 "0 for one second's worth of requests_per_second");
    for (const auto& [key, rate] :
         {std::pair{".error_rate", u.error_rate}, std::pair{".reset_rate", u.reset_rate}})
      if (!(rate >= 0 && rate <= 1))
        report.add(path + key, "must be between 0 and 1, got " + number_text(rate),
                   "a probability per attempt: 0.01 fails one in a hundred");
    if (u.error_rate + u.reset_rate > 1)
      report.add(path + ".reset_rate", "error_rate + reset_rate exceeds 1",
                 "they are shares of the same attempts");
    for (std::size_t j = 0; j < u.outages.size(); ++j) {
      const OutageConfig& o = u.outages[j];
      const std::string opath = at(path + ".outages", j);
      if (!(o.to > o.from))
        report.add(opath + ".to", "must be later than from", "an outage is the span [from, to)");
      if (!valid_fail_with(o.fail_with))
        report.add(opath + ".fail_with", "unknown failure '" + o.fail_with + "'",
                   "use 5xx, 429, reset, connect or timeout");
      if (!(o.share > 0 && o.share <= 1))
        report.add(opath + ".share", "must be above 0 and at most 1, got " + number_text(o.share),
                   "the share of attempts in the outage that fail: 0.3 fails three in ten");
    }
  }
  // Every configured deployment needs a behaviour: a simulation has no default upstream.
  for (std::size_t i = 0; i < s.gateway.models.size(); ++i) {
    const core::ModelAliasConfig& m = s.gateway.models[i];
    for (std::size_t j = 0; j < m.deployments.size(); ++j) {
      const core::DeploymentConfig& d = m.deployments[j];
      if (std::find(names.begin(), names.end(), d.provider) == names.end()) continue;
      if (upstream_for(s.providers, d.provider, d.model)) continue;
      report.add(
          at(at("gateway.models", i) + ".deployments", j),
          "no entry of providers simulates " + d.provider + "/" + d.model,
          "add {provider: " + d.provider + ", ttft: {...}, per_token: {...}} under providers");
    }
  }
}

bool one_of(const std::string& value, std::initializer_list<const char*> choices) {
  for (const char* c : choices)
    if (value == c) return true;
  return false;
}

// `replicas: {min, max, initial}` at `path` (platform.replicas, platform.workers.replicas).
void validate_replica_range(const ReplicaRangeConfig& r, const std::string& path,
                            const Given& given, Reporter& report) {
  const std::string name = path.substr(path.rfind('.') + 1);
  if (r.min < 1 || r.min > kMaxReplicas)
    report.add(path + ".min", "must be between 1 and 1000, got " + std::to_string(r.min), "e.g. 2");
  if (r.max < r.min || r.max > kMaxReplicas)
    report.add(path + ".max",
               "must be between " + name + ".min and 1000, got " + std::to_string(r.max),
               "e.g. 10");
  if (given.contains(path + ".initial") && (r.initial < r.min || r.initial > r.max))
    report.add(
        path + ".initial",
        "must be between " + name + ".min and " + name + ".max, got " + std::to_string(r.initial),
        "leave it out to start with " + name + ".min");
}

// `autoscaling` at `path` (given when some key under it is), with the metrics that pool offers.
void validate_autoscaling(const AutoscalingConfig& a, const std::string& path,
                          const std::vector<std::string>& metrics, const Given& given,
                          Reporter& report) {
  bool scaling = false;
  for (const auto& [key, value] : given) scaling = scaling || key.rfind(path, 0) == 0;
  if (!scaling) return;
  if (!one_of(a.policy, {"hpa", "target_tracking"}))
    report.add(path + ".policy", "unknown policy '" + a.policy + "'",
               "use hpa (Kubernetes) or target_tracking (ECS)");
  if (std::find(metrics.begin(), metrics.end(), a.metric) == metrics.end()) {
    std::string choices;
    for (std::size_t i = 0; i < metrics.size(); ++i)
      choices += (i == 0 ? "" : i + 1 == metrics.size() ? " or " : ", ") + metrics[i];
    report.add(path + ".metric", "unknown metric '" + a.metric + "'", "use " + choices);
  }
  if (!(a.target > 0))
    report.add(path + ".target", "must be greater than 0",
               "per member, in the metric's unit (cpu: percent), e.g. 70");
  for (const auto& [key, value] :
       {std::pair{"sync_period", a.sync_period}, std::pair{"period", a.period}})
    if (!(value.count() >= 1)) report.add(path + "." + key, "must be at least 1s", "e.g. 15s");
  for (const auto& [key, value] :
       {std::pair{"scale_down_stabilization", a.scale_down_stabilization},
        std::pair{"scale_out_cooldown", a.scale_out_cooldown},
        std::pair{"scale_in_cooldown", a.scale_in_cooldown}})
    if (!(value.count() >= 0)) report.add(path + "." + key, "must not be negative", "e.g. 300s");
  if (!(a.tolerance >= 0 && a.tolerance < 1))
    report.add(path + ".tolerance", "must be at least 0 and below 1", "e.g. 0.1");
  validate_hpa_behavior(a, path, given, report);
  if (given.contains(path + ".disable_scale_in") && a.policy != "target_tracking")
    report.add(path + ".disable_scale_in", "applies to policy target_tracking only",
               "remove it (with hpa, behavior.scale_down.select_policy: disabled)");
}

// The keys directly under platform that each kind takes.
const std::set<std::string>& platform_keys(const std::string& kind) {
  static const std::set<std::string> server = {
      "kind", "replicas", "startup", "drain_grace", "autoscaling", "price_per_replica_hour"};
  static const std::set<std::string> hybrid = [] {
    std::set<std::string> keys = server;
    keys.insert({"workers", "queue"});
    return keys;
  }();
  static const std::set<std::string> serverless = {"kind",
                                                   "preset",
                                                   "cold_start",
                                                   "concurrency",
                                                   "min_instances",
                                                   "max_instances",
                                                   "idle_expiry",
                                                   "overflow",
                                                   "queue_limit",
                                                   "queue_timeout",
                                                   "memory_gb",
                                                   "vcpu",
                                                   "price_per_request",
                                                   "price_per_gb_second",
                                                   "price_per_vcpu_second",
                                                   "warm_price_per_gb_second",
                                                   "warm_price_per_vcpu_second",
                                                   "billing",
                                                   "billing_granularity",
                                                   "warm_billing",
                                                   "bill_cold_start"};
  return kind == "serverless" ? serverless : kind == "hybrid" ? hybrid : server;
}

// A key of another kind's (platform.cold_start with kind server, platform.replicas with kind
// serverless): reported once per key directly under platform.
void validate_platform_keys(const std::string& kind, const Given& given, Reporter& report) {
  std::set<std::string> reported;
  const std::set<std::string>& allowed = platform_keys(kind);
  for (const auto& [key, value] : given) {
    if (key.rfind("platform.", 0) != 0) continue;
    const std::string name = key.substr(9, key.find('.', 9) - 9);
    if (allowed.contains(name) || !reported.insert(name).second) continue;
    std::string kinds;
    for (const char* k : {"server", "serverless", "hybrid"})
      if (platform_keys(k).contains(name)) kinds += std::string(kinds.empty() ? "" : ", ") + k;
    report.add("platform." + name, "does not apply to kind " + kind,
               "it is a key of kind " + kinds + ": remove it, or change platform.kind");
  }
}

// kind server, and a hybrid platform's API tier: an always-on fleet, optionally autoscaled.
void validate_server_tier(const ScenarioConfig& s, const Given& given, Reporter& report) {
  const PlatformConfig& p = s.platform;
  validate_replica_range(p.replicas, "platform.replicas", given, report);
  check_distribution(p.startup, "platform.startup", given, false, report);
  if (!(p.drain_grace.count() >= 0))
    report.add("platform.drain_grace", "must not be negative", "e.g. 30s");
  if (!(p.price_per_replica_hour >= 0))
    report.add("platform.price_per_replica_hour", "must not be negative", "e.g. 0.085");
  validate_autoscaling(p.autoscaling, "platform.autoscaling",
                       {"cpu", "in_flight", "queue_depth", "tokens_per_minute", "cost_per_minute"},
                       given, report);
  bool scaling = false;
  for (const auto& [key, value] : given)
    scaling = scaling || key.rfind("platform.autoscaling", 0) == 0;
  if (scaling && p.autoscaling.metric == "cpu" && s.admission.max_concurrency <= 0)
    report.add("platform.autoscaling.metric",
               "cpu is the busy share of admission.max_concurrency, which is not set",
               "set admission.max_concurrency, or scale on in_flight");
}

// kind serverless: the pool's keys, after the preset filled those not given.
void validate_serverless(const ScenarioConfig& s, const Given& given, Reporter& report) {
  const ServerlessPlatformConfig& c = s.platform.serverless;
  if (!one_of(c.preset, {"lambda", "cloud_run"}))
    report.add("platform.preset", "unknown preset '" + c.preset + "'",
               "use lambda (AWS Lambda) or cloud_run (Google Cloud Run)");
  check_distribution(c.cold_start, "platform.cold_start", given, true, report);
  if (c.concurrency < 1 || c.concurrency > 1000)
    report.add("platform.concurrency",
               "must be between 1 and 1000, got " + std::to_string(c.concurrency),
               "requests one instance serves at once: 1 for Lambda, up to 1000 on Cloud Run");
  if (c.max_instances < 1 || c.max_instances > kMaxReplicas)
    report.add("platform.max_instances",
               "must be between 1 and 1000, got " + std::to_string(c.max_instances),
               "each instance is a simulated gateway; e.g. 100");
  if (c.min_instances < 0 || c.min_instances > c.max_instances)
    report.add("platform.min_instances",
               "must be between 0 and max_instances, got " + std::to_string(c.min_instances),
               "instances kept warm; 0 scales to zero");
  if (!(c.idle_expiry.count() > 0))
    report.add("platform.idle_expiry", "must be greater than 0", "e.g. 10m");
  if (!one_of(c.overflow, {"throttle", "queue"}))
    report.add("platform.overflow", "unknown overflow '" + c.overflow + "'",
               "use throttle (429 at once, as Lambda) or queue (wait up to queue_timeout, as "
               "Cloud Run)");
  if (c.queue_limit < 0)
    report.add("platform.queue_limit", "must not be negative",
               "requests waiting for a slot at most");
  if (!(c.queue_timeout.count() >= 0))
    report.add("platform.queue_timeout", "must not be negative", "e.g. 10s");
  for (const auto& [key, value] :
       {std::pair{"memory_gb", c.memory_gb}, std::pair{"vcpu", c.vcpu},
        std::pair{"price_per_request", c.price_per_request},
        std::pair{"price_per_gb_second", c.price_per_gb_second},
        std::pair{"price_per_vcpu_second", c.price_per_vcpu_second},
        std::pair{"warm_price_per_gb_second", c.warm_price_per_gb_second},
        std::pair{"warm_price_per_vcpu_second", c.warm_price_per_vcpu_second}})
    if (!(value >= 0))
      report.add(std::string("platform.") + key, "must not be negative, got " + number_text(value),
                 "a size or a price in US dollars");
  if (!one_of(c.billing, {"per_request", "per_instance_busy"}))
    report.add("platform.billing", "unknown billing '" + c.billing + "'",
               "use per_request (each request's duration, as Lambda) or per_instance_busy "
               "(each instance's busy time, as Cloud Run)");
  if (!(c.billing_granularity.count() >= 0))
    report.add("platform.billing_granularity", "must not be negative", "e.g. 1ms");
  if (!one_of(c.warm_billing, {"always", "while_idle"}))
    report.add("platform.warm_billing", "unknown warm billing '" + c.warm_billing + "'",
               "use always (as Lambda's provisioned concurrency) or while_idle (as Cloud Run's "
               "min instances)");
  // replicas.* place arrivals on always-on replicas; the pool places them on instances.
  for (const char* key : {"replicas.count", "replicas.load_balancer"})
    if (given.contains(key))
      report.add(key, "is given together with platform kind serverless",
                 "the platform places each request on an instance: remove it");
}

// kind hybrid: the workers and their queue.
void validate_async_tier(const ScenarioConfig& s, const Given& given, Reporter& report) {
  const WorkerPoolConfig& w = s.platform.workers;
  validate_replica_range(w.replicas, "platform.workers.replicas", given, report);
  if (w.concurrency < 1 || w.concurrency > 1000)
    report.add("platform.workers.concurrency",
               "must be between 1 and 1000, got " + std::to_string(w.concurrency),
               "jobs one worker runs at once, e.g. 1");
  check_distribution(w.startup, "platform.workers.startup", given, false, report);
  if (!(w.drain_grace.count() >= 0))
    report.add("platform.workers.drain_grace", "must not be negative", "e.g. 30s");
  if (!(w.price_per_worker_hour >= 0))
    report.add("platform.workers.price_per_worker_hour", "must not be negative", "e.g. 0.04");
  validate_autoscaling(w.autoscaling, "platform.workers.autoscaling", {"queue_depth", "in_flight"},
                       given, report);
  const JobQueueConfig& q = s.platform.queue;
  if (q.lease.count() < 1)
    report.add("platform.queue.lease", "must be at least 1ms",
               "how long a leased job stays hidden (its visibility timeout), e.g. 60s");
  if (q.max_attempts < 1 || q.max_attempts > 100)
    report.add("platform.queue.max_attempts",
               "must be between 1 and 100, got " + std::to_string(q.max_attempts), "e.g. 5");
  if (q.retry_base.count() < 0)
    report.add("platform.queue.retry_base", "must not be negative", "e.g. 1s");
  bool any_async = false;
  for (const MixEntryConfig& m : s.traffic.mix) any_async = any_async || m.async;
  if (!any_async)
    report.add("platform.kind", "hybrid, but no entry of traffic.mix is async",
               "mark the entries the workers answer with async: true, or use kind server");
}

void validate_platform(const ScenarioConfig& s, const Given& given, Reporter& report) {
  const PlatformConfig& p = s.platform;
  bool any = false;
  for (const auto& [key, value] : given) any = any || key.rfind("platform.", 0) == 0;
  if (!any) return;
  if (!one_of(p.kind, {"server", "serverless", "hybrid"})) {
    report.add("platform.kind",
               p.kind.empty() ? "must be given" : "unknown platform '" + p.kind + "'",
               "use server (always-on replicas, optionally autoscaled), serverless (instances "
               "started on demand) or hybrid (server replicas plus workers behind a job queue)");
    return;
  }
  validate_platform_keys(p.kind, given, report);
  if (p.kind == "serverless") return validate_serverless(s, given, report);
  // replicas.load_balancer still spreads arrivals over the ready replicas.
  if (given.contains("replicas.count"))
    report.add("replicas.count", "is given together with platform",
               "the fleet's size is platform.replicas.{min, max, initial}");
  validate_server_tier(s, given, report);
  if (p.kind == "hybrid") validate_async_tier(s, given, report);
}

// traffic.mix.N.async: only a hybrid platform has workers to answer it.
void validate_async_mix(const ScenarioConfig& s, Reporter& report) {
  if (s.platform.kind == "hybrid") return;
  for (std::size_t i = 0; i < s.traffic.mix.size(); ++i)
    if (s.traffic.mix[i].async)
      report.add(at("traffic.mix", i) + ".async", "needs platform kind hybrid",
                 "an async request is a job for a hybrid platform's workers: set platform: "
                 "{kind: hybrid, workers: {...}}, or remove async");
}

}  // namespace

void validate_scenario(const ScenarioConfig& s, const Given& given, Reporter& report) {
  validate_run(s, report);
  validate_traffic(s, given, report);
  validate_upstreams(s, given, report);
  validate_platform(s, given, report);
  validate_topology(s, given, report);
  validate_async_mix(s, report);
  // The embedded sections, by the server's own checks.
  core::detail::validate_gateway(s.gateway, report);
  core::Config server;
  server.gateway = s.gateway;
  server.admission = s.admission;
  core::detail::validate_admission(server, report);
  validate_protection(s, given, report);
}

}  // namespace sluice::sim
