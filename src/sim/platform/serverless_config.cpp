#include "sim/platform/serverless_config.hpp"

namespace sluice::sim {

using namespace std::chrono_literals;

ServerlessConfig lambda_like(DurationSampler cold_start, double memory_gb) {
  ServerlessConfig c;
  c.concurrency = 1;
  c.min_instances = 0;
  c.max_instances = 1000;  // the default account concurrency limit per Region
  c.idle_expiry = 10min;
  c.cold_start = std::move(cold_start);
  c.overflow = ServerlessOverflow::throttle;
  c.memory_gb = memory_gb;
  c.vcpu = 0;
  c.price_per_request = 0.20 / 1e6;
  c.price_per_gb_second = 0.0000166667;
  c.billing_granularity = 1ms;
  c.billing = ServerlessBilling::per_request;
  c.warm_billing = WarmBilling::always;
  c.bill_cold_start = true;
  return c;
}

ServerlessConfig cloud_run_like(DurationSampler cold_start, double vcpu, double memory_gb) {
  ServerlessConfig c;
  c.concurrency = 80;
  c.min_instances = 0;
  c.max_instances = 100;
  c.idle_expiry = 15min;
  c.cold_start = std::move(cold_start);
  c.overflow = ServerlessOverflow::queue;
  c.queue_limit = c.max_instances * c.concurrency;  // a bound for the simulation, not Cloud Run's
  c.queue_timeout = 10s;
  c.memory_gb = memory_gb;
  c.vcpu = vcpu;
  c.price_per_request = 0.40 / 1e6;
  c.price_per_gb_second = 0.0000025;
  c.price_per_vcpu_second = 0.000024;
  c.billing_granularity = 100ms;
  c.billing = ServerlessBilling::per_instance_busy;
  c.warm_billing = WarmBilling::while_idle;
  c.bill_cold_start = false;
  return c;
}

}  // namespace sluice::sim
