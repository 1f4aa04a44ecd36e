#pragma once
// NO_PROXY: the hosts reached directly although an egress proxy is configured. Its syntax has
// no standard; this follows what curl and Go's net/http agree on, and where they differ:
//   *                    every host (Go: any entry; curl: only as the whole list)
//   example.com          that host and every name under it (both)
//   .example.com         the same, like curl and Python (Go: only names under it); *.example.com
//                        too (Go's spelling)
//   192.0.2.7, ::1       that address, when the URL names it literally (both; no DNS lookup)
//   10.0.0.0/8, fd00::/8 a range, likewise (both)
//   host:port, [::1]:80  only that port (Go; curl ignores ports)
// Names match case-insensitively, a trailing dot ignored. Loopback is not implied: localhost and
// 127.0.0.1 go through the proxy unless listed, as with curl, wget and Python (Go alone exempts
// them).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr.hpp"
#include "core/result.hpp"

namespace sluice::core {

class NoProxyList {
 public:
  // Every entry must be one of the forms above (surrounding blanks ignored, empty entries
  // skipped); otherwise invalid_request naming the entry.
  static Result<NoProxyList> parse(const std::vector<std::string>& entries);
  // A comma-separated list, as the NO_PROXY variable holds it.
  static Result<NoProxyList> parse(std::string_view comma_separated);

  // The entry that sends host:port direct, or nullopt. `host` is a name or an IP literal
  // (without brackets); `port` its decimal port.
  std::optional<std::string> match(std::string_view host, std::string_view port) const;

  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string text;               // as written, for messages
    bool everything = false;        // "*"
    std::string domain;             // lower case, no leading or trailing dot
    std::optional<Cidr> addresses;  // an address (full prefix) or a range
    std::string port;               // empty = any
  };
  static Result<Entry> parse_entry(std::string_view text);

  std::vector<Entry> entries_;
};

// The comma-separated items of `text`, trimmed, empty ones left out.
std::vector<std::string> split_no_proxy(std::string_view text);

}  // namespace sluice::core
