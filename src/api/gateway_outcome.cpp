#include "api/gateway_outcome.hpp"

#include <strings.h>

#include "auth/rate_limit_headers.hpp"
#include "core/json_text.hpp"
#include "core/strings.hpp"

namespace sluice::api {

void append_log_number(std::string& out, std::string_view key, double value) {
  out += ",\"";
  out += key;
  out += "\":";
  core::append_json_number(out, value);
}

void append_log_string(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  core::append_json_string(out, value);
}

std::string mock_header_lines(const http::Request& request) {
  constexpr std::string_view kPrefix = "x-mock-";
  std::string lines;
  for (const auto& [name, value] : request.headers) {
    if (name.size() > kPrefix.size() &&
        strncasecmp(name.data(), kPrefix.data(), kPrefix.size()) == 0)
      lines.append(name).append(": ").append(value).append("\r\n");
  }
  return lines;
}

namespace {

// A positive whole number of milliseconds, at most a day.
std::optional<std::chrono::milliseconds> parse_timeout(std::string_view text) {
  long long ms = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || end != text.data() + text.size() || ms < 1 || ms > 86'400'000)
    return std::nullopt;
  return std::chrono::milliseconds(ms);
}

}  // namespace

std::optional<Error> model_refused(const http::Exchange& exchange, std::string_view model) {
  if (model.empty() || model_visible(exchange, model)) return std::nullopt;
  return make_error(Errc::forbidden, "this API key may not use model '" + std::string(model) + "'",
                    "model", "model_not_allowed");
}

std::optional<Error> invalid_timeout_header(const http::Exchange& exchange) {
  const std::string_view value = exchange.request.header(kTimeoutHeader);
  if (value.empty()) return std::nullopt;
  int copies = 0;
  for (const auto& [name, ignored] : exchange.request.headers)
    copies += core::iequals(name, kTimeoutHeader) ? 1 : 0;
  if (copies > 1)  // which one a proxy on the way would honour is anyone's guess
    return make_error(
        Errc::invalid_request,
        std::string(kTimeoutHeader) + " must appear once, not " + std::to_string(copies) + " times",
        std::string(kTimeoutHeader), "invalid_header");
  if (parse_timeout(value)) return std::nullopt;
  return make_error(
      Errc::invalid_request,
      std::string(kTimeoutHeader) + " must be a whole number of milliseconds from 1 to 86400000",
      std::string(kTimeoutHeader), "invalid_header");
}

gateway::RequestLimits request_limits(http::Exchange& exchange,
                                      const gateway::GatewayService& service,
                                      std::string_view model,
                                      std::chrono::steady_clock::time_point from) {
  gateway::RequestLimits limits;
  const auto client_timeout = parse_timeout(exchange.request.header(kTimeoutHeader));
  limits.deadline = service.deadline_for(model, client_timeout, from);
  limits.deadline_from_client =
      client_timeout && limits.deadline < service.deadline_for(model, std::nullopt, from);
  limits.cancellation = &exchange.cancellation;
  exchange.watch_client();  // a client that leaves cancels the upstream call at once
  return limits;
}

gateway::RequestLimits request_limits(http::Exchange& exchange,
                                      const gateway::GatewayService& service,
                                      std::string_view model) {
  return request_limits(exchange, service, model, service.now());
}

std::chrono::steady_clock::time_point deadline_before_model(
    const http::Exchange& exchange, const gateway::GatewayService& service,
    std::chrono::steady_clock::time_point from) {
  return service.longest_deadline(parse_timeout(exchange.request.header(kTimeoutHeader)), from);
}

void log_outcome(http::Exchange& exchange, std::string_view model,
                 const gateway::Outcome& outcome) {
  std::string& f = exchange.log_fields;
  append_log_string(f, "model", model);
  if (!outcome.deployment.empty()) append_log_string(f, "deployment", outcome.deployment);
  if (!outcome.canary.empty()) append_log_string(f, "canary", outcome.canary);
  append_log_number(f, "attempts", outcome.attempts);
  append_log_string(f, "outcome", core::to_string(outcome.last_outcome));
  append_log_number(f, "prompt_tokens", static_cast<double>(outcome.usage.prompt_tokens));
  append_log_number(f, "completion_tokens", static_cast<double>(outcome.usage.completion_tokens));
  // Parts of prompt_tokens, priced apart (logged only when a cache took part).
  if (outcome.usage.cached_tokens > 0)
    append_log_number(f, "cached_tokens", static_cast<double>(outcome.usage.cached_tokens));
  if (outcome.usage.cache_write_tokens > 0)
    append_log_number(f, "cache_write_tokens",
                      static_cast<double>(outcome.usage.cache_write_tokens));
  if (outcome.usage.cache_write_1h_tokens > 0)  // a part of cache_write_tokens
    append_log_number(f, "cache_write_1h_tokens",
                      static_cast<double>(outcome.usage.cache_write_1h_tokens));
  append_log_number(f, "cost_usd", outcome.cost_usd);
  if (outcome.usage.estimated) f += ",\"usage_estimated\":true";
  if (outcome.time_to_first_token)
    append_log_number(f, "ttft_ms", *outcome.time_to_first_token * 1000.0);
  if (!outcome.finish_reason.empty()) append_log_string(f, "finish_reason", outcome.finish_reason);
  if (!outcome.upstream_request_id.empty())
    append_log_string(f, "upstream_request_id", outcome.upstream_request_id);
  if (!outcome.ok) append_log_string(f, "upstream_error", outcome.error.message);
  gateway::append_tries_json(f, outcome.tries);
}

int failure_status(const gateway::Outcome& outcome) {
  return can_tell_client(outcome) ? http_status(outcome.error.code) : 499;
}

void set_failure(http::Exchange& exchange, const gateway::Outcome& outcome) {
  auto& response = exchange.response;
  if (!can_tell_client(outcome)) {
    response.status = failure_status(outcome);
    return;
  }
  if (!outcome.error_body.empty())
    response.set_json(failure_status(outcome), outcome.error_body);
  else
    response.set_error(outcome.error);
  if (outcome.retry_after) auth::add_retry_after(response, outcome.retry_after->count());
  add_served_by(response, outcome);
  add_token_limit_headers(response, outcome.token_limit);
}

void add_served_by(http::Response& response, const gateway::Outcome& outcome) {
  if (!outcome.deployment.empty()) response.add_header("x-sluice-deployment", outcome.deployment);
  if (!outcome.canary.empty())
    response.add_header(std::string(kCanaryHeader), std::string(outcome.canary));
}

void add_token_limit_headers(http::Response& response, const gateway::TokenLimitReport& report) {
  if (report.limit > 0)
    auth::add_rate_limit_headers(response, auth::RateLimitKind::tokens, report.limit,
                                 report.remaining, report.reset_ns);
}

}  // namespace sluice::api
