#include "http/ip_class.hpp"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

namespace ip = boost::asio::ip;

IpClass class_of(std::string_view literal) {
  auto address = parse_ip_literal(literal);
  EXPECT_TRUE(address) << literal;
  return address ? classify_ip(*address) : IpClass::public_address;
}

TEST(IpClass, ClassifiesIpv4Ranges) {
  const std::pair<const char*, IpClass> cases[] = {
      {"127.0.0.1", IpClass::loopback},
      {"127.255.255.254", IpClass::loopback},
      {"10.0.0.1", IpClass::private_range},
      {"10.255.255.255", IpClass::private_range},
      {"172.16.0.1", IpClass::private_range},
      {"172.31.255.255", IpClass::private_range},
      {"192.168.1.1", IpClass::private_range},
      {"100.64.0.1", IpClass::private_range},
      {"169.254.1.1", IpClass::link_local},
      {"169.254.169.254", IpClass::cloud_metadata},
      {"169.254.170.2", IpClass::cloud_metadata},
      {"100.100.100.200", IpClass::cloud_metadata},
      {"0.0.0.0", IpClass::unspecified},
      {"0.1.2.3", IpClass::unspecified},
      {"224.0.0.1", IpClass::multicast},
      {"255.255.255.255", IpClass::multicast},
      {"240.0.0.1", IpClass::reserved},
      {"192.0.2.10", IpClass::reserved},
      {"198.18.0.1", IpClass::reserved},
      {"8.8.8.8", IpClass::public_address},
      {"172.15.255.255", IpClass::public_address},
      {"172.32.0.0", IpClass::public_address},
      {"93.184.216.34", IpClass::public_address},
  };
  for (const auto& [literal, expected] : cases)
    EXPECT_EQ(class_of(literal), expected) << literal << " is " << to_string(class_of(literal));
}

TEST(IpClass, ClassifiesIpv6RangesAndEmbeddedIpv4) {
  const std::pair<const char*, IpClass> cases[] = {
      {"::1", IpClass::loopback},
      {"[::1]", IpClass::loopback},
      {"::", IpClass::unspecified},
      {"fc00::1", IpClass::private_range},
      {"fd12:3456::1", IpClass::private_range},
      {"fe80::1", IpClass::link_local},
      {"febf::1", IpClass::link_local},
      {"fd00:ec2::254", IpClass::cloud_metadata},
      {"ff02::1", IpClass::multicast},
      {"::ffff:127.0.0.1", IpClass::loopback},
      {"::ffff:7f00:1", IpClass::loopback},
      {"::ffff:169.254.169.254", IpClass::cloud_metadata},
      {"::ffff:10.1.2.3", IpClass::private_range},
      {"::127.0.0.1", IpClass::loopback},
      {"64:ff9b::a9fe:a9fe", IpClass::cloud_metadata},  // NAT64 of 169.254.169.254
      {"2002:7f00:1::", IpClass::loopback},             // 6to4 of 127.0.0.1
      {"2001:db8::1", IpClass::reserved},
      {"2001:4860:4860::8888", IpClass::public_address},
      {"::ffff:8.8.8.8", IpClass::public_address},
  };
  for (const auto& [literal, expected] : cases)
    EXPECT_EQ(class_of(literal), expected) << literal << " is " << to_string(class_of(literal));
}

TEST(IpClass, ParsesEveryIpv4NotationTheResolverAccepts) {
  const std::pair<const char*, const char*> cases[] = {
      {"2130706433", "127.0.0.1"},       {"0x7f000001", "127.0.0.1"},
      {"0x7f.1", "127.0.0.1"},           {"127.1", "127.0.0.1"},
      {"0177.0.0.1", "127.0.0.1"},       {"017700000001", "127.0.0.1"},
      {"0x7F.0.0.0x1", "127.0.0.1"},     {"127.0.1", "127.0.0.1"},
      {"10.0x10.1", "10.16.0.1"},        {"0xa9.0376.43518", "169.254.169.254"},
      {"2852039166", "169.254.169.254"}, {"0", "0.0.0.0"},
  };
  for (const auto& [literal, expected] : cases) {
    auto address = parse_ip_literal(literal);
    ASSERT_TRUE(address) << literal;
    EXPECT_EQ(address->to_string(), expected) << literal;
  }
}

TEST(IpClass, LeavesHostNamesAndMalformedNumbersToTheResolver) {
  for (const char* host : {"example.com", "localhost", "256.0.0.1", "1.2.3.4.5", "4294967296", "0x",
                           "08.0.0.1", "1..2", "", "127.0.0.1.", "abc", "::g", "[::1"})
    EXPECT_FALSE(parse_ip_literal(host)) << host;
}

}  // namespace
}  // namespace sluice::http
