#pragma once
// Internal to the HTTP server (pulls in Beast); also what the HTTP fuzz target drives.

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/config.hpp"
#include "http/exchange.hpp"

namespace sluice::http {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using ParsedRequest = RequestParser::value_type;

// Sets the size limits of one request: a head past max_header_bytes fails with header_limit
// (431), a body past max_body_bytes with body_limit (413).
void apply_request_limits(RequestParser& parser, const core::ServerConfig& config);

// Fills `request` from a parsed one: method, target split into path and query, headers, and the
// body (moved). The views point into `parsed`, which must outlive `request`'s use.
void view_request(ParsedRequest& parsed, Request& request);

}  // namespace sluice::http
