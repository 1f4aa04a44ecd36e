#pragma once
// Which addresses the server may connect to when it fetches a URL on a client's behalf: public
// ones, and others only when the operator allowed them, so that a client cannot make the server
// reach its own loopback, private network or cloud metadata service (SSRF).

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "http/ip_class.hpp"

namespace sluice::http {

struct FetchPolicy {
  std::vector<core::Cidr> allow_cidrs;        // any address in these ranges may be reached
  std::vector<std::string> allow_hosts;       // these names (lower case) may resolve to any address
  std::size_t max_bytes = 0;                  // of a response body
  std::chrono::milliseconds timeout{30'000};  // the whole fetch, redirects included
  int max_redirects = 5;

  bool allows(std::string_view host, const boost::asio::ip::address& address) const;
};

// The address to connect to for `host`: the first of `resolved` when the policy allows every one
// of them (a name that resolves to a public and a private address is refused: which one a
// connection would reach is the resolver's choice). Refused with invalid_request naming the
// class of address, never the address itself (that would map the private network for the
// client). `resolved` must not be empty.
Result<boost::asio::ip::address> vet_addresses(const FetchPolicy& policy, std::string_view host,
                                               std::span<const boost::asio::ip::address> resolved);

}  // namespace sluice::http
