#include "gateway/providers/upstream_result.hpp"

namespace sluice::gateway {

http::UpstreamTimeouts upstream_timeouts(const core::ProviderConfig& config) {
  http::UpstreamTimeouts timeouts;
  timeouts.connect = config.connect_timeout;
  timeouts.first_byte = config.first_byte_timeout;
  timeouts.idle = config.idle_timeout;
  timeouts.total = config.total_timeout;
  return timeouts;
}

AttemptResult transport_failure(const http::UpstreamCall& call, const Error& error) {
  const auto kind = call.failure();
  // A response too large is the upstream's answer, not a fault another try would fix.
  auto result = AttemptResult::failure(error, kind != http::UpstreamFailure::body_too_large);
  result.timed_out = kind == http::UpstreamFailure::first_byte_timeout ||
                     kind == http::UpstreamFailure::idle_timeout ||
                     kind == http::UpstreamFailure::total_timeout;
  return result;
}

}  // namespace sluice::gateway
