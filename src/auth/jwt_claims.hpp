#pragma once
// The parts of a bearer JWT (RFC 7519) that are read before and after its signature is checked:
// the segments, the JWS header (which key, which algorithm), and the claims that decide whether
// the token is valid now and for this server, mapped onto the principal a request acts as.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/principal.hpp"
#include "core/result.hpp"

namespace sluice::auth {

// Why a token was refused. to_string() names it in logs.
enum class JwtFault {
  malformed,        // not three base64url segments, or a header or claims that are not JSON
  unsupported_alg,  // alg none, HS*, or one that does not match the key's type
  unknown_key,      // no key of the JWKS fits the kid
  bad_signature,
  expired,        // exp (plus the clock skew) has passed
  not_yet_valid,  // nbf or iat lies beyond the clock skew ahead
  wrong_issuer,
  wrong_audience,
  bad_claim,  // exp or sub missing, or a claim of the wrong type
};
std::string_view to_string(JwtFault fault);

// Tokens longer than this are refused before any parsing: real ones are a few hundred bytes.
inline constexpr std::size_t kMaxJwtBytes = 8 * 1024;

struct JwtSegments {
  std::string_view header, payload, signature;  // base64url, views into the token
};
// The token's three segments; empty unless it is header.payload.signature, each non-empty
// base64url, and no longer than kMaxJwtBytes.
std::optional<JwtSegments> split_jwt(std::string_view token);
// Whether a bearer credential is meant as a JWT (its header starts with `{"`, "eyJ" encoded)
// rather than an API key; split_jwt() still decides whether it is well-formed.
bool looks_like_jwt(std::string_view token);

struct JwtHeader {
  std::string alg;
  std::string kid;  // empty when absent
};
// The JWS header from its segment. Refuses (malformed) a header that is not a JSON object, lacks
// a string alg, or has a non-string kid; refuses (unsupported_alg) any `crit` extension, since
// none is understood.
Result<JwtHeader, JwtFault> parse_jwt_header(std::string_view segment);

// What a valid token's claims must satisfy, and which claims carry roles, team, collections
// and models (an empty name maps nothing).
struct JwtRules {
  std::string issuer;    // empty = any iss
  std::string audience;  // empty = any aud; else aud (a string or an array) must hold it
  int64_t clock_skew_ms = 60'000;
  std::string roles_claim = "roles";
  std::string team_claim = "team";
  std::string collections_claim = "collections";
  std::string models_claim = "models";
};

struct JwtIdentity {
  std::shared_ptr<const core::Principal> principal;
  int64_t expires_at_ms = 0;  // exp, without the clock skew
};

// Checks the claims of a token whose signature has been verified, at `now_ms` (milliseconds
// since the Unix epoch): exp (required) and nbf/iat (when present) with the rules' clock skew,
// then iss and aud. Maps sub (required) to the principal's name; the roles claim (an array of
// role names, or one space-separated string) to permissions as for virtual keys (admin, ingest,
// query, user); team (a string); collections and models (arrays of strings; absent = any).
Result<JwtIdentity, JwtFault> check_jwt_claims(std::string_view payload_segment,
                                               const JwtRules& rules, int64_t now_ms);

}  // namespace sluice::auth
