#include "api/gateway_outcome.hpp"

#include <charconv>

#include "core/json_text.hpp"

namespace sluice::api {
namespace {

void append_log_number(std::string& out, std::string_view key, double value) {
  out += ",\"";
  out += key;
  out += "\":";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

}  // namespace

void log_outcome(http::Exchange& exchange, std::string_view model,
                 const gateway::Outcome& outcome) {
  std::string& f = exchange.log_fields;
  f += ",\"model\":";
  core::append_json_string(f, model);
  if (!outcome.deployment.empty()) {
    f += ",\"deployment\":";
    core::append_json_string(f, outcome.deployment);
  }
  append_log_number(f, "attempts", outcome.attempts);
  append_log_number(f, "prompt_tokens", static_cast<double>(outcome.usage.prompt_tokens));
  append_log_number(f, "completion_tokens", static_cast<double>(outcome.usage.completion_tokens));
  append_log_number(f, "cost_usd", outcome.cost_usd);
  if (outcome.usage.estimated) f += ",\"usage_estimated\":true";
  if (!outcome.ok) {
    f += ",\"upstream_error\":";
    core::append_json_string(f, outcome.error.message);
  }
}

void set_failure(http::Exchange& exchange, const gateway::Outcome& outcome) {
  auto& response = exchange.response;
  if (!outcome.error_body.empty())
    response.set_json(http_status(outcome.error.code), outcome.error_body);
  else
    response.set_error(outcome.error);
  if (outcome.retry_after) {
    const auto seconds = (outcome.retry_after->count() + 999) / 1000;
    response.add_header("Retry-After", std::to_string(seconds));
    response.add_header("retry-after-ms", std::to_string(outcome.retry_after->count()));
  }
  if (!outcome.deployment.empty()) response.add_header("x-sluice-deployment", outcome.deployment);
}

}  // namespace sluice::api
