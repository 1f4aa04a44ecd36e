#include "http/connection.hpp"

#include <sys/socket.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <cerrno>
#include <charconv>

#include "core/json_text.hpp"
#include "core/strings.hpp"
#include "http/filter.hpp"
#include "http/request_framing.hpp"
#include "http/request_parser.hpp"
#include "http/response_head.hpp"

namespace sluice::http {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = 1 << 20;
constexpr std::size_t kInitialReadBytes = 1024;

Error body_too_large(std::size_t limit, std::string_view key) {
  return make_error(Errc::payload_too_large, "request body exceeds " + std::to_string(limit) +
                                                 " bytes (raise " + std::string(key) + ")");
}
}  // namespace

Connection::Connection(EventLoop& loop, asio::ip::tcp::socket socket)
    : loop_(loop), socket_(std::move(socket)) {
  // Every byte held for a request waits in this buffer until the parser takes it; bounding it
  // bounds what chunk extensions and trailers (which the parser only skips once whole) can pin.
  buffer_.max_size(loop_.shared.config.max_header_bytes);
  boost::system::error_code ec;
  const auto peer = socket_.remote_endpoint(ec);
  if (!ec) client_address_ = peer.address().to_string();
  loop_.connections.push_front(this);
  self_ = loop_.connections.begin();
  loop_.shared.open_connections.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  loop_.connections.erase(self_);
  loop_.shared.open_connections.fetch_sub(1, std::memory_order_relaxed);
}

void Connection::check_deadline(Clock::time_point now) {
  check_client();
  if (now < deadline_ || timed_out_) return;
  timed_out_ = true;
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

void Connection::close_if_idle() {
  closing_ = true;
  if (state_ != State::idle) return;
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

std::optional<Error> Connection::read_error(const boost::system::error_code& ec, bool head_read,
                                            const bhttp::fields* seen) const {
  const auto& config = loop_.shared.config;
  if (timed_out_)
    return make_error(Errc::request_timeout,
                      head_read
                          ? "timed out reading the request body (raise server.body_timeout)"
                          : "timed out reading the request head (raise server.header_timeout)");
  if (ec == bhttp::error::header_limit)
    return make_error(Errc::headers_too_large, "request headers exceed " +
                                                   std::to_string(config.max_header_bytes) +
                                                   " bytes (raise server.max_header_bytes)");
  if (ec == bhttp::error::buffer_overflow)
    return make_error(Errc::headers_too_large, "a chunk header or the trailers exceed " +
                                                   std::to_string(config.max_header_bytes) +
                                                   " bytes (raise server.max_header_bytes)");
  if (ec == bhttp::error::body_limit) return body_too_large(body_limit_, body_limit_key_);
  if (seen)
    if (auto framing = parser_framing_error(ec, *seen)) return framing;
  const auto& http_category = bhttp::make_error_code(bhttp::error::end_of_stream).category();
  // Socket errors, or the client stopped mid-request: nobody to answer.
  if (ec.category() != http_category || ec == bhttp::error::end_of_stream ||
      ec == bhttp::error::partial_message)
    return std::nullopt;
  return make_error(Errc::invalid_request, "malformed HTTP request: " + ec.message());
}

asio::awaitable<void> Connection::run() {
  const auto& config = loop_.shared.config;
  try {
    bool first = true;
    for (;;) {
      if (buffer_.size() == 0) {  // wait for the next request between keep-alive requests
        if (closing_ || loop_.draining) break;
        state_ = State::idle;
        set_deadline(first ? config.header_timeout : config.idle_timeout);
        // Small: a connection holds this buffer as long as it lives, idle or streaming; a
        // larger request grows it while it is read, up to server.max_header_bytes.
        auto [ec, n] =
            co_await socket_.async_read_some(buffer_.prepare(kInitialReadBytes), kNoThrow);
        if (ec) break;
        buffer_.commit(n);
      }
      first = false;
      state_ = State::reading;
      const auto started = Clock::now();
      loop_.now = started;
      RequestParser parser;
      apply_request_limits(parser, config);
      set_deadline(config.header_timeout);
      auto [ec, n] = co_await bhttp::async_read_header(socket_, buffer_, parser, kNoThrow);
      if (!ec) {
        if (auto error = route_head(parser)) {
          co_await respond_early(*error, std::string_view(parser.get().method_string()), started);
          break;
        }
        parser.body_limit(body_limit_);
        if (match_.options.stream_body) {
          if (!co_await serve_streamed(parser, started)) break;
          continue;
        }
      }
      if (!ec && !parser.is_done()) {
        if (core::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          if (!co_await write_all(kContinue, {})) break;
        }
        while (!ec && !parser.is_done()) {
          set_deadline(config.body_timeout);  // a silence limit, as nginx's client_body_timeout
          std::tie(ec, n) = co_await bhttp::async_read_some(socket_, buffer_, parser, kNoThrow);
        }
      }
      if (ec) {
        const bool head_read = parser.is_header_done();
        if (auto error = read_error(ec, head_read, head_read ? nullptr : &parser.get())) {
          const std::string_view method =
              head_read ? std::string_view(parser.get().method_string()) : std::string_view();
          if (!head_read) route_refused_head(parser);
          co_await respond_early(*error, method, started);
        }
        break;
      }
      // A large request grew the buffer: don't keep that much for the rest of the connection.
      if (buffer_.size() == 0 && buffer_.capacity() > 2 * kInitialReadBytes)
        buffer_.shrink_to_fit();
      exchange_.request.body = std::move(parser.get().body());
      if (!co_await serve_request(parser.get(), parser.keep_alive(), started)) break;
    }
  } catch (const std::exception&) {
    // An I/O object failed in a way the tuple results don't cover: drop the connection.
  }
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
}

asio::awaitable<bool> Connection::serve_request(const bhttp::request_header<>& parsed,
                                                bool keep_alive_asked, Clock::time_point started) {
  state_ = State::handling;
  clear_deadline();
  Exchange& exchange = exchange_;
  exchange.started = started;
  exchange.client_address = client_address_;
  exchange.max_json_values = static_cast<std::size_t>(loop_.shared.config.max_json_values);
  Request& request = exchange.request;
  view_request_head(parsed, request);
  const std::string_view client_id = request.header("x-request-id");
  if (core::is_valid_request_id(client_id))
    exchange.request_id.assign(client_id);
  else
    core::assign_new_request_id(exchange.request_id);
  request_id_ = exchange.request_id;
  exchange.trace.reset_from(request.header("traceparent"));
  http10_ = parsed.version() == 10;
  keep_alive_ = keep_alive_asked && !closing_ && !loop_.draining;
  bytes_sent_ = 0;

  loop_.shared.observer->on_request_start();
  co_await dispatch(exchange);
  watching_client_ = false;
  // A body left unread (the handler refused the request first, or reading it failed) cannot be
  // skipped reliably: this response is the connection's last.
  const bool unread_body = !body_whole();
  if (unread_body) closing_ = true;
  // The socket is gone, or the client closed its end while we worked: nothing more to write
  // (as nginx, which logs 499 and closes).
  const bool client_gone =
      exchange.cancellation.reason() == core::Cancellation::Reason::client_gone;
  if (exchange.aborted() || (client_gone && !exchange.streaming())) {
    loop_.shared.observer->on_request_end(exchange, bytes_sent_);
    exchange.release_large_bodies();
    co_return false;
  }

  bool ok = true;
  bool keep_alive = keep_alive_ && !closing_ && !loop_.draining;
  if (exchange.streaming()) {
    if (chunked_) ok = co_await write_all("0\r\n\r\n", {});  // skipped once a write failed
    keep_alive = keep_alive && chunked_ && ok;
  } else {
    write_response_head(head_buffer_, exchange.response, loop_.date_line, exchange.request_id,
                        BodyFraming::content_length, keep_alive, http10_);
    const bool head_only = request.method == "HEAD";
    const std::string_view body = head_only ? std::string_view() : exchange.response.body;
    ok = co_await write_all(head_buffer_, body);
    bytes_sent_ = body.size();
  }
  loop_.shared.observer->on_request_end(exchange, bytes_sent_);
  exchange.release_large_bodies();
  // The client may still be sending the rest: read it away for a moment, or closing now would
  // reset the connection and could destroy the response before the client reads it.
  if (ok && unread_body) co_await linger();
  co_return ok&& keep_alive;
}

asio::awaitable<bool> Connection::serve_streamed(RequestParser& parser, Clock::time_point started) {
  // Still before the body (the head was read alone), so its parser can take another body type.
  body_parser_ = std::make_unique<BodyParser>(std::move(parser));
  body_parser_->body_limit(body_limit_);
  // A declared length is framing enough: the body is read straight into the handler's buffer,
  // in pieces as large as it, with no copy. (The route's limit was checked against it.)
  body_left_.reset();
  if (const auto length = body_parser_->content_length(); !body_parser_->chunked())
    body_left_ = length ? *length : 0;
  // Chunked: body reads as large as the buffer may grow (server.max_header_bytes), not the
  // 1 KiB an idle connection keeps.
  if (!body_left_) buffer_.reserve(buffer_.max_size());
  body_error_.reset();
  body_bytes_read_ = 0;
  request_deadline_ = Clock::time_point::max();
  continue_sent_ = false;
  exchange_.body_reader = this;
  const bool keep_alive =
      co_await serve_request(body_parser_->get(), body_parser_->keep_alive(), started);
  body_parser_.reset();
  if (buffer_.size() == 0) buffer_.shrink_to_fit();
  co_return keep_alive;
}

bool Connection::body_whole() const {
  if (!body_parser_) return true;
  return !body_error_ && (body_left_ ? *body_left_ == 0 : body_parser_->is_done());
}

std::optional<std::uint64_t> Connection::declared_length() const {
  if (!body_parser_) return std::nullopt;
  const auto length = body_parser_->content_length();
  return length ? std::optional<std::uint64_t>(*length) : std::nullopt;
}

asio::awaitable<Result<std::size_t>> Connection::read(std::span<char> into) {
  if (body_error_) co_return *body_error_;
  if (!body_parser_ || body_whole() || into.empty()) co_return std::size_t{0};
  BodyParser& parser = *body_parser_;
  if (!continue_sent_) {
    // The client waits for this before sending the body: only once the handler wants it.
    continue_sent_ = true;
    if (core::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      if (!co_await write_all(kContinue, {})) co_return body_read_failed(asio::error::broken_pipe);
    }
  }
  if (exchange_.cancellation.cancelled())
    co_return body_read_failed(asio::error::operation_aborted);
  if (Clock::now() >= request_deadline_) {
    exchange_.cancellation.cancel(core::Cancellation::Reason::deadline);
    co_return body_read_failed(asio::error::timed_out);
  }
  // A cancellation (the client left, the drain grace is over) ends the wait for more bytes.
  const auto interrupt = core::Cancellation::subscribe(&exchange_.cancellation, [this] {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  });
  if (body_left_) {
    // What arrived with the head (or a previous read) first, then the socket.
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(into.size(), *body_left_));
    std::size_t got = std::min(want, buffer_.size());
    if (got > 0) {
      asio::buffer_copy(asio::buffer(into.data(), got), buffer_.data());
      buffer_.consume(got);
    } else {
      const bool deadline_armed = arm_body_wait();
      auto [ec, n] = co_await socket_.async_read_some(asio::buffer(into.data(), want), kNoThrow);
      clear_deadline();
      if (ec) co_return body_wait_failed(ec, deadline_armed);
      got = n;
    }
    *body_left_ -= got;
    body_bytes_read_ += got;
    co_return got;
  }
  for (;;) {
    auto& body = parser.get().body();
    body.data = into.data();
    body.size = into.size();
    body.more = true;
    const bool deadline_armed = arm_body_wait();
    auto [ec, ignored] = co_await bhttp::async_read_some(socket_, buffer_, parser, kNoThrow);
    clear_deadline();
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) co_return body_wait_failed(ec, deadline_armed);
    const std::size_t got = into.size() - body.size;
    body_bytes_read_ += got;
    if (got > 0 || parser.is_done()) co_return got;
  }
}

bool Connection::arm_body_wait() {
  set_deadline(loop_.shared.config.body_timeout);
  if (request_deadline_ >= deadline_) return false;
  deadline_ = request_deadline_;
  return true;
}

Error Connection::body_wait_failed(const boost::system::error_code& ec, bool deadline_armed) {
  if (deadline_armed && timed_out_ && !exchange_.cancellation.cancelled())
    exchange_.cancellation.cancel(core::Cancellation::Reason::deadline);
  return body_read_failed(ec);
}

// The body's framing is lost with it: the connection ends after this request's response. A
// client that left (or a cancelled request) gets none; anything else is the error to answer.
Error Connection::body_read_failed(const boost::system::error_code& ec) {
  closing_ = true;
  std::optional<Error> error;
  if (!exchange_.cancellation.cancelled()) error = read_error(ec, true);
  timed_out_ = false;  // the response still gets its write deadline
  if (!error) {
    if (!exchange_.cancellation.cancelled())
      exchange_.cancellation.cancel(core::Cancellation::Reason::client_gone);
    const auto reason = exchange_.cancellation.reason();
    if (reason == core::Cancellation::Reason::shutdown)
      error = make_error(Errc::unavailable, "the server is shutting down; retry the request", {},
                         "shutting_down");
    else if (reason == core::Cancellation::Reason::deadline)
      error = make_error(Errc::gateway_timeout,
                         "the request's deadline passed before its body arrived whole", {},
                         "deadline_exceeded");
    else
      error = make_error(Errc::invalid_request, "reading the request body stopped: " +
                                                    std::string(core::to_string(reason)));
  }
  body_error_ = std::move(error);
  return *body_error_;
}

// Routes a request by its head, before its body is read: the route decides the body limit.
// Also checks the framing. An Error is answered at once, and the connection closed.
std::optional<Error> Connection::route_head(const RequestParser& parser) {
  const ParsedRequest& head = parser.get();
  exchange_.reset();
  Request& request = exchange_.request;
  request.method = head.method_string();
  split_target(head.target(), request);
  const ServerShared& shared = loop_.shared;
  match_ = shared.router->match(request.method, request.path, request.params);
  if (match_.options.max_body_bytes > 0) {
    body_limit_ = match_.options.max_body_bytes;
    body_limit_key_ = match_.options.body_limit_key;
  } else if (match_.options.model_route) {
    body_limit_ = shared.config.max_model_body_bytes;
    body_limit_key_ = "server.max_model_body_bytes";
  } else {
    body_limit_ = shared.config.max_body_bytes;
    body_limit_key_ = "server.max_body_bytes";
  }
  if (auto error = framing_error(head, head.version(), parser.chunked())) return error;
  // Refused before the upload: the client need not send what would be thrown away.
  if (const auto content_length = parser.content_length();
      content_length && *content_length > body_limit_)
    return body_too_large(body_limit_, body_limit_key_);
  return std::nullopt;
}

// A head refused before it was routed (too large, a control byte, bad framing) is answered in
// its route's error shape all the same: routed by its request line, as far as it can be read.
void Connection::route_refused_head(const RequestParser& parser) {
  std::string_view method = parser.get().method_string();
  std::string_view target = parser.get().target();
  if (target.empty()) {  // the parser did not get as far: the line is still in the buffer
    const auto& bytes = buffer_.data();
    const RequestLine line =
        request_line_of(std::string_view(static_cast<const char*>(bytes.data()), bytes.size()));
    method = line.method;
    target = line.target;
  }
  Request request;
  split_target(target, request);
  match_ = loop_.shared.router->match(method, request.path, request.params);
}

// Routing errors and preflights no filter answered, outside any coroutine frame (a streaming
// response keeps its frames for the stream's whole life). Null: the response is written.
const Handler* Connection::handler_or_routing_error(Exchange& exchange) const {
  const Request& request = exchange.request;
  // Answered alike for every path, known or not, so that a preflight cannot map the routes.
  // With CORS on, its filter has answered already.
  if (request.is_cors_preflight()) {
    exchange.response.set_error(
        make_error(Errc::forbidden, "CORS: no origin is allowed (configure cors.allow_origins)", {},
                   "cors_origin_not_allowed"));
    return nullptr;
  }
  if (match_.outcome == Router::Outcome::not_found) {
    exchange.response.set_error(
        make_error(Errc::not_found,
                   "no route for " + std::string(request.method) + " " + std::string(request.path),
                   {}, "route_not_found"));
    return nullptr;
  }
  if (match_.outcome == Router::Outcome::method_not_allowed) {
    exchange.response.set_error(make_error(Errc::method_not_allowed,
                                           std::string(request.method) + " is not allowed on " +
                                               std::string(match_.route) +
                                               "; allowed: " + match_.allow,
                                           {}, "method_not_allowed"));
    exchange.response.add_header("Allow", match_.allow);
    return nullptr;
  }
  return match_.handler;
}

void Connection::answer_handler_failure(Exchange& exchange, const char* what) {
  // A bug: answer 500 with the request id, log the cause.
  exchange.log_fields += ",\"error\":";
  core::append_json_string(exchange.log_fields, what);
  if (exchange.streaming()) return;
  exchange.response = Response{};
  exchange.response.set_error(
      make_error(Errc::internal, "internal error (request id " + exchange.request_id + ")"));
}

asio::awaitable<void> Connection::dispatch(Exchange& exchange) {
  if (match_.outcome != Router::Outcome::not_found) exchange.route = match_.route;
  const std::vector<Filter*>& filters = loop_.shared.filters;
  std::size_t passed = 0;  // filters whose on_request said `next`: they see the response
  try {
    bool responded = false;
    for (; passed < filters.size(); ++passed) {
      Filter& filter = *filters[passed];
      // A filter that decides at once costs no coroutine frame.
      std::optional<FilterResult> result = filter.on_request_now(exchange);
      if (!result) result = co_await filter.on_request(exchange);
      if (*result == FilterResult::responded) {
        responded = true;
        break;
      }
    }
    if (!responded)
      if (const Handler* handler = handler_or_routing_error(exchange))
        co_await (*handler)(exchange);
  } catch (const std::exception& e) {
    answer_handler_failure(exchange, e.what());
  }
  if (match_.options.rewrite_error && !exchange.streaming() && exchange.response.status >= 400)
    match_.options.rewrite_error(exchange.response, exchange.request_id);
  while (passed > 0) filters[--passed]->on_response(exchange);
}

asio::awaitable<void> Connection::respond_early(const Error& error, std::string_view method,
                                                Clock::time_point started) {
  closing_ = true;
  Exchange exchange;
  exchange.started = started;
  exchange.client_address = client_address_;
  exchange.request.method = method;
  exchange.request_id = core::new_request_id();
  exchange.trace = core::trace_context_from({});
  exchange.response.set_error(error);
  if (match_.options.rewrite_error)
    match_.options.rewrite_error(exchange.response, exchange.request_id);
  loop_.shared.observer->on_request_start();
  write_response_head(head_buffer_, exchange.response, loop_.date_line, exchange.request_id,
                      BodyFraming::content_length, false, false);
  timed_out_ = false;
  const bool ok = co_await write_all(head_buffer_, exchange.response.body);
  loop_.shared.observer->on_request_end(exchange, ok ? exchange.response.body.size() : 0);
  if (ok) co_await linger();
}

// After an error answered before the request was read whole, keep reading (and dropping) for a
// moment: closing with unread data makes the kernel send RST, which can destroy the response
// before the client reads it.
asio::awaitable<void> Connection::linger() {
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  set_deadline(kLingerTime);
  timed_out_ = false;
  std::array<char, 16384> sink;
  std::size_t drained = 0;
  while (drained < kLingerBytes) {
    auto [read_ec, n] = co_await socket_.async_read_some(asio::buffer(sink), kNoThrow);
    if (read_ec) break;
    drained += n;
  }
}

asio::awaitable<bool> Connection::write_all(std::string_view head, std::string_view body) {
  if (write_failed_) co_return false;
  const State previous = state_;
  state_ = State::writing;
  set_deadline(loop_.shared.config.body_timeout);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head.data(), head.size()),
                                                  asio::buffer(body.data(), body.size())};
  auto [ec, n] = co_await asio::async_write(socket_, buffers, kNoThrow);
  state_ = previous;
  clear_deadline();
  if (ec) fail_writes();
  co_return !ec;
}

// The client cannot be written to any more: close now, so that the handler's next write (an
// error event, the terminating chunk) fails at once instead of waiting out another timeout.
void Connection::fail_writes() {
  write_failed_ = true;
  closing_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
}

asio::awaitable<bool> Connection::send_head(const Response& head) {
  chunked_ = !http10_;
  if (!chunked_) keep_alive_ = false;  // HTTP/1.0: the body ends when the connection does
  write_response_head(head_buffer_, head, loop_.date_line, request_id_,
                      chunked_ ? BodyFraming::chunked : BodyFraming::until_close,
                      keep_alive_ && !closing_, http10_);
  co_return co_await write_all(head_buffer_, {});
}

// Watching costs nothing per request: the loop's ticker looks at the watched connections every
// 250 ms, so a request that ends sooner never pays a socket operation for it.
void Connection::watch_client() { watching_client_ = true; }

// While a request is handled, the end of the stream (or a reset) means the client left, as nginx
// reads it; bytes mean a pipelined request, left in the socket for the next read.
void Connection::check_client() {
  if (!watching_client_ || exchange_.cancellation.cancelled()) return;
  char byte;
  const ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
    exchange_.cancellation.cancel(core::Cancellation::Reason::client_gone);
}

void Connection::cancel_request() {
  if (state_ == State::handling || state_ == State::writing)
    exchange_.cancellation.cancel(core::Cancellation::Reason::shutdown);
}

// SO_LINGER 0 makes close() send RST instead of FIN: the client sees "connection reset", as when
// a peer crashes or a proxy drops the connection.
void Connection::abort() {
  boost::system::error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

asio::awaitable<bool> Connection::send_chunk(std::span<const std::string_view> parts) {
  if (write_failed_ || parts.size() > kMaxChunkParts) co_return false;
  std::size_t size = 0;
  for (std::string_view part : parts) size += part.size();
  // The chunk's size line, the parts, then its CRLF, in one gather write (unused slots empty).
  char size_line[24];
  std::array<asio::const_buffer, kMaxChunkParts + 2> buffers{};
  std::size_t slot = 0;
  if (chunked_) {
    auto [end, errc] = std::to_chars(size_line, size_line + 20, size, 16);
    *end++ = '\r';
    *end++ = '\n';
    buffers[slot++] = asio::buffer(size_line, static_cast<std::size_t>(end - size_line));
  }
  for (std::string_view part : parts) buffers[slot++] = asio::buffer(part.data(), part.size());
  if (chunked_) buffers[slot++] = asio::buffer("\r\n", 2);
  const State previous = state_;
  state_ = State::writing;
  set_deadline(loop_.shared.config.body_timeout);
  auto [ec, n] = co_await asio::async_write(socket_, buffers, kNoThrow);
  state_ = previous;
  clear_deadline();
  if (ec) {
    fail_writes();
    co_return false;
  }
  bytes_sent_ += size;
  co_return true;
}

}  // namespace sluice::http
