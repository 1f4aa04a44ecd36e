#include "ops/http_request_metrics.hpp"

#include <array>
#include <charconv>

namespace sluice::ops {

std::vector<double> request_duration_buckets() {
  // OpenTelemetry's defaults, then the scale of model calls: long generations and slow
  // reasoning models run for minutes.
  std::vector<double> buckets = default_duration_buckets();
  buckets.insert(buckets.end(), {30, 60, 120, 300, 600});
  return buckets;
}

std::string_view method_label(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kKnown{
      "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE"};
  for (std::string_view known : kKnown)
    if (method == known) return known;
  return "_OTHER";
}

HttpRequestMetrics::HttpRequestMetrics(Registry& registry)
    : duration_(registry.histogram("http_server_request_duration_seconds",
                                   "Duration of HTTP server requests.",
                                   {"method", "route", "status"}, request_duration_buckets())),
      active_(registry.gauge("http_server_active_requests",
                             "Number of active HTTP server requests.", {})) {}

void HttpRequestMetrics::ended(std::string_view method, std::string_view route, int status,
                               double seconds) {
  active_.add({}, -1);
  char text[8];
  auto [end, ec] = std::to_chars(text, text + sizeof text, status);
  duration_.observe(
      {method_label(method), route, std::string_view(text, static_cast<std::size_t>(end - text))},
      seconds);
}

}  // namespace sluice::ops
