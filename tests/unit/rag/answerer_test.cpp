#include "rag/answerer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <filesystem>

#include "../gateway/fake_provider.hpp"
#include "fake_retriever.hpp"
#include "gateway/mock_route.hpp"
#include "ops/metrics.hpp"
#include "rag/extractive_answer.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::rag {
namespace {

namespace json = boost::json;
using gateway::testing::run_to_end;
using testing::hit;
using namespace std::chrono_literals;

// An answering model: replies with the next scripted text (streamed in words when asked), or
// fails with `failure`; keeps every request body it got.
class AnswerProvider final : public gateway::Provider {
 public:
  explicit AnswerProvider(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }

  boost::asio::awaitable<gateway::AttemptResult> chat(const gateway::ChatRequest& request,
                                                      std::string_view,
                                                      gateway::ChunkSink* sink) override {
    bodies.push_back(json::serialize(*request.body));
    if (failure) co_return *failure;
    std::string text = replies.empty() ? "default reply" : replies.front();
    if (!replies.empty()) replies.pop_front();
    gateway::AttemptResult result;
    result.usage = {11, 7, 0, false, true};
    if (!request.stream) {
      result.body = json::serialize(json::object{
          {"choices", json::array{json::object{
                          {"message", json::object{{"role", "assistant"}, {"content", text}}}}}}});
      co_return result;
    }
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find(' ', start + 1);
      if (end == std::string::npos) end = text.size();
      const std::string chunk = json::serialize(json::object{
          {"choices",
           json::array{json::object{
               {"delta", json::object{{"content", text.substr(start, end - start)}}}}}}});
      co_await sink->send(chunk);
      start = end;
    }
    co_return result;
  }
  boost::asio::awaitable<gateway::AttemptResult> embeddings(const gateway::EmbeddingsRequest&,
                                                            std::string_view) override {
    co_return gateway::AttemptResult::failure(core::AttemptOutcome::rejected, Error{});
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override {
    co_return std::vector<std::string>{};
  }

  std::deque<std::string> replies;
  std::vector<std::string> bodies;
  std::optional<gateway::AttemptResult> failure;

 private:
  std::string name_;
};

class RecordingStream final : public AnswerStream {
 public:
  void on_attempt(std::string_view) override {}
  bool started() const override { return !pieces.empty(); }
  void set_head(const Answer& h) override { head = h; }
  boost::asio::awaitable<bool> text(std::string_view piece) override {
    pieces.emplace_back(piece);
    co_return true;
  }
  std::optional<Answer> head;
  std::vector<std::string> pieces;
};

class AnswererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sluice-answerer-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    store_ = std::move(store::open_sqlite_store(dir_).value());
    collection_ = *store_->collections().create("docs", "english", "");

    core::ProviderConfig llm;
    llm.name = "llm";
    core::ProviderConfig mock;
    mock.name = "mock";
    mock.type = "mock";
    gateway_config_.providers = {llm, mock};
    core::ModelAliasConfig answer;
    answer.alias = "answer";
    answer.deployments = {{"llm", "x", 1, 0, ""}};
    core::ModelAliasConfig echo;
    echo.alias = "echo";
    echo.deployments = {{"mock", "x", 1, 0, ""}};
    gateway_config_.models = {answer, echo};
    auto built = gateway::Catalog::build(gateway_config_, [this](const core::ProviderConfig& c) {
      if (c.type == "mock") return gateway::make_provider(c);
      auto p = std::make_unique<AnswerProvider>(c.name);
      llm_ = p.get();
      return Result<std::unique_ptr<gateway::Provider>>(std::move(p));
    });
    ASSERT_TRUE(built.ok());
    catalog_ = std::move(built.value());
    gateway_metrics_ = std::make_unique<gateway::GatewayMetrics>(registry_, *catalog_);
    gateway_ =
        std::make_unique<gateway::GatewayService>(*catalog_, gateway_config_, *gateway_metrics_);
    metrics_ = std::make_unique<RagMetrics>(registry_);
    retriever_.hits = {hit(1, "Guide", "Install", 2, "Sluice installs with apt. It runs fast."),
                       hit(2, "FAQ", "", 0, "Sluice answers questions with citations.")};
    rebuild();
  }
  void TearDown() override {
    answerer_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void rebuild() {
    answerer_ = std::make_unique<Answerer>(
        retriever_, *gateway_, *store_, cache_, *metrics_, config_,
        [this](std::string_view model) { return gateway::routes_only_to_mock(*catalog_, model); });
  }

  AnswerOutcome ask(std::string question, std::string session = {}, AnswerStream* stream = nullptr,
                    std::string model = {}) {
    AnswerRequest request;
    request.question = std::move(question);
    request.collection = session.empty() ? "docs" : "";
    request.session_id = std::move(session);
    request.model = std::move(model);
    return run_to_end(answerer_->answer(request, stream));
  }
  double metric(std::string_view series) {
    const std::string text = registry_.render();
    const std::string line = "\n" + std::string(series) + " ";
    const auto at = text.find(line);
    if (at == std::string::npos) return 0;
    return std::stod(text.substr(at + line.size()));
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  store::Collection collection_;
  core::GatewayConfig gateway_config_;
  std::unique_ptr<gateway::Catalog> catalog_;
  AnswerProvider* llm_ = nullptr;
  ops::Registry registry_;
  std::unique_ptr<gateway::GatewayMetrics> gateway_metrics_;
  std::unique_ptr<gateway::GatewayService> gateway_;
  std::unique_ptr<RagMetrics> metrics_;
  testing::FakeRetriever retriever_;
  core::RagConfig config_;
  AnswerCache cache_{1 << 20, 60s};
  std::unique_ptr<Answerer> answerer_;
};

TEST_F(AnswererTest, WithoutAModelTheAnswerIsExtractive) {
  const auto outcome = ask("How does Sluice install?");
  ASSERT_TRUE(outcome.ok()) << outcome.error->message;
  const Answer& a = outcome.answer;
  EXPECT_EQ(a.model, "extractive");
  EXPECT_EQ(a.template_version, "rag-v1");
  EXPECT_EQ(a.text.find("Sluice installs with apt. [1]"), 0u) << a.text;
  EXPECT_EQ(a.collection_id, collection_.id);
  EXPECT_EQ(a.modes, std::vector<std::string>{"bm25"});
  EXPECT_EQ(a.usage.prompt_tokens, 0);
  EXPECT_FALSE(a.cached);
  ASSERT_FALSE(a.citations.empty());
  EXPECT_EQ(a.citations[0].index, 1);
  EXPECT_EQ(a.citations[0].page, 2);
  ASSERT_EQ(retriever_.requests.size(), 1u);
  EXPECT_EQ(retriever_.requests[0].query, "How does Sluice install?");
  EXPECT_EQ(retriever_.requests[0].collection, collection_.id);
  EXPECT_EQ(retriever_.requests[0].top_k, 8u);
  EXPECT_TRUE(llm_->bodies.empty());
}

TEST_F(AnswererTest, TheMockProviderGetsNoQuestionAndTheAnswerIsExtractive) {
  const auto outcome = ask("install", {}, nullptr, "echo");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.answer.model, "extractive");
  EXPECT_FALSE(outcome.model_call);
}

TEST_F(AnswererTest, AModelAnswersFromTheNumberedPassagesAndKeepsTheCitedOnes) {
  config_.answer_model = "answer";
  llm_->replies = {"It answers with citations [2]."};
  const auto outcome = ask("What does Sluice do?");
  ASSERT_TRUE(outcome.ok()) << outcome.error->message;
  EXPECT_EQ(outcome.answer.model, "answer");
  EXPECT_EQ(outcome.answer.text, "It answers with citations [2].");
  ASSERT_EQ(outcome.answer.citations.size(), 1u);
  EXPECT_EQ(outcome.answer.citations[0].index, 2);
  EXPECT_EQ(outcome.answer.usage.prompt_tokens, 11);
  ASSERT_TRUE(outcome.model_call);
  ASSERT_EQ(llm_->bodies.size(), 1u);
  const json::object body = json::parse(llm_->bodies[0]).as_object();
  EXPECT_EQ(body.at("model").as_string(), "answer");
  const auto& messages = body.at("messages").as_array();
  const std::string system(messages.at(0).at("content").as_string());
  EXPECT_NE(system.find("[1] Guide > Install (p. 2)\nSluice installs"), std::string::npos);
  EXPECT_NE(system.find("[2] FAQ\nSluice answers"), std::string::npos);
  EXPECT_EQ(messages.back().at("content").as_string(), "What does Sluice do?");
}

TEST_F(AnswererTest, NoPassagesMeansNoModelCallAndNoCitations) {
  config_.answer_model = "answer";
  retriever_.hits.clear();
  const auto outcome = ask("unknown thing");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.answer.text, kNothingFoundAnswer);
  EXPECT_TRUE(outcome.answer.citations.empty());
  EXPECT_EQ(outcome.answer.model, "none");
  EXPECT_TRUE(llm_->bodies.empty());
}

TEST_F(AnswererTest, ARepeatIsServedFromTheCacheUntilTheIndexChanges) {
  ASSERT_TRUE(ask("How does Sluice install?").ok());
  const auto again = ask("how does  SLUICE install?");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.answer.cached);
  EXPECT_EQ(retriever_.requests.size(), 1u);
  EXPECT_EQ(metric("rag_queries_total{status=\"cached\"}"), 1);
  EXPECT_EQ(metric("rag_cache_hits_total"), 1);
  EXPECT_EQ(metric("rag_queries_total{status=\"success\"}"), 1);

  retriever_.version = 2;  // an ingest
  const auto after = ask("How does Sluice install?");
  EXPECT_FALSE(after.answer.cached);
  EXPECT_EQ(retriever_.requests.size(), 2u);
}

// A collection the indexes know is not looked up in the store: answering it works even when
// the store has no such collection (here: a name only the indexes have).
TEST_F(AnswererTest, ACollectionTheIndexesKnowNeedsNoStoreCall) {
  store::Collection indexed = collection_;
  indexed.name = "indexed-only";
  retriever_.indexed = indexed;
  AnswerRequest request;
  request.question = "How does Sluice install?";
  request.collection = "indexed-only";
  const auto outcome = run_to_end(answerer_->answer(request, nullptr));
  ASSERT_TRUE(outcome.ok()) << outcome.error->message;
  EXPECT_EQ(outcome.answer.collection_id, collection_.id);

  retriever_.indexed.reset();  // unknown to the indexes: the store decides
  const auto missing = run_to_end(answerer_->answer(request, nullptr));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error->code, Errc::not_found);
}

TEST_F(AnswererTest, SessionsKeepTheConversationAndCondenseByConcatenation) {
  auto session = store_->sessions().create(collection_.id);
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(ask("How does Sluice install?", session->id).ok());
  const auto second = ask("and is it fast?", session->id);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.session_id, session->id);
  ASSERT_EQ(retriever_.requests.size(), 2u);
  EXPECT_EQ(retriever_.requests[1].query, "How does Sluice install? and is it fast?");
  const auto messages = *store_->sessions().last_messages(session->id, 10);
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0].role, "user");
  EXPECT_EQ(messages[1].role, "assistant");
  EXPECT_NE(messages[1].citations_json.find("\"chunk_id\":1"), std::string::npos);
  EXPECT_EQ(messages[3].content, second.answer.text);
}

TEST_F(AnswererTest, ADegradedSearchsAnswerIsNotCached) {
  retriever_.degraded = true;
  ASSERT_TRUE(ask("How does Sluice install?").ok());
  retriever_.degraded = false;
  const auto again = ask("How does Sluice install?");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.answer.cached);
  EXPECT_EQ(retriever_.requests.size(), 2u);
}

TEST_F(AnswererTest, AConfiguredModelCondensesAndTheCondensedQuestionSkipsTheCache) {
  config_.answer_model = "answer";
  auto session = store_->sessions().create(collection_.id);
  llm_->replies = {"Installs with apt [1].", "sluice speed", "Fast [1]."};
  ASSERT_TRUE(ask("How does Sluice install?", session->id).ok());
  const auto second = ask("is it fast?", session->id);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(retriever_.requests.size(), 2u);
  EXPECT_EQ(retriever_.requests[1].query, "sluice speed");
  EXPECT_EQ(second.answer.text, "Fast [1].");
  EXPECT_EQ(second.answer.usage.prompt_tokens, 22);  // the condensation's tokens count too
  // The answer prompt carries the earlier turn as history.
  const json::object body = json::parse(llm_->bodies.back()).as_object();
  EXPECT_EQ(body.at("messages").as_array().size(), 4u);
  // Asked again, the condensed question is answered anew.
  llm_->replies = {"sluice speed", "Fast [1]."};
  EXPECT_FALSE(ask("is it fast?", session->id).answer.cached);
}

TEST_F(AnswererTest, AClientsOwnConversationCondensesLikeASession) {
  AnswerRequest request;
  request.question = "is it fast?";
  request.collection = "docs";
  request.history = {{"user", "How does Sluice install?"}, {"assistant", "With apt [1]."}};
  const auto outcome = run_to_end(answerer_->answer(request));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(retriever_.requests.back().query, "How does Sluice install? is it fast?");
  EXPECT_FALSE(run_to_end(answerer_->answer(request)).answer.cached);
}

TEST_F(AnswererTest, StreamingSendsTheHeadThenThePieces) {
  config_.answer_model = "answer";
  llm_->replies = {"Installs with apt [1]."};
  RecordingStream stream;
  const auto outcome = ask("install?", {}, &stream);
  ASSERT_TRUE(outcome.ok());
  ASSERT_TRUE(stream.head);
  EXPECT_EQ(stream.head->citations.size(), 2u);  // every passage, before the answer is known
  EXPECT_EQ(stream.pieces.size(), 4u);
  std::string joined;
  for (const auto& p : stream.pieces) joined += p;
  EXPECT_EQ(joined, outcome.answer.text);
  EXPECT_EQ(outcome.answer.citations.size(), 1u);
}

TEST_F(AnswererTest, ExtractiveStreamsSentenceBySentence) {
  RecordingStream stream;
  const auto outcome = ask("Sluice install fast citations", {}, &stream);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(stream.pieces.size(), 2u);  // the two sentences sharing two terms
  std::string joined;
  for (const auto& p : stream.pieces) joined += p;
  EXPECT_EQ(joined, outcome.answer.text);
}

TEST_F(AnswererTest, RequestErrorsNameTheirField) {
  EXPECT_EQ(ask("   ").error->param, "question");
  AnswerRequest request;
  request.question = "q";
  request.collection = "missing";
  auto outcome = run_to_end(answerer_->answer(request));
  EXPECT_EQ(outcome.error->code, Errc::not_found);
  EXPECT_EQ(outcome.error->param, "collection");
  request.collection = "docs";
  request.top_k = 101;
  EXPECT_EQ(run_to_end(answerer_->answer(request)).error->param, "top_k");
  request.top_k.reset();
  request.session_id = "ses_missing";
  outcome = run_to_end(answerer_->answer(request));
  EXPECT_EQ(outcome.error->code, Errc::not_found);
  EXPECT_EQ(outcome.error->param, "session_id");
  EXPECT_EQ(metric("rag_queries_total{status=\"error\"}"), 4);
  EXPECT_EQ(metric("rag_queries_total{status=\"cached\"}"), 0);
}

TEST_F(AnswererTest, ALoadingCollectionAsksToRetry) {
  retriever_.error = make_error(Errc::unavailable, "loading", "", "collection_loading");
  const auto outcome = ask("q");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->code, Errc::unavailable);
  EXPECT_TRUE(outcome.retry_after);
}

TEST_F(AnswererTest, AnotherTenantsLoadingCollectionIsNotFound) {
  auto theirs = store_->collections().create("docs", "english", "", "alpha");
  ASSERT_TRUE(theirs.ok());
  retriever_.error = make_error(Errc::unavailable, "loading", "", "collection_loading");
  core::Principal alpha, beta;
  alpha.tenant = "alpha";
  beta.tenant = "beta";
  AnswerRequest request;
  request.question = "q";
  request.collection = theirs->id;
  request.scope = store::TenantScope::of(&beta);
  auto outcome = run_to_end(answerer_->answer(request));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->code, Errc::not_found);
  request.scope = store::TenantScope::of(&alpha);  // its owner hears of the loading
  outcome = run_to_end(answerer_->answer(request));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->code, Errc::unavailable);
}

TEST_F(AnswererTest, AModelFailureIsTheAnswersError) {
  config_.answer_model = "answer";
  llm_->failure = gateway::AttemptResult::failure(core::AttemptOutcome::upstream_4xx,
                                                  make_error(Errc::invalid_request, "bad prompt"));
  const auto outcome = ask("install?");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->message, "bad prompt");
  ASSERT_TRUE(outcome.model_call);
  EXPECT_FALSE(outcome.model_call->ok);
}

TEST(MockRouteTest, OnlyModelsServedByTheMockProviderCount) {
  core::GatewayConfig config;
  core::ProviderConfig mock;
  mock.name = "mock";
  mock.type = "mock";
  core::ProviderConfig real;
  real.name = "real";
  config.providers = {mock, real};
  core::ModelAliasConfig echo;
  echo.alias = "echo";
  echo.deployments = {{"mock", "x", 1, 0, ""}};
  core::ModelAliasConfig mixed;
  mixed.alias = "mixed";
  mixed.deployments = {{"mock", "x", 1, 0, ""}, {"real", "y", 1, 1, ""}};
  config.models = {echo, mixed};
  std::vector<gateway::testing::FakeProvider*> fakes;
  auto catalog = gateway::Catalog::build(config, [&](const core::ProviderConfig& c) {
    if (c.type == "mock") return gateway::make_provider(c);
    auto p = std::make_unique<gateway::testing::FakeProvider>(c.name);
    return Result<std::unique_ptr<gateway::Provider>>(std::move(p));
  });
  ASSERT_TRUE(catalog.ok());
  EXPECT_TRUE(gateway::routes_only_to_mock(**catalog, "echo"));
  EXPECT_TRUE(gateway::routes_only_to_mock(**catalog, "mock/anything"));
  EXPECT_FALSE(gateway::routes_only_to_mock(**catalog, "mixed"));
  EXPECT_FALSE(gateway::routes_only_to_mock(**catalog, "real/model"));
}

}  // namespace
}  // namespace sluice::rag
