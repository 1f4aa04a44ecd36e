#include "http/multipart_scanner.hpp"

#include <algorithm>

namespace sluice::http {
namespace {

bool is_lwsp(char c) { return c == ' ' || c == '\t'; }

constexpr std::string_view kBadDelimiterLine = "a boundary delimiter line does not end with CRLF";
constexpr std::string_view kUnclosed = "the body ends without the closing boundary delimiter";

}  // namespace

MultipartScanner::MultipartScanner(std::string_view boundary, MultipartLimits limits)
    : delimiter_("\r\n--" + std::string(boundary)),
      searcher_(delimiter_.cbegin(), delimiter_.cend()),
      limits_(limits) {
  // The first delimiter may open the body without the CRLF the others begin with: scanning as
  // if the body followed one finds it either way.
  held_ = "\r\n";
  held_offset_ = -2;
}

Status MultipartScanner::fail(std::string what) {
  error_ = multipart_error(std::move(what));
  return *error_;
}

Status MultipartScanner::feed(std::string_view piece, MultipartListener& listener) {
  if (error_) return *error_;
  while (!piece.empty()) {
    Result<std::size_t> used = std::size_t{0};
    switch (state_) {
      case State::preamble:
      case State::body:
        used = scan(piece, listener);
        break;
      case State::delimiter_end:
      case State::dash:
      case State::padding:
      case State::line_end:
        used = step_line(piece);
        break;
      case State::headers:
        used = step_headers(piece, listener);
        break;
      case State::epilogue:
        used = piece.size();  // ignored, as the epilogue is
        break;
    }
    if (!used) {
      if (!error_) error_ = used.error();  // the listener's own error
      return *error_;
    }
    offset_ += *used;
    piece.remove_prefix(*used);
  }
  return Status::success();
}

Status MultipartScanner::finish() {
  if (error_) return *error_;
  switch (state_) {
    case State::epilogue:
      return Status::success();
    case State::preamble:
      return fail("the boundary delimiter never occurs");
    case State::delimiter_end:
    case State::dash:
    case State::padding:
    case State::line_end:
      return fail(std::string(kBadDelimiterLine));
    case State::headers:
      if (!headers_.empty())
        return fail("part " + std::to_string(parts_ + 1) +
                    "'s headers do not end with a blank line");
      return fail(std::string(kUnclosed));
    case State::body:
      break;
  }
  return fail(std::string(kUnclosed));
}

Status MultipartScanner::emit(std::string_view bytes, MultipartListener& listener) {
  if (state_ != State::body || bytes.empty()) return Status::success();  // the preamble's: dropped
  return listener.on_data(bytes);
}

Status MultipartScanner::delimiter_found(std::uint64_t at, MultipartListener& listener) {
  const bool ends_part = state_ == State::body;
  state_ = State::delimiter_end;
  return ends_part ? listener.on_part_end(at) : Status::success();
}

Result<std::size_t> MultipartScanner::scan(std::string_view piece, MultipartListener& listener) {
  const std::string_view delimiter = delimiter_;
  const std::size_t length = delimiter.size();
  // Where the longest end of `text` that could begin a delimiter starts (text.size(): none).
  const auto partial_start = [&](std::string_view text) {
    for (std::size_t k = text.size() - std::min(text.size(), length - 1); k < text.size(); ++k)
      if (text[k] == '\r' && delimiter.starts_with(text.substr(k))) return k;
    return text.size();
  };
  if (!held_.empty()) {
    // A delimiter may begin in the held bytes: look at them with enough of the piece to end it.
    const std::string window = held_ + std::string(piece.substr(0, length - 1));
    const std::size_t at = window.find(delimiter);
    if (at != std::string::npos && at < held_.size()) {
      if (Status s = emit(std::string_view(window).substr(0, at), listener); !s) return s.error();
      const auto delimiter_offset = static_cast<std::uint64_t>(held_offset_ + std::int64_t(at));
      const std::size_t used = at + length - held_.size();
      held_.clear();
      if (Status s = delimiter_found(delimiter_offset, listener); !s) return s.error();
      return used;
    }
    if (window.size() < held_.size() + length - 1) {  // the piece is all in the window
      const std::size_t k = partial_start(window);
      if (k < held_.size()) {
        if (Status s = emit(std::string_view(window).substr(0, k), listener); !s) return s.error();
        held_offset_ += std::int64_t(k);
        held_ = window.substr(k);
        return piece.size();
      }
    }
    const std::string held = std::move(held_);
    held_.clear();
    if (Status s = emit(held, listener); !s) return s.error();
  }
  const auto found = std::search(piece.begin(), piece.end(), searcher_);
  const std::size_t at = found == piece.end() ? std::string_view::npos
                                              : static_cast<std::size_t>(found - piece.begin());
  if (at != std::string_view::npos) {
    if (Status s = emit(piece.substr(0, at), listener); !s) return s.error();
    if (Status s = delimiter_found(offset_ + at, listener); !s) return s.error();
    return at + length;
  }
  const std::size_t k = partial_start(piece);
  if (Status s = emit(piece.substr(0, k), listener); !s) return s.error();
  held_ = std::string(piece.substr(k));
  held_offset_ = static_cast<std::int64_t>(offset_ + k);
  return piece.size();
}

// After a delimiter: "--" closes the body; else optional transport padding (spaces, tabs) and
// CRLF open a part's headers. Byte by byte, so nothing needs holding.
Result<std::size_t> MultipartScanner::step_line(std::string_view piece) {
  for (std::size_t i = 0; i < piece.size(); ++i) {
    const char c = piece[i];
    switch (state_) {
      case State::delimiter_end:
        if (c == '-')
          state_ = State::dash;
        else if (is_lwsp(c))
          state_ = State::padding;
        else if (c == '\r')
          state_ = State::line_end;
        else
          return fail(std::string(kBadDelimiterLine)).error();
        break;
      case State::dash:
        if (c != '-') return fail(std::string(kBadDelimiterLine)).error();
        if (parts_ == 0) return fail("the body has no parts").error();
        state_ = State::epilogue;
        return i + 1;
      case State::padding:
        if (c == '\r')
          state_ = State::line_end;
        else if (!is_lwsp(c))
          return fail(std::string(kBadDelimiterLine)).error();
        break;
      case State::line_end:
        if (c != '\n') return fail(std::string(kBadDelimiterLine)).error();
        if (parts_ == limits_.max_parts)
          return fail("more than " + std::to_string(limits_.max_parts) + " parts").error();
        state_ = State::headers;
        headers_.clear();
        return i + 1;
      default:
        return i;
    }
  }
  return piece.size();
}

// A header block ends at its first blank line; one that starts with it is a part without
// headers (which parse_part_headers refuses: a part needs its Content-Disposition).
Result<std::size_t> MultipartScanner::step_headers(std::string_view piece,
                                                   MultipartListener& listener) {
  const std::size_t limit = limits_.max_header_bytes + 4;
  const std::size_t before = headers_.size();
  headers_.append(piece.substr(0, limit - before));
  std::size_t block_end = std::string::npos;  // where the header lines end
  std::size_t content = 0;                    // where the body starts, in headers_
  if (headers_.starts_with("\r\n")) {
    block_end = 0;
    content = 2;
  } else if (const std::size_t end = headers_.find("\r\n\r\n", before < 3 ? 0 : before - 3);
             end != std::string::npos) {
    block_end = end;
    content = end + 4;
  }
  if (block_end == std::string::npos) {
    if (headers_.size() < limit) return piece.size();
    return fail("part " + std::to_string(parts_ + 1) + "'s headers exceed " +
                std::to_string(limits_.max_header_bytes) + " bytes")
        .error();
  }
  MultipartPart part;
  if (Status s = parse_part_headers(std::string_view(headers_).substr(0, block_end), parts_, part);
      !s) {
    error_ = s.error();
    return s.error();
  }
  ++parts_;
  const std::size_t used = content - before;
  state_ = State::body;
  headers_.clear();
  if (Status s = listener.on_part(part, offset_ + used); !s) return s.error();
  return used;
}

}  // namespace sluice::http
