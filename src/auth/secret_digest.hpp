#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::auth {

// API keys are kept only as the SHA-256 of their secret: secrets are 192 random bits, so a
// digest without salt or stretching cannot be reversed, and lookups stay one hash per request.
using Digest = std::array<unsigned char, 32>;

struct DigestHash {
  std::size_t operator()(const Digest& digest) const {
    std::size_t h;  // a cryptographic digest's first bytes are already uniform
    std::memcpy(&h, digest.data(), sizeof h);
    return h;
  }
};

// False only when the crypto library cannot hash (it never should).
bool digest_of(std::string_view secret, Digest& out);
std::string to_hex(const Digest& digest);
// False unless `hex` is 64 lowercase hex digits.
bool from_hex(std::string_view hex, Digest& out);

// A new secret for a virtual key: "sk-sluice-" and 48 hex digits from the OS's CSPRNG.
std::string new_key_secret();
// The part of a secret shown to recognize it by: its first kPrefixLength characters.
inline constexpr std::size_t kPrefixLength = 14;
std::string display_prefix(std::string_view secret);

}  // namespace sluice::auth
