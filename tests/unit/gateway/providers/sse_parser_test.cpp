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

TEST(SseParserTest, DefaultBoundIsOneMebibytePerEvent) {
  SseParser parser;
  std::vector<SseEvent> events;
  const std::string big(SseParser::kDefaultMaxEventBytes - 100, 'x');
  parser.feed("data: " + big + "\n\n", events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data.size(), big.size());
  EXPECT_FALSE(parser.overflowed());
}

TEST(SseParserTest, EndlessLineOverflowsAndReleasesWhatItHeld) {
  SseParser parser(64);
  std::vector<SseEvent> events;
  parser.feed("data: ok\n\ndata: ", events);
  const std::string piece(16, 'x');
  for (int i = 0; i < 10 && !parser.overflowed(); ++i) parser.feed(piece, events);
  EXPECT_TRUE(parser.overflowed());
  EXPECT_EQ(parser.buffered(), 0u);
  ASSERT_EQ(events.size(), 1u);  // the event completed before the overflow is kept
  EXPECT_EQ(events[0].data, "ok");
  parser.feed("\n\ndata: later\n\n", events);  // nothing after an overflow is parsed
  EXPECT_EQ(events.size(), 1u);
}

TEST(SseParserTest, ManyDataLinesOverflowAsOneEvent) {
  SseParser parser(64);
  std::vector<SseEvent> events;
  for (int i = 0; i < 20 && !parser.overflowed(); ++i) parser.feed("data: 0123456789\n", events);
  EXPECT_TRUE(parser.overflowed());
  EXPECT_TRUE(events.empty());
}

TEST(SseParserTest, LineSplitAcrossFeedsIsHeldOnceAgainstTheBound) {
  // The 58 bytes of data reach the event while the 64-byte line that carried them is released:
  // they are not counted twice.
  SseParser parser(64);
  std::vector<SseEvent> events;
  const std::string data(58, 'y');
  parser.feed("data: " + data.substr(0, 30), events);
  parser.feed(data.substr(30) + "\n", events);
  parser.feed("\n", events);
  EXPECT_FALSE(parser.overflowed());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, data);
}

}  // namespace
}  // namespace sluice::gateway
