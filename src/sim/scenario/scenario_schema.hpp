#pragma once
// The keys of a scenario file, described once for the binder (core::detail::SchemaBinder), as
// core::describe_config describes the server's: the embedded gateway and admission sections use
// the server's own descriptions.

#include "core/config_schema.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

template <class Visitor, class T>
void describe_distribution(Visitor& v, DistributionSpec<T>& d) {
  v.field("dist", d.dist);
  v.field("value", d.value);
  v.field("mean", d.mean);
  v.field("min", d.min);
  v.field("max", d.max);
  v.field("median", d.median);
  v.field("p99", d.p99);
}

template <class Visitor>
void describe_scenario(Visitor& v, ScenarioConfig& s) {
  v.field("duration", s.duration);
  v.field("seed", s.seed);
  v.field("window", s.window);
  v.section("traffic", [&] {
    v.field("rate", s.traffic.rate);
    v.list("phases", s.traffic.phases, [&](PhaseConfig& p) {
      v.field("duration", p.duration);
      v.field("rate", p.rate);
      v.field("ramp", p.ramp);
    });
    v.field("repeat", s.traffic.repeat);
    v.field("arrivals", s.traffic.arrivals);
    v.list("mix", s.traffic.mix, [&](MixEntryConfig& m) {
      v.field("weight", m.weight);
      v.field("model", m.model);
      v.field("stream", m.stream);
      v.field("priority", m.priority);
      v.field("timeout", m.timeout);
      v.section("prompt_tokens", [&] { describe_distribution(v, m.prompt_tokens); });
      v.section("completion_tokens", [&] { describe_distribution(v, m.completion_tokens); });
    });
    v.section("replay", [&] {
      v.field("file", s.traffic.replay.file);
      v.field("speed", s.traffic.replay.speed);
      v.field("answers", s.traffic.replay.answers);
    });
  });
  v.list("providers", s.providers, [&](UpstreamConfig& u) {
    v.field("provider", u.provider);
    v.field("model", u.model);
    v.section("ttft", [&] { describe_distribution(v, u.ttft); });
    v.section("per_token", [&] { describe_distribution(v, u.per_token); });
    v.section("error_latency", [&] { describe_distribution(v, u.error_latency); });
    v.field("concurrency", u.concurrency);
    v.section("rate_limit", [&] {
      v.field("requests_per_second", u.rate_limit.requests_per_second);
      v.field("burst", u.rate_limit.burst);
      v.field("retry_after", u.rate_limit.retry_after);
    });
    v.field("error_rate", u.error_rate);
    v.field("reset_rate", u.reset_rate);
    v.list("outages", u.outages, [&](OutageConfig& o) {
      v.field("from", o.from);
      v.field("to", o.to);
      v.field("fail_with", o.fail_with);
    });
  });
  v.section("replicas", [&] {
    v.field("count", s.replicas.count);
    v.field("load_balancer", s.replicas.load_balancer);
  });
  v.section("platform", [&] {
    PlatformConfig& p = s.platform;
    v.field("kind", p.kind);
    v.section("replicas", [&] {
      v.field("min", p.replicas.min);
      v.field("max", p.replicas.max);
      v.field("initial", p.replicas.initial);
    });
    v.section("startup", [&] { describe_distribution(v, p.startup); });
    v.field("drain_grace", p.drain_grace);
    v.field("price_per_replica_hour", p.price_per_replica_hour);
    v.section("autoscaling", [&] {
      AutoscalingConfig& a = p.autoscaling;
      v.field("policy", a.policy);
      v.field("metric", a.metric);
      v.field("target", a.target);
      v.field("sync_period", a.sync_period);
      v.field("scale_down_stabilization", a.scale_down_stabilization);
      v.field("tolerance", a.tolerance);
      v.field("period", a.period);
      v.field("scale_out_cooldown", a.scale_out_cooldown);
      v.field("scale_in_cooldown", a.scale_in_cooldown);
    });
  });
  v.list("regions", s.topology.regions, [&](RegionConfig& r) {
    v.field("name", r.name);
    v.field("replicas", r.replicas);
    v.field("clients", r.clients);
    v.list("outages", r.outages, [&](RegionOutageConfig& o) {
      v.field("from", o.from);
      v.field("to", o.to);
    });
  });
  v.list("region_latency", s.topology.latency, [&](RegionLinkConfig& l) {
    v.field("from", l.from);
    v.field("to", l.to);
    v.section("one_way", [&] { describe_distribution(v, l.one_way); });
    v.section("rtt", [&] { describe_distribution(v, l.rtt); });
  });
  v.section("failover", [&] {
    FailoverConfig& f = s.topology.failover;
    v.field("policy", f.policy);
    v.field("interval", f.interval);
    v.field("unhealthy_threshold", f.unhealthy_threshold);
    v.field("healthy_threshold", f.healthy_threshold);
    v.field("dns_ttl", f.dns_ttl);
  });
  v.section("gateway", [&] { core::describe_gateway(v, s.gateway); });
  v.section("admission", [&] { core::describe_admission(v, s.admission); });
}

}  // namespace sluice::sim
