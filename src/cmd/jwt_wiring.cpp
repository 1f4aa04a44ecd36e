#include "cmd/jwt_wiring.hpp"

#include "ops/logger.hpp"

namespace sluice::cmd {

auth::JwtRules jwt_rules(const core::JwtConfig& config) {
  auth::JwtRules rules;
  rules.issuer = config.issuer;
  rules.audience = config.audience;
  rules.clock_skew_ms = config.clock_skew.count();
  rules.roles_claim = config.roles_claim;
  rules.team_claim = config.team_claim;
  rules.collections_claim = config.collections_claim;
  rules.models_claim = config.models_claim;
  return rules;
}

std::unique_ptr<JwtServing> open_jwt_serving(const core::JwtConfig& config,
                                             ops::Registry& metrics) {
  auto serving = std::make_unique<JwtServing>(config);
  if (Status loaded = serving->watcher.load(); !loaded) {
    ops::logger().error("cannot load the JWKS",
                        {{"key", "auth.jwt.jwks_file"}, {"error", loaded.error().message}});
    return nullptr;
  }
  serving->watcher.register_metrics(metrics);
  return serving;
}

}  // namespace sluice::cmd
