#include "auth/address_key.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "core/fnv1a.hpp"

namespace sluice::auth {

uint64_t address_key(std::string_view address, std::string_view scope) {
  const uint64_t seed = core::fnv1a(scope);
  if (address.find(':') == std::string_view::npos) return core::fnv1a(address, seed);
  std::string text(address);
  unsigned char bytes[16];
  if (inet_pton(AF_INET6, text.c_str(), bytes) != 1) return core::fnv1a(address, seed);
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes, kMapped, sizeof kMapped) == 0) {  // ::ffff:a.b.c.d is that IPv4 host
    char v4[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, bytes + 12, v4, sizeof v4)) return core::fnv1a(v4, seed);
  }
  return core::fnv1a(std::string_view(reinterpret_cast<const char*>(bytes), 8),
                     core::fnv1a("/64", seed));
}

}  // namespace sluice::auth
