#include "http/exchange.hpp"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

TEST(Response, AHeaderValueCannotSplitTheHeaderLine) {
  Response response;
  response.add_header("Access-Control-Allow-Headers",
                      std::string("x-a\r\nSet-Cookie: s=1\nx-b\0x-c", 28));
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, std::string("x-a  Set-Cookie: s=1 x-b x-c"));
}

}  // namespace
}  // namespace sluice::http
