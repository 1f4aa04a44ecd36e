#pragma once
// A JSON Web Key Set (RFC 7517) of the public keys that sign bearer JWTs, turned into the PEM
// public keys libjwt verifies with. Only the signature keys Sluice accepts are kept: RSA (at
// least 2048 bits, for RS256) and EC P-256 (for ES256).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sluice::auth {

enum class JwkType { rsa, ec_p256 };

// The one JWS `alg` a key of this type verifies: RS256 or ES256.
std::string_view jws_alg_for(JwkType type);

struct Jwk {
  std::string kid;  // may be empty
  JwkType type = JwkType::rsa;
  std::string pem;  // SubjectPublicKeyInfo, PEM
};

struct JwkSet {
  std::vector<Jwk> keys;
  // Keys left out (encryption keys, other key types or curves), one line each, for the log.
  std::vector<std::string> skipped;

  // The key a token's `kid` names; with no kid, the only key of the set. Null when none fits.
  const Jwk* find(std::string_view kid) const;
};

// Parses a JWKS document `{"keys":[...]}`. An error names the member at fault (e.g.
// "keys[1].n: not base64url"); a set with no usable signature key is an error too.
Result<JwkSet> parse_jwks(std::string_view json);

// Reads a JWKS file's text (blocking; at most 1 MiB). Errors start with the path.
Result<std::string> read_jwks_file(const std::string& path);
// Reads and parses a JWKS file (blocking). Errors start with the path.
Result<JwkSet> load_jwks_file(const std::string& path);

}  // namespace sluice::auth
