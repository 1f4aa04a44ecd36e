#pragma once
// multipart/form-data read as it arrives: a body fed piece by piece, of any size, in bounded
// memory. The same syntax as parse_multipart (multipart.hpp), which holds the body whole.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/multipart.hpp"

namespace sluice::http {

// What the scanner reports, in the body's order. Offsets count bytes from the start of the body.
// A Status error stops the scan: feed() returns it.
class MultipartListener {
 public:
  virtual ~MultipartListener() = default;
  // A part's headers were read (`part.body` is empty); its body starts at `body_offset`.
  virtual Status on_part(const MultipartPart& part, std::uint64_t body_offset) = 0;
  // The next bytes of the current part's body: a view valid during the call only.
  virtual Status on_data(std::string_view bytes) = 0;
  // The current part's body ended just before `end_offset`, where its delimiter begins.
  virtual Status on_part_end(std::uint64_t end_offset) = 0;
};

// Holds at most one part's header block (limits.max_header_bytes) and a delimiter's length of
// bytes that may begin one; body bytes go to the listener as they come. Not copyable: the
// listener's views point into its buffers.
class MultipartScanner {
 public:
  MultipartScanner(std::string_view boundary, MultipartLimits limits);
  MultipartScanner(const MultipartScanner&) = delete;
  MultipartScanner& operator=(const MultipartScanner&) = delete;

  // The next piece of the body. After an error the scanner stays failed (feed returns it again).
  Status feed(std::string_view piece, MultipartListener& listener);
  // The body has ended: an error unless the closing delimiter was seen.
  Status finish();

  // The closing delimiter was seen: whatever follows is the epilogue.
  bool closed() const { return state_ == State::epilogue; }
  std::uint64_t offset() const { return offset_; }
  std::size_t parts() const { return parts_; }

 private:
  enum class State { preamble, delimiter_end, dash, padding, line_end, headers, body, epilogue };

  Status fail(std::string what);
  // Scans body (or preamble) bytes for the delimiter; returns how many bytes of `piece` it used.
  Result<std::size_t> scan(std::string_view piece, MultipartListener& listener);
  Status emit(std::string_view bytes, MultipartListener& listener);
  Status delimiter_found(std::uint64_t at, MultipartListener& listener);
  // Steps through the bytes after a delimiter and the header block; returns the bytes used.
  Result<std::size_t> step_line(std::string_view piece);
  Result<std::size_t> step_headers(std::string_view piece, MultipartListener& listener);

  std::string delimiter_;  // "\r\n--" + boundary
  // Finds it in a file's bytes skipping ahead by up to its length, where a search for its first
  // byte (a CR) stops at every CR of binary data.
  std::boyer_moore_horspool_searcher<std::string::const_iterator> searcher_;
  MultipartLimits limits_;
  State state_ = State::preamble;
  // Bytes at the end of what was fed that may begin a delimiter, from offset held_offset_
  // (negative for the CRLF the first delimiter may go without).
  std::string held_;
  std::int64_t held_offset_ = 0;
  std::string headers_;
  std::uint64_t offset_ = 0;  // of the next byte fed
  std::size_t parts_ = 0;
  std::optional<Error> error_;
};

}  // namespace sluice::http
