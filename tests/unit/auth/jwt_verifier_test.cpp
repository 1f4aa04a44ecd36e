#include "auth/jwt_verifier.hpp"

#include <gtest/gtest.h>

#include "support/jwt_signer.hpp"

namespace sluice::auth {
namespace {

using sluice::testing::forged_token;
using sluice::testing::jwks_of;
using sluice::testing::JwtSigner;

constexpr int64_t kNowSeconds = 1'700'000'000;

std::shared_ptr<const JwkSet> key_set(const std::vector<const JwtSigner*>& keys) {
  auto set = parse_jwks(jwks_of(keys));
  if (!set) throw std::runtime_error(set.error().message);
  return std::make_shared<const JwkSet>(std::move(*set));
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new JwtSigner(JwtSigner::rsa("rsa-1"));
    ec_ = new JwtSigner(JwtSigner::ec("ec-1"));
    rsa_same_kid_ = new JwtSigner(JwtSigner::rsa("rsa-1"));
    rsa_rotated_ = new JwtSigner(JwtSigner::rsa("rsa-2"));
  }
  static void TearDownTestSuite() {
    for (JwtSigner* key : {rsa_, ec_, rsa_same_kid_, rsa_rotated_}) delete key;
  }

  JwtVerifierTest() : verifier_(rules(), key_set({rsa_, ec_}), [this] { return now_ms_; }) {}

  static JwtRules rules() {
    JwtRules rules;
    rules.issuer = "https://idp.example";
    rules.audience = "sluice";
    return rules;
  }
  // Claims valid at kNowSeconds, with `extra` members added.
  static std::string claims(const std::string& extra = "", int64_t exp_in = 600) {
    return R"({"sub":"alice","iss":"https://idp.example","aud":"sluice","roles":["query"],)"
           R"("iat":)" +
           std::to_string(kNowSeconds) + R"(,"exp":)" + std::to_string(kNowSeconds + exp_in) +
           extra + "}";
  }
  JwtFault refused(const std::string& token) {
    auto identity = verifier_.verify(token);
    return identity ? JwtFault::malformed : identity.error();
  }

  static JwtSigner* rsa_;
  static JwtSigner* ec_;
  static JwtSigner* rsa_same_kid_;
  static JwtSigner* rsa_rotated_;
  int64_t now_ms_ = kNowSeconds * 1000;
  JwtVerifier verifier_;
};
JwtSigner* JwtVerifierTest::rsa_ = nullptr;
JwtSigner* JwtVerifierTest::ec_ = nullptr;
JwtSigner* JwtVerifierTest::rsa_same_kid_ = nullptr;
JwtSigner* JwtVerifierTest::rsa_rotated_ = nullptr;

TEST_F(JwtVerifierTest, AcceptsRs256AndEs256TokensOfTheSet) {
  for (const JwtSigner* key : {rsa_, ec_}) {
    auto identity = verifier_.verify(key->sign(claims(R"(,"team":"search")")));
    ASSERT_TRUE(identity) << key->kid() << ": " << to_string(identity.error());
    EXPECT_EQ(identity->principal->name, "alice");
    EXPECT_EQ(identity->principal->team, "search");
    EXPECT_TRUE(identity->principal->has(core::Permission::query));
    EXPECT_EQ(identity->expires_at_ms, (kNowSeconds + 600) * 1000);
  }
}

TEST_F(JwtVerifierTest, ExpiredTokensAreRefusedEvenOnceRemembered) {
  EXPECT_EQ(refused(rsa_->sign(claims("", -120))), JwtFault::expired);
  const std::string token = rsa_->sign(claims("", 30));
  ASSERT_TRUE(verifier_.verify(token));
  now_ms_ += 60'000;  // expired 30 s ago: within the 60 s skew
  EXPECT_TRUE(verifier_.verify(token));
  now_ms_ += 31'000;
  EXPECT_EQ(refused(token), JwtFault::expired);
}

TEST_F(JwtVerifierTest, NotBeforeInTheFutureWithinAndBeyondTheSkew) {
  EXPECT_TRUE(verifier_.verify(ec_->sign(claims(",\"nbf\":" + std::to_string(kNowSeconds + 45)))));
  EXPECT_EQ(refused(ec_->sign(claims(",\"nbf\":" + std::to_string(kNowSeconds + 75)))),
            JwtFault::not_yet_valid);
}

TEST_F(JwtVerifierTest, WrongAudienceOrIssuerIsRefused) {
  EXPECT_EQ(refused(rsa_->sign(R"({"sub":"a","iss":"https://idp.example","aud":"billing","exp":)" +
                               std::to_string(kNowSeconds + 60) + "}")),
            JwtFault::wrong_audience);
  EXPECT_EQ(refused(rsa_->sign(R"({"sub":"a","iss":"https://other.example","aud":"sluice",)"
                               R"("exp":)" +
                               std::to_string(kNowSeconds + 60) + "}")),
            JwtFault::wrong_issuer);
}

TEST_F(JwtVerifierTest, WrongKeyIsRefused) {
  // A kid the set does not have.
  EXPECT_EQ(refused(rsa_rotated_->sign(claims())), JwtFault::unknown_key);
  // Another key under a kid the set has.
  EXPECT_EQ(refused(rsa_same_kid_->sign(claims())), JwtFault::bad_signature);
  // No kid, and the set has two keys: none is guessed.
  const std::string no_kid = forged_token(R"({"alg":"RS256"})", claims());
  EXPECT_EQ(refused(no_kid), JwtFault::unknown_key);
  // A signature of other claims.
  const std::string a = rsa_->sign(claims());
  const std::string b = rsa_->sign(claims(R"(,"team":"x")"));
  const std::string spliced = a.substr(0, a.rfind('.')) + b.substr(b.rfind('.'));
  EXPECT_EQ(refused(spliced), JwtFault::bad_signature);
}

TEST_F(JwtVerifierTest, AlgNoneIsRefused) {
  const std::string none = JwtSigner::sign_with(JWT_ALG_NONE, "", "rsa-1", claims());
  EXPECT_EQ(refused(none), JwtFault::malformed);  // no signature segment at all
  EXPECT_EQ(refused(none + "c2ln"), JwtFault::unsupported_alg);
  EXPECT_EQ(refused(forged_token(R"({"alg":"none","kid":"rsa-1"})", claims())),
            JwtFault::unsupported_alg);
  EXPECT_EQ(refused(forged_token(R"({"alg":"None","kid":"ec-1"})", claims())),
            JwtFault::unsupported_alg);
}

TEST_F(JwtVerifierTest, AlgorithmConfusionIsRefused) {
  // HS256 keyed with the RSA public key's PEM, as a verifier that trusts alg would check it.
  const std::string hs256 =
      JwtSigner::sign_with(JWT_ALG_HS256, rsa_->public_pem(), "rsa-1", claims());
  EXPECT_EQ(refused(hs256), JwtFault::unsupported_alg);
  // An EC key's token claiming RS256, and the other way round.
  const std::string es = ec_->sign(claims());
  EXPECT_EQ(refused(forged_token(R"({"alg":"RS256","kid":"ec-1"})", claims())),
            JwtFault::unsupported_alg);
  EXPECT_EQ(refused(forged_token(R"({"alg":"ES256","kid":"rsa-1"})", claims())),
            JwtFault::unsupported_alg);
  EXPECT_EQ(refused(forged_token(R"({"alg":"RS512","kid":"rsa-1"})", claims())),
            JwtFault::unsupported_alg);
  EXPECT_TRUE(verifier_.verify(es));
}

TEST_F(JwtVerifierTest, MalformedTokensAreRefused) {
  const std::string token = rsa_->sign(claims());
  EXPECT_EQ(refused(""), JwtFault::malformed);
  EXPECT_EQ(refused("eyJhbGciOiJSUzI1NiJ9"), JwtFault::malformed);
  EXPECT_EQ(refused(token + ".x"), JwtFault::malformed);
  EXPECT_EQ(refused(token.substr(0, token.find('.')) + ".%%%." + "c2ln"), JwtFault::malformed);
  EXPECT_EQ(refused("e30.e30.c2ln"), JwtFault::malformed);  // {} has no alg
  EXPECT_EQ(refused(forged_token("not json", claims())), JwtFault::malformed);
  // Claims that are not JSON under a valid signature cannot be made; under a forged one, the
  // signature fails first.
  EXPECT_EQ(refused(forged_token(R"({"alg":"RS256","kid":"rsa-1"})", "[")),
            JwtFault::bad_signature);
}

TEST_F(JwtVerifierTest, RotatedKeysTakeEffectAndTheOldKeyIsRefused) {
  const std::string old_token = rsa_->sign(claims());
  ASSERT_TRUE(verifier_.verify(old_token));  // and remembered
  const std::string new_token = rsa_rotated_->sign(claims());
  EXPECT_EQ(refused(new_token), JwtFault::unknown_key);
  verifier_.set_keys(key_set({rsa_rotated_}));
  EXPECT_TRUE(verifier_.verify(new_token));
  EXPECT_EQ(refused(old_token), JwtFault::unknown_key);
  // Same kid, new key material: the old key's tokens fail their signature.
  verifier_.set_keys(key_set({rsa_same_kid_}));
  EXPECT_EQ(refused(old_token), JwtFault::bad_signature);
  EXPECT_TRUE(verifier_.verify(rsa_same_kid_->sign(claims())));
}

TEST_F(JwtVerifierTest, WithoutKeysEveryTokenIsRefused) {
  JwtVerifier empty(rules(), nullptr, [this] { return now_ms_; });
  auto identity = empty.verify(rsa_->sign(claims()));
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error(), JwtFault::unknown_key);
}

TEST_F(JwtVerifierTest, ABoundedCacheStillAnswersEveryToken) {
  JwtVerifier small(
      rules(), key_set({ec_}), [this] { return now_ms_; }, 2);
  std::vector<std::string> tokens;
  for (int i = 0; i < 5; ++i) tokens.push_back(ec_->sign(claims(",\"n\":" + std::to_string(i))));
  for (int round = 0; round < 2; ++round)
    for (const std::string& token : tokens) EXPECT_TRUE(small.verify(token));
}

}  // namespace
}  // namespace sluice::auth
