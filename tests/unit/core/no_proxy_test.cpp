// NO_PROXY matching, entry by entry, against what curl and Go do (no_proxy.hpp says where they
// differ and which way this goes).

#include "core/no_proxy.hpp"

#include <gtest/gtest.h>

namespace sluice::core {
namespace {

NoProxyList list(std::string_view text) {
  auto parsed = NoProxyList::parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
  return parsed.ok() ? *parsed : NoProxyList{};
}

bool direct(const NoProxyList& l, std::string_view host, std::string_view port = "443") {
  return l.match(host, port).has_value();
}

TEST(NoProxyTest, ADomainMatchesItselfAndNamesUnderIt) {
  const NoProxyList l = list("example.com");
  EXPECT_TRUE(direct(l, "example.com"));
  EXPECT_TRUE(direct(l, "api.example.com"));
  EXPECT_TRUE(direct(l, "a.b.EXAMPLE.com."));  // case and a trailing dot do not matter
  EXPECT_FALSE(direct(l, "notexample.com"));
  EXPECT_FALSE(direct(l, "example.com.evil.test"));
  EXPECT_FALSE(direct(l, "com"));
}

TEST(NoProxyTest, ALeadingDotOrStarDotMatchesTheDomainToo) {
  // curl and Python strip the dot; Go's ".y.com" would leave out y.com itself.
  for (std::string_view entry : {".example.com", "*.example.com", "example.com."}) {
    const NoProxyList l = list(entry);
    EXPECT_TRUE(direct(l, "example.com")) << entry;
    EXPECT_TRUE(direct(l, "x.example.com")) << entry;
    EXPECT_FALSE(direct(l, "xexample.com")) << entry;
  }
}

TEST(NoProxyTest, AddressesAndRangesMatchLiteralAddressesOnly) {
  const NoProxyList l = list("192.0.2.7, 10.0.0.0/8 ,fd00::/8,::1");
  EXPECT_TRUE(direct(l, "192.0.2.7"));
  EXPECT_FALSE(direct(l, "192.0.2.8"));
  EXPECT_TRUE(direct(l, "10.20.30.40"));
  EXPECT_TRUE(direct(l, "fd12::3"));
  EXPECT_TRUE(direct(l, "[::1]"));
  EXPECT_TRUE(direct(l, "::ffff:10.1.1.1"));  // v4-mapped falls in the v4 range
  EXPECT_FALSE(direct(l, "11.0.0.1"));
  // No DNS lookup: a name is not matched against address entries, whatever it resolves to.
  EXPECT_FALSE(direct(l, "ten.example"));
}

TEST(NoProxyTest, APortLimitsTheEntryToThatPort) {
  const NoProxyList l = list("internal.example:8443,[::1]:80,127.0.0.1:8080");
  EXPECT_TRUE(direct(l, "internal.example", "8443"));
  EXPECT_FALSE(direct(l, "internal.example", "443"));
  EXPECT_TRUE(direct(l, "::1", "80"));
  EXPECT_FALSE(direct(l, "::1", "443"));
  EXPECT_TRUE(direct(l, "127.0.0.1", "8080"));
  EXPECT_FALSE(direct(l, "127.0.0.1", "80"));
}

TEST(NoProxyTest, StarSendsEverythingDirect) {
  const NoProxyList l = list("example.org, *");
  EXPECT_TRUE(direct(l, "anything.test"));
  EXPECT_TRUE(direct(l, "203.0.113.9"));
}

TEST(NoProxyTest, LoopbackIsNotImplied) {
  // As curl, wget and Python: localhost goes through the proxy unless listed (Go exempts it).
  const NoProxyList none = list("");
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(direct(none, "localhost"));
  EXPECT_FALSE(direct(none, "127.0.0.1"));
  const NoProxyList listed = list("localhost,127.0.0.0/8");
  EXPECT_TRUE(direct(listed, "localhost"));
  EXPECT_TRUE(direct(listed, "127.0.0.2"));
}

TEST(NoProxyTest, TheMatchNamesTheEntry) {
  const NoProxyList l = list("a.test, .corp.example");
  EXPECT_EQ(l.match("wiki.corp.example", "443"), std::optional<std::string>(".corp.example"));
  EXPECT_EQ(l.match("b.test", "443"), std::nullopt);
}

TEST(NoProxyTest, MalformedEntriesAreRefusedByName) {
  for (std::string_view bad :
       {"10.*", "exa mple.com", "host:0", "host:99999", "host:", "[::1", "[::1]x", "[example.com]",
        "10.0.0.0/33", "a..b", ".", "*.", "<local>"}) {
    auto parsed = NoProxyList::parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message.find(std::string(bad)), std::string::npos)
        << parsed.error().message;
  }
}

TEST(NoProxyTest, SplitsOnCommasAndSkipsBlanks) {
  EXPECT_EQ(split_no_proxy(" a.test ,, b.test,\t"), (std::vector<std::string>{"a.test", "b.test"}));
  EXPECT_TRUE(split_no_proxy("").empty());
}

}  // namespace
}  // namespace sluice::core
