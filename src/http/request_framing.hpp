#pragma once
// Internal to the HTTP server (Beast types).

#include <boost/beast/http/fields.hpp>
#include <boost/system/error_code.hpp>
#include <optional>

#include "core/error.hpp"

namespace sluice::http {

// The RFC 9112 framing rules Beast leaves to the server, checked on a request head before its
// body is read: Transfer-Encoding only on HTTP/1.1 and only ending in chunked (section 6.3),
// never together with Content-Length (section 6.1: request smuggling), and exactly one Host on
// HTTP/1.1 (at most one before; section 3.2). An Error means "answer 400 and close".
std::optional<Error> framing_error(const boost::beast::http::fields& fields, unsigned version,
                                   bool chunked);

// The same rules for a head Beast's parser refused itself, which it does for some framing faults
// depending on the order of the fields (Transfer-Encoding after Content-Length, Content-Length
// after chunked, a second chunked, a malformed or conflicting Content-Length): the same 400 and
// code, whatever the order. `seen`: the fields parsed before the refused one. nullopt when `ec`
// is no framing fault.
std::optional<Error> parser_framing_error(const boost::system::error_code& ec,
                                          const boost::beast::http::fields& seen);

}  // namespace sluice::http
