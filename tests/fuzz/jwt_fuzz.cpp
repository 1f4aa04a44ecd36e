// Bearer JWT handling before and after the signature: the input is tried as a whole token (split,
// header, verification against a fixed JWKS, which must refuse it: no input can sign), and as
// the JSON of a header and of claims (base64url-encoded here, so that the fuzzer works on the JSON
// itself). Claims that pass must give a named principal that is not yet expired; base64url must
// round-trip.

#include <memory>

#include "auth/base64url.hpp"
#include "auth/jwt_claims.hpp"
#include "auth/jwt_verifier.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace sluice::auth;

constexpr int64_t kNowMs = 1'700'000'000'000;

// An EC P-256 and an RSA public key; their private halves are nowhere.
constexpr std::string_view kJwks = R"({"keys":[
 {"kid":"ec","kty":"EC","crv":"P-256","x":"gv0PiDwaP1czCN_fcSEQR2ajmY0hVPSD-FxFgZnicxE",
  "y":"3P_bFV4DCeePagYykugS4uoMmBZv4-oq8-JzF0_aofc"},
 {"kid":"rsa","kty":"RSA","e":"AQAB","n":"3bOYFjXMK4Yzn6HBM5MZxlVBsTIEZvbDqYiIUWs5HdErZriuHMW1qiu_iHn7YojUOIU63-GYAhE8uQMVdY_qWzzuUM_bGl7E7yCxFqer4SiNWux9HXHOvFS5uPv_6ZUZtbpJqa1vhuIzRoiNo0qIXxcAgINv6x35w927vDih2y17oBAUgQqvwkgyOpWAtE0wnmKR2Ehe_PSc47IuUBd5IGhL6jv6SASez5BkCsmxLxI2DChH4s-pKOQmI709mJIc-Ds6YB1CPbq3U7k_Lo8UaI6rYHwj3ll1R3qTupuYmLsK4EOQRjhFRwYtOXDuFoWvcUKclx1qKCw1u8EJI7hD2w"}]})";

JwtVerifier& verifier() {
  static JwtVerifier instance = [] {
    auto keys = parse_jwks(kJwks);
    FUZZ_CHECK(keys && keys->keys.size() == 2);
    JwtRules rules;
    rules.audience = "sluice";
    return JwtVerifier(rules, std::make_shared<const JwkSet>(std::move(*keys)),
                       [] { return kNowMs; });
  }();
  return instance;
}

void check_identity(const sluice::Result<JwtIdentity, JwtFault>& identity, int64_t now_ms,
                    int64_t skew_ms) {
  if (!identity) {
    FUZZ_CHECK(!to_string(identity.error()).empty());
    return;
  }
  FUZZ_CHECK(identity->principal != nullptr);
  FUZZ_CHECK(!identity->principal->name.empty());
  FUZZ_CHECK(identity->expires_at_ms > now_ms - skew_ms);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = sluice::fuzz::text(data, size);

  if (auto decoded = decode_base64url(input)) FUZZ_CHECK(encode_base64url(*decoded) == input);
  const std::string encoded = encode_base64url(input);
  FUZZ_CHECK(decode_base64url(encoded) == std::string(input));

  // The input as a token.
  if (auto segments = split_jwt(input)) {
    (void)parse_jwt_header(segments->header);
    check_identity(check_jwt_claims(segments->payload, JwtRules{}, kNowMs), kNowMs, 60'000);
  }
  FUZZ_CHECK(!verifier().verify(input));

  // The input as a header's and as claims' JSON.
  if (auto header = parse_jwt_header(encoded)) FUZZ_CHECK(header->alg.size() <= input.size());
  JwtRules rules;
  rules.issuer = "https://idp.example";
  rules.audience = "sluice";
  for (int64_t now_ms : {kNowMs, int64_t{0}, int64_t{-1}, INT64_C(4'000'000'000'000)}) {
    check_identity(check_jwt_claims(encoded, JwtRules{}, now_ms), now_ms, 60'000);
    check_identity(check_jwt_claims(encoded, rules, now_ms), now_ms, 60'000);
  }
  rules.clock_skew_ms = 0;
  rules.roles_claim = "scope";
  rules.collections_claim.clear();
  check_identity(check_jwt_claims(encoded, rules, kNowMs), kNowMs, 0);
  return 0;
}
