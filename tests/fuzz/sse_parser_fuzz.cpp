// An upstream's event stream, fed to the SSE parser at once, in reads of varying size and a byte
// at a time: the events must not depend on where the reads split lines (a \r\n pair split
// across reads is the classic bug), and the parser must hold no more than it was given.

#include <vector>

#include "fuzz_support.hpp"
#include "gateway/providers/sse_parser.hpp"

namespace {

using sluice::gateway::SseEvent;
using sluice::gateway::SseParser;

bool same(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].event != b[i].event || a[i].data != b[i].data) return false;
  return true;
}

std::vector<SseEvent> events_of(std::string_view stream, std::size_t read_size) {
  SseParser parser;
  std::vector<SseEvent> events;
  std::size_t fed = 0;
  while (!stream.empty()) {
    const std::string_view read = stream.substr(0, read_size);
    parser.feed(read, events);
    fed += read.size();
    stream.remove_prefix(read.size());
    FUZZ_CHECK(parser.buffered() <= fed);
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view stream = sluice::fuzz::text(data, size);
  const std::vector<SseEvent> at_once = events_of(stream, stream.size());
  for (const SseEvent& event : at_once) {
    FUZZ_CHECK(event.event.find_first_of("\r\n") == std::string::npos);
    FUZZ_CHECK(event.data.find('\r') == std::string::npos);
  }
  FUZZ_CHECK(same(at_once, events_of(stream, 1 + size % 13)));
  FUZZ_CHECK(same(at_once, events_of(stream, 1)));
  return 0;
}
