#pragma once

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
class SseParser {
 public:
  // Appends the events completed by `bytes` to `out`.
  void feed(std::string_view bytes, std::vector<SseEvent>& out);
  // Bytes held for an incomplete line or event: bounded by the caller's read size.
  std::size_t buffered() const { return line_.size() + current_.data.size(); }

 private:
  void line(std::string_view text, std::vector<SseEvent>& out);

  std::string line_;
  SseEvent current_;
  bool has_data_ = false;
  bool last_was_cr_ = false;
};

}  // namespace sluice::gateway
