#include "http/request_framing.hpp"

#include <gtest/gtest.h>

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

TEST(RequestFramingTest, Http11NeedsExactlyOneHost) {
  EXPECT_NE(problem(fields({})).find("must carry a Host header"), std::string::npos);
  const auto two = fields({{bhttp::field::host, "a"}, {bhttp::field::host, "b"}});
  EXPECT_NE(problem(two).find("not 2"), std::string::npos);
  EXPECT_NE(problem(two, 10).find("not 2"), std::string::npos);
}

}  // namespace
}  // namespace sluice::http
