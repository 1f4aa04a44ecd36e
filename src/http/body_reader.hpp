#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/result.hpp"

namespace sluice::http {

// A request body read by its handler as it arrives, for routes that stream theirs
// (RouteOptions::stream_body): the server has read only the head, and the body's framing
// (Content-Length or chunked) is decoded here, piece by piece, into the caller's buffer.
class BodyReader {
 public:
  virtual ~BodyReader() = default;

  // Reads the next bytes of the body into `into`; 0 once the body has been read whole. An
  // error when the body cannot be read: over the route's limit (413, naming its config key), too
  // slow (408, server.body_timeout), malformed framing (400), or the client left or the request
  // was cancelled (the exchange's cancellation then says why). After an error, the connection
  // closes once the response is written.
  virtual boost::asio::awaitable<Result<std::size_t>> read(std::span<char> into) = 0;

  // The request's deadline, for a handler that reads its body as part of the request's work:
  // server.body_timeout bounds each wait for bytes (a silence limit, as nginx's
  // client_body_timeout), this bounds them all, so that a client trickling a byte at a time
  // cannot hold the request open. A read waiting when it passes, or begun after, fires the
  // exchange's cancellation with reason `deadline` and fails with a 504 (deadline_exceeded).
  virtual void set_request_deadline(std::chrono::steady_clock::time_point deadline) = 0;

  // The body's length as the client declared it (Content-Length); nullopt when chunked.
  virtual std::optional<std::uint64_t> declared_length() const = 0;
  // Bytes of the body read so far.
  virtual std::uint64_t bytes_read() const = 0;
};

}  // namespace sluice::http
