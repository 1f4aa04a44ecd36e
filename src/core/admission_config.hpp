#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sluice::core {

// One route's own concurrency limit, inside the global one.
struct RouteAdmissionConfig {
  std::string route;        // a route template as the router knows it, e.g. /v1/chat/completions
  int max_concurrency = 0;  // requests of this route handled at once
  int max_queue = 0;  // waiting for this route's slots; beyond it, the lowest priority is shed

  bool operator==(const RouteAdmissionConfig&) const = default;
};

// Degraded mode: under sustained overload, answers get cheaper until the pressure is gone.
struct DegradedAliasConfig {
  std::string model;  // a model or alias clients ask for
  std::string use;    // the cheaper alias served instead while degraded

  bool operator==(const DegradedAliasConfig&) const = default;
};

struct DegradedConfig {
  std::chrono::milliseconds enter_after{10'000};  // queueing or shedding this long turns it on
  std::chrono::milliseconds exit_after{30'000};   // this long without either turns it off
  int top_k = 3;  // retrieval's passages at most while degraded (dense search is skipped too)
  std::vector<DegradedAliasConfig> aliases;

  bool operator==(const DegradedConfig&) const = default;
};

// Admission control: bounds the requests handled at once; the excess waits in a bounded queue
// (highest priority first, FIFO within a class) for at most max_wait, or is refused with 503 and
// Retry-After. Probes and metrics are never held back.
struct AdmissionConfig {
  int max_concurrency = 0;  // requests handled at once, over all routes; 0 = admission off
  int max_queue = 0;        // requests waiting for a slot; 0 = refuse at once when full
  std::chrono::milliseconds max_wait{1'000};     // then the waiter is refused
  std::chrono::milliseconds retry_after{1'000};  // what refused clients are told (whole seconds)
  std::vector<RouteAdmissionConfig> routes;
  DegradedConfig degraded;

  bool enabled() const { return max_concurrency > 0 || !routes.empty(); }
  bool operator==(const AdmissionConfig&) const = default;
};

}  // namespace sluice::core
