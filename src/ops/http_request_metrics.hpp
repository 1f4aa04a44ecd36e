#pragma once
// What the HTTP layer records of every request in the metrics: the duration histogram
// http_server_request_duration_seconds{method,route,status} and the gauge
// http_server_active_requests, with OpenTelemetry's names and labels. The server's HttpObserver
// records through it, and so does each replica of `sluice simulate`, so that the shipped alert
// rules read a simulated fleet's series as they read a real one's.

#include <string_view>
#include <vector>

#include "ops/metrics.hpp"

namespace sluice::ops {

class HttpRequestMetrics {
 public:
  // Registers both families on `registry`, which must outlive this.
  explicit HttpRequestMetrics(Registry& registry);

  // A request is being served (its head was read).
  void started() { active_.add({}, 1); }
  // It ended after `seconds` with the response's `status`, on route template `route` (the
  // router's, never the path). `method` is the request's; unknown ones are labelled _OTHER.
  void ended(std::string_view method, std::string_view route, int status, double seconds);

 private:
  HistogramFamily& duration_;
  GaugeFamily& active_;
};

// The buckets of http_server_request_duration_seconds, in seconds: up to 10 minutes.
std::vector<double> request_duration_buckets();

// Keeps the method label bounded: unknown methods become "_OTHER" (OpenTelemetry's rule).
std::string_view method_label(std::string_view method);

}  // namespace sluice::ops
