#include "http/fetch_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <charconv>

#include "core/strings.hpp"
#include "http/ip_class.hpp"

namespace sluice::http {
namespace urls = boost::urls;

namespace {

Error refused(std::string message) {
  return make_error(Errc::invalid_request, "url: " + std::move(message), "url", "invalid_url");
}

bool is_host_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

Result<std::string> host_of(const urls::url_view& url) {
  switch (url.host_type()) {
    case urls::host_type::ipv4:
      return std::string(url.host_address());
    case urls::host_type::ipv6:
      return std::string(url.host_ipv6_address().to_string());
    case urls::host_type::name: {
      const std::string host = core::lower(url.host_name());
      if (host.empty()) return refused("the URL has no host");
      for (char c : host)
        if (!is_host_name_char(c)) return refused("the host name has characters DNS names do not");
      return host;
    }
    default:
      return refused("the URL has no host, or one in a form that cannot be fetched");
  }
}

Result<std::string> port_of(const urls::url_view& url, bool tls) {
  if (!url.has_port() || url.port().empty()) return std::string(tls ? "443" : "80");
  const std::string_view text = url.port();
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535)
    return refused("the port must be between 1 and 65535");
  return std::to_string(value);
}

char sanitized(char c) {
  const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
  return keep ? c : '_';
}

}  // namespace

Result<FetchUrl> parse_fetch_url(std::string_view text) {
  if (text.size() > kMaxFetchUrlBytes)
    return refused("may have at most " + std::to_string(kMaxFetchUrlBytes) + " bytes");
  auto parsed = urls::parse_absolute_uri(text.substr(0, text.find('#')));
  if (!parsed) return refused("not an absolute http or https URL");
  const urls::url_view& url = *parsed;
  FetchUrl out;
  if (url.scheme_id() == urls::scheme::https)
    out.tls = true;
  else if (url.scheme_id() != urls::scheme::http)
    return refused("only http and https URLs can be fetched");
  if (!url.has_authority()) return refused("the URL has no host");
  if (url.has_userinfo()) return refused("the URL must not carry a user name or password");
  auto host = host_of(url);
  if (!host) return host.error();
  out.host = std::move(*host);
  auto port = port_of(url, out.tls);
  if (!port) return port.error();
  out.port = std::move(*port);
  out.ip = parse_ip_literal(out.host);
  out.target = std::string(url.encoded_path());
  if (out.target.empty()) out.target = "/";
  if (!out.target.starts_with('/')) return refused("the port must be a number");  // "host:x/"
  if (url.has_query()) {
    out.target += '?';
    out.target += url.encoded_query();
  }
  out.text = std::string(url.buffer());
  return out;
}

Result<FetchUrl> follow_redirect(const FetchUrl& from, std::string_view location,
                                 int redirects_so_far, int max_redirects) {
  if (redirects_so_far >= max_redirects)
    return refused("more than " + std::to_string(max_redirects) +
                   " redirects (rag.url_ingest.max_redirects)");
  location = core::trim(location);
  if (location.empty()) return refused("a redirect without a Location");
  auto reference = urls::parse_uri_reference(location);
  if (!reference) return refused("a redirect to a malformed Location");
  auto base = urls::parse_absolute_uri(from.text);
  if (!base) return refused("a redirect from a malformed URL");
  urls::url resolved;
  if (!urls::resolve(*base, *reference, resolved)) return refused("a redirect that cannot resolve");
  auto next = parse_fetch_url(resolved.buffer());
  if (!next) return next.error();
  if (from.tls && !next->tls) return refused("a redirect from https to http");
  return next;
}

std::string file_name_of(const FetchUrl& url) {
  std::string_view path = std::string_view(url.target).substr(0, url.target.find('?'));
  path = path.substr(path.rfind('/') + 1);
  std::string name;
  if (auto decoded = urls::make_pct_string_view(path)) {
    for (char c : decoded->decode()) name += sanitized(c);
  }
  if (name.find_first_not_of("._") == std::string::npos) {  // nothing left of a name
    name.clear();
    for (char c : url.host) name += sanitized(c);
  }
  if (name.size() > 128) name.erase(0, name.size() - 128);  // keep the extension
  const std::size_t first = name.find_first_not_of('.');    // then no hidden-file name
  name.erase(0, first == std::string::npos ? name.size() : first);
  return name;
}

}  // namespace sluice::http
