#include "http/response_head.hpp"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

TEST(ResponseHeadTest, ContentLengthKeepAlive) {
  Response r;
  r.set_json(200, R"({"ok":true})");
  r.add_header("x-sluice-deployment", "primary");
  std::string out;
  write_response_head(out, r, "Date: X\r\n", "req_1", BodyFraming::content_length, true, false);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nDate: X\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
            "x-request-id: req_1\r\nx-sluice-deployment: primary\r\n\r\n");
}

TEST(ResponseHeadTest, ChunkedCloseAndHttp10) {
  Response r;
  r.status = 431;
  r.content_type =
      std::string("text/event-stream");  // (operator=(const char*) trips GCC 12 -Wrestrict)
  std::string out;
  write_response_head(out, r, "", "id", BodyFraming::chunked, false, false);
  EXPECT_NE(out.find("HTTP/1.1 431 Request Header Fields Too Large\r\n"), std::string::npos);
  EXPECT_NE(out.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
  write_response_head(out, r, "", "id", BodyFraming::content_length, true, true);
  EXPECT_EQ(out.rfind("HTTP/1.0 431", 0), 0u);
  EXPECT_NE(out.find("Connection: keep-alive\r\n"), std::string::npos);
}

TEST(ResponseHeadTest, NoContentLengthOnNoContent) {
  Response r;
  r.status = 204;
  r.content_type.clear();
  std::string out;
  write_response_head(out, r, "", "id", BodyFraming::content_length, true, false);
  EXPECT_EQ(out.find("Content-Length"), std::string::npos) << out;
}

TEST(ResponseHeadTest, DateLineIsImfFixdate) {
  EXPECT_EQ(http_date_line(784111777), "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
}

TEST(ExchangeTest, HeaderLookupIsCaseInsensitive) {
  Request req;
  req.headers = {{"Content-Type", "application/json"}, {"X-Request-Id", "abc"}};
  EXPECT_EQ(req.header("content-type"), "application/json");
  EXPECT_EQ(req.header("X-REQUEST-ID"), "abc");
  EXPECT_EQ(req.header("missing"), "");
}

TEST(ExchangeTest, QueryParameterPresence) {
  Request req;
  req.query = "a=1&verbose&b=";
  EXPECT_TRUE(req.has_query_param("verbose"));
  EXPECT_TRUE(req.has_query_param("a"));
  EXPECT_TRUE(req.has_query_param("b"));
  EXPECT_FALSE(req.has_query_param("verb"));
  req.query = "";
  EXPECT_FALSE(req.has_query_param("verbose"));
}

TEST(ExchangeTest, QueryParameterValues) {
  Request req;
  req.query = "limit=10&verbose&after=abc&limit=20";
  EXPECT_EQ(req.query_param("limit"), "10");
  EXPECT_EQ(req.query_param("after"), "abc");
  EXPECT_EQ(req.query_param("verbose"), "");
  EXPECT_EQ(req.query_param("state"), std::nullopt);
}

TEST(ExchangeTest, ResetKeepsNothingFromThePreviousRequest) {
  Exchange ex;
  ex.request.body = std::string("x");  // (operator=(const char*) trips GCC 12 -Wrestrict)
  ex.response.set_error(make_error(Errc::not_found, "gone"));
  ex.response.add_header("a", "b");
  ex.log_fields = ",\"x\":1";
  ex.route = "/r";
  ex.reset();
  EXPECT_EQ(ex.response.status, 200);
  EXPECT_TRUE(ex.response.body.empty());
  EXPECT_TRUE(ex.response.headers.empty());
  EXPECT_TRUE(ex.request.body.empty());
  EXPECT_TRUE(ex.log_fields.empty());
  EXPECT_EQ(ex.route, "unmatched");
  EXPECT_EQ(ex.response.content_type, "application/json");
}

}  // namespace
}  // namespace sluice::http
