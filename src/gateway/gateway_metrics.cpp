#include "gateway/gateway_metrics.hpp"

#include <chrono>

namespace sluice::gateway {
namespace {

// Bucket boundaries recommended by the GenAI semantic conventions.
std::vector<double> operation_buckets() {
  return {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};
}
std::vector<double> token_buckets() {
  return {1,     4,     16,     64,      256,     1024,     4096,
          16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};
}
std::vector<double> ttft_buckets() {
  return {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1,
          0.25,  0.5,   0.75, 1.0,  2.5,  5.0,  7.5,  10.0};
}

int circuit_value(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::closed:
      return 0;
    case CircuitBreaker::State::half_open:
      return 1;
    case CircuitBreaker::State::open:
      return 2;
  }
  return 0;
}

}  // namespace

GatewayMetrics::GatewayMetrics(ops::Registry& registry, const Catalog& catalog)
    : operation_duration_(registry.histogram(
          "gen_ai_client_operation_duration_seconds", "GenAI operation duration.",
          {"gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "error_type"},
          operation_buckets())),
      token_usage_(registry.histogram("gen_ai_client_token_usage",
                                      "Number of input and output tokens used.",
                                      {"gen_ai_operation_name", "gen_ai_provider_name",
                                       "gen_ai_request_model", "gen_ai_token_type"},
                                      token_buckets())),
      time_to_first_token_(
          registry.histogram("gen_ai_server_time_to_first_token_seconds",
                             "Time to generate the first token of a streamed response.",
                             {"gen_ai_provider_name", "gen_ai_request_model"}, ttft_buckets())),
      upstream_requests_(registry.counter("sluice_upstream_requests_total",
                                          "Attempts sent to upstream deployments, by outcome.",
                                          {"deployment", "outcome"})),
      cost_(registry.counter("sluice_cost_usd_total", "Estimated spend in US dollars, by model.",
                             {"model"})) {
  registry.add_collector([&catalog](std::string& out) {
    ops::write_family_header(out, "sluice_circuit_state",
                             "Circuit breaker state per deployment: 0 closed, 1 half-open, 2 open.",
                             "gauge");
    const auto now = std::chrono::steady_clock::now();
    for (const Deployment* d : catalog.deployments())
      ops::write_sample(out, "sluice_circuit_state", {{"deployment", d->id}},
                        circuit_value(d->breaker.state(now)));
  });
}

void GatewayMetrics::upstream_attempt(const Deployment& deployment, std::string_view outcome) {
  upstream_requests_.inc({deployment.metric_label, outcome});
}

void GatewayMetrics::operation(std::string_view operation, std::string_view provider,
                               std::string_view model, double seconds,
                               std::string_view error_type) {
  operation_duration_.observe({operation, provider, model, error_type}, seconds);
}

void GatewayMetrics::tokens(std::string_view operation, std::string_view provider,
                            std::string_view model, const Usage& usage) {
  token_usage_.observe({operation, provider, model, "input"},
                       static_cast<double>(usage.prompt_tokens));
  if (operation == "chat")
    token_usage_.observe({operation, provider, model, "output"},
                         static_cast<double>(usage.completion_tokens));
}

void GatewayMetrics::time_to_first_token(std::string_view provider, std::string_view model,
                                         double seconds) {
  time_to_first_token_.observe({provider, model}, seconds);
}

void GatewayMetrics::cost(std::string_view model, double usd) {
  if (usd > 0) cost_.inc({model}, usd);
}

std::string_view attempt_outcome(const AttemptResult& result) {
  if (result.ok) return "success";
  if (result.timed_out) return "timeout";
  if (result.upstream_status == 429) return "rate_limited";
  if (!result.retriable && result.error.code == Errc::invalid_request &&
      result.upstream_status == 0)
    return "client_gone";
  if (result.upstream_status >= 400 && result.upstream_status < 500) return "client_error";
  return "error";
}

}  // namespace sluice::gateway
