#include "http/request_parser.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string>

namespace sluice::http {
namespace {

namespace bhttp = boost::beast::http;

core::ServerConfig limits(std::size_t header_bytes, std::size_t body_bytes) {
  core::ServerConfig config;
  config.max_header_bytes = header_bytes;
  config.max_body_bytes = body_bytes;
  return config;
}

// Puts `bytes` as the connection's read loop does: the head first, then the body.
boost::system::error_code parse(RequestParser& parser, std::string_view bytes) {
  boost::system::error_code ec;
  while (!ec && !parser.is_done() && !bytes.empty())
    bytes.remove_prefix(parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec));
  return ec;
}

TEST(RequestParserTest, HeadPastTheLimitFailsWithHeaderLimit) {
  RequestParser parser;
  apply_request_limits(parser, limits(1024, 1024));
  const std::string head = "GET / HTTP/1.1\r\nx-pad: " + std::string(1100, 'a') + "\r\n\r\n";
  EXPECT_EQ(parse(parser, head), bhttp::error::header_limit);
}

// The body's limit depends on the route: none is set before the head is routed.
TEST(RequestParserTest, BodyLimitWaitsForTheRoute) {
  RequestParser parser;
  apply_request_limits(parser, limits(1024, 1024));
  EXPECT_FALSE(parse(parser, "POST / HTTP/1.1\r\ncontent-length: 1025\r\n\r\n"));
}

TEST(RequestParserTest, ViewSplitsTheTargetAndKeepsHeadersAndBody) {
  RequestParser parser;
  apply_request_limits(parser, limits(1024, 1024));
  ASSERT_FALSE(parse(parser,
                     "POST /v1/chat?x=1&y HTTP/1.1\r\nX-Request-Id: abc\r\ncontent-length: 2\r\n"
                     "\r\nhi"));
  ASSERT_TRUE(parser.is_done());
  Request request;
  view_request(parser.get(), request);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v1/chat");
  EXPECT_EQ(request.query, "x=1&y");
  EXPECT_EQ(request.header("x-request-id"), "abc");
  EXPECT_EQ(request.body, "hi");
}

TEST(RequestParserTest, TargetWithoutQueryHasAnEmptyOne) {
  RequestParser parser;
  ASSERT_FALSE(parse(parser, "GET /livez HTTP/1.1\r\n\r\n"));
  Request request;
  view_request(parser.get(), request);
  EXPECT_EQ(request.path, "/livez");
  EXPECT_TRUE(request.query.empty());
}

TEST(RequestParserTest, AbsoluteFormRoutesByItsPath) {
  const auto split = [](std::string_view target) {
    Request request;
    split_target(target, request);
    return std::pair(std::string(request.path), std::string(request.query));
  };
  EXPECT_EQ(split("http://127.0.0.1:8080/livez"), std::pair(std::string("/livez"), std::string()));
  EXPECT_EQ(split("HTTPS://example.com/v1/models?limit=2"),
            std::pair(std::string("/v1/models"), std::string("limit=2")));
  EXPECT_EQ(split("http://example.com"), std::pair(std::string("/"), std::string()));
  EXPECT_EQ(split("http://example.com?x"), std::pair(std::string("/"), std::string("x")));
  // Not a URL this server takes: left as it is, so routing answers 404.
  EXPECT_EQ(split("ftp://example.com/x"),
            std::pair(std::string("ftp://example.com/x"), std::string()));
  EXPECT_EQ(split("*"), std::pair(std::string("*"), std::string()));
}

TEST(RequestParserTest, RequestLineOfARefusedHead) {
  const RequestLine line = request_line_of("POST /v1/messages?x=1 HTTP/1.1\r\nX-Big: aaaa");
  EXPECT_EQ(line.method, "POST");
  EXPECT_EQ(line.target, "/v1/messages?x=1");
  EXPECT_EQ(request_line_of("\r\n\r\nGET /livez HTTP/1.1\r\n").target, "/livez");
  EXPECT_EQ(request_line_of("GET /livez HTTP/1.1").target, "/livez");  // cut after the line
  EXPECT_EQ(request_line_of("GET /very-long-target-cut-by-the-li").target, "");
  EXPECT_EQ(request_line_of("").target, "");
  EXPECT_EQ(request_line_of("GET\r\n/x y").target, "");  // the line ends before a target
}

}  // namespace
}  // namespace sluice::http
