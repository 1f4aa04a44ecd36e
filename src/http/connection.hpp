#pragma once
// Internal to the HTTP server (pulls in Asio and Beast).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "http/event_loop.hpp"
#include "http/exchange.hpp"
#include "http/request_parser.hpp"
#include "http/router.hpp"

namespace sluice::http {

// One client connection: reads requests (keep-alive, pipelining), enforces the limits and
// timeouts, runs the handler and writes the response. Deadlines are checked by the loop's
// ticker, which cancels the socket's pending operation when one passes. On routes that stream
// their body, the handler reads it through the connection (BodyReader) as it arrives.
class Connection final : public StreamSink, public BodyReader {
 public:
  Connection(EventLoop& loop, boost::asio::ip::tcp::socket socket);
  ~Connection() override;

  boost::asio::awaitable<void> run();

  // Called by the ticker: cancels the pending operation if the deadline has passed, and fires
  // the request's cancellation if a watched client has gone.
  void check_deadline(Clock::time_point now);
  // Called at drain: closes the connection now if it waits between requests.
  void close_if_idle();

  boost::asio::awaitable<bool> send_head(const Response& head) override;
  boost::asio::awaitable<bool> send_chunk(std::span<const std::string_view> parts) override;
  void abort() override;
  void watch_client() override;
  // Drain grace over: cancels the request in flight, if any (its handler ends it, with an error
  // event for a stream).
  void cancel_request();

  boost::asio::awaitable<Result<std::size_t>> read(std::span<char> into) override;
  void set_request_deadline(Clock::time_point deadline) override { request_deadline_ = deadline; }
  std::optional<std::uint64_t> declared_length() const override;
  std::uint64_t bytes_read() const override { return body_bytes_read_; }

 private:
  using BodyParser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;

  enum class State { idle, reading, handling, writing };

  void set_deadline(Clock::duration timeout) { deadline_ = loop_.now + timeout; }
  void clear_deadline() { deadline_ = Clock::time_point::max(); }
  boost::asio::awaitable<bool> write_all(std::string_view head, std::string_view body);
  // In the error shape of match_'s route, which must be this request's.
  boost::asio::awaitable<void> respond_early(const Error& error, std::string_view method,
                                             Clock::time_point started);
  boost::asio::awaitable<bool> serve_request(const boost::beast::http::request_header<>& head,
                                             bool keep_alive_asked, Clock::time_point started);
  // A request whose handler reads the body itself (RouteOptions::stream_body).
  boost::asio::awaitable<bool> serve_streamed(RequestParser& parser, Clock::time_point started);
  // The body of the request in hand was read whole (or it had none to stream).
  bool body_whole() const;
  Error body_read_failed(const boost::system::error_code& ec);
  // Arms the wait for more body bytes: server.body_timeout, cut by the request's deadline.
  // Returns whether the request's deadline is the nearer.
  bool arm_body_wait();
  // A body wait ended with `ec`: the error to return, the request's deadline first when
  // `deadline_armed` (arm_body_wait's answer) and the wait timed out.
  Error body_wait_failed(const boost::system::error_code& ec, bool deadline_armed);
  std::optional<Error> route_head(const RequestParser& parser);
  void route_refused_head(const RequestParser& parser);
  boost::asio::awaitable<void> dispatch(Exchange& exchange);
  const Handler* handler_or_routing_error(Exchange& exchange) const;
  static void answer_handler_failure(Exchange& exchange, const char* what);
  // `seen`: the head's fields parsed so far, when the head was being read.
  std::optional<Error> read_error(const boost::system::error_code& ec, bool head_read,
                                  const boost::beast::http::fields* seen = nullptr) const;
  void fail_writes();
  boost::asio::awaitable<void> linger();
  void check_client();

  EventLoop& loop_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::list<Connection*>::iterator self_;
  Clock::time_point deadline_ = Clock::time_point::max();
  State state_ = State::idle;
  bool timed_out_ = false;
  bool closing_ = false;  // send `Connection: close` and stop after this response
  bool http10_ = false;
  bool chunked_ = false;     // current streamed response uses chunked framing
  bool keep_alive_ = false;  // what the current request allows
  // A write failed (the client is gone or too slow): every later write fails at once, so that
  // the exchange ends and the connection's slot is freed without waiting for more timeouts.
  bool write_failed_ = false;
  Router::Match match_;         // the current request's route, found before its body is read
  std::size_t body_limit_ = 0;  // the current request's, from its route
  std::string_view body_limit_key_;
  std::string client_address_;
  Exchange exchange_{this};  // reused for every request on this connection
  std::string head_buffer_;  // reused for every response head
  std::string_view request_id_;
  std::size_t bytes_sent_ = 0;
  bool watching_client_ = false;  // the handler asked: see watch_client()
  // The request whose body its handler streams; null otherwise. Its head is the request's.
  std::unique_ptr<BodyParser> body_parser_;
  std::optional<Error> body_error_;  // why reading the streamed body failed
  // What is left of a streamed body of declared length; nullopt for a chunked one.
  std::optional<std::uint64_t> body_left_;
  std::uint64_t body_bytes_read_ = 0;
  Clock::time_point request_deadline_ = Clock::time_point::max();  // set_request_deadline
  bool continue_sent_ = false;
};

}  // namespace sluice::http
