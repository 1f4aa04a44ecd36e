#pragma once
// Verifies bearer JWTs against the keys of a JWKS with libjwt, and remembers the tokens it has
// accepted: a token presented again costs one hash lookup until it expires or the keys change.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
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

  // What is known of a token without checking its signature (microseconds, no public-key
  // work): a remembered identity, or a refusal its shape, header or key id earns; nullopt when
  // only the signature can tell (verify() then costs milliseconds: run it off an event loop).
  std::optional<Result<JwtIdentity, JwtFault>> verify_without_signature(std::string_view token,
                                                                        const Digest& digest);

  // Replaces the keys (a rotated JWKS): from now on only `keys` verify, and every remembered
  // token is verified again on its next use.
  void set_keys(std::shared_ptr<const JwkSet> keys);
  std::shared_ptr<const JwkSet> keys() const;

  const JwtRules& rules() const { return rules_; }

 private:
  Result<JwtIdentity, JwtFault> verify_uncached(std::string_view token, const JwkSet& keys,
                                                int64_t now_ms) const;
  // The token's key when its header names one it may be verified with, else the refusal.
  static Result<const Jwk*, JwtFault> key_for(std::string_view header_segment, const JwkSet& keys);
  // The remembered identity of `digest`, or the keys (and their generation) to verify it with.
  std::optional<JwtIdentity> remembered(const Digest& digest, int64_t now_ms,
                                        std::shared_ptr<const JwkSet>& keys,
                                        uint64_t& generation) const;
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
