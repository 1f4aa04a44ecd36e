#pragma once
// Test keys and tokens for bearer JWT tests: fresh RSA and EC P-256 key pairs made with OpenSSL,
// their public JWKs, and tokens signed with libjwt (or hand-made, to forge what libjwt won't).

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "auth/base64url.hpp"

namespace sluice::testing {

class JwtSigner {
 public:
  static JwtSigner rsa(std::string kid) {
    return JwtSigner(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}), JWT_ALG_RS256,
                     std::move(kid));
  }
  static JwtSigner ec(std::string kid) {
    return JwtSigner(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), JWT_ALG_ES256,
                     std::move(kid));
  }

  // The public key as a JWK object, with its kid when it has one.
  std::string jwk() const {
    std::string out = "{";
    if (!kid_.empty()) out += "\"kid\":\"" + kid_ + "\",";
    if (alg_ == JWT_ALG_RS256)
      return out + "\"kty\":\"RSA\",\"use\":\"sig\",\"n\":\"" + bn_param(OSSL_PKEY_PARAM_RSA_N) +
             "\",\"e\":\"" + bn_param(OSSL_PKEY_PARAM_RSA_E) + "\"}";
    unsigned char point[65];
    std::size_t size = 0;
    EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                    &size);
    const std::string_view bytes(reinterpret_cast<const char*>(point), size);
    return out + "\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" +
           auth::encode_base64url(bytes.substr(1, 32)) + "\",\"y\":\"" +
           auth::encode_base64url(bytes.substr(33, 32)) + "\"}";
  }
  std::string public_pem() const { return pem(false); }
  const std::string& kid() const { return kid_; }

  // A token with these claims (a JSON object), signed by this key with its alg and kid.
  std::string sign(const std::string& claims) const {
    return sign_with(alg_, pem(true), kid_, claims);
  }
  // A token signed by `alg` with `key` (a PEM, or an HMAC secret); `kid` empty = none.
  static std::string sign_with(jwt_alg_t alg, const std::string& key, const std::string& kid,
                               const std::string& claims) {
    jwt_t* jwt = nullptr;
    if (jwt_new(&jwt) != 0) throw std::runtime_error("jwt_new");
    jwt_add_grants_json(jwt, claims.c_str());
    if (!kid.empty()) jwt_add_header(jwt, "kid", kid.c_str());
    jwt_set_alg(jwt, alg,
                alg == JWT_ALG_NONE ? nullptr : reinterpret_cast<const unsigned char*>(key.data()),
                alg == JWT_ALG_NONE ? 0 : static_cast<int>(key.size()));
    char* text = jwt_encode_str(jwt);
    jwt_free(jwt);
    if (text == nullptr) throw std::runtime_error("jwt_encode_str");
    std::string token(text);
    free(text);  // libjwt 1.10 allocates it with malloc
    return token;
  }

 private:
  JwtSigner(EVP_PKEY* key, jwt_alg_t alg, std::string kid)
      : key_(key, EVP_PKEY_free), alg_(alg), kid_(std::move(kid)) {
    if (key == nullptr) throw std::runtime_error("key generation failed");
  }
  std::string bn_param(const char* name) const {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key_.get(), name, &bn);
    std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(bn);
    return auth::encode_base64url(bytes);
  }
  std::string pem(bool private_key) const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (private_key)
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
    else
      PEM_write_bio_PUBKEY(bio.get(), key_.get());
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
  }

  std::shared_ptr<EVP_PKEY> key_;
  jwt_alg_t alg_;
  std::string kid_;
};

// A JWKS document holding these keys' public halves.
inline std::string jwks_of(const std::vector<const JwtSigner*>& keys) {
  std::string out = "{\"keys\":[";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += ',';
    out += keys[i]->jwk();
  }
  return out + "]}";
}

// A token assembled by hand from a header and claims (JSON) and a signature (raw bytes): for
// forgeries libjwt refuses to make.
inline std::string forged_token(const std::string& header, const std::string& claims,
                                const std::string& signature = "sig") {
  return auth::encode_base64url(header) + "." + auth::encode_base64url(claims) + "." +
         auth::encode_base64url(signature);
}

}  // namespace sluice::testing
