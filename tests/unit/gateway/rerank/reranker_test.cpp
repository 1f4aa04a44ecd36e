// Endpoint calls through the gateway (GatewayService::call, and rerank() on it): only deployments
// whose provider serves the endpoint are tried, a model with none is refused before any call, and
// an answer that cannot be read fails its attempt so that the next deployment is tried.
#include "gateway/rerank/reranker.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "../fake_provider.hpp"
#include "ops/metrics.hpp"

namespace sluice::gateway {
namespace {

// Serves endpoints or not; answers every call with `answer`.
class EndpointProvider final : public Provider {
 public:
  EndpointProvider(std::string name, bool serving) : name_(std::move(name)), serving_(serving) {}
  const std::string& name() const override { return name_; }
  boost::asio::awaitable<AttemptResult> chat(const ChatRequest&, std::string_view,
                                             ChunkSink*) override {
    co_return AttemptResult{};
  }
  boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest&,
                                                   std::string_view) override {
    co_return AttemptResult{};
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override {
    co_return std::vector<std::string>{};
  }
  bool serves(Endpoint) const override { return serving_; }
  boost::asio::awaitable<AttemptResult> call(const EndpointRequest& request,
                                             std::string_view upstream_model) override {
    ++calls;
    sent_bodies.emplace_back(request.raw_body);
    sent_models.emplace_back(upstream_model);
    AttemptResult result;
    result.body = answer;
    co_return result;
  }

  std::string answer = R"({"results":[{"index":0,"relevance_score":0.1},)"
                       R"({"index":1,"relevance_score":0.8}],"usage":{"total_tokens":12}})";
  int calls = 0;
  std::vector<std::string> sent_bodies;
  std::vector<std::string> sent_models;

 private:
  std::string name_;
  bool serving_;
};

// Providers "chatonly" (serves no endpoint), "good" and "bad" (both serve; "bad" answers junk).
// Alias "mixed": chatonly/x first, then good/y; "chat": chatonly/x alone; "flaky": bad/z, then
// good/y.
struct Harness {
  Harness() {
    for (const char* name : {"chatonly", "good", "bad"}) {
      core::ProviderConfig p;
      p.name = name;
      p.type = "mock";
      config.providers.push_back(p);
    }
    core::ModelAliasConfig mixed;
    mixed.alias = "mixed";
    mixed.deployments = {{"chatonly", "x", 1, 0, ""}, {"good", "y", 1, 1, ""}};
    core::ModelAliasConfig chat;
    chat.alias = "chat";
    chat.deployments = {{"chatonly", "x", 1, 0, ""}};
    core::ModelAliasConfig flaky;
    flaky.alias = "flaky";
    flaky.deployments = {{"bad", "z", 1, 0, ""}, {"good", "y", 1, 1, ""}};
    config.models = {mixed, chat, flaky};
    auto built = Catalog::build(config, [this](const core::ProviderConfig& c) {
      auto p = std::make_unique<EndpointProvider>(c.name, c.name != "chatonly");
      providers[c.name] = p.get();
      return Result<std::unique_ptr<Provider>>(std::move(p));
    });
    catalog = std::move(*built);
    providers.at("bad")->answer = R"({"results":"nope"})";
    metrics = std::make_unique<GatewayMetrics>(registry, *catalog);
    service = std::make_unique<GatewayService>(*catalog, config, *metrics);
  }

  RerankOutcome rerank(const std::string& model) {
    request.model = model;
    request.query = "q";
    request.documents = {"first", "second"};
    return testing::run_to_end(gateway::rerank(*service, request, {}));
  }

  core::GatewayConfig config;
  std::map<std::string, EndpointProvider*> providers;
  std::unique_ptr<Catalog> catalog;
  ops::Registry registry;
  std::unique_ptr<GatewayMetrics> metrics;
  std::unique_ptr<GatewayService> service;
  RerankRequest request;
};

TEST(Reranker, OnlyDeploymentsThatServeTheEndpointAreTried) {
  Harness h;
  const RerankOutcome ranked = h.rerank("mixed");
  ASSERT_TRUE(ranked.outcome.ok) << ranked.outcome.error.message;
  EXPECT_EQ(h.providers.at("chatonly")->calls, 0);
  EXPECT_EQ(h.providers.at("good")->calls, 1);
  EXPECT_EQ(ranked.outcome.deployment, "good/y");
  EXPECT_EQ(ranked.outcome.attempts, 1);
  // The deployment's model name goes upstream, with the documents as strings.
  EXPECT_EQ(h.providers.at("good")->sent_models.at(0), "y");
  EXPECT_EQ(boost::json::parse(h.providers.at("good")->sent_bodies.at(0)),
            boost::json::parse(R"({"model":"mixed","query":"q","documents":["first","second"]})"));
  ASSERT_EQ(ranked.answer.results.size(), 2u);
  EXPECT_EQ(ranked.answer.results[0].index, 1u);
  EXPECT_EQ(ranked.outcome.usage.prompt_tokens, 12);
  EXPECT_TRUE(ranked.outcome.body.empty());
  EXPECT_NE(h.registry.render().find(R"(gen_ai_operation_name="rerank")"), std::string::npos);
}

TEST(Reranker, AModelWithNoServingDeploymentIsRefusedBeforeAnyCall) {
  Harness h;
  const RerankOutcome ranked = h.rerank("chat");
  EXPECT_FALSE(ranked.outcome.ok);
  EXPECT_EQ(ranked.outcome.error.code, Errc::invalid_request);
  EXPECT_EQ(ranked.outcome.error.param, "model");
  EXPECT_EQ(ranked.outcome.error.code_detail, "unsupported_endpoint");
  EXPECT_NE(ranked.outcome.error.message.find("/v1/rerank"), std::string::npos);
  EXPECT_EQ(ranked.outcome.attempts, 0);
  EXPECT_EQ(h.providers.at("chatonly")->calls, 0);
}

TEST(Reranker, AnUnreadableAnswerFailsItsAttemptAndTheNextDeploymentAnswers) {
  Harness h;
  const RerankOutcome ranked = h.rerank("flaky");
  ASSERT_TRUE(ranked.outcome.ok);
  EXPECT_EQ(ranked.outcome.attempts, 2);
  EXPECT_EQ(h.providers.at("bad")->calls, 1);
  EXPECT_EQ(ranked.outcome.deployment, "good/y");
  EXPECT_NE(h.registry.render().find(R"(deployment="bad/z",outcome="protocol")"),
            std::string::npos);
}

TEST(Reranker, AnUnknownModelIsNotFound) {
  Harness h;
  const RerankOutcome ranked = h.rerank("nothing-here");
  EXPECT_FALSE(ranked.outcome.ok);
  EXPECT_EQ(ranked.outcome.error.code, Errc::not_found);
}

TEST(GatewayEndpointCall, AnswersPassThroughWithoutACheck) {
  Harness h;
  const boost::json::object body{{"model", "mixed"}, {"input", "hi"}};
  EndpointRequest request;
  request.endpoint = Endpoint::moderations;
  request.body = &body;
  request.raw_body = R"({"model":"mixed","input":"hi"})";
  request.model = "mixed";
  const Outcome outcome = testing::run_to_end(h.service->call(request));
  ASSERT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.body, h.providers.at("good")->answer);
  EXPECT_NE(h.registry.render().find(R"(gen_ai_operation_name="moderations")"), std::string::npos);
}

}  // namespace
}  // namespace sluice::gateway
