#include "gateway/providers/sse_parser.hpp"

namespace sluice::gateway {

void SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  while (!bytes.empty() && !overflowed_) {
    if (last_was_cr_ && bytes.front() == '\n') {  // the \n of a \r\n pair: that line has ended
      bytes.remove_prefix(1);
      last_was_cr_ = false;
      continue;
    }
    last_was_cr_ = false;
    const auto end = bytes.find_first_of("\r\n");
    if (end == std::string_view::npos) {  // a partial line: keep it for the next read
      if (can_hold(bytes.size())) line_.append(bytes);
      return;
    }
    if (line_.empty()) {
      line(bytes.substr(0, end), out);  // the common case: the whole line is in this read
    } else {
      if (!can_hold(end)) return;
      line_.append(bytes.substr(0, end));
      std::string text;  // no longer pending while line() stores it in the event
      text.swap(line_);
      line(text, out);
      if (overflowed_) return;
      text.clear();
      line_.swap(text);  // keeps its capacity for the next split line
    }
    last_was_cr_ = bytes[end] == '\r';
    bytes.remove_prefix(end + 1);
  }
}

void SseParser::line(std::string_view text, std::vector<SseEvent>& out) {
  if (text.empty()) {  // blank line: dispatch
    if (has_data_) out.push_back(std::move(current_));
    current_ = SseEvent{};
    has_data_ = false;
    return;
  }
  if (text.front() == ':') return;  // comment (keep-alive pings)
  const auto colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (!can_hold(value.size() + (has_data_ ? 1 : 0))) return;
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.clear();
    if (!can_hold(value.size())) return;
    current_.event.assign(value);
  }
}

bool SseParser::can_hold(std::size_t more) {
  if (buffered() + more <= max_event_bytes_) return true;
  overflowed_ = true;
  line_ = std::string();  // release the memory: this stream is over
  current_ = SseEvent{};
  has_data_ = false;
  return false;
}

}  // namespace sluice::gateway
