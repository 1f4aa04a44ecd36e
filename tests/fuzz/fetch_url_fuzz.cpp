// URLs a client asks the server to fetch, and the Location of a redirect from them. The first
// line of the input is the URL, the second the Location. A URL that parses has a host, a port in
// 1..65535 and a request target that starts with '/' and carries nothing that could end the
// request line; a redirect keeps those rules and never goes from https to http; a file name made
// from it is one safe name, never a path.

#include <charconv>

#include "fuzz_support.hpp"
#include "http/fetch_url.hpp"
#include "http/ip_class.hpp"

namespace {

using sluice::http::FetchUrl;

bool has_line_breaking_byte(std::string_view text) {
  for (unsigned char c : text)
    if (c <= 0x20 || c == 0x7f) return true;
  return false;
}

void check_url(const FetchUrl& url) {
  FUZZ_CHECK(!url.host.empty());
  FUZZ_CHECK(!has_line_breaking_byte(url.host));
  FUZZ_CHECK(url.target.starts_with('/'));
  FUZZ_CHECK(!has_line_breaking_byte(url.target));
  FUZZ_CHECK(url.text.size() <= sluice::http::kMaxFetchUrlBytes);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(url.port.data(), url.port.data() + url.port.size(), port);
  FUZZ_CHECK(ec == std::errc() && port >= 1 && port <= 65535);
  if (url.ip) (void)sluice::http::classify_ip(*url.ip);
  const std::string name = sluice::http::file_name_of(url);
  FUZZ_CHECK(name.size() <= 128);
  FUZZ_CHECK(!name.starts_with('.'));
  for (char c : name)
    FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-');
}

void check_refusal(const sluice::Error& error) {
  FUZZ_CHECK(error.code == sluice::Errc::invalid_request);
  FUZZ_CHECK(error.param == "url");
  FUZZ_CHECK(!error.message.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = sluice::fuzz::text(data, size);
  const std::size_t eol = input.find('\n');
  const std::string_view text = input.substr(0, eol);
  const std::string_view location =
      eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
  auto url = sluice::http::parse_fetch_url(text);
  if (!url) {
    check_refusal(url.error());
    return 0;
  }
  check_url(*url);
  auto next = sluice::http::follow_redirect(*url, location, 0, 5);
  if (!next) {
    check_refusal(next.error());
    return 0;
  }
  check_url(*next);
  FUZZ_CHECK(next->tls || !url->tls);
  return 0;
}
