#include "core/proxy_url.hpp"

#include <openssl/evp.h>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

#include "core/strings.hpp"

namespace sluice::core {
namespace urls = boost::urls;

namespace {

Error refused(std::string message) { return make_error(Errc::invalid_request, std::move(message)); }

bool is_host_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

Result<std::string> host_of(const urls::url_view& url) {
  switch (url.host_type()) {
    case urls::host_type::ipv4:
      return std::string(url.host_address());
    case urls::host_type::ipv6:
      return url.host_ipv6_address().to_string();
    case urls::host_type::name: {
      const std::string host = lower(url.host_name());
      if (host.empty()) return refused("has no host");
      for (char c : host)
        if (!is_host_name_char(c)) return refused("has a host name with characters DNS names lack");
      return host;
    }
    default:
      return refused("has no host, or one in a form that cannot be dialled");
  }
}

Result<std::string> port_of(const urls::url_view& url) {
  if (!url.has_port() || url.port().empty()) return std::string("80");
  const std::string_view text = url.port();
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535)
    return refused("has a port outside 1 to 65535");
  return std::to_string(value);
}

Result<std::string_view> without_scheme_check(std::string_view text) {
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return text;  // host:port means http, as curl and Go
  const std::string scheme = lower(text.substr(0, scheme_end));
  if (scheme == "http") return text;
  if (scheme == "https")
    return refused(
        "uses https://: TLS to the proxy itself is not supported; give its http:// address "
        "(https upstreams still get end-to-end TLS, inside a CONNECT tunnel)");
  if (scheme.starts_with("socks"))
    return refused("is a SOCKS proxy: only HTTP proxies are supported");
  return refused("must be an http:// URL");
}

}  // namespace

Result<ProxyUrl> ProxyUrl::parse(std::string_view text) {
  if (text.empty()) return refused("is empty");
  if (text.size() > kMaxProxyUrlBytes)
    return refused("is longer than " + std::to_string(kMaxProxyUrlBytes) + " bytes");
  for (unsigned char c : text)
    if (c <= 0x20 || c >= 0x7f) return refused("has a space, control or non-ASCII character");
  auto checked = without_scheme_check(text);
  if (!checked) return checked.error();
  const std::string full = text.find("://") == std::string_view::npos
                               ? "http://" + std::string(text)
                               : std::string(text);
  auto parsed = urls::parse_absolute_uri(full);
  if (!parsed) return refused("is not a URL of the form http://[user:password@]host:port");
  const urls::url_view& url = *parsed;
  if (!url.has_authority()) return refused("has no host");
  if (!url.encoded_path().empty() && url.encoded_path() != "/")
    return refused("has a path: a proxy URL names a host and port only");
  if (url.has_query() || url.has_fragment())
    return refused("has a query or fragment: a proxy URL names a host and port only");
  ProxyUrl out;
  auto host = host_of(url);
  if (!host) return host.error();
  out.host = std::move(*host);
  auto port = port_of(url);
  if (!port) return port.error();
  out.port = std::move(*port);
  if (url.has_userinfo()) {
    out.user = url.user();
    if (url.has_password()) out.password = url.password();
    if (out.user.empty() && !out.password.empty())
      return refused("has a password but no user name");
  }
  return out;
}

std::string host_port(std::string_view host, std::string_view port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  std::string out;
  out.reserve(host.size() + port.size() + 3);
  if (v6) out += '[';
  out += host;
  if (v6) out += ']';
  out += ':';
  out += port;
  return out;
}

std::string ProxyUrl::authority() const { return host_port(host, port); }

std::string ProxyUrl::redacted() const {
  std::string out = "http://";
  if (!user.empty()) {
    // Re-encoded so that the shown URL parses back to the same user.
    constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char c : user) {
      const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                              c == '~';
      if (unreserved) {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    if (!password.empty()) out += ":<redacted>";
    out += '@';
  }
  return out + authority();
}

std::string ProxyUrl::authorization() const {
  if (user.empty()) return {};
  const std::string credentials = user + ":" + password;
  std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(credentials.data()),
                                     static_cast<int>(credentials.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return "Basic " + encoded;
}

}  // namespace sluice::core
