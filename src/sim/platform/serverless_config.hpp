#pragma once
// The settings of a serverless instance pool (Lambda-like or Cloud Run-like): scaling limits,
// what happens beyond them, and how it is billed. Presets carry the platforms' documented
// behaviour; prices are the caller's (a scenario names its region's price list), except where a
// preset states a published list price and its source.

#include <chrono>

#include "sim/platform/time.hpp"

namespace sluice::sim {

// What a request meets when every instance is busy and max_instances are running.
enum class ServerlessOverflow {
  throttle,  // refused at once (Lambda: 429 TooManyRequestsException for a synchronous invoke)
  queue,     // waits for a free slot up to queue_timeout, then refused (Cloud Run: 429)
};

// How compute time is billed.
enum class ServerlessBilling {
  per_request,        // each request's duration, rounded up (Lambda)
  per_instance_busy,  // each instance's time with at least one request in flight, rounded up per
                      // busy period (Cloud Run request-based billing: concurrent requests share it)
};

// How the instances kept warm by min_instances are billed.
enum class WarmBilling {
  always,      // for all of their lifetime (Lambda provisioned concurrency)
  while_idle,  // only while not processing requests: busy ones bill as active (Cloud Run)
};

struct ServerlessConfig {
  int concurrency = 1;    // requests one instance serves at once
  int min_instances = 0;  // kept warm from the start, never expired
  int max_instances = 1000;
  Duration idle_expiry = std::chrono::minutes(10);  // an idle instance above the minimum is gone
  DurationSampler cold_start;                       // required: time from "new instance" to serving

  ServerlessOverflow overflow = ServerlessOverflow::throttle;
  int queue_limit = 0;  // queued requests at most (the simulation's bound); beyond: throttled
  Duration queue_timeout = std::chrono::seconds(10);

  // Prices in the report's currency. Compute is billed per second of memory (GB, as the platform
  // counts it) and of vCPU; warm prices apply to min_instances as warm_billing says.
  double memory_gb = 1.0;
  double vcpu = 0;
  double price_per_request = 0;
  double price_per_gb_second = 0;
  double price_per_vcpu_second = 0;
  double warm_price_per_gb_second = 0;
  double warm_price_per_vcpu_second = 0;
  Duration billing_granularity = std::chrono::milliseconds(1);
  ServerlessBilling billing = ServerlessBilling::per_request;
  WarmBilling warm_billing = WarmBilling::always;
  // Whether a cold start's time is billed (to the request that caused it, or to the instance's
  // first busy period).
  bool bill_cold_start = false;
};

// AWS Lambda, on-demand, x86, us-east-1 list prices: one request per execution environment,
// refused beyond the concurrency limit (no queue for synchronous invokes), 1 ms billing
// granularity ("New for AWS Lambda – 1ms Billing Granularity", AWS News Blog, 2020-12-01:
// $0.20 per 1M requests, $0.0000166667 per GB-second), the INIT phase billed ("AWS Lambda
// standardizes billing for INIT Phase", AWS Compute Blog, effective 2025-08-01). Idle expiry is
// not documented by AWS; 10 minutes is the simulator's assumption. Provisioned-concurrency prices
// are left at zero: set them with min_instances.
ServerlessConfig lambda_like(DurationSampler cold_start, double memory_gb = 1.0);

// Google Cloud Run service, request-based billing, Tier 1 list prices: 80 concurrent requests per
// instance (the console default), at most 100 instances (the former default maximum), beyond them
// requests queue for up to 10 s and then fail with 429 ("About instance autoscaling"), billable
// time rounded up to 100 ms with concurrent requests sharing it ("Cloud Run pricing":
// $0.000024 per vCPU-second, $0.0000025 per GiB-second, $0.40 per million requests). Google keeps
// idle instances "for an unspecified amount of time": 15 minutes is the simulator's assumption.
// Min-instance idle prices are left at zero: set them with min_instances. Whether start-up time
// is billed is not settled here: off by default.
ServerlessConfig cloud_run_like(DurationSampler cold_start, double vcpu = 1.0,
                                double memory_gb = 0.5);

}  // namespace sluice::sim
