// Proxy URLs as HTTPS_PROXY and egress_proxy.url give them: the forms curl and Go accept, the
// ones that cannot work refused with the reason, credentials decoded and never shown.

#include "core/proxy_url.hpp"

#include <gtest/gtest.h>

namespace sluice::core {
namespace {

TEST(ProxyUrlTest, ParsesHostPortAndCredentials) {
  auto url = ProxyUrl::parse("http://svc-sluice:pa%40ss%3Aword@Proxy.Corp.Example:3128/");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->host, "proxy.corp.example");
  EXPECT_EQ(url->port, "3128");
  EXPECT_EQ(url->user, "svc-sluice");
  EXPECT_EQ(url->password, "pa@ss:word");
  EXPECT_EQ(url->authority(), "proxy.corp.example:3128");
}

TEST(ProxyUrlTest, WithoutSchemeIsHttpAndWithoutPortIsEighty) {
  auto bare = ProxyUrl::parse("10.1.2.3:8080");
  ASSERT_TRUE(bare.ok()) << bare.error().message;
  EXPECT_EQ(bare->host, "10.1.2.3");
  EXPECT_EQ(bare->port, "8080");
  auto no_port = ProxyUrl::parse("HTTP://proxy");
  ASSERT_TRUE(no_port.ok()) << no_port.error().message;
  EXPECT_EQ(no_port->port, "80");
  EXPECT_TRUE(no_port->user.empty());
}

TEST(ProxyUrlTest, IPv6HostsKeepBracketsOnlyInTheAuthority) {
  auto url = ProxyUrl::parse("http://[fd00::1]:3128");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->host, "fd00::1");
  EXPECT_EQ(url->authority(), "[fd00::1]:3128");
  EXPECT_EQ(host_port("::1", "443"), "[::1]:443");
  EXPECT_EQ(host_port("api.example.com", "443"), "api.example.com:443");
}

TEST(ProxyUrlTest, RefusesWhatCannotWorkAndSaysWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"https://proxy:3128", "TLS to the proxy"},
      {"socks5://proxy:1080", "SOCKS"},
      {"ftp://proxy:21", "http://"},
      {"http://proxy:3128/path", "path"},
      {"http://proxy:3128/?q=1", "query"},
      {"http://proxy:0", "port"},
      {"http://proxy:65536", "port"},
      {"http://proxy:http", "port"},
      {"http://:secret@proxy:3128", "password but no user"},
      {"http://pro xy:3128", "space"},
      {"http://proxy:3128\r\nX: y", "control"},
      {"http://user:p%zz@proxy:3128", "not a URL"},
      {"http://", "host"},
      {"", "empty"},
  };
  for (const auto& [text, why] : cases) {
    auto url = ProxyUrl::parse(text);
    ASSERT_FALSE(url.ok()) << text;
    EXPECT_NE(url.error().message.find(why), std::string::npos)
        << text << ": " << url.error().message;
  }
  EXPECT_FALSE(ProxyUrl::parse(std::string(kMaxProxyUrlBytes, 'a') + ":1").ok());
}

TEST(ProxyUrlTest, RedactedFormNeverShowsThePassword) {
  auto url = ProxyUrl::parse("http://us%20er:hunter2@proxy:3128");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->redacted(), "http://us%20er:<redacted>@proxy:3128");
  EXPECT_EQ(ProxyUrl::parse("http://user@proxy:3128")->redacted(), "http://user@proxy:3128");
  EXPECT_EQ(ProxyUrl::parse("proxy:3128")->redacted(), "http://proxy:3128");
}

TEST(ProxyUrlTest, AuthorizationIsBasicOfUserColonPassword) {
  // RFC 7617's example: Aladdin / open sesame.
  EXPECT_EQ(ProxyUrl::parse("http://Aladdin:open%20sesame@proxy:3128")->authorization(),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(ProxyUrl::parse("http://user@proxy:3128")->authorization(), "Basic dXNlcjo=");
  EXPECT_EQ(ProxyUrl::parse("http://proxy:3128")->authorization(), "");
}

}  // namespace
}  // namespace sluice::core
