#include "core/cidr.hpp"

#include <gtest/gtest.h>

namespace sluice::core {
namespace {

namespace ip = boost::asio::ip;

bool contains(std::string_view cidr, std::string_view address) {
  auto parsed = Cidr::parse(cidr);
  EXPECT_TRUE(parsed) << cidr;
  return parsed && parsed->contains(ip::make_address(address));
}

TEST(Cidr, MatchesAddressesInsideTheRange) {
  EXPECT_TRUE(contains("127.0.0.0/8", "127.0.0.1"));
  EXPECT_TRUE(contains("127.0.0.0/8", "127.255.0.9"));
  EXPECT_FALSE(contains("127.0.0.0/8", "128.0.0.1"));
  EXPECT_TRUE(contains("10.20.0.0/16", "10.20.255.1"));
  EXPECT_FALSE(contains("10.20.0.0/16", "10.21.0.1"));
  EXPECT_TRUE(contains("192.168.1.7", "192.168.1.7"));
  EXPECT_FALSE(contains("192.168.1.7", "192.168.1.8"));
  EXPECT_TRUE(contains("0.0.0.0/0", "8.8.8.8"));
  EXPECT_TRUE(contains("fc00::/7", "fd00::1"));
  EXPECT_FALSE(contains("fc00::/7", "fe00::1"));
  EXPECT_TRUE(contains("fe80::/10", "febf::1"));
  EXPECT_FALSE(contains("fe80::/10", "fec0::1"));
  EXPECT_TRUE(contains("::1", "::1"));
}

TEST(Cidr, MatchesIpv4MappedAddressesAgainstIpv4Ranges) {
  EXPECT_TRUE(contains("127.0.0.0/8", "::ffff:127.0.0.1"));
  EXPECT_FALSE(contains("::1/128", "127.0.0.1"));
  EXPECT_FALSE(contains("10.0.0.0/8", "::1"));
}

TEST(Cidr, RefusesMalformedRanges) {
  for (const char* text : {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0/8", "host/8",
                           "10.0.0.0/-1", "10.0.0.0/8x"})
    EXPECT_FALSE(Cidr::parse(text)) << text;
}

}  // namespace
}  // namespace sluice::core
