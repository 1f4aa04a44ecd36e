#include "gateway/providers/sse_parser.hpp"

#include <gtest/gtest.h>

namespace sluice::gateway {
namespace {

std::vector<SseEvent> feed_in_pieces(std::string_view stream, std::size_t piece) {
  SseParser parser;
  std::vector<SseEvent> events;
  for (std::size_t i = 0; i < stream.size(); i += piece)
    parser.feed(stream.substr(i, piece), events);
  return events;
}

TEST(SseParserTest, EventsSplitAnywhereAcrossReads) {
  const std::string stream =
      "data: {\"a\":1}\n\n: keep-alive comment\n\nevent: message_start\ndata: {\"b\":2}\n\n"
      "data: [DONE]\n\n";
  for (std::size_t piece : {1u, 2u, 3u, 7u, 1000u}) {
    auto events = feed_in_pieces(stream, piece);
    ASSERT_EQ(events.size(), 3u) << "piece size " << piece;
    EXPECT_EQ(events[0].data, "{\"a\":1}");
    EXPECT_EQ(events[0].event, "");
    EXPECT_EQ(events[1].event, "message_start");
    EXPECT_EQ(events[1].data, "{\"b\":2}");
    EXPECT_EQ(events[2].data, "[DONE]");
  }
}

TEST(SseParserTest, CrLfAndCrLineEnds) {
  auto crlf = feed_in_pieces("data: x\r\n\r\ndata: y\r\r", 1);
  ASSERT_EQ(crlf.size(), 2u);
  EXPECT_EQ(crlf[0].data, "x");
  EXPECT_EQ(crlf[1].data, "y");
}

TEST(SseParserTest, MultiLineDataIsJoinedAndIncompleteEventsWait) {
  SseParser parser;
  std::vector<SseEvent> events;
  parser.feed("data: line one\ndata:line two\n", events);
  EXPECT_TRUE(events.empty());  // no blank line yet
  EXPECT_GT(parser.buffered(), 0u);
  parser.feed("\n", events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "line one\nline two");
}

TEST(SseParserTest, EventWithoutDataIsNotDispatched) {
  auto events = feed_in_pieces("event: ping\n\ndata: real\n\n", 4);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "real");
}

}  // namespace
}  // namespace sluice::gateway
