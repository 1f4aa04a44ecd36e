#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/attempt_outcome.hpp"
#include "core/cancellation.hpp"
#include "core/proxy_url.hpp"
#include "core/result.hpp"

namespace sluice::http {

// Where an upstream lives, parsed once from its base URL ("https://api.openai.com/v1").
struct UpstreamEndpoint {
  bool tls = false;
  std::string host;
  std::string port;
  std::string base_path;  // without trailing slash, e.g. "/v1"
  std::string ca_file;    // PEM bundle to verify the server with; empty = the system CAs
  // An address (already resolved and checked by the caller) to connect to instead of resolving
  // `host`, which still names the server in Host, SNI and the certificate check.
  std::string connect_address;
  // An HTTP egress proxy to go through: https upstreams through a CONNECT tunnel (TLS, SNI and
  // the certificate check with `host`, end to end), http ones with absolute-form requests. Its
  // TCP connect, CONNECT answer and the TLS handshake share the connect timeout; a refusal (407,
  // any non-2xx to CONNECT, 407 to a forwarded request) fails the call as `connect`. A streamed
  // body through a forwarding proxy asks for 100 Continue and waits for it (200 ms and four round
  // trips of the proxy's TCP connect, at most a second; then it is sent anyway), so that a 407
  // takes none of it. Connections are pooled per (upstream,
  // proxy): a tunnel only ever carries requests to its upstream.
  std::optional<core::ProxyUrl> proxy;

  static Result<UpstreamEndpoint> parse(std::string_view url);
  std::string pool_key() const;
};

struct UpstreamTimeouts {
  std::chrono::milliseconds connect{5'000};
  std::chrono::milliseconds first_byte{60'000};
  std::chrono::milliseconds idle{30'000};
  std::chrono::milliseconds total{600'000};
  // The request's own deadline across attempts. Reaching a deadline the client chose is
  // `cancelled`; one the operator configured is the upstream's `timeout` (so that a hung
  // upstream still opens its circuit).
  std::chrono::steady_clock::time_point request_deadline =
      std::chrono::steady_clock::time_point::max();
  bool request_deadline_from_client = false;
  // When it fires, the exchange ends at once: its connection is closed (never pooled) and the
  // outcome is client_gone or cancelled, after the signal's reason.
  core::Cancellation* cancellation = nullptr;
};

// A request body produced piece by piece while it is sent (an upload relayed as it arrives):
// each piece is written before the next is asked for, so a slow upstream slows the producer.
class UpstreamBody {
 public:
  virtual ~UpstreamBody() = default;
  // The body's length when known (sent as Content-Length); nullopt sends it chunked.
  virtual std::optional<std::uint64_t> length() const = 0;
  // The next piece, valid until the next call; empty at the end. An error ends the exchange at
  // once (the upstream never sees a whole request), with outcome `rejected` or, when the
  // request's cancellation fired, client_gone / cancelled, and this error as the call's.
  virtual boost::asio::awaitable<Result<std::string_view>> next() = 0;
};

struct UpstreamRequest {
  std::string_view method = "POST";
  std::string target;  // path (+ query), already including the endpoint's base path
  // Header lines, each "Name: value\r\n" (Host and Content-Length are added). Providers keep
  // their fixed lines pre-rendered, so a request costs one append, not a string per header.
  std::string headers;
  std::string_view body;
  // More of the body, written right after `body` in the same gather write: a body that is the
  // client's bytes with one value replaced goes in pieces around it, not as a copy.
  std::array<std::string_view, 2> body_rest{};
  // When set, the body comes from here instead of `body`, on a new connection (a pooled one that
  // turned out dead could not be retried: the pieces already taken are gone). Each write waits
  // at most the idle timeout; the first-byte timeout starts once the body is sent.
  UpstreamBody* streamed_body = nullptr;
};

// One request/response exchange with an upstream over a pooled keep-alive connection (one pool
// per event-loop thread, so no locks). The response head is read by start(); the body is then
// read incrementally, which keeps buffering bounded when relaying a stream. A connection goes
// back to the pool only when its response was read to the end.
// Closes this thread's idle pooled connections. Call it before destroying an io_context whose
// connections this thread pooled (a client with a private event loop): the pool outlives it.
void close_pooled_connections();

class UpstreamCall {
 public:
  UpstreamCall();
  ~UpstreamCall();
  UpstreamCall(UpstreamCall&&) noexcept;
  UpstreamCall& operator=(UpstreamCall&&) noexcept;

  // Connects (or reuses a pooled connection), sends the request and reads the response head.
  // A reused connection that turns out to be dead is replaced once, transparently.
  boost::asio::awaitable<Status> start(const UpstreamEndpoint& endpoint,
                                       const UpstreamRequest& request,
                                       const UpstreamTimeouts& timeouts);
  int status() const;
  // Case-insensitive; empty when absent.
  std::string_view header(std::string_view name) const;

  // The next piece of the body; an empty string at the end. Errors carry failure().
  boost::asio::awaitable<Result<std::string_view>> read_some();
  // The same into the caller's buffer, as much as has arrived up to its size (0 at the end), for
  // large bodies relayed as they arrive (audio): fewer, larger socket reads than read_some's.
  boost::asio::awaitable<Result<std::size_t>> read_into(std::span<char> into);
  // The whole (rest of the) body, at most `limit` bytes.
  boost::asio::awaitable<Result<std::string>> read_all(std::size_t limit);

  // How the exchange failed (connect, reset, timeout, protocol, too_large, client_gone,
  // cancelled), recorded where it happened; success while it has not.
  core::AttemptOutcome outcome() const;
  // Closes the connection now (the client went away, or a stream must be abandoned).
  void abandon();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::http
