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

TEST(Exchange, LargeBodiesAreNotKeptBetweenRequests) {
  Exchange exchange;
  exchange.request.body.assign(8 * 1024 * 1024, 'x');  // a base64 image
  exchange.response.body.assign(1024, 'y');            // a small answer
  exchange.release_large_bodies();
  EXPECT_EQ(exchange.request.body.capacity(), std::string().capacity());
  EXPECT_EQ(exchange.response.body, std::string(1024, 'y'));  // small buffers stay for reuse
  exchange.response.body.assign(2 * 1024 * 1024, 'z');
  exchange.release_large_bodies();
  EXPECT_EQ(exchange.response.body.capacity(), std::string().capacity());
}

}  // namespace
}  // namespace sluice::http
