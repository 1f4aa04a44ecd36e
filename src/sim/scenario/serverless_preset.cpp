#include "sim/scenario/serverless_preset.hpp"

namespace sluice::sim {
namespace {

core::Seconds seconds_of(Duration d) { return core::Seconds(to_seconds(d)); }

// Rounded to the clock's tick, so that a 1 ms granularity is exactly 1 ms.
Duration duration_of(core::Seconds s) {
  return std::chrono::round<Duration>(std::chrono::duration<double>(s.count()));
}

}  // namespace

void apply_serverless_preset(ServerlessPlatformConfig& c,
                             const std::map<std::string, std::string>& given) {
  if (c.preset != "lambda" && c.preset != "cloud_run") return;
  const ServerlessConfig p = c.preset == "lambda" ? lambda_like({}) : cloud_run_like({});
  const auto take = [&](const char* key, auto& field, const auto& value) {
    if (!given.contains(std::string("platform.") + key)) field = value;
  };
  take("concurrency", c.concurrency, p.concurrency);
  take("min_instances", c.min_instances, p.min_instances);
  take("max_instances", c.max_instances, p.max_instances);
  take("idle_expiry", c.idle_expiry, seconds_of(p.idle_expiry));
  take("overflow", c.overflow,
       std::string(p.overflow == ServerlessOverflow::queue ? "queue" : "throttle"));
  take("queue_limit", c.queue_limit, c.max_instances * c.concurrency);
  take("queue_timeout", c.queue_timeout, seconds_of(p.queue_timeout));
  take("memory_gb", c.memory_gb, p.memory_gb);
  take("vcpu", c.vcpu, p.vcpu);
  take("price_per_request", c.price_per_request, p.price_per_request);
  take("price_per_gb_second", c.price_per_gb_second, p.price_per_gb_second);
  take("price_per_vcpu_second", c.price_per_vcpu_second, p.price_per_vcpu_second);
  take("warm_price_per_gb_second", c.warm_price_per_gb_second, p.warm_price_per_gb_second);
  take("warm_price_per_vcpu_second", c.warm_price_per_vcpu_second, p.warm_price_per_vcpu_second);
  take("billing", c.billing,
       std::string(p.billing == ServerlessBilling::per_instance_busy ? "per_instance_busy"
                                                                     : "per_request"));
  take("billing_granularity", c.billing_granularity, seconds_of(p.billing_granularity));
  take("warm_billing", c.warm_billing,
       std::string(p.warm_billing == WarmBilling::while_idle ? "while_idle" : "always"));
  take("bill_cold_start", c.bill_cold_start, p.bill_cold_start);
}

ServerlessConfig to_pool_config(const ServerlessPlatformConfig& c, DurationSampler cold_start) {
  ServerlessConfig p;
  p.concurrency = c.concurrency;
  p.min_instances = c.min_instances;
  p.max_instances = c.max_instances;
  p.idle_expiry = duration_of(c.idle_expiry);
  p.cold_start = std::move(cold_start);
  p.overflow = c.overflow == "queue" ? ServerlessOverflow::queue : ServerlessOverflow::throttle;
  p.queue_limit = c.queue_limit;
  p.queue_timeout = duration_of(c.queue_timeout);
  p.memory_gb = c.memory_gb;
  p.vcpu = c.vcpu;
  p.price_per_request = c.price_per_request;
  p.price_per_gb_second = c.price_per_gb_second;
  p.price_per_vcpu_second = c.price_per_vcpu_second;
  p.warm_price_per_gb_second = c.warm_price_per_gb_second;
  p.warm_price_per_vcpu_second = c.warm_price_per_vcpu_second;
  p.billing_granularity = duration_of(c.billing_granularity);
  p.billing = c.billing == "per_instance_busy" ? ServerlessBilling::per_instance_busy
                                               : ServerlessBilling::per_request;
  p.warm_billing = c.warm_billing == "while_idle" ? WarmBilling::while_idle : WarmBilling::always;
  p.bill_cold_start = c.bill_cold_start;
  return p;
}

}  // namespace sluice::sim
