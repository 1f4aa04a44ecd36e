#include "auth/address_key.hpp"

#include <gtest/gtest.h>

namespace sluice::auth {
namespace {

TEST(AddressKeyTest, IPv4AddressesCountAloneAndMappedOnesAsThemselves) {
  EXPECT_EQ(address_key("192.0.2.1", "a:"), address_key("192.0.2.1", "a:"));
  EXPECT_NE(address_key("192.0.2.1", "a:"), address_key("192.0.2.2", "a:"));
  EXPECT_EQ(address_key("::ffff:192.0.2.1", "a:"), address_key("192.0.2.1", "a:"));
}

TEST(AddressKeyTest, IPv6AddressesCountByTheirSlash64) {
  EXPECT_EQ(address_key("2001:db8:1:2::1", "a:"), address_key("2001:db8:1:2:ffff::9", "a:"));
  EXPECT_EQ(address_key("2001:db8:1:2::1", "a:"), address_key("2001:0DB8:1:2:0:0:0:7", "a:"));
  EXPECT_NE(address_key("2001:db8:1:2::1", "a:"), address_key("2001:db8:1:3::1", "a:"));
}

TEST(AddressKeyTest, ScopesNeverShareABucket) {
  EXPECT_NE(address_key("192.0.2.1", "a:"), address_key("192.0.2.1", "b:"));
  EXPECT_NE(address_key("2001:db8::1", "a:"), address_key("2001:db8::1", "b:"));
  EXPECT_NE(address_key("not an address", "a:"), address_key("192.0.2.1", "a:"));
}

}  // namespace
}  // namespace sluice::auth
