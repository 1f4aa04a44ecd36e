#include "auth/jwt_verifier.hpp"

#include <jwt.h>

#include <stdexcept>

#include "core/clock.hpp"

namespace sluice::auth {
namespace {

jwt_alg_t libjwt_alg(JwkType type) { return type == JwkType::rsa ? JWT_ALG_RS256 : JWT_ALG_ES256; }

// libjwt checks the signature with the key's PEM and the header's alg, which the caller has
// already matched to the key: a second check of the alg libjwt read keeps the two in step.
bool signature_verifies(std::string_view token, const Jwk& key) {
  const std::string text(token);  // libjwt wants a C string
  jwt_t* jwt = nullptr;
  const int rc =
      jwt_decode(&jwt, text.c_str(), reinterpret_cast<const unsigned char*>(key.pem.data()),
                 static_cast<int>(key.pem.size()));
  const bool verified = rc == 0 && jwt != nullptr && jwt_get_alg(jwt) == libjwt_alg(key.type);
  jwt_free(jwt);
  return verified;
}

}  // namespace

JwtVerifier::JwtVerifier(JwtRules rules, std::shared_ptr<const JwkSet> keys,
                         std::function<int64_t()> now_ms, std::size_t cache_capacity)
    : rules_(std::move(rules)),
      now_ms_(now_ms ? std::move(now_ms) : core::unix_milliseconds),
      cache_capacity_(cache_capacity),
      keys_(std::move(keys)) {}

Result<JwtIdentity, JwtFault> JwtVerifier::verify(std::string_view token) {
  Digest digest;
  if (!digest_of(token, digest)) throw std::runtime_error("SHA-256 is unavailable");
  return verify(token, digest);
}

std::optional<JwtIdentity> JwtVerifier::remembered(const Digest& digest, int64_t now_ms,
                                                   std::shared_ptr<const JwkSet>& keys,
                                                   uint64_t& generation) const {
  std::shared_lock lock(mutex_);
  const auto found = cache_.find(digest);
  if (found != cache_.end() && found->second.generation == generation_ &&
      now_ms - rules_.clock_skew_ms < found->second.identity.expires_at_ms)
    return found->second.identity;
  keys = keys_;
  generation = generation_;
  return std::nullopt;
}

Result<JwtIdentity, JwtFault> JwtVerifier::verify(std::string_view token, const Digest& digest) {
  const int64_t now_ms = now_ms_();
  std::shared_ptr<const JwkSet> keys;
  uint64_t generation = 0;
  if (auto identity = remembered(digest, now_ms, keys, generation)) return std::move(*identity);
  if (!keys) return JwtFault::unknown_key;
  auto identity = verify_uncached(token, *keys, now_ms);
  if (identity) remember(digest, *identity, generation, now_ms);
  return identity;
}

std::optional<Result<JwtIdentity, JwtFault>> JwtVerifier::verify_without_signature(
    std::string_view token, const Digest& digest) {
  using Verdict = Result<JwtIdentity, JwtFault>;
  std::shared_ptr<const JwkSet> keys;
  uint64_t generation = 0;
  if (auto identity = remembered(digest, now_ms_(), keys, generation))
    return Verdict(std::move(*identity));
  if (!keys) return Verdict(JwtFault::unknown_key);
  const std::optional<JwtSegments> segments = split_jwt(token);
  if (!segments) return Verdict(JwtFault::malformed);
  if (auto key = key_for(segments->header, *keys); !key) return Verdict(key.error());
  return std::nullopt;
}

Result<const Jwk*, JwtFault> JwtVerifier::key_for(std::string_view header_segment,
                                                  const JwkSet& keys) {
  auto header = parse_jwt_header(header_segment);
  if (!header) return header.error();
  const Jwk* key = keys.find(header->kid);
  // The alg is checked against a key's type, never trusted to choose the algorithm.
  if (header->alg != "RS256" && header->alg != "ES256") return JwtFault::unsupported_alg;
  if (key == nullptr) return JwtFault::unknown_key;
  if (header->alg != jws_alg_for(key->type)) return JwtFault::unsupported_alg;
  return key;
}

Result<JwtIdentity, JwtFault> JwtVerifier::verify_uncached(std::string_view token,
                                                           const JwkSet& keys,
                                                           int64_t now_ms) const {
  const std::optional<JwtSegments> segments = split_jwt(token);
  if (!segments) return JwtFault::malformed;
  auto key = key_for(segments->header, keys);
  if (!key) return key.error();
  if (!signature_verifies(token, **key)) return JwtFault::bad_signature;
  return check_jwt_claims(segments->payload, rules_, now_ms);
}

void JwtVerifier::remember(const Digest& digest, const JwtIdentity& identity, uint64_t generation,
                           int64_t now_ms) {
  std::unique_lock lock(mutex_);
  if (generation != generation_) return;  // verified by keys replaced meanwhile
  if (cache_.size() >= cache_capacity_) {
    std::erase_if(cache_, [&](const auto& entry) {
      return now_ms - rules_.clock_skew_ms >= entry.second.identity.expires_at_ms;
    });
    // Still full of live tokens: start over rather than pay for a recency order per request.
    if (cache_.size() >= cache_capacity_) cache_.clear();
  }
  cache_.insert_or_assign(digest, Remembered{identity, generation});
}

void JwtVerifier::set_keys(std::shared_ptr<const JwkSet> keys) {
  std::unique_lock lock(mutex_);
  keys_ = std::move(keys);
  ++generation_;
  cache_.clear();
}

std::shared_ptr<const JwkSet> JwtVerifier::keys() const {
  std::shared_lock lock(mutex_);
  return keys_;
}

}  // namespace sluice::auth
