// The egress_proxy section: the standard proxy variables as defaults, its checks, and each
// upstream's route once the configuration is valid.

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/config_validate.hpp"
#include "core/egress_route.hpp"
#include "core/no_proxy.hpp"

namespace sluice::core::detail {
namespace {

constexpr std::string_view kUrlKey = "egress_proxy.url";
constexpr std::string_view kNoProxyKey = "egress_proxy.no_proxy";

// The first of `names` set to a non-empty value, and that name.
std::pair<std::string, std::string> first_set(const Env& env,
                                              std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    const auto it = env.find(std::string(name));
    if (it != env.end() && !it->second.empty()) return {it->second, std::string(name)};
  }
  return {};
}

}  // namespace

void apply_proxy_environment(Config& c, const Env& env) {
  EgressProxyConfig& e = c.egress_proxy;
  if (!e.url.empty()) {
    if (e.url != "none") e.https_url = e.http_url = e.url;
    e.https_from = e.http_from = std::string(kUrlKey);
  } else {
    // Lower case first, as curl, wget, Python and Ruby read them (Go reads upper case first).
    std::tie(e.https_url, e.https_from) = first_set(env, {"https_proxy", "HTTPS_PROXY"});
    std::tie(e.http_url, e.http_from) = first_set(env, {"http_proxy", "HTTP_PROXY"});
  }
  // Empty keys leave the variables in effect, so that a printed configuration (which shows
  // them empty) loads back to the same routes.
  if (!e.no_proxy.empty()) {
    e.no_proxy_hosts = e.no_proxy;
    e.no_proxy_from = std::string(kNoProxyKey);
  } else {
    auto [value, name] = first_set(env, {"no_proxy", "NO_PROXY"});
    e.no_proxy_hosts = split_no_proxy(value);
    e.no_proxy_from = name;
  }
}

void validate_egress_proxy(const Config& c, Reporter& report) {
  const EgressProxyConfig& e = c.egress_proxy;
  // A key must spell its scheme (the variables need not, as curl and Go read them): the printed
  // configuration redacts the user info of URLs, which it recognises by their "://".
  const auto check_url = [&report](const std::string& path, const std::string& value,
                                   std::string fix, bool key) -> std::optional<ProxyUrl> {
    Result<ProxyUrl> parsed = ProxyUrl::parse(value);
    if (parsed && key && value.find("://") == std::string::npos)
      parsed = make_error(Errc::invalid_request, "has no scheme: a key's URL starts with http://");
    if (!parsed) {
      std::string message = "'";
      message += redact_proxy_text(value);
      message += "' ";
      message += parsed.error().message;
      report.add(path, std::move(message), std::move(fix));
      return std::nullopt;
    }
    return *parsed;
  };
  const std::string url_fix =
      "write http://[user[:password]@]host:port, e.g. http://proxy.corp.example:3128, or none "
      "to go direct";
  const std::string variable_fix =
      "fix the variable, or set egress_proxy.url (none ignores the variables)";
  std::optional<ProxyUrl> https, http;
  const bool from_key = e.https_from == kUrlKey;
  if (from_key) {
    if (!e.https_url.empty())
      https = http = check_url(std::string(kUrlKey), e.https_url, url_fix, true);
  } else {
    if (!e.https_url.empty()) https = check_url(e.https_from, e.https_url, variable_fix, false);
    if (!e.http_url.empty()) http = check_url(e.http_from, e.http_url, variable_fix, false);
  }

  const bool list_from_key = e.no_proxy_from == kNoProxyKey;
  for (std::size_t i = 0; i < e.no_proxy_hosts.size(); ++i) {
    auto entry = NoProxyList::parse(std::vector<std::string>{e.no_proxy_hosts[i]});
    if (entry) continue;
    report.add(list_from_key ? std::string(kNoProxyKey) + "." + std::to_string(i) : e.no_proxy_from,
               entry.error().message,
               "use host names (example.com, .example.com), IP addresses, CIDR ranges "
               "(10.0.0.0/8), an optional :port, or *");
  }

  if (!e.password.empty()) {
    if (e.https_url.empty() && e.http_url.empty())
      report.add("egress_proxy.password", "is set, but no egress proxy is",
                 "set egress_proxy.url (or HTTPS_PROXY), or remove the password");
    const auto check_user = [&](const std::optional<ProxyUrl>& proxy, const std::string& where) {
      if (!proxy) return;
      if (proxy->user.empty())
        report.add(where, "has no user name for egress_proxy.password",
                   "write the user into the URL: http://USER@host:port");
      else if (!proxy->password.empty())
        report.add("egress_proxy.password", "is set, and " + where + " carries a password too",
                   "keep one of them");
    };
    check_user(https, e.https_from);
    if (!from_key) check_user(http, e.http_from);
  }

  for (std::size_t i = 0; i < c.gateway.providers.size(); ++i) {
    const ProviderConfig& p = c.gateway.providers[i];
    if (p.egress_proxy.empty() || p.egress_proxy == "none") continue;
    check_url("gateway.providers." + std::to_string(i) + ".egress_proxy", p.egress_proxy,
              url_fix + " (for this provider alone)", true);
  }
}

void route_egress(Config& c) {
  for (std::size_t i = 0; i < c.gateway.providers.size(); ++i) {
    ProviderConfig& p = c.gateway.providers[i];
    if (p.type == "mock" || p.base_url.empty()) continue;
    p.egress = egress_route(c.egress_proxy, p.base_url, p.egress_proxy,
                            "gateway.providers." + std::to_string(i) + ".egress_proxy");
  }
  if (c.tracing.enabled()) c.tracing.egress = egress_route(c.egress_proxy, c.tracing.traces_url());
}

}  // namespace sluice::core::detail
