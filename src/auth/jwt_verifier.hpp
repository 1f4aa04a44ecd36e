#pragma once
// Verifies bearer JWTs against the keys of a JWKS with libjwt, and remembers the tokens it has
// accepted: a token presented again costs one hash lookup until it expires or the keys change.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>

#include "auth/jwks.hpp"
#include "auth/jwt_claims.hpp"
#include "auth/secret_digest.hpp"

namespace sluice::auth {

class JwtVerifier {
 public:
  // `now_ms` is the clock tokens expire by (milliseconds since the Unix epoch); empty = the
  // system clock. At most `cache_capacity` accepted tokens are remembered. Until keys are set
  // (null `keys`), every token is refused as unknown_key.
  explicit JwtVerifier(JwtRules rules, std::shared_ptr<const JwkSet> keys = nullptr,
                       std::function<int64_t()> now_ms = {}, std::size_t cache_capacity = 10'000);

  // The identity a token carries, or why it is refused. Only RS256 with an RSA key and ES256
  // with an EC key verify: `alg: none`, HS* (whose secret could be the public key) and any alg
  // that does not match the key's type are refused before libjwt sees the token. `digest` is
  // the token's SHA-256, the cache's key. Thread-safe.
  Result<JwtIdentity, JwtFault> verify(std::string_view token, const Digest& digest);
  Result<JwtIdentity, JwtFault> verify(std::string_view token);

  // Replaces the keys (a rotated JWKS): from now on only `keys` verify, and every remembered
  // token is verified again on its next use.
  void set_keys(std::shared_ptr<const JwkSet> keys);
  std::shared_ptr<const JwkSet> keys() const;

  const JwtRules& rules() const { return rules_; }

 private:
  Result<JwtIdentity, JwtFault> verify_uncached(std::string_view token, const JwkSet& keys,
                                                int64_t now_ms) const;
  void remember(const Digest& digest, const JwtIdentity& identity, uint64_t generation,
                int64_t now_ms);

  struct Remembered {
    JwtIdentity identity;
    uint64_t generation = 0;  // of the keys that verified it
  };

  const JwtRules rules_;
  const std::function<int64_t()> now_ms_;
  const std::size_t cache_capacity_;
  mutable std::shared_mutex mutex_;  // guards keys_ and cache_
  std::shared_ptr<const JwkSet> keys_;
  uint64_t generation_ = 0;  // bumped by every set_keys()
  std::unordered_map<Digest, Remembered, DigestHash> cache_;
};

}  // namespace sluice::auth
