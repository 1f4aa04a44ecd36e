#include "http/request_framing.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "http/request_parser.hpp"

namespace sluice::http {
namespace {

namespace bhttp = boost::beast::http;

bhttp::fields fields(std::initializer_list<std::pair<bhttp::field, const char*>> list) {
  bhttp::fields out;
  for (const auto& [name, value] : list) out.insert(name, value);
  return out;
}

std::string problem(const bhttp::fields& f, unsigned version = 11, bool chunked = false) {
  auto error = framing_error(f, version, chunked);
  return error ? error->message : "";
}

TEST(RequestFramingTest, AcceptsWellFramedRequests) {
  EXPECT_EQ(problem(fields({{bhttp::field::host, "x"}})), "");
  EXPECT_EQ(problem(fields({{bhttp::field::host, "x"}, {bhttp::field::content_length, "3"}})), "");
  EXPECT_EQ(
      problem(fields({{bhttp::field::host, "x"}, {bhttp::field::transfer_encoding, "chunked"}}), 11,
              true),
      "");
  EXPECT_EQ(problem(fields({}), 10), "");  // HTTP/1.0 predates Host
}

TEST(RequestFramingTest, RefusesAmbiguousBodies) {
  const auto gzip = fields({{bhttp::field::host, "x"}, {bhttp::field::transfer_encoding, "gzip"}});
  EXPECT_NE(problem(gzip).find("'gzip' is not supported"), std::string::npos);
  const auto chunked = fields({{bhttp::field::transfer_encoding, "chunked"}});
  EXPECT_NE(problem(chunked, 10, true).find("HTTP/1.0"), std::string::npos);
  const auto both = fields({{bhttp::field::host, "x"},
                            {bhttp::field::transfer_encoding, "gzip"},
                            {bhttp::field::content_length, "3"}});
  EXPECT_NE(problem(both).find("both Content-Length and Transfer-Encoding"), std::string::npos);
  auto error = framing_error(both, 11, false);
  ASSERT_TRUE(error);
  EXPECT_EQ(http_status(error->code), 400);
}

TEST(RequestFramingTest, RefusesCodingsOtherThanOneChunked) {
  for (const char* te : {"gzip, chunked", "chunked, chunked", "identity, chunked", "x,chunked"}) {
    const auto f = fields({{bhttp::field::host, "x"}, {bhttp::field::transfer_encoding, te}});
    EXPECT_NE(problem(f, 11, true).find("not supported"), std::string::npos) << te;
  }
  const auto split = fields({{bhttp::field::host, "x"},
                             {bhttp::field::transfer_encoding, "gzip"},
                             {bhttp::field::transfer_encoding, "chunked"}});
  EXPECT_NE(problem(split, 11, true).find("not supported"), std::string::npos);
  const auto odd_case =
      fields({{bhttp::field::host, "x"}, {bhttp::field::transfer_encoding, " CHUNKED "}});
  EXPECT_EQ(problem(odd_case, 11, true), "");
}

// What the server answers for a head: Beast's parser refuses some framing faults itself,
// depending on the order of the fields; the rest are framing_error's to find.
std::optional<Error> head_problem(std::string_view head) {
  RequestParser parser;
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(head.data(), head.size()), ec);
  if (ec) return parser_framing_error(ec, parser.get());
  return framing_error(parser.get(), parser.get().version(), parser.chunked());
}

TEST(RequestFramingTest, BothLengthsAreOneFramingErrorInEitherOrder) {
  for (const char* head : {
           "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\nContent-Length: 3\r\n\r\n",
           "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: identity\r\n\r\n",
       }) {
    const auto error = head_problem(head);
    ASSERT_TRUE(error) << head;
    EXPECT_EQ(error->message, "a request must not carry both Content-Length and Transfer-Encoding")
        << head;
    EXPECT_EQ(error->code_detail, "bad_request_framing") << head;
    EXPECT_EQ(http_status(error->code), 400);
  }
}

TEST(RequestFramingTest, ParserRefusalsOfLengthsAndCodingsAreFramingErrors) {
  const auto bad_length = head_problem("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n");
  ASSERT_TRUE(bad_length);
  EXPECT_NE(bad_length->message.find("Content-Length"), std::string::npos);
  EXPECT_EQ(bad_length->code_detail, "bad_request_framing");
  const auto two_lengths =
      head_problem("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n");
  ASSERT_TRUE(two_lengths);
  EXPECT_EQ(two_lengths->code_detail, "bad_request_framing");
  const auto chunked_twice = head_problem(
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
      "chunked\r\n\r\n");
  ASSERT_TRUE(chunked_twice);
  EXPECT_NE(chunked_twice->message.find("only be chunked, once"), std::string::npos);
  EXPECT_EQ(chunked_twice->code_detail, "bad_request_framing");
  // Not framing: left to the generic 400.
  EXPECT_FALSE(parser_framing_error(bhttp::error::bad_field, bhttp::fields{}));
}

TEST(RequestFramingTest, Http11NeedsExactlyOneHost) {
  EXPECT_NE(problem(fields({})).find("must carry a Host header"), std::string::npos);
  const auto two = fields({{bhttp::field::host, "a"}, {bhttp::field::host, "b"}});
  EXPECT_NE(problem(two).find("not 2"), std::string::npos);
  EXPECT_NE(problem(two, 10).find("not 2"), std::string::npos);
}

}  // namespace
}  // namespace sluice::http
