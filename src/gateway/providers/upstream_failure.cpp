#include "gateway/providers/upstream_failure.hpp"

#include <boost/json.hpp>

#include "gateway/routing/retry_policy.hpp"

namespace sluice::gateway {
namespace json = boost::json;

http::UpstreamTimeouts upstream_timeouts(const core::ProviderConfig& config) {
  http::UpstreamTimeouts timeouts;
  timeouts.connect = config.connect_timeout;
  timeouts.first_byte = config.first_byte_timeout;
  timeouts.idle = config.idle_timeout;
  timeouts.total = config.total_timeout;
  return timeouts;
}

http::UpstreamTimeouts timeouts_for(const http::UpstreamTimeouts& provider,
                                    const RequestLimits& limits) {
  http::UpstreamTimeouts timeouts = provider;
  timeouts.request_deadline = limits.deadline;
  timeouts.request_deadline_from_client = limits.deadline_from_client;
  timeouts.cancellation = limits.cancellation;
  return timeouts;
}

AttemptResult transport_failure(const http::UpstreamCall& call, const Error& error) {
  return AttemptResult::failure(call.outcome(), error);
}

AttemptResult http_failure(int status, std::string body, std::string_view retry_after,
                           std::string_view retry_after_ms, std::string_view provider) {
  AttemptResult result;
  result.outcome = core::outcome_for_status(status);
  result.retry_after = parse_retry_after_ms(retry_after_ms);
  if (!result.retry_after)
    result.retry_after = parse_retry_after(retry_after, std::chrono::system_clock::now());
  std::string message = "upstream " + std::string(provider) + " answered " + std::to_string(status);
  // Keep the upstream's own error when it is OpenAI-shaped: clients know how to read it.
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (!ec && parsed.is_object() && parsed.as_object().contains("error")) {
    const auto& error = parsed.as_object().at("error");
    if (error.is_object())
      if (const auto* m = error.as_object().if_contains("message"); m && m->is_string())
        message += ": " + std::string(m->as_string());
    result.upstream_error_body = std::move(body);
  }
  result.error = make_error(errc_from_status(status), std::move(message));
  return result;
}

}  // namespace sluice::gateway
