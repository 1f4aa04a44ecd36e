#pragma once

#include <string_view>

#include "gateway/routing/catalog.hpp"
#include "gateway/types.hpp"
#include "ops/metrics.hpp"

namespace sluice::gateway {

class Timing;

// The labels of one model call: the GenAI conventions' operation, provider and requested model
// (an alias, or a name the catalog's bounded table admitted), and the caller's key name (from
// the configuration; empty when unauthenticated).
struct CallLabels {
  std::string_view operation;
  std::string_view provider;
  std::string_view model;
  std::string_view key_name;
};

// The GenAI metrics (OpenTelemetry semantic conventions, in Prometheus form) and Sluice's own
// upstream, circuit, retry, stream and cost metrics.
class GatewayMetrics {
 public:
  // `timing` tells sluice_circuit_state what time it is (an open circuit reads as half-open once
  // its cooldown has passed): the GatewayService's own, so that a simulation on a virtual clock
  // reads its breakers at virtual time; null means the steady clock. It must outlive the
  // registry's scrapes.
  GatewayMetrics(ops::Registry& registry, const Catalog& catalog, const Timing* timing = nullptr);

  // outcome: core::to_string(AttemptOutcome)
  void upstream_attempt(const Deployment& deployment, std::string_view outcome);
  void in_flight(const Deployment& deployment, int delta);
  // kind: "retry" (another try of the same alias) or "fallback" (a fallback alias' deployment)
  void retry(std::string_view kind);
  void circuit_transition(const Deployment& deployment, CircuitBreaker::Transition transition);
  void active_streams(int delta);

  void operation(const CallLabels& labels, double seconds, std::string_view error_type);
  void tokens(const CallLabels& labels, const Usage& usage);
  void time_to_first_token(const CallLabels& labels, double seconds);
  void cost(std::string_view upstream_model, const CallLabels& labels, double usd);

  // Canary releases: the candidate's share of `alias` now, the requests each version served
  // (version: "baseline" | "candidate"), and the rollbacks (reason: the rule's metric, or
  // "manual").
  void canary_weight(std::string_view alias, double weight);
  void canary_request(std::string_view alias, std::string_view version, double count = 1);
  void canary_rollback(std::string_view alias, std::string_view reason, double count = 1);

 private:
  ops::HistogramFamily& operation_duration_;
  ops::HistogramFamily& token_usage_;
  ops::HistogramFamily& time_to_first_token_;
  ops::CounterFamily& upstream_requests_;
  ops::GaugeFamily& upstream_in_flight_;
  ops::CounterFamily& retries_;
  ops::CounterFamily& circuit_transitions_;
  ops::GaugeFamily& active_streams_;
  ops::CounterFamily& tokens_by_caller_;
  ops::CounterFamily& cost_;
  ops::GaugeFamily& canary_weight_;
  ops::CounterFamily& canary_requests_;
  ops::CounterFamily& canary_rollbacks_;
};

}  // namespace sluice::gateway
