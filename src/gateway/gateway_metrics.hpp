#pragma once

#include <string_view>

#include "gateway/routing/catalog.hpp"
#include "gateway/types.hpp"
#include "ops/metrics.hpp"

namespace sluice::gateway {

// The GenAI metrics (OpenTelemetry semantic conventions, in Prometheus form) and Sluice's own
// upstream, circuit and cost metrics.
class GatewayMetrics {
 public:
  GatewayMetrics(ops::Registry& registry, const Catalog& catalog);

  // outcome: success | error | timeout | rate_limited | client_error | client_gone
  void upstream_attempt(const Deployment& deployment, std::string_view outcome);
  void operation(std::string_view operation, std::string_view provider, std::string_view model,
                 double seconds, std::string_view error_type);
  void tokens(std::string_view operation, std::string_view provider, std::string_view model,
              const Usage& usage);
  void time_to_first_token(std::string_view provider, std::string_view model, double seconds);
  void cost(std::string_view model, double usd);

 private:
  ops::HistogramFamily& operation_duration_;
  ops::HistogramFamily& token_usage_;
  ops::HistogramFamily& time_to_first_token_;
  ops::CounterFamily& upstream_requests_;
  ops::CounterFamily& cost_;
};

// The outcome label for an attempt's result.
std::string_view attempt_outcome(const AttemptResult& result);

}  // namespace sluice::gateway
