#include "rag/gateway_embedder.hpp"

#include <gtest/gtest.h>

namespace sluice::rag {
namespace {

TEST(GatewayEmbedderTest, ParsesVectorsInTheirIndexOrder) {
  auto vectors = parse_embeddings_response(
      R"({"object":"list","data":[{"index":1,"embedding":[3,4]},{"index":0,"embedding":[1.5,2]}]})",
      2);
  ASSERT_TRUE(vectors.ok()) << vectors.error().message;
  EXPECT_EQ((*vectors)[0], (std::vector<float>{1.5f, 2.f}));
  EXPECT_EQ((*vectors)[1], (std::vector<float>{3.f, 4.f}));
}

TEST(GatewayEmbedderTest, RefusesMalformedResponses) {
  for (const char* body : {
           "not json",
           R"({"data":{}})",
           R"({"data":[{"embedding":[1,2]}]})",                                      // 1 of 2
           R"({"data":[{"embedding":[1,2]},{"embedding":[1]}]})",                    // dimensions
           R"({"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[2]}]})",  // index twice
           R"({"data":[{"embedding":[1]},{"embedding":["x"]}]})",
       }) {
    auto vectors = parse_embeddings_response(body, 2);
    ASSERT_FALSE(vectors.ok()) << body;
    EXPECT_EQ(vectors.error().code, Errc::bad_gateway);
  }
}

}  // namespace
}  // namespace sluice::rag
