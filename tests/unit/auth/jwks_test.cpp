#include "auth/jwks.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/jwt_signer.hpp"

namespace sluice::auth {
namespace {

using sluice::testing::jwks_of;
using sluice::testing::JwtSigner;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class JwksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new JwtSigner(JwtSigner::rsa("r1"));
    ec_ = new JwtSigner(JwtSigner::ec("e1"));
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ec_;
  }
  static JwtSigner* rsa_;
  static JwtSigner* ec_;
};
JwtSigner* JwksTest::rsa_ = nullptr;
JwtSigner* JwksTest::ec_ = nullptr;

TEST_F(JwksTest, RsaAndEcKeysBecomeTheirPemPublicKeys) {
  auto set = parse_jwks(jwks_of({rsa_, ec_}));
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->keys.size(), 2u);
  EXPECT_EQ(set->keys[0].kid, "r1");
  EXPECT_EQ(set->keys[0].type, JwkType::rsa);
  EXPECT_EQ(set->keys[0].pem, rsa_->public_pem());
  EXPECT_EQ(set->keys[1].type, JwkType::ec_p256);
  EXPECT_EQ(set->keys[1].pem, ec_->public_pem());
  EXPECT_EQ(set->find("e1"), &set->keys[1]);
  EXPECT_EQ(set->find("other"), nullptr);
  EXPECT_EQ(set->find(""), nullptr);  // no kid: only a set of one key answers
  auto one = parse_jwks(jwks_of({ec_}));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->find(""), &one->keys[0]);
}

TEST_F(JwksTest, SkipsKeysThatAreNotForRs256OrEs256Signatures) {
  const std::string rsa = rsa_->jwk();
  const std::string text =
      R"({"keys":[{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"},)"
      R"({"kty":"OKP","crv":"Ed25519","x":"abc"},{"kty":"EC","crv":"P-384","x":"a","y":"b"},)"
      R"({"kid":"ps","kty":"RSA","alg":"PS256","n":"AQAB","e":"AQAB"},)" +
      rsa + "]}";
  auto set = parse_jwks(text);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->keys.size(), 1u);
  ASSERT_EQ(set->skipped.size(), 4u);
  EXPECT_TRUE(contains(set->skipped[0], "keys[0]: use 'enc'")) << set->skipped[0];
  EXPECT_TRUE(contains(set->skipped[3], "alg 'PS256'")) << set->skipped[3];
}

TEST_F(JwksTest, ErrorsNameTheMemberAtFault) {
  auto message = [](const std::string& text) {
    auto set = parse_jwks(text);
    return set ? std::string("(parsed)") : set.error().message;
  };
  EXPECT_TRUE(contains(message("{"), "not JSON"));
  EXPECT_TRUE(contains(message("[]"), "expected {\"keys\": [...]}"));
  EXPECT_TRUE(contains(message(R"({"keys":[]})"), "no RSA or EC P-256 signature key"));
  EXPECT_TRUE(contains(message(R"({"keys":[1]})"), "keys[0]: not an object"));
  EXPECT_TRUE(contains(message(R"({"keys":[{"n":"AQAB"}]})"), "keys[0].kty: missing"));
  EXPECT_TRUE(contains(message(R"({"keys":[{"kty":"RSA","e":"AQAB"}]})"), "keys[0].n: missing"));
  EXPECT_TRUE(contains(message(R"({"keys":[{"kty":"RSA","n":"a+b","e":"AQAB"}]})"),
                       "keys[0].n: not base64url"));
  EXPECT_TRUE(contains(message(R"({"keys":[{"kid":7,"kty":"RSA"}]})"), "keys[0].kid"));
  // 1024-bit RSA is too weak to trust.
  const std::string small_n = encode_base64url(std::string(128, '\xC5'));
  EXPECT_TRUE(contains(message(R"({"keys":[{"kty":"RSA","n":")" + small_n + R"(","e":"AQAB"}]})"),
                       "1024 bits; at least 2048"));
  // A point that is not on the curve.
  const std::string coordinate = encode_base64url(std::string(32, '\x01'));
  EXPECT_TRUE(contains(message(R"({"keys":[{"kty":"EC","crv":"P-256","x":")" + coordinate +
                               R"(","y":")" + coordinate + R"("}]})"),
                       "keys[0]: not a valid EC public key"));
  EXPECT_TRUE(contains(message(R"({"keys":[{"kty":"EC","crv":"P-256","x":"AQAB","y":"AQAB"}]})"),
                       "32 bytes each"));
  EXPECT_TRUE(contains(message(jwks_of({rsa_, rsa_})), "keys[1].kid: 'r1' names two keys"));
}

TEST_F(JwksTest, LoadsAFileAndNamesItInErrors) {
  const auto dir = std::filesystem::temp_directory_path() / "sluice-jwks-test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "jwks.json").string();
  std::ofstream(path) << jwks_of({ec_});
  auto set = load_jwks_file(path);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->keys.size(), 1u);
  std::ofstream(path) << "{}";
  auto invalid = load_jwks_file(path);
  ASSERT_FALSE(invalid);
  EXPECT_TRUE(contains(invalid.error().message, path + ": not a JWKS")) << invalid.error().message;
  auto missing = load_jwks_file(path + ".missing");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(contains(missing.error().message, "cannot be read"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::auth
