#include "http/fetch_policy.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::http {
namespace {

namespace ip = boost::asio::ip;

std::vector<ip::address> addresses(std::initializer_list<const char*> texts) {
  std::vector<ip::address> out;
  for (const char* text : texts) out.push_back(ip::make_address(text));
  return out;
}

TEST(FetchPolicy, AllowsPublicAddressesAndRefusesTheRestByDefault) {
  const FetchPolicy policy;
  auto public_one = vet_addresses(policy, "example.com", addresses({"93.184.216.34"}));
  ASSERT_TRUE(public_one);
  EXPECT_EQ(public_one->to_string(), "93.184.216.34");
  for (const char* denied :
       {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254", "::1", "fc00::1",
        "fe80::1", "::ffff:127.0.0.1", "0.0.0.0", "::"}) {
    auto vetted = vet_addresses(policy, "example.com", addresses({denied}));
    ASSERT_FALSE(vetted) << denied;
    EXPECT_EQ(vetted.error().code, Errc::invalid_request);
    EXPECT_EQ(vetted.error().param, "url");
    EXPECT_EQ(vetted.error().code_detail, "url_not_allowed");
    EXPECT_EQ(vetted.error().message.find(denied), std::string::npos)
        << "the message must not reveal the address: " << vetted.error().message;
  }
}

TEST(FetchPolicy, RefusesANameWhenAnyOfItsAddressesIsDenied) {
  const FetchPolicy policy;
  auto mixed = vet_addresses(policy, "rebind.example", addresses({"93.184.216.34", "127.0.0.1"}));
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.error().message.find("loopback"), std::string::npos);
}

TEST(FetchPolicy, AllowListedRangesAndHostsAreFetched) {
  FetchPolicy policy;
  policy.allow_cidrs.push_back(*core::Cidr::parse("127.0.0.0/8"));
  policy.allow_hosts.push_back("wiki.internal");
  EXPECT_TRUE(vet_addresses(policy, "localhost", addresses({"127.0.0.1"})));
  EXPECT_TRUE(vet_addresses(policy, "x", addresses({"::ffff:127.0.0.2"})));
  EXPECT_FALSE(vet_addresses(policy, "localhost", addresses({"127.0.0.1", "::1"})));
  EXPECT_FALSE(vet_addresses(policy, "x", addresses({"10.0.0.1"})));
  EXPECT_TRUE(vet_addresses(policy, "wiki.internal", addresses({"10.0.0.1", "fd00::2"})));
  EXPECT_FALSE(vet_addresses(policy, "other.internal", addresses({"10.0.0.1"})));
}

}  // namespace
}  // namespace sluice::http
