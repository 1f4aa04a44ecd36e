#pragma once
// URLs the server fetches on a client's behalf (URL ingestion): parsed strictly, and redirects
// followed only within the same rules. The address check comes after, on the resolved addresses
// (fetch_policy.hpp): a URL that passes here may still point anywhere.

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sluice::http {

inline constexpr std::size_t kMaxFetchUrlBytes = 2048;

struct FetchUrl {
  std::string text;                            // the whole URL, without its fragment
  bool tls = false;                            // https
  std::string host;                            // lower case, without IPv6 brackets
  std::string port;                            // explicit or the scheme's default
  std::string target = "/";                    // path and query, as sent in the request line
  std::optional<boost::asio::ip::address> ip;  // when the host is an address in any notation
};

// http(s)://host[:port]/path?query with a host, at most kMaxFetchUrlBytes. Refused with
// invalid_request (param "url"): other schemes, user:password@ (it hides the real host from a
// reader), IPvFuture hosts, host names with characters DNS names do not have, port 0.
Result<FetchUrl> parse_fetch_url(std::string_view text);

inline bool is_redirect_status(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Where the redirect `location` from `from` leads, as the `redirects_so_far + 1`-th redirect.
// Refused (invalid_request, param "url"): more than `max_redirects`, no Location, a target
// parse_fetch_url refuses, and https -> http (it would send what TLS protected in the clear).
Result<FetchUrl> follow_redirect(const FetchUrl& from, std::string_view location,
                                 int redirects_so_far, int max_redirects);

// A file name for the fetched document: the URL path's last segment, percent-decoded, with
// every character outside [A-Za-z0-9._-] replaced by '_', no leading dots, at most 128 bytes;
// the host when the path has no name. Never a path: it names the document, nothing on disk.
std::string file_name_of(const FetchUrl& url);

}  // namespace sluice::http
