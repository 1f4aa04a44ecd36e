#pragma once
// Which egress proxy, if any, an outbound call goes through. Decided once per upstream when the
// configuration loads (every upstream's URL is known then), so that a request never parses
// proxy settings and `sluice check` can show each decision.

#include <string>
#include <string_view>

#include "core/config.hpp"

namespace sluice::core {

// EgressRoute::decided_by when no proxy setting exists for the URL's scheme.
inline constexpr std::string_view kNoEgressProxy = "no egress proxy is set";

// The route to the upstream at `url` (http:// or https://). Precedence: `override_url` (a
// provider's own egress_proxy: a proxy URL, or "none" for direct; named `override_key` in
// decided_by), then the proxy for the URL's scheme in `settings` unless a no_proxy entry
// matches its host and port. The settings' password, if any, goes with their proxy only.
// Expects validated settings: a value that does not parse routes direct.
EgressRoute egress_route(const EgressProxyConfig& settings, std::string_view url,
                         std::string_view override_url = {}, std::string_view override_key = {});

// `text` with everything between its scheme and the last '@' replaced by "<redacted>": a proxy
// setting shown in an error, whether or not it parses.
std::string redact_proxy_text(std::string_view text);

}  // namespace sluice::core
