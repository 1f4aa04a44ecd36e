#include "http/ip_class.hpp"

#include <array>
#include <charconv>
#include <cstdint>

namespace sluice::http {
namespace ip = boost::asio::ip;

namespace {

struct V4Range {
  std::uint32_t network;
  unsigned prefix;
  IpClass kind;
};

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

// First match wins: the metadata addresses sit inside the link-local and carrier-NAT ranges.
constexpr std::array<V4Range, 18> kV4Ranges{{
    {v4(169, 254, 169, 254), 32, IpClass::cloud_metadata},
    {v4(169, 254, 170, 2), 32, IpClass::cloud_metadata},
    {v4(100, 100, 100, 200), 32, IpClass::cloud_metadata},
    {v4(0, 0, 0, 0), 8, IpClass::unspecified},
    {v4(127, 0, 0, 0), 8, IpClass::loopback},
    {v4(10, 0, 0, 0), 8, IpClass::private_range},
    {v4(172, 16, 0, 0), 12, IpClass::private_range},
    {v4(192, 168, 0, 0), 16, IpClass::private_range},
    {v4(100, 64, 0, 0), 10, IpClass::private_range},
    {v4(169, 254, 0, 0), 16, IpClass::link_local},
    {v4(224, 0, 0, 0), 4, IpClass::multicast},
    {v4(255, 255, 255, 255), 32, IpClass::multicast},  // limited broadcast
    {v4(240, 0, 0, 0), 4, IpClass::reserved},
    {v4(192, 0, 0, 0), 24, IpClass::reserved},
    {v4(192, 0, 2, 0), 24, IpClass::reserved},
    {v4(198, 18, 0, 0), 15, IpClass::reserved},
    {v4(198, 51, 100, 0), 24, IpClass::reserved},
    {v4(203, 0, 113, 0), 24, IpClass::reserved},
}};

bool in_v4_range(std::uint32_t address, std::uint32_t network, unsigned prefix) {
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (address & mask) == (network & mask);
}

IpClass classify_v4(const ip::address_v4& address) {
  const std::uint32_t value = address.to_uint();
  for (const V4Range& range : kV4Ranges)
    if (in_v4_range(value, range.network, range.prefix)) return range.kind;
  return IpClass::public_address;
}

using V6Bytes = ip::address_v6::bytes_type;

bool has_prefix(const V6Bytes& bytes, std::initializer_list<std::uint8_t> prefix) {
  std::size_t i = 0;
  for (std::uint8_t byte : prefix)
    if (bytes[i++] != byte) return false;
  return true;
}

bool all_zero(const V6Bytes& bytes, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i)
    if (bytes[i] != 0) return false;
  return true;
}

ip::address_v4 v4_at(const V6Bytes& bytes, std::size_t offset) {
  return ip::address_v4(ip::address_v4::bytes_type{bytes[offset], bytes[offset + 1],
                                                   bytes[offset + 2], bytes[offset + 3]});
}

// The IPv4 address an IPv6 one carries and is routed to, if any.
std::optional<ip::address_v4> embedded_v4(const ip::address_v6& address) {
  const V6Bytes bytes = address.to_bytes();
  if (address.is_v4_mapped()) return v4_at(bytes, 12);
  if (all_zero(bytes, 0, 12) && !all_zero(bytes, 12, 15)) return v4_at(bytes, 12);  // ::a.b.c.d
  if (has_prefix(bytes, {0x00, 0x64, 0xff, 0x9b}) && all_zero(bytes, 4, 12))        // NAT64
    return v4_at(bytes, 12);
  if (has_prefix(bytes, {0x20, 0x02})) return v4_at(bytes, 2);  // 6to4
  return std::nullopt;
}

IpClass classify_v6(const ip::address_v6& address) {
  if (address.is_unspecified()) return IpClass::unspecified;
  if (address.is_loopback()) return IpClass::loopback;
  if (auto v4 = embedded_v4(address)) return classify_v4(*v4);
  const V6Bytes bytes = address.to_bytes();
  if (address == ip::make_address_v6("fd00:ec2::254")) return IpClass::cloud_metadata;
  if ((bytes[0] & 0xfe) == 0xfc) return IpClass::private_range;                      // fc00::/7
  if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) return IpClass::link_local;     // fe80::/10
  if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0xc0) return IpClass::private_range;  // fec0::/10
  if (bytes[0] == 0xff) return IpClass::multicast;
  if (has_prefix(bytes, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01})) return IpClass::private_range;
  if (has_prefix(bytes, {0x20, 0x01, 0x0d, 0xb8})) return IpClass::reserved;  // documentation
  if (has_prefix(bytes, {0x20, 0x01, 0x00, 0x00})) return IpClass::reserved;  // Teredo
  if (has_prefix(bytes, {0x01, 0x00}) && all_zero(bytes, 2, 8))
    return IpClass::reserved;                               // discard
  if ((bytes[0] & 0xe0) != 0x20) return IpClass::reserved;  // outside 2000::/3, the global unicast
  return IpClass::public_address;
}

// One inet_aton part: decimal, octal after a leading 0, hex after 0x.
std::optional<std::uint64_t> parse_aton_part(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > 12) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// inet_aton: "a", "a.b" (b: 24 bits), "a.b.c" (c: 16 bits) or "a.b.c.d".
std::optional<ip::address_v4> parse_ipv4_aton(std::string_view host) {
  std::array<std::uint64_t, 4> parts{};
  std::size_t count = 0;
  for (;;) {
    const std::size_t dot = host.find('.');
    if (count == parts.size()) return std::nullopt;
    auto part = parse_aton_part(host.substr(0, dot));
    if (!part) return std::nullopt;
    parts[count++] = *part;
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i + 1 < count; ++i) {
    if (parts[i] > 0xff) return std::nullopt;
    value |= parts[i] << (8 * (3 - i));
  }
  const std::uint64_t last_limit = std::uint64_t{1} << (8 * (5 - count));
  if (parts[count - 1] >= last_limit) return std::nullopt;
  value |= parts[count - 1];
  return ip::address_v4(static_cast<std::uint32_t>(value));
}

}  // namespace

std::string_view to_string(IpClass kind) {
  switch (kind) {
    case IpClass::public_address:
      return "public";
    case IpClass::loopback:
      return "loopback";
    case IpClass::private_range:
      return "private";
    case IpClass::link_local:
      return "link-local";
    case IpClass::cloud_metadata:
      return "cloud metadata";
    case IpClass::unspecified:
      return "unspecified";
    case IpClass::multicast:
      return "multicast or broadcast";
    case IpClass::reserved:
      return "reserved";
  }
  return "reserved";
}

IpClass classify_ip(const ip::address& address) {
  return address.is_v4() ? classify_v4(address.to_v4()) : classify_v6(address.to_v6());
}

std::optional<ip::address> parse_ip_literal(std::string_view host) {
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  if (bracketed || host.find(':') != std::string_view::npos) {
    boost::system::error_code ec;
    // Zone ids (fe80::1%eth0) are kept: the class does not depend on them.
    const ip::address_v6 address = ip::make_address_v6(host, ec);
    if (ec) return std::nullopt;
    return ip::address(address);
  }
  if (auto address = parse_ipv4_aton(host)) return ip::address(*address);
  return std::nullopt;
}

}  // namespace sluice::http
