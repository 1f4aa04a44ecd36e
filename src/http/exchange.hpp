#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cancellation.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "core/principal.hpp"
#include "http/body_reader.hpp"

namespace sluice::http {

using HeaderView = std::pair<std::string_view, std::string_view>;

// The parsed request. Views point into the connection's buffers and live as long as the
// Exchange; handlers copy what they keep.
struct Request {
  std::string_view method;
  std::string_view target;  // as received: path + query
  std::string_view path;
  std::string_view query;  // without '?'
  std::vector<HeaderView> headers;
  std::vector<std::pair<std::string_view, std::string_view>> params;  // from the route template
  std::string body;

  // Case-insensitive lookup; empty when absent.
  std::string_view header(std::string_view name) const;
  std::string_view param(std::string_view name) const;
  // True when the query string has `name` (with or without a value).
  bool has_query_param(std::string_view name) const;
  // The first `name=value`'s value as sent (not percent-decoded); empty for a bare `name`.
  std::optional<std::string_view> query_param(std::string_view name) const;
  // A browser's CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. It
  // carries no credentials.
  bool is_cors_preflight() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  void set_json(int status_code, std::string json);
  // Sets the OpenAI-shaped error body and its status.
  void set_error(const Error& error);
  // CR, LF and NUL in `value` become spaces: a header line cannot be split by what it carries.
  void add_header(std::string name, std::string value);
};

// Implemented by the connection: sends a streamed (chunked) response as the handler produces it.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual boost::asio::awaitable<bool> send_head(const Response& head) = 0;
  // Sends `parts` (at most kMaxChunkParts) as one piece of the body, without joining them.
  static constexpr std::size_t kMaxChunkParts = 4;
  virtual boost::asio::awaitable<bool> send_chunk(std::span<const std::string_view> parts) = 0;
  // Closes the connection at once with a reset, writing nothing more.
  virtual void abort() = 0;
  // Until the response is written, fires the exchange's cancellation (client_gone) within a
  // tick (250 ms) of the client closing its end of the connection.
  virtual void watch_client() {}
};

// One request/response pair as handlers and filters see it.
class Exchange {
 public:
  Request request;
  Response response;
  std::string_view route = "unmatched";  // the matched template: a metrics label, never raw
  std::string request_id;
  core::TraceContext trace;
  std::chrono::steady_clock::time_point started;
  std::string_view client_address;  // the peer's IP address, for the access log
  // The API key that authenticated this request and what it may do; null when authentication is
  // off or the route needs no key. Held for the exchange: a key revoked meanwhile stays whole.
  std::shared_ptr<const core::Principal> principal;
  // Its name (points into `principal`); empty when none.
  std::string_view api_key_name;
  // Extra JSON members for the access log line, pre-rendered: `,"key":value` each.
  std::string log_fields;
  // Fired when the client disconnects mid-request or the drain grace runs out: whoever holds
  // resources for the request (an upstream call, a timer) subscribes to release them at once.
  core::Cancellation cancellation;
  // Routes that stream their request body (RouteOptions::stream_body) read it here; null on
  // every other route, whose body is whole in request.body.
  BodyReader* body_reader = nullptr;
  // server.max_json_values, set by the server: a JSON body with more values is refused (each
  // costs a DOM node several times its text; a million tiny ones are no legitimate request).
  // 0: unbounded.
  std::size_t max_json_values = 0;

  explicit Exchange(StreamSink* sink = nullptr) : sink_(sink) {}

  // Ready for the next request on the same connection, keeping every buffer's capacity: a
  // keep-alive connection then serves requests without allocating for them.
  void reset();
  // After the response: frees a request or response body that grew past a few pages (an image,
  // a long context), so that an idle keep-alive connection does not hold megabytes until its
  // next request.
  void release_large_bodies();

  // Streaming: the head (status, content type, headers from `response`) goes out first, then
  // each chunk as written. False once the client is gone: the handler should stop.
  boost::asio::awaitable<bool> begin_stream();
  boost::asio::awaitable<bool> write(std::string_view data);
  // One piece made of `parts` (at most StreamSink::kMaxChunkParts), written without a copy: a
  // stream keeps no buffer of its own to frame its events.
  boost::asio::awaitable<bool> write(std::span<const std::string_view> parts);
  bool streaming() const { return streaming_; }

  // Drops the connection without a response (or mid-stream), as a crashed peer would: for fault
  // injection. Later writes return false and the server writes nothing for this request.
  void abort_connection();
  bool aborted() const { return aborted_; }

  // For handlers that wait on upstreams: a client that disconnects while they wait fires
  // `cancellation` (client_gone) within a tick, so the upstream call stops then.
  void watch_client() {
    if (sink_) sink_->watch_client();
  }

 private:
  StreamSink* sink_;
  bool streaming_ = false;
  bool aborted_ = false;
};

}  // namespace sluice::http
