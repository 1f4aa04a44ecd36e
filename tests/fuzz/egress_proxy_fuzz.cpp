// Egress proxy settings, which come from the environment (HTTPS_PROXY, NO_PROXY) or a file. The
// input's first line is a proxy URL, the second a NO_PROXY list, the third a host and the fourth
// a port to route. A parsed proxy URL has a host and a port in 1..65535 that cannot break a
// request line, credentials only as base64 and never shown, and its shown form parses back to it
// when it hides nothing; a parsed NO_PROXY list answers any host, and "*" sends every host direct.

#include <charconv>

#include "core/no_proxy.hpp"
#include "core/proxy_url.hpp"
#include "fuzz_support.hpp"

namespace {

using sluice::core::NoProxyList;
using sluice::core::ProxyUrl;

bool breaks_a_line(std::string_view text) {
  for (unsigned char c : text)
    if (c <= 0x20 || c == 0x7f) return true;
  return false;
}

void check_proxy(const ProxyUrl& url) {
  FUZZ_CHECK(!url.host.empty());
  FUZZ_CHECK(!breaks_a_line(url.host));
  FUZZ_CHECK(url.host.find_first_of("/@?#[]") == std::string::npos);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(url.port.data(), url.port.data() + url.port.size(), port);
  FUZZ_CHECK(ec == std::errc() && end == url.port.data() + url.port.size());
  FUZZ_CHECK(port >= 1 && port <= 65535);
  FUZZ_CHECK(!breaks_a_line(url.authority()));
  FUZZ_CHECK(url.user.empty() ? url.password.empty() : true);
  const std::string authorization = url.authorization();
  FUZZ_CHECK(authorization.empty() == url.user.empty());
  if (!authorization.empty()) {
    FUZZ_CHECK(authorization.starts_with("Basic "));
    for (char c : std::string_view(authorization).substr(6))
      FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/' || c == '=');
  }
  const std::string shown = url.redacted();
  FUZZ_CHECK(!breaks_a_line(shown));
  if (!url.password.empty()) {
    FUZZ_CHECK(shown.find(":<redacted>@") != std::string::npos);
  } else {
    auto again = ProxyUrl::parse(shown);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == url);
  }
}

std::string_view next_line(std::string_view& input) {
  const std::size_t eol = input.find('\n');
  const std::string_view line = input.substr(0, eol);
  input = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = sluice::fuzz::text(data, size);
  const std::string_view proxy_text = next_line(input);
  const std::string_view no_proxy_text = next_line(input);
  const std::string_view host = next_line(input);
  const std::string_view port = next_line(input);

  auto proxy = ProxyUrl::parse(proxy_text);
  if (proxy)
    check_proxy(*proxy);
  else
    FUZZ_CHECK(!proxy.error().message.empty());

  auto list = NoProxyList::parse(no_proxy_text);
  if (!list) {
    FUZZ_CHECK(!list.error().message.empty());
    return 0;
  }
  const auto entry = list->match(host, port);
  if (entry) FUZZ_CHECK(!entry->empty());
  auto star = NoProxyList::parse(std::string(no_proxy_text) + ",*");
  FUZZ_CHECK(star.ok());
  FUZZ_CHECK(star->match(host, port).has_value());
  return 0;
}
