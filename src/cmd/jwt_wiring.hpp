#pragma once

#include <memory>

#include "auth/jwks_watcher.hpp"
#include "auth/jwt_verifier.hpp"
#include "core/config.hpp"

namespace sluice::ops {
class Registry;
}

namespace sluice::cmd {

// The rules a token's claims must satisfy, from `auth.jwt`.
auth::JwtRules jwt_rules(const core::JwtConfig& config);

// Bearer JWTs in `serve`: the verifier the API key filter asks, and the watcher that keeps its
// keys in step with the JWKS file (spawn watcher.run()), with its reload metrics.
struct JwtServing {
  explicit JwtServing(const core::JwtConfig& config)
      : verifier(jwt_rules(config)), watcher(config.jwks_file, verifier) {}

  auth::JwtVerifier verifier;
  auth::JwksWatcher watcher;
};

// JwtServing for `config`, its keys loaded; null with the error logged when the JWKS file is not
// a valid one. Only call with a jwks_file set.
std::unique_ptr<JwtServing> open_jwt_serving(const core::JwtConfig& config, ops::Registry& metrics);

}  // namespace sluice::cmd
