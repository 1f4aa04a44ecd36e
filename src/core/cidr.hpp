#pragma once

#include <boost/asio/ip/address.hpp>
#include <string_view>

#include "core/result.hpp"

namespace sluice::core {

// An address range "10.0.0.0/8", "fc00::/7" or one address ("127.0.0.1" = /32).
struct Cidr {
  boost::asio::ip::address network;
  unsigned prefix = 0;

  // invalid_request naming what is wrong.
  static Result<Cidr> parse(std::string_view text);
  // IPv4-mapped IPv6 addresses match IPv4 ranges.
  bool contains(const boost::asio::ip::address& address) const;
};

}  // namespace sluice::core
