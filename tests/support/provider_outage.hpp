#pragma once
// An invented incident for the simulator's metrics output, run without the simulator's engine:
// replicas made of a real Catalog (with its real circuit breakers), GatewayService and
// GatewayMetrics on a registry of their own serve alias "chat" (deployment openai/gpt-4o-mini
// first, anthropic/claude-haiku at the next priority) on a virtual clock, while provider openai
// answers every attempt with a 5xx between two instants. The registries are snapshotted into a
// MetricsTimeline every scrape interval.

#include "core/result.hpp"
#include "sim/report/metrics_timeline.hpp"

namespace sluice::sim::testing {

struct OutagePlan {
  int replicas = 2;
  double requests_per_second = 1;  // per replica
  double outage_start = 1200;      // virtual seconds: openai fails from here...
  double outage_end = 2400;        // ...to here
  double end = 3600;               // the last snapshot
  double scrape_interval = MetricsTimeline::kDefaultScrapeIntervalSeconds;
};

// Runs `plan` from virtual time 0 to plan.end, snapshotting every replica (instances replica-0,
// replica-1, ...) into `timeline` at 0, scrape_interval, ... up to plan.end. Does not finish()
// the timeline. Fails with the timeline's first error.
Status run_provider_outage(const OutagePlan& plan, MetricsTimeline& timeline);

}  // namespace sluice::sim::testing
