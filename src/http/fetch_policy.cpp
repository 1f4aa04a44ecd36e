#include "http/fetch_policy.hpp"

#include <algorithm>

namespace sluice::http {

bool FetchPolicy::allows(std::string_view host, const boost::asio::ip::address& address) const {
  if (classify_ip(address) == IpClass::public_address) return true;
  if (std::ranges::find(allow_hosts, host) != allow_hosts.end()) return true;
  return std::ranges::any_of(allow_cidrs,
                             [&](const core::Cidr& cidr) { return cidr.contains(address); });
}

Result<boost::asio::ip::address> vet_addresses(const FetchPolicy& policy, std::string_view host,
                                               std::span<const boost::asio::ip::address> resolved) {
  for (const auto& address : resolved) {
    if (policy.allows(host, address)) continue;
    return make_error(Errc::invalid_request,
                      "url: " + std::string(host) + " is or resolves to a " +
                          std::string(to_string(classify_ip(address))) +
                          " address, which the server does not fetch from (the operator may "
                          "allow it with rag.url_ingest.allow_cidrs or allow_hosts)",
                      "url", "url_not_allowed");
  }
  return resolved.front();
}

}  // namespace sluice::http
