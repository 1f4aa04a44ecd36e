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
void describe_scaling_rules(Visitor& v, ScalingRulesConfig& r) {
  v.field("stabilization_window", r.stabilization_window);
  v.field("select_policy", r.select_policy);
  v.list("policies", r.policies, [&](ScalingPolicyConfig& p) {
    v.field("type", p.type);
    v.field("value", p.value);
    v.field("period", p.period);
  });
  v.field("tolerance", r.tolerance);
}

template <class Visitor>
void describe_autoscaling(Visitor& v, AutoscalingConfig& a) {
  v.field("policy", a.policy);
  v.field("metric", a.metric);
  v.field("target", a.target);
  v.field("sync_period", a.sync_period);
  v.field("scale_down_stabilization", a.scale_down_stabilization);
  v.field("tolerance", a.tolerance);
  v.section("behavior", [&] {
    v.section("scale_up", [&] { describe_scaling_rules(v, a.behavior.scale_up); });
    v.section("scale_down", [&] { describe_scaling_rules(v, a.behavior.scale_down); });
  });
  v.field("period", a.period);
  v.field("scale_out_cooldown", a.scale_out_cooldown);
  v.field("scale_in_cooldown", a.scale_in_cooldown);
  v.field("disable_scale_in", a.disable_scale_in);
}

// platform kind serverless: its keys sit directly under platform.
template <class Visitor>
void describe_serverless(Visitor& v, ServerlessPlatformConfig& c) {
  v.field("preset", c.preset);
  v.section("cold_start", [&] { describe_distribution(v, c.cold_start); });
  v.field("concurrency", c.concurrency);
  v.field("min_instances", c.min_instances);
  v.field("max_instances", c.max_instances);
  v.field("idle_expiry", c.idle_expiry);
  v.field("overflow", c.overflow);
  v.field("queue_limit", c.queue_limit);
  v.field("queue_timeout", c.queue_timeout);
  v.field("memory_gb", c.memory_gb);
  v.field("vcpu", c.vcpu);
  v.field("price_per_request", c.price_per_request);
  v.field("price_per_gb_second", c.price_per_gb_second);
  v.field("price_per_vcpu_second", c.price_per_vcpu_second);
  v.field("warm_price_per_gb_second", c.warm_price_per_gb_second);
  v.field("warm_price_per_vcpu_second", c.warm_price_per_vcpu_second);
  v.field("billing", c.billing);
  v.field("billing_granularity", c.billing_granularity);
  v.field("warm_billing", c.warm_billing);
  v.field("bill_cold_start", c.bill_cold_start);
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
      v.field("async", m.async);
      v.section("prompt_tokens", [&] { describe_distribution(v, m.prompt_tokens); });
      v.section("completion_tokens", [&] { describe_distribution(v, m.completion_tokens); });
      v.field("key", m.key);
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
      v.field("share", o.share);
    });
    v.field("region", u.region);
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
    v.section("autoscaling", [&] { describe_autoscaling(v, p.autoscaling); });
    describe_serverless(v, p.serverless);
    v.section("workers", [&] {
      WorkerPoolConfig& w = p.workers;
      v.section("replicas", [&] {
        v.field("min", w.replicas.min);
        v.field("max", w.replicas.max);
        v.field("initial", w.replicas.initial);
      });
      v.field("concurrency", w.concurrency);
      v.section("startup", [&] { describe_distribution(v, w.startup); });
      v.field("drain_grace", w.drain_grace);
      v.field("price_per_worker_hour", w.price_per_worker_hour);
      v.section("autoscaling", [&] { describe_autoscaling(v, w.autoscaling); });
      v.field("renew_leases", w.renew_leases);
    });
    v.section("queue", [&] {
      v.field("lease", p.queue.lease);
      v.field("max_attempts", p.queue.max_attempts);
      v.field("retry_base", p.queue.retry_base);
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
  v.field("start", s.start);
  v.list("keys", s.keys, [&](KeyConfig& k) {
    v.field("name", k.name);
    v.field("team", k.team);
    v.field("models", k.models);
    v.field("priority", k.priority);
    v.field("daily_budget_usd", k.daily_budget_usd);
    v.field("monthly_budget_usd", k.monthly_budget_usd);
    v.field("requests_per_minute", k.requests_per_minute);
    v.field("tokens_per_minute", k.tokens_per_minute);
  });
  v.section("rate_limits", [&] { core::describe_rate_limits(v, s.rate_limits); });
  v.section("budgets", [&] { core::describe_budgets(v, s.budgets); });
}

}  // namespace sluice::sim
