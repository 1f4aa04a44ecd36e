#include "http/fetch_url.hpp"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

TEST(FetchUrl, ParsesHostPortAndTarget) {
  auto url = parse_fetch_url("https://Docs.Example.com:8443/guide/a%20b.md?x=1#part");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "docs.example.com");
  EXPECT_EQ(url->port, "8443");
  EXPECT_EQ(url->target, "/guide/a%20b.md?x=1");
  EXPECT_EQ(url->text, "https://Docs.Example.com:8443/guide/a%20b.md?x=1");
  EXPECT_FALSE(url->ip);

  auto plain = parse_fetch_url("http://example.com");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->port, "80");
  EXPECT_EQ(plain->target, "/");
}

TEST(FetchUrl, RecognisesAddressLiteralsInEveryNotation) {
  const std::pair<const char*, const char*> cases[] = {
      {"http://127.0.0.1/", "127.0.0.1"},
      {"http://[::1]:8080/", "::1"},
      {"http://2130706433/", "127.0.0.1"},
      {"http://0x7f.1/", "127.0.0.1"},
      {"http://0177.0.0.1/", "127.0.0.1"},
      {"http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"},
      {"http://169.254.169.254/latest/", "169.254.169.254"},
  };
  for (const auto& [text, address] : cases) {
    auto url = parse_fetch_url(text);
    ASSERT_TRUE(url) << text << ": " << url.error().message;
    ASSERT_TRUE(url->ip) << text;
    EXPECT_EQ(url->ip->to_string(), address) << text;
  }
}

TEST(FetchUrl, RefusesWhatCannotBeFetchedSafely) {
  for (const char* text :
       {"ftp://example.com/a", "file:///etc/passwd", "gopher://127.0.0.1:6379/_", "example.com/a",
        "/relative", "http://user:pass@example.com/", "http://example.com@127.0.0.1/",
        "http:///path", "http://exa mple.com/", "http://ex%2Fmple.com/", "http://[v1.x]/",
        "http://example.com:0/", "http://example.com:65536/", "http://example.com:http/", ""}) {
    auto url = parse_fetch_url(text);
    EXPECT_FALSE(url) << text;
    if (!url) {
      EXPECT_EQ(url.error().code, Errc::invalid_request) << text;
      EXPECT_EQ(url.error().param, "url") << text;
    }
  }
  EXPECT_FALSE(parse_fetch_url("http://example.com/" + std::string(kMaxFetchUrlBytes, 'a')));
}

TEST(FetchUrl, FollowsRelativeAndAbsoluteRedirects) {
  auto from = parse_fetch_url("https://example.com/docs/a.md");
  ASSERT_TRUE(from);
  auto relative = follow_redirect(*from, "b.md", 0, 5);
  ASSERT_TRUE(relative) << relative.error().message;
  EXPECT_EQ(relative->text, "https://example.com/docs/b.md");
  auto rooted = follow_redirect(*from, "/other?x=1", 0, 5);
  ASSERT_TRUE(rooted);
  EXPECT_EQ(rooted->target, "/other?x=1");
  auto absolute = follow_redirect(*from, "https://cdn.example.net/a.md", 4, 5);
  ASSERT_TRUE(absolute);
  EXPECT_EQ(absolute->host, "cdn.example.net");
}

TEST(FetchUrl, RedirectPolicyRefusesTooManyDowngradesAndOtherSchemes) {
  auto from = parse_fetch_url("https://example.com/a");
  ASSERT_TRUE(from);
  auto too_many = follow_redirect(*from, "/b", 5, 5);
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("rag.url_ingest.max_redirects"), std::string::npos);
  EXPECT_FALSE(follow_redirect(*from, "/b", 0, 0));
  EXPECT_FALSE(follow_redirect(*from, "http://example.com/a", 0, 5));
  EXPECT_FALSE(follow_redirect(*from, "file:///etc/passwd", 0, 5));
  EXPECT_FALSE(follow_redirect(*from, "", 0, 5));
  EXPECT_FALSE(follow_redirect(*from, "https://user@example.com/", 0, 5));
  auto to_metadata = follow_redirect(*from, "https://169.254.169.254/latest", 0, 5);
  ASSERT_TRUE(to_metadata);  // a valid URL: the address check refuses it next
  EXPECT_EQ(to_metadata->ip->to_string(), "169.254.169.254");

  auto plain = parse_fetch_url("http://example.com/a");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(follow_redirect(*plain, "https://example.com/a", 0, 5));
}

TEST(FetchUrl, RedirectStatuses) {
  for (int status : {301, 302, 303, 307, 308}) EXPECT_TRUE(is_redirect_status(status));
  for (int status : {200, 300, 304, 305, 400}) EXPECT_FALSE(is_redirect_status(status));
}

TEST(FetchUrl, FileNameIsTheLastPathSegmentSanitized) {
  const std::pair<const char*, const char*> cases[] = {
      {"http://example.com/docs/guide.md", "guide.md"},
      {"http://example.com/docs/guide.md?download=1", "guide.md"},
      {"http://example.com/a%20b.txt", "a_b.txt"},
      {"http://example.com/..%2F..%2Fetc%2Fpasswd", "_.._etc_passwd"},
      {"http://example.com/%2e%2e", "example.com"},
      {"http://example.com/x%00y%0d%0a.html", "x_y__.html"},
      {"http://example.com/", "example.com"},
      {"http://[::1]/", "__1"},
  };
  for (const auto& [text, name] : cases) {
    auto url = parse_fetch_url(text);
    ASSERT_TRUE(url) << text;
    EXPECT_EQ(file_name_of(*url), name) << text;
  }
  auto long_name = parse_fetch_url("http://example.com/" + std::string(500, 'a') + ".pdf");
  ASSERT_TRUE(long_name);
  const std::string name = file_name_of(*long_name);
  EXPECT_EQ(name.size(), 128u);
  EXPECT_TRUE(name.ends_with(".pdf"));
}

}  // namespace
}  // namespace sluice::http
