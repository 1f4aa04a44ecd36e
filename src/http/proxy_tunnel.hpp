#pragma once
// The CONNECT step (RFC 9110 section 9.3.6) between a TCP connection to an HTTP egress proxy
// and the TLS handshake with the upstream behind it. Only the upstream client includes this.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <string_view>

#include "core/proxy_url.hpp"
#include "core/result.hpp"

namespace sluice::http {

// Asks `proxy` (connected on `stream`) for a tunnel to `target` ("host:port"), with its
// credentials as Proxy-Authorization: Basic, and reads its answer, within the expiry the stream
// already has (the caller's connect timeout). Succeeds on a 2xx answer with nothing after its
// head. Errors (bad_gateway) say what the proxy did: its status and reason for a refusal (407,
// 403, 502, ...), silence until the timeout, a close, or a malformed answer.
boost::asio::awaitable<Status> open_tunnel(boost::beast::tcp_stream& stream,
                                           boost::beast::flat_buffer& buffer,
                                           const core::ProxyUrl& proxy, std::string_view target);

}  // namespace sluice::http
