#pragma once
// The URL of an HTTP egress proxy, as HTTPS_PROXY, HTTP_PROXY and the egress_proxy keys give it:
// parsed strictly, since it comes from the environment or a file, and reaches request lines.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sluice::core {

inline constexpr std::size_t kMaxProxyUrlBytes = 2048;

struct ProxyUrl {
  std::string host;  // lower case, without IPv6 brackets
  std::string port;  // explicit, or 80 (the http scheme's, as Go and Python take it; curl: 1080)
  std::string user;  // percent-decoded user info; empty = no credentials
  std::string password;

  // [http://][user[:password]@]host[:port][/]. Refused (invalid_request, the message saying
  // why): https:// (TLS to the proxy itself) and socks schemes, a path, query or fragment,
  // malformed percent-encoding, a password without a user, bytes a host name does not have,
  // port 0, more than kMaxProxyUrlBytes.
  static Result<ProxyUrl> parse(std::string_view text);

  // "host:port", with brackets around an IPv6 address: a CONNECT target and a log field.
  std::string authority() const;
  // The URL to show: http://user:<redacted>@host:port (never the password).
  std::string redacted() const;
  // "Basic base64(user:password)", the Proxy-Authorization value; empty without a user.
  std::string authorization() const;

  bool operator==(const ProxyUrl&) const = default;
};

// "host:port" with brackets around an IPv6 address host.
std::string host_port(std::string_view host, std::string_view port);

}  // namespace sluice::core
