#include "core/egress_route.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "core/no_proxy.hpp"

namespace sluice::core {
namespace urls = boost::urls;

namespace {

struct Target {
  bool tls = false;
  std::string host;
  std::string port;
};

std::optional<Target> target_of(std::string_view url) {
  auto parsed = urls::parse_absolute_uri(url);
  if (!parsed || !parsed->has_authority()) return std::nullopt;
  Target target;
  if (parsed->scheme_id() == urls::scheme::https)
    target.tls = true;
  else if (parsed->scheme_id() != urls::scheme::http)
    return std::nullopt;
  target.host = parsed->host_type() == urls::host_type::ipv6
                    ? parsed->host_ipv6_address().to_string()
                    : std::string(parsed->encoded_host());
  target.port = parsed->port().empty() ? (target.tls ? "443" : "80") : std::string(parsed->port());
  return target;
}

}  // namespace

EgressRoute egress_route(const EgressProxyConfig& settings, std::string_view url,
                         std::string_view override_url, std::string_view override_key) {
  if (!override_url.empty()) {
    if (override_url == "none") return {std::nullopt, std::string(override_key) + ": none"};
    auto proxy = ProxyUrl::parse(override_url);
    if (!proxy) return {std::nullopt, std::string(override_key) + " does not parse"};
    return {std::move(*proxy), std::string(override_key)};
  }
  const auto target = target_of(url);
  if (!target) return {std::nullopt, "not an http(s) URL"};
  const std::string& chosen = target->tls ? settings.https_url : settings.http_url;
  const std::string& from = target->tls ? settings.https_from : settings.http_from;
  if (chosen.empty())
    return {std::nullopt, from.empty() ? std::string(kNoEgressProxy) : from + ": none"};
  if (auto no_proxy = NoProxyList::parse(settings.no_proxy_hosts); no_proxy)
    if (auto entry = no_proxy->match(target->host, target->port))
      return {std::nullopt, settings.no_proxy_from + " entry " + *entry};
  auto proxy = ProxyUrl::parse(chosen);
  if (!proxy) return {std::nullopt, from + " does not parse"};
  if (!settings.password.empty()) proxy->password = settings.password;
  return {std::move(*proxy), from};
}

std::string redact_proxy_text(std::string_view text) {
  const std::size_t at = text.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  const std::size_t scheme = text.find("://");
  const std::size_t start = scheme == std::string_view::npos || scheme > at ? 0 : scheme + 3;
  return std::string(text.substr(0, start)) + "<redacted>" + std::string(text.substr(at));
}

}  // namespace sluice::core
