#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::gateway {

struct SseEvent {
  std::string event;  // empty = "message"
  std::string data;   // data lines joined with '\n'
};

// Incremental Server-Sent Events parser (the WHATWG event-stream format): feed bytes as they
// arrive, get whole events. Handles \n, \r\n and \r line ends split anywhere across feeds.
//
// Memory is bounded: the bytes held for one incomplete event (its pending line, event name and
// data) never exceed `max_event_bytes`. An upstream that sends a longer line or event (endless,
// or hostile) makes the parser overflow: overflowed() turns true, the held bytes are released
// and every later feed() is ignored. The caller must check overflowed() after each feed() and
// fail the stream as a protocol error ("upstream SSE event too long"); events delivered before
// the overflow were complete and valid.
class SseParser {
 public:
  // Far above any real completion chunk, small enough that many open streams cannot exhaust
  // memory.
  static constexpr std::size_t kDefaultMaxEventBytes = std::size_t{1} << 20;

  explicit SseParser(std::size_t max_event_bytes = kDefaultMaxEventBytes)
      : max_event_bytes_(max_event_bytes) {}

  // Appends the events completed by `bytes` to `out`. Does nothing once overflowed().
  void feed(std::string_view bytes, std::vector<SseEvent>& out);
  // True once an event outgrew max_event_bytes: the stream cannot be parsed further.
  bool overflowed() const { return overflowed_; }
  // Bytes held for an incomplete line or event: at most max_event_bytes.
  std::size_t buffered() const {
    return line_.size() + current_.event.size() + current_.data.size();
  }

 private:
  void line(std::string_view text, std::vector<SseEvent>& out);
  // False (and overflowed) when holding `more` bytes would pass the bound.
  bool can_hold(std::size_t more);

  std::size_t max_event_bytes_;
  std::string line_;
  SseEvent current_;
  bool has_data_ = false;
  bool last_was_cr_ = false;
  bool overflowed_ = false;
};

}  // namespace sluice::gateway
