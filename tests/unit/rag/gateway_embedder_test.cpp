#include "rag/gateway_embedder.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <optional>

#include "gateway/gateway_service.hpp"
#include "gateway/providers/provider.hpp"
#include "ops/metrics.hpp"

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

// Answers embeddings with [input length, batch position] per text and records each batch size;
// fails every call whose first input is "fail".
class RecordingProvider final : public gateway::Provider {
 public:
  explicit RecordingProvider(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  boost::asio::awaitable<gateway::AttemptResult> chat(const gateway::ChatRequest&, std::string_view,
                                                      gateway::ChunkSink*) override {
    co_return gateway::AttemptResult::failure(core::AttemptOutcome::rejected,
                                              make_error(Errc::invalid_request, "no chat"));
  }
  boost::asio::awaitable<gateway::AttemptResult> embeddings(
      const gateway::EmbeddingsRequest& request, std::string_view) override {
    const auto& input = request.body->at("input").as_array();
    batches.push_back(input.size());
    if (input[0].as_string() == "fail")
      co_return gateway::AttemptResult::failure(
          core::AttemptOutcome::upstream_4xx,
          make_error(Errc::invalid_request, "input rejected upstream"));
    boost::json::array data;
    for (std::size_t i = 0; i < input.size(); ++i)
      data.push_back(
          {{"index", i},
           {"embedding",
            {static_cast<double>(input[i].as_string().size()), static_cast<double>(i)}}});
    gateway::AttemptResult result;
    result.body = boost::json::serialize(boost::json::object{{"data", std::move(data)}});
    co_return result;
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override {
    co_return std::vector<std::string>{};
  }
  std::vector<std::size_t> batches;

 private:
  std::string name_;
};

class GatewayEmbedderCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::GatewayConfig config;
    core::ProviderConfig provider;
    provider.name = "p";
    provider.type = "mock";
    config.providers = {provider};
    core::ModelAliasConfig alias;
    alias.alias = "embedder";
    alias.deployments = {{"p", "e1", 1, 0, ""}};
    config.models = {alias};
    config.retry.max_attempts = 1;
    auto catalog = gateway::Catalog::build(config, [this](const core::ProviderConfig& c) {
      auto made = std::make_unique<RecordingProvider>(c.name);
      provider_ = made.get();
      return Result<std::unique_ptr<gateway::Provider>>(std::move(made));
    });
    ASSERT_TRUE(catalog.ok());
    catalog_ = std::move(*catalog);
    metrics_ = std::make_unique<gateway::GatewayMetrics>(registry_, *catalog_);
    service_ = std::make_unique<gateway::GatewayService>(*catalog_, config, *metrics_);
  }
  Result<std::vector<std::vector<float>>> embed(const std::vector<std::string>& texts) {
    GatewayEmbedder embedder(*service_);
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<std::optional<Result<std::vector<std::vector<float>>>>> {
          co_return co_await embedder.embed("embedder", texts);
        },
        boost::asio::use_future);
    io.run();
    return *future.get();
  }
  ops::Registry registry_;
  std::unique_ptr<gateway::Catalog> catalog_;
  std::unique_ptr<gateway::GatewayMetrics> metrics_;
  std::unique_ptr<gateway::GatewayService> service_;
  RecordingProvider* provider_ = nullptr;
};

TEST_F(GatewayEmbedderCallTest, SendsBatchesOfAtMost64AndKeepsTheOrder) {
  std::vector<std::string> texts;
  for (int i = 0; i < 130; ++i) texts.push_back(std::string(i + 1, 'x'));
  auto vectors = embed(texts);
  ASSERT_TRUE(vectors.ok()) << vectors.error().message;
  EXPECT_EQ(provider_->batches, (std::vector<std::size_t>{64, 64, 2}));
  ASSERT_EQ(vectors->size(), 130u);
  for (int i = 0; i < 130; ++i) EXPECT_EQ((*vectors)[i][0], static_cast<float>(i + 1));
}

TEST_F(GatewayEmbedderCallTest, FailsWholeWithTheGatewaysMessage) {
  auto vectors = embed({"fail", "other"});
  ASSERT_FALSE(vectors.ok());
  EXPECT_NE(vectors.error().message.find("input rejected upstream"), std::string::npos)
      << vectors.error().message;
}

}  // namespace
}  // namespace sluice::rag
