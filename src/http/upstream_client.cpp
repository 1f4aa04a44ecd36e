#include "http/upstream_client.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <charconv>
#include <map>
#include <mutex>
#include <span>
#include <unordered_map>

#include "core/fnv1a.hpp"
#include "core/strings.hpp"
#include "http/proxy_tunnel.hpp"

namespace sluice::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxIdlePerEndpoint = 64;
constexpr std::chrono::seconds kMaxIdleTime{30};  // below common upstream keep-alive timeouts
constexpr std::size_t kReadChunk = 2 * 1024;      // per pooled connection: open streams cost memory
constexpr std::uint32_t kMaxResponseHead = 64 * 1024;
// Beast parses a chunk-size line (with its extensions) or the trailer section only once it is
// whole, so the read buffer is their only bound: this much beyond a head, then a protocol error.
constexpr std::size_t kMaxReadBuffer = kMaxResponseHead + 64 * 1024;
// How long a streamed body waits for 100 Continue before it is sent anyway (RFC 9110 10.1.1
// lets a client stop waiting). What it waits for is a proxy's own refusal, one round trip after
// the head: a few round trips (measured by the TCP connect) and a margin for the proxy's work,
// at most a second (curl's wait). A proxy that does not relay 100 Continue (tinyproxy reads the
// whole body before the upstream's answer) costs each upload through it this much.
constexpr std::chrono::milliseconds kContinueMargin{200};
constexpr int kContinueRoundTrips = 4;
constexpr std::chrono::seconds kMaxContinueWait{1};

// One TLS client context per trust source (system CAs, or a provider's ca_file), made on first
// use and shared by every connection and thread (OpenSSL contexts are safe to share once set up).
Result<asio::ssl::context*> tls_context(const std::string& ca_file) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<asio::ssl::context>> contexts;
  std::lock_guard lock(mutex);
  auto& slot = contexts[ca_file];
  if (!slot) {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    if (ca_file.empty())
      context->set_default_verify_paths(ec);
    else
      context->load_verify_file(ca_file, ec);
    if (ec) {
      contexts.erase(ca_file);
      return make_error(Errc::bad_gateway,
                        "cannot load CA certificates" +
                            (ca_file.empty() ? std::string() : " from " + ca_file) + ": " +
                            ec.message());
    }
    context->set_verify_mode(asio::ssl::verify_peer);
    slot = std::move(context);
  }
  return slot.get();
}

// A keep-alive connection to one upstream, plain or TLS.
struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer{kMaxReadBuffer};
  Clock::time_point idle_since;
  // Reused by every request on this connection: no per-request buffer allocations.
  std::string head;
  std::unique_ptr<char[]> chunk{new char[kReadChunk]};

  beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // Calls `operation` with whichever stream this connection has, so each I/O call is written
  // once. Both instantiations must return the same type (an awaitable of the same result).
  template <typename Operation>
  auto on_stream(Operation&& operation) {
    return secure ? operation(*secure) : operation(*plain);
  }
};

struct Pool {
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
};

Pool& thread_pool() {
  thread_local Pool pool;
  return pool;
}

std::unique_ptr<Connection> take_pooled(const std::string& key) {
  auto& pool = thread_pool();
  auto it = pool.idle.find(key);
  if (it == pool.idle.end()) return nullptr;
  auto& list = it->second;
  while (!list.empty()) {
    auto connection = std::move(list.back());
    list.pop_back();
    if (Clock::now() - connection->idle_since < kMaxIdleTime &&
        connection->tcp().socket().is_open())
      return connection;
  }
  return nullptr;
}

}  // namespace

void close_pooled_connections() { thread_pool().idle.clear(); }

namespace {

void give_back(const std::string& key, std::unique_ptr<Connection> connection) {
  auto& list = thread_pool().idle[key];
  if (list.size() >= kMaxIdlePerEndpoint) return;  // enough spares: let this one close
  connection->idle_since = Clock::now();
  list.push_back(std::move(connection));
}

// The peer closed or reset the connection (a pooled one may have died while idle).
bool connection_lost(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

// The upstream sent something that is not HTTP, or more than the read buffer holds.
bool malformed(const boost::system::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// "host[:port]" as the Host header and an absolute-form target name the upstream: the port only
// when it is not the scheme's, brackets around an IPv6 address.
void append_authority(std::string& out, const UpstreamEndpoint& endpoint) {
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  if (v6) out += '[';
  out += endpoint.host;
  if (v6) out += ']';
  const bool default_port =
      (endpoint.tls && endpoint.port == "443") || (!endpoint.tls && endpoint.port == "80");
  if (!default_port) {
    out += ':';
    out += endpoint.port;
  }
}

// Through a proxy, a plain-http request names its upstream in the request line (absolute form,
// RFC 9112 section 3.2.2) and carries the proxy's credentials; a tunnelled one is unchanged.
bool forwarded_by_proxy(const UpstreamEndpoint& endpoint) {
  return endpoint.proxy && !endpoint.tls;
}

// A streamed body can be sent once: through a forwarding proxy, whose refusal (a 407) comes only
// after the request's head, the body waits for 100 Continue, so that a refusal takes none of it
// and another deployment can still have it. (A tunnel is refused before any request is sent.)
bool waits_for_continue(const UpstreamEndpoint& endpoint, const UpstreamRequest& request) {
  return request.streamed_body && forwarded_by_proxy(endpoint);
}

void serialize_head(std::string& head, const UpstreamEndpoint& endpoint,
                    const UpstreamRequest& request) {
  head.clear();
  head += request.method;
  head += ' ';
  if (forwarded_by_proxy(endpoint)) {
    head += "http://";
    append_authority(head, endpoint);
  }
  head += request.target;
  head += " HTTP/1.1\r\nHost: ";
  append_authority(head, endpoint);
  head += "\r\n";
  if (forwarded_by_proxy(endpoint)) {
    if (const std::string credentials = endpoint.proxy->authorization(); !credentials.empty()) {
      head += "Proxy-Authorization: ";
      head += credentials;
      head += "\r\n";
    }
  }
  if (request.streamed_body) {
    const auto length = request.streamed_body->length();
    head += length ? "Content-Length: " + std::to_string(*length) + "\r\n"
                   : std::string("Transfer-Encoding: chunked\r\n");
    if (waits_for_continue(endpoint, request)) head += "Expect: 100-continue\r\n";
  } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    head += "Content-Length: ";
    head += std::to_string(request.body.size() + request.body_rest[0].size() +
                           request.body_rest[1].size());
    head += "\r\n";
  }
  head += request.headers;
  head += "\r\n";
}

}  // namespace

Result<UpstreamEndpoint> UpstreamEndpoint::parse(std::string_view url) {
  UpstreamEndpoint endpoint;
  if (url.starts_with("https://")) {
    endpoint.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return make_error(Errc::invalid_request, "upstream URL must start with http:// or https://");
  }
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : url.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  endpoint.base_path = std::string(path);
  if (!authority.empty() && authority.front() == '[') {  // [v6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return make_error(Errc::invalid_request, "bad IPv6 host");
    endpoint.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    endpoint.port = authority.starts_with(":") ? std::string(authority.substr(1)) : "";
  } else {
    const auto colon = authority.rfind(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) endpoint.port = std::string(authority.substr(colon + 1));
  }
  if (endpoint.port.empty()) endpoint.port = endpoint.tls ? "443" : "80";
  if (endpoint.host.empty()) return make_error(Errc::invalid_request, "upstream URL has no host");
  return endpoint;
}

std::string UpstreamEndpoint::pool_key() const {
  std::string key = (tls ? "https://" : "http://") + host + ":" + port +
                    (ca_file.empty() ? "" : "|" + ca_file) +
                    (connect_address.empty() ? "" : "@" + connect_address);
  // Per proxy and per identity on it: a tunnel a proxy opened for one user is not another's.
  if (proxy)
    key += "|via " + proxy->authority() + "#" +
           std::to_string(core::fnv1a(proxy->user + ":" + proxy->password));
  return key;
}

struct UpstreamCall::Impl {
  std::string pool_key;
  std::unique_ptr<Connection> connection;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser;
  UpstreamTimeouts timeouts;
  Clock::time_point deadline;          // of this exchange: the total timeout or the request's
  Clock::time_point request_deadline;  // of the request across attempts
  core::AttemptOutcome outcome = core::AttemptOutcome::success;
  core::Cancellation* cancellation = nullptr;
  core::Cancellation::Subscription on_cancel;
  bool finished = false;
  bool body_cut = false;  // a streamed body was not sent whole: the connection is not reusable
  Clock::duration connect_time{0};  // of the TCP connect: a round trip to the peer (or proxy)

  // The per-operation timeout, never past the whole exchange's deadline.
  void arm(std::chrono::milliseconds op_timeout) {
    const auto now = Clock::now();
    const auto until = std::min(now + op_timeout, deadline);
    connection->tcp().expires_after(until > now ? until - now : Clock::duration(1));
  }

  // Records how the exchange failed and drops its connection. When the request was cancelled,
  // the I/O error is only the consequence: the cancellation's reason is the outcome.
  Error fail(core::AttemptOutcome kind, std::string message) {
    if (cancellation && cancellation->cancelled()) {
      const bool gone = cancellation->reason() == core::Cancellation::Reason::client_gone;
      kind = gone ? core::AttemptOutcome::client_gone : core::AttemptOutcome::cancelled;
      message =
          "upstream call cancelled (" + std::string(core::to_string(cancellation->reason())) + ")";
    }
    outcome = kind;
    close_connection();
    return make_error(
        kind == core::AttemptOutcome::timeout || kind == core::AttemptOutcome::cancelled
            ? Errc::gateway_timeout
            : Errc::bad_gateway,
        std::move(message));
  }

  // Ends the pending operation, if any, without freeing what it still uses.
  void interrupt() {
    if (!connection) return;
    boost::system::error_code ignored;
    connection->tcp().socket().close(ignored);
  }

  // Only when no operation is pending on the connection.
  void close_connection() {
    if (!connection) return;
    boost::system::error_code ignored;
    connection->tcp().socket().close(ignored);
    connection.reset();
  }

  // A timer fired: this attempt's, or the request's deadline, which is the upstream's fault
  // unless the client chose it.
  core::AttemptOutcome timeout_kind() const {
    return Clock::now() >= request_deadline && timeouts.request_deadline_from_client
               ? core::AttemptOutcome::cancelled
               : core::AttemptOutcome::timeout;
  }

  asio::awaitable<Status> connect(const UpstreamEndpoint& endpoint) {
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    // Through a proxy, the proxy is dialled and resolves the upstream's name itself.
    const core::ProxyUrl* proxy = endpoint.proxy ? &*endpoint.proxy : nullptr;
    const bool pinned = !endpoint.connect_address.empty();
    const std::string& dial_host =
        proxy ? proxy->host : (pinned ? endpoint.connect_address : endpoint.host);
    const std::string& dial_port = proxy ? proxy->port : endpoint.port;
    const std::string dialled = proxy ? "egress proxy " + proxy->authority() : endpoint.pool_key();
    auto [resolve_ec, results] = co_await resolver.async_resolve(
        dial_host, dial_port,
        pinned && !proxy ? tcp::resolver::numeric_host : tcp::resolver::flags(), kNoThrow);
    if (resolve_ec)
      co_return fail(
          core::AttemptOutcome::connect,
          "cannot resolve " + (proxy ? dialled : endpoint.host) + ": " + resolve_ec.message());
    if (cancellation && cancellation->cancelled())
      co_return fail(core::AttemptOutcome::cancelled, "cancelled while resolving");
    connection = std::make_unique<Connection>();
    if (endpoint.tls) {
      auto context = tls_context(endpoint.ca_file);
      if (!context) co_return fail(core::AttemptOutcome::connect, context.error().message);
      connection->secure =
          std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor, **context);
      // SNI and certificate host checks: without them TLS proves nothing about who answers.
      boost::system::error_code not_an_address;
      asio::ip::make_address(endpoint.host, not_an_address);
      if (not_an_address)  // SNI carries names only (RFC 6066); an IP is checked against the SAN
        SSL_set_tlsext_host_name(connection->secure->native_handle(), endpoint.host.c_str());
      connection->secure->set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    } else {
      connection->plain = std::make_unique<beast::tcp_stream>(executor);
    }
    // One expiry for the TCP connect, the CONNECT exchange and the TLS handshake.
    arm(timeouts.connect);
    const auto dialled_at = Clock::now();
    auto [connect_ec, ignored_endpoint] =
        co_await connection->tcp().async_connect(results, kNoThrow);
    connect_time = Clock::now() - dialled_at;
    if (connect_ec)
      co_return fail(core::AttemptOutcome::connect,
                     "cannot connect to " + dialled + ": " + connect_ec.message());
    connection->tcp().socket().set_option(tcp::no_delay(true), connect_ec);
    if (proxy && endpoint.tls) {
      const std::string target =
          core::host_port(pinned ? endpoint.connect_address : endpoint.host, endpoint.port);
      Status tunnel = co_await open_tunnel(connection->tcp(), connection->buffer, *proxy, target);
      if (!tunnel) co_return fail(core::AttemptOutcome::connect, tunnel.error().message);
    }
    if (connection->secure) {
      auto [tls_ec] =
          co_await connection->secure->async_handshake(asio::ssl::stream_base::client, kNoThrow);
      if (tls_ec)
        co_return fail(core::AttemptOutcome::connect,
                       "TLS handshake with " + endpoint.host + " failed: " + tls_ec.message());
    }
    co_return Status{};
  }

  // Reads a response head into a new parser, past interim (1xx) answers; with `until_continue`
  // a 100 Continue ends the read too.
  asio::awaitable<boost::system::error_code> read_head(bool until_continue) {
    for (;;) {
      parser.emplace();
      parser->header_limit(kMaxResponseHead);
      parser->body_limit(boost::none);
      auto [ec, ignored_read] = co_await connection->on_stream([&](auto& stream) {
        return bhttp::async_read_header(stream, connection->buffer, *parser, kNoThrow);
      });
      if (ec) co_return ec;
      const unsigned status = parser->get().result_int();
      if (status < 100 || status > 199 || status == 101 || (until_continue && status == 100))
        co_return ec;
    }
  }

  // Why reading the response head failed. `upload_cut`: why a streamed body stopped short.
  Error head_failed(const boost::system::error_code& ec, const std::string& upload_cut,
                    bool& retry_on_fresh) {
    if (ec == beast::error::timeout)
      return fail(timeout_kind(), "upstream sent no response within the first-byte timeout");
    if (!upload_cut.empty())
      return fail(core::AttemptOutcome::reset, "upstream stopped taking the request body: " +
                                                   upload_cut + " (no response followed)");
    const bool closed = connection_lost(ec);
    retry_on_fresh = closed;
    return fail(closed ? core::AttemptOutcome::reset : core::AttemptOutcome::protocol,
                "upstream closed or sent a bad response head: " + ec.message());
  }

  // Sends the request and reads the head on the current connection. `fresh` tells whether a
  // dead connection can be blamed on pooling (then the caller retries on a new one).
  asio::awaitable<Status> exchange(const UpstreamEndpoint& endpoint, const UpstreamRequest& request,
                                   bool& retry_on_fresh) {
    retry_on_fresh = false;
    std::string& head = connection->head;
    serialize_head(head, endpoint, request);
    std::string upload_cut;  // why a streamed body stopped short (the upstream may have answered)
    bool answered = false;   // the final answer came instead of 100 Continue: no body was sent
    if (request.streamed_body) {
      if (Status sent = co_await send_streamed(
              *request.streamed_body, waits_for_continue(endpoint, request), upload_cut, answered);
          !sent.ok())
        co_return sent;
    } else {
      const std::array<asio::const_buffer, 4> buffers{
          asio::buffer(head), asio::buffer(request.body.data(), request.body.size()),
          asio::buffer(request.body_rest[0].data(), request.body_rest[0].size()),
          asio::buffer(request.body_rest[1].data(), request.body_rest[1].size())};
      arm(timeouts.first_byte);
      auto [send_ec, ignored_sent] = co_await connection->on_stream(
          [&](auto& stream) { return asio::async_write(stream, buffers, kNoThrow); });
      if (send_ec) {
        retry_on_fresh = true;
        co_return fail(core::AttemptOutcome::reset,
                       "sending to upstream failed: " + send_ec.message());
      }
    }
    if (!answered)
      if (const auto ec = co_await read_head(false))
        co_return head_failed(ec, upload_cut, retry_on_fresh);
    // Only a proxy answers 407: the request never reached the upstream.
    if (forwarded_by_proxy(endpoint) && parser->get().result_int() == 407)
      co_return fail(core::AttemptOutcome::connect,
                     "egress proxy " + endpoint.proxy->authority() + " refused to forward to " +
                         endpoint.host + ": 407 Proxy Authentication Required" +
                         (endpoint.proxy->user.empty() ? " (no credentials were sent)"
                                                       : " (the credentials were refused)"));
    connection->tcp().expires_never();
    co_return Status{};
  }

  asio::awaitable<boost::system::error_code> write(std::span<const asio::const_buffer> buffers,
                                                   std::chrono::milliseconds timeout) {
    arm(timeout);
    auto [ec, ignored] = co_await connection->on_stream(
        [&](auto& stream) { return asio::async_write(stream, buffers, kNoThrow); });
    co_return ec;
  }

  // After a head that asked for 100 Continue: true when the body may follow (100 came, or
  // nothing did in time), false when the final answer came instead (a proxy's 407,
  // in `parser`): then no byte of the body was taken.
  asio::awaitable<Result<bool>> await_continue() {
    if (connection->buffer.size() == 0) {
      auto& socket = connection->tcp().socket();
      asio::steady_timer timer(socket.get_executor());
      const auto wait = std::min<Clock::duration>(
          kContinueMargin + kContinueRoundTrips * connect_time, kMaxContinueWait);
      timer.expires_at(std::min(Clock::now() + wait, deadline));
      // The timer only ends the wait; its handler may run after this frame is gone.
      const auto waiting = std::make_shared<bool>(true);
      timer.async_wait([waiting, &socket](const boost::system::error_code& ec) {
        boost::system::error_code ignored;
        if (!ec && *waiting) socket.cancel(ignored);
      });
      auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, kNoThrow);
      *waiting = false;
      timer.cancel();
      if (cancellation && cancellation->cancelled())
        co_return fail(core::AttemptOutcome::reset, "cancelled waiting for 100 Continue");
      if (ec == asio::error::operation_aborted) co_return true;  // silence: send it anyway
      if (ec)
        co_return fail(core::AttemptOutcome::reset,
                       "waiting for 100 Continue failed: " + ec.message());
    }
    arm(timeouts.first_byte);
    bool ignored_retry = false;
    if (const auto ec = co_await read_head(true)) co_return head_failed(ec, {}, ignored_retry);
    if (parser->get().result_int() != 100) co_return false;
    parser.reset();
    co_return true;
  }

  // Sends the head, then the body piece by piece as `body` produces it (chunked when its length
  // is unknown). An upstream that stops reading mid-body may have answered already (a 413, a
  // 401): `cut` then says why the body stopped, and the caller reads the response all the same.
  // With `wait_continue` the body waits for 100 Continue; a final answer instead sets
  // `answered`, and the body is left untouched.
  asio::awaitable<Status> send_streamed(UpstreamBody& body, bool wait_continue, std::string& cut,
                                        bool& answered) {
    const std::string& head = connection->head;
    const asio::const_buffer head_buffer = asio::buffer(head);
    if (auto ec = co_await write(std::span(&head_buffer, 1), timeouts.idle))
      co_return fail(ec == beast::error::timeout ? timeout_kind() : core::AttemptOutcome::reset,
                     "sending to upstream failed: " + ec.message());
    if (wait_continue) {
      auto proceed = co_await await_continue();
      if (!proceed) co_return proceed.error();
      if (!*proceed) {
        answered = true;
        body_cut = true;  // the request was not sent whole: the connection is not reusable
        co_return Status{};
      }
    }
    const bool chunked = !body.length();
    std::uint64_t sent = 0;
    char size_line[24];
    for (;;) {
      auto piece = co_await body.next();
      if (!piece) {  // the request's side failed: its error is the call's
        body_cut = true;
        if (cancellation && cancellation->cancelled()) co_return fail(outcome, "");
        outcome = core::AttemptOutcome::rejected;
        close_connection();
        co_return piece.error();
      }
      std::array<asio::const_buffer, 3> buffers{};
      std::size_t count = 0;
      if (piece->empty()) {
        if (!chunked) break;
        buffers[count++] = asio::buffer("0\r\n\r\n", 5);
      } else if (chunked) {
        auto [end, ignored] = std::to_chars(size_line, size_line + 20, piece->size(), 16);
        *end++ = '\r';
        *end++ = '\n';
        buffers[count++] = asio::buffer(size_line, static_cast<std::size_t>(end - size_line));
        buffers[count++] = asio::buffer(piece->data(), piece->size());
        buffers[count++] = asio::buffer("\r\n", 2);
      } else {
        buffers[count++] = asio::buffer(piece->data(), piece->size());
      }
      if (auto ec = co_await write(std::span(buffers.data(), count), timeouts.idle)) {
        body_cut = true;
        if (ec == beast::error::timeout)
          co_return fail(timeout_kind(), "upstream stopped reading the request body after " +
                                             std::to_string(sent) + " bytes (idle timeout)");
        cut = ec.message() + " after " + std::to_string(sent) + " bytes";
        break;
      }
      if (piece->empty()) break;
      sent += piece->size();
    }
    arm(timeouts.first_byte);
    co_return Status{};
  }
};

UpstreamCall::UpstreamCall() : impl_(std::make_unique<Impl>()) {}
UpstreamCall::UpstreamCall(UpstreamCall&&) noexcept = default;
UpstreamCall& UpstreamCall::operator=(UpstreamCall&&) noexcept = default;

UpstreamCall::~UpstreamCall() {
  if (impl_ && impl_->connection && impl_->finished && !impl_->body_cut && impl_->parser &&
      impl_->parser->keep_alive()) {
    impl_->connection->tcp().expires_never();
    give_back(impl_->pool_key, std::move(impl_->connection));
  }
}

asio::awaitable<Status> UpstreamCall::start(const UpstreamEndpoint& endpoint,
                                            const UpstreamRequest& request,
                                            const UpstreamTimeouts& timeouts) {
  Impl& s = *impl_;
  s.timeouts = timeouts;
  s.request_deadline = timeouts.request_deadline;
  s.deadline = std::min(Clock::now() + timeouts.total, timeouts.request_deadline);
  s.cancellation = timeouts.cancellation;
  // Closing the socket ends whatever operation is pending; fail() then reads the reason. The
  // connection object itself must stay until that operation returns: its buffers are in use.
  s.on_cancel = core::Cancellation::subscribe(s.cancellation, [&s] { s.interrupt(); });
  if (s.cancellation && s.cancellation->cancelled())
    co_return s.fail(core::AttemptOutcome::cancelled, "cancelled before sending");
  s.pool_key = endpoint.pool_key();
  if (!request.streamed_body) s.connection = take_pooled(s.pool_key);
  bool retry_on_fresh = false;
  if (s.connection) {
    Status status = co_await s.exchange(endpoint, request, retry_on_fresh);
    if (status.ok() || !retry_on_fresh) co_return status;
    // The pooled connection had died: try a new one (unless the request itself was cancelled).
    if (s.cancellation && s.cancellation->cancelled()) co_return status;
    s.outcome = core::AttemptOutcome::success;
  }
  Status connected = co_await s.connect(endpoint);
  if (!connected.ok()) co_return connected;
  co_return co_await s.exchange(endpoint, request, retry_on_fresh);
}

int UpstreamCall::status() const {
  return impl_->parser ? static_cast<int>(impl_->parser->get().result_int()) : 0;
}

std::string_view UpstreamCall::header(std::string_view name) const {
  if (!impl_->parser) return {};
  for (const auto& field : impl_->parser->get())
    if (core::iequals(field.name_string(), name)) return field.value();
  return {};
}

asio::awaitable<Result<std::string_view>> UpstreamCall::read_some() {
  char* const chunk = impl_->connection ? impl_->connection->chunk.get() : nullptr;
  auto n = co_await read_into(std::span(chunk, kReadChunk));
  if (!n) co_return n.error();
  co_return std::string_view(chunk, *n);
}

asio::awaitable<Result<std::size_t>> UpstreamCall::read_into(std::span<char> into) {
  Impl& s = *impl_;
  if (!s.connection || !s.parser)
    co_return s.fail(
        s.outcome == core::AttemptOutcome::success ? core::AttemptOutcome::protocol : s.outcome,
        "no upstream response");
  // Socket reads as large as the caller's pieces, not the buffer's current capacity (which a
  // small head leaves at about 1 KiB); given back when the body ends.
  if (into.size() > kReadChunk)
    s.connection->buffer.reserve(std::min(into.size(), s.connection->buffer.max_size()));
  while (!s.parser->is_done()) {
    auto& body = s.parser->get().body();
    body.data = into.data();
    body.size = into.size();
    s.arm(s.timeouts.idle);
    auto [ec, ignored_read] = co_await s.connection->on_stream([&](auto& stream) {
      return bhttp::async_read_some(stream, s.connection->buffer, *s.parser, kNoThrow);
    });
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec == beast::error::timeout)
      co_return s.fail(s.timeout_kind(), "upstream went silent mid-response (idle timeout)");
    if (ec && malformed(ec))
      co_return s.fail(core::AttemptOutcome::protocol,
                       "bad upstream response body: " + ec.message());
    if (ec) co_return s.fail(core::AttemptOutcome::reset, "upstream response cut: " + ec.message());
    const std::size_t n = into.size() - body.size;
    if (n > 0) co_return n;
  }
  s.finished = true;
  s.connection->tcp().expires_never();
  if (s.connection->buffer.size() == 0 && s.connection->buffer.capacity() > 16 * 1024)
    s.connection->buffer.shrink_to_fit();  // what read_into grew: not kept while pooled
  co_return std::size_t{0};
}

asio::awaitable<Result<std::string>> UpstreamCall::read_all(std::size_t limit) {
  std::string out;
  for (;;) {
    auto piece = co_await read_some();
    if (!piece) co_return piece.error();
    if (piece->empty()) co_return out;
    if (out.size() + piece->size() > limit)
      co_return impl_->fail(core::AttemptOutcome::too_large, "upstream response too large");
    out.append(*piece);
  }
}

core::AttemptOutcome UpstreamCall::outcome() const { return impl_->outcome; }

void UpstreamCall::abandon() { impl_->close_connection(); }

}  // namespace sluice::http
