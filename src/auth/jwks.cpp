#include "auth/jwks.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>

#include "auth/base64url.hpp"

namespace sluice::auth {
namespace {

// Weaker RSA keys can be factored; NIST retired them in 2013.
constexpr int kMinRsaBits = 2048;
constexpr std::size_t kP256CoordinateBytes = 32;
// A JWKS of a few keys is a few KiB; a larger file is not one.
constexpr std::streamsize kMaxJwksBytes = 1 << 20;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, PkeyFree>;

Error jwks_error(std::string message) { return make_error(Errc::invalid_request, message); }

// The member `name` of `key` as decoded base64url bytes, or an error naming it.
Result<std::string> binary_member(const boost::json::object& key, std::string_view name,
                                  const std::string& where) {
  const boost::json::value* member = key.if_contains(name);
  if (member == nullptr || !member->is_string())
    return jwks_error(where + "." + std::string(name) + ": missing (a base64url string)");
  std::optional<std::string> bytes = decode_base64url(member->get_string());
  if (!bytes || bytes->empty())
    return jwks_error(where + "." + std::string(name) + ": not base64url");
  return std::move(*bytes);
}

Result<std::string> pem_of(EVP_PKEY* pkey, const std::string& where) {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey) != 1)
    return jwks_error(where + ": cannot encode the public key");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// Builds a public key of `type_name` ("RSA", "EC") from `params`, checked by OpenSSL.
Result<Owned<EVP_PKEY>> public_key(const char* type_name, OSSL_PARAM_BLD* builder,
                                   const std::string& where) {
  Owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(builder));
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type_name, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return jwks_error(where + ": not a valid " + type_name + " public key");
  Owned<EVP_PKEY> pkey(raw);
  Owned<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1)
    return jwks_error(where + ": not a valid " + type_name + " public key");
  return pkey;
}

Result<std::string> rsa_pem(const boost::json::object& key, const std::string& where) {
  auto n = binary_member(key, "n", where);
  if (!n) return n.error();
  auto e = binary_member(key, "e", where);
  if (!e) return e.error();
  Owned<BIGNUM> modulus(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                                  static_cast<int>(n->size()), nullptr));
  Owned<BIGNUM> exponent(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                                   static_cast<int>(e->size()), nullptr));
  if (!modulus || !exponent) return jwks_error(where + ": out of memory");
  if (BN_num_bits(modulus.get()) < kMinRsaBits)
    return jwks_error(where + ".n: an RSA key of " + std::to_string(BN_num_bits(modulus.get())) +
                      " bits; at least " + std::to_string(kMinRsaBits) + " are required");
  Owned<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1)
    return jwks_error(where + ": out of memory");
  auto pkey = public_key("RSA", builder.get(), where);
  if (!pkey) return pkey.error();
  return pem_of(pkey->get(), where);
}

Result<std::string> ec_p256_pem(const boost::json::object& key, const std::string& where) {
  auto x = binary_member(key, "x", where);
  if (!x) return x.error();
  auto y = binary_member(key, "y", where);
  if (!y) return y.error();
  if (x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes)
    return jwks_error(where + ": x and y of a P-256 key are 32 bytes each");
  // SEC1 uncompressed point: 0x04 || x || y.
  std::string point = "\x04" + *x + *y;
  Owned<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1)
    return jwks_error(where + ": out of memory");
  auto pkey = public_key("EC", builder.get(), where);
  if (!pkey) return pkey.error();
  return pem_of(pkey->get(), where);
}

std::string_view string_member(const boost::json::object& key, std::string_view name) {
  const boost::json::value* member = key.if_contains(name);
  return member != nullptr && member->is_string() ? std::string_view(member->get_string())
                                                  : std::string_view();
}

// Adds keys[index] to `set`, skips it (noted in set.skipped), or fails naming the member.
Status add_key(const boost::json::value& value, std::size_t index, JwkSet& set) {
  const std::string where = "keys[" + std::to_string(index) + "]";
  if (!value.is_object()) return jwks_error(where + ": not an object");
  const boost::json::object& key = value.get_object();
  const boost::json::value* kid = key.if_contains("kid");
  if (kid != nullptr && !kid->is_string()) return jwks_error(where + ".kid: not a string");
  const std::string_view kty = string_member(key, "kty");
  const std::string_view use = string_member(key, "use");
  const std::string_view alg = string_member(key, "alg");
  if (!use.empty() && use != "sig") {
    set.skipped.push_back(where + ": use '" + std::string(use) + "' is not for signatures");
    return Status::success();
  }
  Jwk jwk;
  if (kid != nullptr) jwk.kid = std::string(kid->get_string());
  if (kty == "RSA") {
    jwk.type = JwkType::rsa;
  } else if (kty == "EC" && string_member(key, "crv") == "P-256") {
    jwk.type = JwkType::ec_p256;
  } else if (kty.empty()) {
    return jwks_error(where + ".kty: missing");
  } else {
    set.skipped.push_back(where + ": key type '" + std::string(kty) + "' " +
                          std::string(string_member(key, "crv")) + " is not supported");
    return Status::success();
  }
  if (!alg.empty() && alg != jws_alg_for(jwk.type)) {
    set.skipped.push_back(where + ": alg '" + std::string(alg) + "' is not supported");
    return Status::success();
  }
  for (const Jwk& other : set.keys)
    if (other.kid == jwk.kid) return jwks_error(where + ".kid: '" + jwk.kid + "' names two keys");
  auto pem = jwk.type == JwkType::rsa ? rsa_pem(key, where) : ec_p256_pem(key, where);
  if (!pem) return pem.error();
  jwk.pem = std::move(*pem);
  set.keys.push_back(std::move(jwk));
  return Status::success();
}

}  // namespace

std::string_view jws_alg_for(JwkType type) { return type == JwkType::rsa ? "RS256" : "ES256"; }

const Jwk* JwkSet::find(std::string_view kid) const {
  if (kid.empty()) return keys.size() == 1 ? &keys.front() : nullptr;
  for (const Jwk& key : keys)
    if (key.kid == kid) return &key;
  return nullptr;
}

Result<JwkSet> parse_jwks(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value document = boost::json::parse(json, ec);
  if (ec) return jwks_error("not JSON: " + ec.message());
  const boost::json::value* keys =
      document.is_object() ? document.get_object().if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array())
    return jwks_error("not a JWKS: expected {\"keys\": [...]}");
  JwkSet set;
  for (std::size_t i = 0; i < keys->get_array().size(); ++i)
    if (Status added = add_key(keys->get_array()[i], i, set); !added) return added.error();
  if (set.keys.empty())
    return jwks_error("no RSA or EC P-256 signature key" +
                      (set.skipped.empty() ? std::string() : " (" + set.skipped.front() + ")"));
  return set;
}

Result<std::string> read_jwks_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return jwks_error(path + ": cannot be read");
  std::string text(kMaxJwksBytes + 1, '\0');
  file.read(text.data(), kMaxJwksBytes + 1);
  if (file.bad()) return jwks_error(path + ": cannot be read");
  if (file.gcount() > kMaxJwksBytes) return jwks_error(path + ": larger than 1 MiB");
  text.resize(static_cast<std::size_t>(file.gcount()));
  return text;
}

Result<JwkSet> load_jwks_file(const std::string& path) {
  auto text = read_jwks_file(path);
  if (!text) return text.error();
  auto set = parse_jwks(*text);
  if (!set) return jwks_error(path + ": " + set.error().message);
  return set;
}

}  // namespace sluice::auth
