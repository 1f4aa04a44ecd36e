#pragma once
// Internal to the HTTP server (pulls in Beast); also what the HTTP fuzz target drives.

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/config.hpp"
#include "http/exchange.hpp"

namespace sluice::http {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using ParsedRequest = RequestParser::value_type;

// Sets the size limits known before routing: a head past max_header_bytes fails with
// header_limit (431). The body is unlimited here: its limit depends on the route, and the
// connection sets it once the head is routed (server.max_body_bytes or max_model_body_bytes).
void apply_request_limits(RequestParser& parser, const core::ServerConfig& config);

// Sets request.target, .path and .query from a request target. The absolute form
// (`http://host/path?q`, RFC 9112 section 3.2.2, which a server must accept) routes by its path;
// an authority without a path is "/".
void split_target(std::string_view target, Request& request);

// The method and target of the request line at the start of `head` (raw bytes, leading empty
// lines skipped), for a head the parser refused before reading that line; empty when `head` has
// no whole one.
struct RequestLine {
  std::string_view method;
  std::string_view target;
};
RequestLine request_line_of(std::string_view head);

// Fills `request` from a parsed one: method, target split into path and query, headers, and the
// body (moved). The views point into `parsed`, which must outlive `request`'s use.
void view_request(ParsedRequest& parsed, Request& request);
// The same from a request's head alone (a body the handler streams is not in it).
void view_request_head(const boost::beast::http::request_header<>& head, Request& request);

}  // namespace sluice::http
