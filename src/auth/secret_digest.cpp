#include "auth/secret_digest.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace sluice::auth {

bool digest_of(std::string_view secret, Digest& out) {
  // Fetched once: EVP_sha256() makes every EVP_Digest look the implementation up again, under
  // the library's locks, which cost more than hashing a key.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned int size = 0;
  return sha256 != nullptr &&
         EVP_Digest(secret.data(), secret.size(), out.data(), &size, sha256, nullptr) == 1 &&
         size == out.size();
}

std::string to_hex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  return hex;
}

bool from_hex(std::string_view hex, Digest& out) {
  if (hex.size() != out.size() * 2) return false;
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = nibble(hex[2 * i]), low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return true;
}

std::string new_key_secret() {
  Digest random{};
  constexpr int kRandomBytes = 24;
  if (RAND_bytes(random.data(), kRandomBytes) != 1)
    throw std::runtime_error("the random number generator failed");
  return "sk-sluice-" + to_hex(random).substr(0, kRandomBytes * 2);
}

std::string display_prefix(std::string_view secret) {
  return std::string(secret.substr(0, kPrefixLength));
}

}  // namespace sluice::auth
