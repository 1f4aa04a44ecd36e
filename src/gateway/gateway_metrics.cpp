#include "gateway/gateway_metrics.hpp"

#include <chrono>

#include "gateway/providers/param_rules.hpp"
#include "gateway/timing.hpp"

namespace sluice::gateway {
namespace {

// The GenAI semantic conventions' boundaries, extended to the minutes a long generation takes.
std::vector<double> operation_buckets() {
  return {0.01, 0.02,  0.04,  0.08,  0.16,  0.32,   0.64,   1.28,  2.56,
          5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68, 655.36};
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

GatewayMetrics::GatewayMetrics(ops::Registry& registry, const Catalog& catalog,
                               const Timing* timing)
    : operation_duration_(registry.histogram(
          "gen_ai_client_operation_duration_seconds", "GenAI operation duration.",
          {"gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "error_type"},
          operation_buckets())),
      token_usage_(registry.histogram("gen_ai_client_token_usage",
                                      "Number of input and output tokens used.",
                                      {"gen_ai_operation_name", "gen_ai_provider_name",
                                       "gen_ai_request_model", "gen_ai_token_type"},
                                      token_buckets())),
      time_to_first_token_(registry.histogram(
          "gen_ai_server_time_to_first_token_seconds",
          "Time to generate the first token of a streamed response.",
          {"gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model"},
          ttft_buckets())),
      upstream_requests_(registry.counter("sluice_upstream_requests_total",
                                          "Attempts sent to upstream deployments, by outcome.",
                                          {"deployment", "outcome"})),
      upstream_in_flight_(registry.gauge("sluice_upstream_in_flight",
                                         "Attempts waiting on an upstream deployment now.",
                                         {"deployment"})),
      retries_(registry.counter("sluice_upstream_retries_total",
                                "Attempts after a failed one: retries within the requested alias, "
                                "and fallbacks to a fallback alias.",
                                {"kind"})),
      circuit_transitions_(registry.counter("sluice_circuit_transitions_total",
                                            "Circuit breaker transitions, by the state entered.",
                                            {"deployment", "to"})),
      active_streams_(registry.gauge("sluice_active_streams",
                                     "Streamed responses being sent to clients now.", {})),
      tokens_by_caller_(registry.counter(
          "sluice_tokens_total",
          "Tokens used, by requested model (alias), API key and type: input (not cached), "
          "cached_input (read from the provider's cache), cache_write (written to it for the "
          "default time, 5 minutes at Anthropic), cache_write_1h (written for an hour), output.",
          {"alias", "key", "type"})),
      cost_(registry.counter("sluice_cost_usd_total",
                             "Estimated spend in US dollars, by upstream model, requested model "
                             "(alias) and API key.",
                             {"model", "alias", "key"})),
      canary_weight_(registry.gauge("sluice_canary_weight",
                                    "Share of a model alias' requests its canary candidate "
                                    "serves now (0 once rolled back).",
                                    {"alias"})),
      canary_requests_(registry.counter(
          "sluice_canary_requests_total",
          "Requests to a model alias with a canary, by the version that served them: baseline "
          "(the alias) or candidate.",
          {"alias", "version"})),
      canary_rollbacks_(registry.counter("sluice_canary_rollbacks_total",
                                         "Canary candidates taken out of rotation, by reason: "
                                         "the rollback rule's metric, or manual.",
                                         {"alias", "reason"})) {
  registry.add_collector([&catalog, timing](ops::MetricSink& out) {
    ops::write_family_header(out, "sluice_circuit_state",
                             "Circuit breaker state per deployment: 0 closed, 1 half-open, 2 open.",
                             "gauge");
    const auto now = timing != nullptr ? timing->now() : std::chrono::steady_clock::now();
    for (const Deployment* d : catalog.deployments())
      ops::write_sample(out, "sluice_circuit_state", {{"deployment", d->id}},
                        circuit_value(d->breaker.state(now)));
  });
  // Counted by each provider's rules as requests pass (one relaxed atomic per change, only for
  // requests a rule changes); a parameter a rule names is a series from the start.
  registry.add_collector([&catalog](ops::MetricSink& out) {
    ops::write_family_header(out, "sluice_param_rule_edits_total",
                             "Request parameters a provider's parameter rules dropped or renamed "
                             "before the request went upstream.",
                             "counter");
    for (const Provider* provider : catalog.providers()) {
      const ParamRules* rules = provider->param_rules();
      if (rules == nullptr) continue;
      for (const ParamRules::EditCount& edit : rules->edit_counts())
        ops::write_sample(
            out, "sluice_param_rule_edits_total",
            {{"provider", provider->name()}, {"param", edit.param}, {"action", edit.action}},
            static_cast<double>(edit.count));
    }
  });
}

void GatewayMetrics::upstream_attempt(const Deployment& deployment, std::string_view outcome) {
  upstream_requests_.inc({deployment.metric_label, outcome});
}

void GatewayMetrics::in_flight(const Deployment& deployment, int delta) {
  upstream_in_flight_.add({deployment.metric_label}, delta);
}

void GatewayMetrics::retry(std::string_view kind) { retries_.inc({kind}); }

void GatewayMetrics::circuit_transition(const Deployment& deployment,
                                        CircuitBreaker::Transition transition) {
  circuit_transitions_.inc({deployment.metric_label,
                            transition == CircuitBreaker::Transition::opened ? "open" : "closed"});
}

void GatewayMetrics::active_streams(int delta) { active_streams_.add({}, delta); }

void GatewayMetrics::operation(const CallLabels& labels, double seconds,
                               std::string_view error_type) {
  operation_duration_.observe({labels.operation, labels.provider, labels.model, error_type},
                              seconds);
}

void GatewayMetrics::tokens(const CallLabels& labels, const Usage& usage) {
  // The GenAI histogram counts every prompt token as input, as the conventions do; Sluice's own
  // counter splits them as they are priced, so that its types add up to the tokens used.
  const auto input = static_cast<double>(usage.prompt_tokens);
  token_usage_.observe({labels.operation, labels.provider, labels.model, "input"}, input);
  const Usage::PromptParts prompt = usage.prompt_parts();
  tokens_by_caller_.inc({labels.model, labels.key_name, "input"},
                        static_cast<double>(prompt.uncached));
  // Only series that ever counted a token: most deployments cache nothing.
  if (prompt.cache_read > 0)
    tokens_by_caller_.inc({labels.model, labels.key_name, "cached_input"},
                          static_cast<double>(prompt.cache_read));
  if (prompt.cache_write > 0)
    tokens_by_caller_.inc({labels.model, labels.key_name, "cache_write"},
                          static_cast<double>(prompt.cache_write));
  if (prompt.cache_write_1h > 0)
    tokens_by_caller_.inc({labels.model, labels.key_name, "cache_write_1h"},
                          static_cast<double>(prompt.cache_write_1h));
  if (labels.operation == "embeddings") return;
  const auto output = static_cast<double>(usage.completion_tokens);
  token_usage_.observe({labels.operation, labels.provider, labels.model, "output"}, output);
  tokens_by_caller_.inc({labels.model, labels.key_name, "output"}, output);
}

void GatewayMetrics::time_to_first_token(const CallLabels& labels, double seconds) {
  time_to_first_token_.observe({labels.operation, labels.provider, labels.model}, seconds);
}

void GatewayMetrics::cost(std::string_view upstream_model, const CallLabels& labels, double usd) {
  if (usd > 0) cost_.inc({upstream_model, labels.model, labels.key_name}, usd);
}

void GatewayMetrics::canary_weight(std::string_view alias, double weight) {
  canary_weight_.set({alias}, weight);
}

void GatewayMetrics::canary_request(std::string_view alias, std::string_view version,
                                    double count) {
  canary_requests_.inc({alias, version}, count);
}

void GatewayMetrics::canary_rollback(std::string_view alias, std::string_view reason,
                                     double count) {
  canary_rollbacks_.inc({alias, reason}, count);
}

}  // namespace sluice::gateway
