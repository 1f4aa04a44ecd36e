#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "core/config_binder.hpp"
#include "core/config_tree.hpp"

namespace sluice::core::detail {

// Adds errors for a key, noting where the offending value was given.
class Reporter {
 public:
  Reporter(Errors& errors, const std::map<std::string, std::string>& given)
      : errors_(errors), given_(given) {}
  void add(const std::string& path, std::string message, std::string fix) {
    const auto it = given_.find(path);
    errors_.push_back(
        {path, it == given_.end() ? message : with_where(message, it->second), std::move(fix)});
  }

 private:
  Errors& errors_;
  const std::map<std::string, std::string>& given_;
};

// Sets server.listen when it was not given ($PORT, else the profile's default), then parses it
// into server.host and server.port.
void resolve_listen(Config& c, const Env& env, bool listen_given, Reporter& report);

// Checks value ranges and references between keys, the gateway section included.
void validate(const Config& c, Reporter& report);
// The gateway section alone (its keys under "gateway."): providers, model aliases, prices,
// retries, the circuit breaker and timeouts.
void validate_gateway(const GatewayConfig& g, Reporter& report);
// gateway.models[].canary: the candidate is another configured alias (without a canary of its
// own), its weight a share, its rollback rule a known metric with a threshold that fits it.
void validate_canaries(const GatewayConfig& g, Reporter& report);
// The rate_limits section and the per-key limits of auth.api_keys.
void validate_rate_limits(const Config& c, Reporter& report);
// The budgets section: team names and amounts, and downgrades.
void validate_budgets(const BudgetsConfig& b, Reporter& report);

// Fills the tracing keys the configuration left unset from OpenTelemetry's standard variables
// (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS, _TIMEOUT, OTEL_SERVICE_NAME,
// OTEL_TRACES_SAMPLER[_ARG], OTEL_BSP_*, OTEL_SDK_DISABLED). Returns where each value came from,
// by key path, for error messages; `given` holds the keys set by the file, env or flags.
std::map<std::string, std::string> apply_otel_environment(
    Config& c, const Env& env, const std::map<std::string, std::string>& given);
// The tracing section: URLs, sampler, sizes, periods and headers.
void validate_tracing(const Config& c, Reporter& report);

// Fills the egress_proxy section's derived fields: its keys, else the standard variables
// (https_proxy / HTTPS_PROXY, http_proxy / HTTP_PROXY, no_proxy / NO_PROXY, lower case first).
void apply_proxy_environment(Config& c, const Env& env);
// The egress proxy URLs (each variable's errors under its own name), no_proxy entries, the
// password's user, and providers' egress_proxy overrides.
void validate_egress_proxy(const Config& c, Reporter& report);
// Sets each remote provider's and the trace exporter's EgressRoute; on a valid config only.
void route_egress(Config& c);

// Checks the admission section: counts, periods, route entries and degraded aliases (which must
// name configured model aliases).
void validate_admission(const Config& c, Reporter& report);

// What a provider adds to its upstream requests: api_version (azure), headers (names that are
// HTTP tokens, values without line breaks; never framing, hop-by-hop or headers Sluice sets
// itself) and param_rules. `path` is the provider's key path, "gateway.providers.N".
void validate_provider_requests(const ProviderConfig& p, const std::string& path, Reporter& report);

// In the staging and prod profiles: requires a real (not mock) provider. In prod also:
// requires authentication, refuses credentialed CORS for any origin and secrets written inline
// in the file (`inline_secrets`).
void check_profile_rules(const Config& c, const std::vector<InlineSecret>& inline_secrets,
                         Reporter& report);

}  // namespace sluice::core::detail
