#pragma once
// What an IP address is, for deciding whether the server may connect to it on a client's behalf
// (URL ingestion): loopback, private, link-local and cloud-metadata addresses reach the server's
// own network, not the public Internet.

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string_view>

#include "core/cidr.hpp"

namespace sluice::http {

enum class IpClass {
  public_address,
  loopback,        // 127/8, ::1
  private_range,   // 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier NAT), fc00::/7
  link_local,      // 169.254/16, fe80::/10
  cloud_metadata,  // 169.254.169.254, 169.254.170.2 (ECS), 100.100.100.200 (Alibaba), fd00:ec2::254
  unspecified,     // 0/8 and :: (Linux connects 0.0.0.0 to the local host)
  multicast,       // 224/4, ff00::/8, 255.255.255.255
  reserved,        // 240/4, 192.0.0/24, 198.18/15, documentation ranges, 2001:db8::/32, ...
};

std::string_view to_string(IpClass kind);

// The class of `address`. IPv6 forms that embed an IPv4 address (IPv4-mapped ::ffff:a.b.c.d,
// IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) take the embedded one's class.
IpClass classify_ip(const boost::asio::ip::address& address);

// `host` as an IP address when it is one in any form the C library's resolver accepts, so that a
// URL cannot hide a literal from the check: IPv6 (brackets optional), dotted IPv4 and the
// inet_aton forms with 1 to 4 parts, each decimal, octal (0177) or hex (0x7f): 2130706433,
// 0x7f.1, 127.1, 017700000001. Nothing for a host name.
std::optional<boost::asio::ip::address> parse_ip_literal(std::string_view host);

}  // namespace sluice::http
