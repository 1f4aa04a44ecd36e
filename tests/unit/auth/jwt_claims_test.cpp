#include "auth/jwt_claims.hpp"

#include <gtest/gtest.h>

#include "auth/base64url.hpp"

namespace sluice::auth {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;  // ms
const std::string kExp = std::to_string(kNow / 1000 + 600);

Result<JwtIdentity, JwtFault> check(const std::string& claims, JwtRules rules = {},
                                    int64_t now_ms = kNow) {
  return check_jwt_claims(encode_base64url(claims), rules, now_ms);
}

JwtFault fault(const Result<JwtIdentity, JwtFault>& result) {
  return result ? JwtFault::malformed : result.error();
}

TEST(JwtClaimsTest, SplitsThreeBase64UrlSegments) {
  auto segments = split_jwt("eyJh.eyJi.c2ln");
  ASSERT_TRUE(segments);
  EXPECT_EQ(segments->header, "eyJh");
  EXPECT_EQ(segments->payload, "eyJi");
  EXPECT_EQ(segments->signature, "c2ln");
  EXPECT_FALSE(split_jwt("eyJh.eyJi"));
  EXPECT_FALSE(split_jwt("eyJh.eyJi."));  // alg none's empty signature
  EXPECT_FALSE(split_jwt("eyJh..c2ln"));
  EXPECT_FALSE(split_jwt("eyJh.eyJi.c2ln.eHg"));
  EXPECT_FALSE(split_jwt("eyJh.ey Ji.c2ln"));
  EXPECT_FALSE(split_jwt("eyJh.eyJi.c2ln+"));
  EXPECT_FALSE(split_jwt("eyJh.eyJi." + std::string(kMaxJwtBytes, 'a')));
  EXPECT_TRUE(looks_like_jwt("eyJh.eyJi.c2ln"));
  EXPECT_FALSE(looks_like_jwt("sk-sluice-0123"));
  EXPECT_FALSE(looks_like_jwt("eyJonly"));
}

TEST(JwtClaimsTest, ReadsAlgAndKidFromTheHeader) {
  auto header = parse_jwt_header(encode_base64url(R"({"alg":"ES256","kid":"k1","typ":"JWT"})"));
  ASSERT_TRUE(header);
  EXPECT_EQ(header->alg, "ES256");
  EXPECT_EQ(header->kid, "k1");
  auto refused = [](const std::string& json) {
    auto h = parse_jwt_header(encode_base64url(json));
    return h ? JwtFault::bad_claim : h.error();
  };
  EXPECT_EQ(refused(R"({"kid":"k1"})"), JwtFault::malformed);
  EXPECT_EQ(refused(R"({"alg":1})"), JwtFault::malformed);
  EXPECT_EQ(refused(R"({"alg":"RS256","kid":["k1"]})"), JwtFault::malformed);
  EXPECT_EQ(refused(R"(["alg"])"), JwtFault::malformed);
  EXPECT_EQ(refused("{"), JwtFault::malformed);
  EXPECT_EQ(refused(R"({"alg":"RS256","crit":["b64"],"b64":false})"), JwtFault::unsupported_alg);
}

TEST(JwtClaimsTest, MapsClaimsOntoAPrincipal) {
  auto identity = check(R"({"sub":"alice","exp":)" + kExp +
                        R"(,"roles":["query","ingest","unknown"],"team":"search",)"
                        R"("collections":["docs","faq"],"models":["fast"]})");
  ASSERT_TRUE(identity) << to_string(identity.error());
  const core::Principal& who = *identity->principal;
  EXPECT_EQ(who.name, "alice");
  EXPECT_EQ(who.key_id, "");
  EXPECT_TRUE(who.has(core::Permission::query));
  EXPECT_TRUE(who.has(core::Permission::ingest));
  EXPECT_FALSE(who.has(core::Permission::admin));
  EXPECT_EQ(who.team, "search");
  EXPECT_TRUE(who.may_use_collection("faq"));
  EXPECT_FALSE(who.may_use_collection("hr"));
  EXPECT_TRUE(who.may_use_model("fast"));
  EXPECT_FALSE(who.may_use_model("big"));
  EXPECT_EQ(who.log_field, R"(,"key_name":"alice","auth":"jwt")");
  EXPECT_EQ(identity->expires_at_ms, (kNow / 1000 + 600) * 1000);
}

TEST(JwtClaimsTest, RolesMayBeOneSpaceSeparatedStringAndClaimNamesAreConfigurable) {
  JwtRules rules;
  rules.roles_claim = "scope";
  rules.team_claim = "org";
  rules.collections_claim = "";
  auto identity = check(R"({"sub":"svc","exp":)" + kExp +
                            R"(,"scope":"admin  query","org":"ops","collections":["x"]})",
                        rules);
  ASSERT_TRUE(identity);
  EXPECT_TRUE(identity->principal->has(core::Permission::admin));
  EXPECT_EQ(identity->principal->team, "ops");
  EXPECT_TRUE(identity->principal->collections.empty());  // not mapped: any
}

TEST(JwtClaimsTest, AnEmptyListAllowsNothingRatherThanAnything) {
  auto identity = check(R"({"sub":"a","exp":)" + kExp + R"(,"collections":[],"models":[]})");
  ASSERT_TRUE(identity);
  EXPECT_FALSE(identity->principal->may_use_collection("docs"));
  EXPECT_FALSE(identity->principal->may_use_model("fast"));
  auto absent = check(R"({"sub":"a","exp":)" + kExp + "}");
  ASSERT_TRUE(absent);
  EXPECT_TRUE(absent->principal->may_use_collection("docs"));
  EXPECT_EQ(absent->principal->permissions, 0);
}

TEST(JwtClaimsTest, ExpiryNotBeforeAndIssuedAtHonourTheClockSkew) {
  JwtRules rules;
  rules.clock_skew_ms = 60'000;
  const auto at = [&](int64_t seconds_from_now) {
    return std::to_string(kNow / 1000 + seconds_from_now);
  };
  // Expired 30 s ago: within the skew. 61 s ago: beyond it.
  EXPECT_TRUE(check(R"({"sub":"a","exp":)" + at(-30) + "}", rules));
  EXPECT_EQ(fault(check(R"({"sub":"a","exp":)" + at(-61) + "}", rules)), JwtFault::expired);
  EXPECT_EQ(fault(check(R"({"sub":"a","exp":)" + at(-60) + "}", rules)), JwtFault::expired);
  // Not valid before 30 s from now: within the skew. 90 s: beyond it.
  EXPECT_TRUE(check(R"({"sub":"a","exp":)" + at(600) + R"(,"nbf":)" + at(30) + "}", rules));
  EXPECT_EQ(fault(check(R"({"sub":"a","exp":)" + at(600) + R"(,"nbf":)" + at(90) + "}", rules)),
            JwtFault::not_yet_valid);
  EXPECT_EQ(fault(check(R"({"sub":"a","exp":)" + at(600) + R"(,"iat":)" + at(90) + "}", rules)),
            JwtFault::not_yet_valid);
  // Fractional NumericDates are allowed.
  EXPECT_TRUE(check(R"({"sub":"a","exp":)" + at(10) + ".5}", rules));
  rules.clock_skew_ms = 0;
  EXPECT_EQ(fault(check(R"({"sub":"a","exp":)" + at(-1) + "}", rules)), JwtFault::expired);
}

TEST(JwtClaimsTest, IssuerAndAudienceMustMatchWhenConfigured) {
  JwtRules rules;
  rules.issuer = "https://idp.example";
  rules.audience = "sluice";
  const std::string base = R"({"sub":"a","exp":)" + kExp;
  EXPECT_TRUE(check(base + R"(,"iss":"https://idp.example","aud":"sluice"})", rules));
  EXPECT_TRUE(check(base + R"(,"iss":"https://idp.example","aud":["other","sluice"]})", rules));
  EXPECT_EQ(fault(check(base + R"(,"iss":"https://idp.example","aud":"other"})", rules)),
            JwtFault::wrong_audience);
  EXPECT_EQ(fault(check(base + R"(,"iss":"https://idp.example","aud":["other"]})", rules)),
            JwtFault::wrong_audience);
  EXPECT_EQ(fault(check(base + R"(,"iss":"https://idp.example"})", rules)),
            JwtFault::wrong_audience);
  EXPECT_EQ(fault(check(base + R"(,"iss":"https://evil.example","aud":"sluice"})", rules)),
            JwtFault::wrong_issuer);
  EXPECT_EQ(fault(check(base + R"(,"aud":"sluice"})", rules)), JwtFault::wrong_issuer);
}

TEST(JwtClaimsTest, RefusesMissingOrMistypedClaims) {
  EXPECT_EQ(fault(check(R"({"sub":"a"})")), JwtFault::bad_claim);  // no exp: never expires
  EXPECT_EQ(fault(check(R"({"exp":)" + kExp + "}")), JwtFault::bad_claim);
  EXPECT_EQ(fault(check(R"({"sub":"","exp":)" + kExp + "}")), JwtFault::bad_claim);
  EXPECT_EQ(fault(check(R"({"sub":"a","exp":")" + kExp + R"("})")), JwtFault::bad_claim);
  EXPECT_EQ(fault(check(R"({"sub":"a","exp":1e300})")), JwtFault::bad_claim);
  EXPECT_EQ(fault(check(R"({"sub":"a","exp":)" + kExp + R"(,"roles":{"admin":true}})")),
            JwtFault::bad_claim);
  EXPECT_EQ(fault(check(R"({"sub":"a","exp":)" + kExp + R"(,"roles":["admin",1]})")),
            JwtFault::bad_claim);
  EXPECT_EQ(fault(check(R"({"sub":"a","exp":)" + kExp + R"(,"team":7})")), JwtFault::bad_claim);
  EXPECT_EQ(fault(check(R"({"sub":"a","exp":)" + kExp + R"(,"collections":"docs"})")),
            JwtFault::bad_claim);
  EXPECT_EQ(fault(check("[1]")), JwtFault::malformed);
  EXPECT_EQ(fault(check_jwt_claims("e30+", {}, kNow)), JwtFault::malformed);
}

}  // namespace
}  // namespace sluice::auth
