#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::auth {

// The identity a per-address limit charges for a client `address` (the TCP peer, as text),
// seeded with `scope` so that two limits never share a bucket: an IPv4 address (also written
// IPv4-mapped) counts alone; an IPv6 address counts with its whole /64, since one host is given
// a /64 and could otherwise take a fresh address for every request.
uint64_t address_key(std::string_view address, std::string_view scope);

}  // namespace sluice::auth
