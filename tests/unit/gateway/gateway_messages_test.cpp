// POST /v1/messages through the gateway: each attempt passes the request through to a provider
// that speaks the Messages API, or sends its chat translation to one that does not, so that one
// itinerary can mix both; the usage of either is accounted.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "fake_provider.hpp"
#include "gateway/gateway_service.hpp"
#include "ops/metrics.hpp"

namespace sluice::gateway {
namespace {

using core::AttemptOutcome;

// A provider of either kind whose every attempt ends with the next scripted outcome.
class TwoDialectProvider final : public Provider {
 public:
  TwoDialectProvider(std::string name, bool speaks_messages)
      : name_(std::move(name)), speaks_messages_(speaks_messages) {}
  const std::string& name() const override { return name_; }
  bool speaks_messages() const override { return speaks_messages_; }

  boost::asio::awaitable<AttemptResult> chat(const ChatRequest& request, std::string_view,
                                             ChunkSink* sink) override {
    ++chats;
    chat_bodies.push_back(request.body);
    if (sink && next_outcome() == AttemptOutcome::success)
      co_await sink->send(R"({"choices":[{"delta":{"content":"hi"}}]})");
    co_return finish(R"({"object":"chat.completion"})", false);
  }
  boost::asio::awaitable<AttemptResult> messages(const MessagesRequest& request,
                                                 std::string_view upstream_model,
                                                 MessagesStreamSink* sink) override {
    ++messages_calls;
    models.emplace_back(upstream_model);
    raw_bodies.emplace_back(request.raw_body);
    if (sink && next_outcome() == AttemptOutcome::success)
      co_await sink->send_event("message_start", R"({"type":"message_start"})");
    co_return finish(R"({"type":"message"})", true);
  }
  // Those that speak Messages count tokens, as Anthropic's do.
  bool serves(Endpoint endpoint) const override {
    return speaks_messages_ && endpoint == Endpoint::count_tokens;
  }
  boost::asio::awaitable<AttemptResult> count_tokens(const MessagesRequest& request,
                                                     std::string_view upstream_model) override {
    ++counts;
    models.emplace_back(upstream_model);
    raw_bodies.emplace_back(request.raw_body);
    const AttemptOutcome outcome = next_outcome();
    ++attempt_;
    if (outcome != AttemptOutcome::success)
      co_return AttemptResult::failure(outcome, make_error(Errc::unavailable, "scripted"));
    AttemptResult result;
    result.body = R"({"input_tokens":42})";
    result.passed_through = true;
    result.upstream_request_id = "req_" + name_;
    co_return result;
  }
  boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest&,
                                                   std::string_view) override {
    co_return AttemptResult{};
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override {
    co_return std::vector<std::string>{};
  }

  std::vector<AttemptOutcome> script;  // one per attempt; success once it runs out
  int chats = 0, messages_calls = 0, counts = 0;
  std::vector<const boost::json::object*> chat_bodies;
  std::vector<std::string> models, raw_bodies;

 private:
  AttemptOutcome next_outcome() const {
    return attempt_ < script.size() ? script[attempt_] : AttemptOutcome::success;
  }
  AttemptResult finish(std::string body, bool passed_through) {
    const AttemptOutcome outcome = next_outcome();
    ++attempt_;
    if (outcome != AttemptOutcome::success)
      return AttemptResult::failure(outcome, make_error(Errc::unavailable, "scripted"));
    AttemptResult result;
    result.body = std::move(body);
    result.passed_through = passed_through;
    result.usage = {.prompt_tokens = 30,
                    .completion_tokens = 4,
                    .cached_tokens = 20,
                    .cache_write_tokens = 5,
                    .reported = true};
    return result;
  }

  std::string name_;
  bool speaks_messages_;
  std::size_t attempt_ = 0;
};

class EventSink final : public MessagesStreamSink {
 public:
  void on_attempt(std::string_view deployment) override { attempts.emplace_back(deployment); }
  bool started() const override { return !events.empty() || !chunks.empty(); }
  boost::asio::awaitable<bool> send(std::string_view chunk) override {
    chunks.emplace_back(chunk);
    co_return true;
  }
  boost::asio::awaitable<bool> send_event(std::string_view type, std::string_view) override {
    events.emplace_back(type);
    co_return true;
  }
  std::vector<std::string> attempts, events, chunks;
};

// Alias "m": claude/claude-x first, then openai/gpt-x; "chat-only": openai/gpt-x alone;
// "claudes": claude/claude-x, then openai/gpt-x, then claude2/claude-y.
struct Harness {
  Harness() {
    for (const char* name : {"claude", "openai", "claude2"}) {
      core::ProviderConfig p;
      p.name = name;
      p.type = "mock";
      config.providers.push_back(p);
    }
    core::ModelAliasConfig m;
    m.alias = "m";
    m.deployments = {{"claude", "claude-x", 1, 0, ""}, {"openai", "gpt-x", 1, 1, ""}};
    core::ModelAliasConfig chat_only;
    chat_only.alias = "chat-only";
    chat_only.deployments = {{"openai", "gpt-x", 1, 0, ""}};
    core::ModelAliasConfig claudes;
    claudes.alias = "claudes";
    claudes.deployments = {{"claude", "claude-x", 1, 0, ""},
                           {"openai", "gpt-x", 1, 1, ""},
                           {"claude2", "claude-y", 1, 2, ""}};
    config.models = {m, chat_only, claudes};
    auto built = Catalog::build(config, [this](const core::ProviderConfig& c) {
      auto p = std::make_unique<TwoDialectProvider>(c.name, c.name.starts_with("claude"));
      providers[c.name] = p.get();
      return Result<std::unique_ptr<Provider>>(std::move(p));
    });
    catalog = std::move(*built);
    metrics = std::make_unique<GatewayMetrics>(registry, *catalog);
    service = std::make_unique<GatewayService>(*catalog, config, *metrics);
  }

  // A Messages request for `model`, its chat translation present unless `translatable` is false.
  Outcome call(std::string model, bool translatable = true, MessagesStreamSink* sink = nullptr) {
    raw = R"({"model":")" + model + R"(","max_tokens":10,"messages":[]})";
    body = boost::json::parse(raw).as_object();
    chat = boost::json::parse(R"({"model":")" + model + R"(","messages":[]})").as_object();
    MessagesRequest request;
    request.body = &body;
    request.raw_body = raw;
    request.chat.body = translatable ? &chat : nullptr;
    request.chat.model = model;
    request.chat.stream = sink != nullptr;
    request.chat_error = make_error(Errc::invalid_request,
                                    "tools.0.type: server tools cannot be sent", "tools.0.type");
    return testing::run_to_end(service->messages(request, sink));
  }
  // A count_tokens request for `model`.
  Outcome count(std::string model) {
    raw = R"({"model":")" + model + R"(","messages":[{"role":"user","content":"Hi"}]})";
    body = boost::json::parse(raw).as_object();
    MessagesRequest request;
    request.body = &body;
    request.raw_body = raw;
    request.chat.body = &body;
    request.chat.model = model;
    return testing::run_to_end(service->count_tokens(request));
  }
  TwoDialectProvider& p(const std::string& name) { return *providers.at(name); }

  core::GatewayConfig config;
  std::map<std::string, TwoDialectProvider*> providers;
  std::unique_ptr<Catalog> catalog;
  ops::Registry registry;
  std::unique_ptr<GatewayMetrics> metrics;
  std::unique_ptr<GatewayService> service;
  std::string raw;
  boost::json::object body, chat;
};

TEST(GatewayMessagesTest, AProviderThatSpeaksMessagesGetsTheClientsRequest) {
  Harness h;
  const Outcome out = h.call("m");
  ASSERT_TRUE(out.ok) << out.error.message;
  EXPECT_TRUE(out.passed_through);
  EXPECT_EQ(out.body, R"({"type":"message"})");
  EXPECT_EQ(out.deployment, "claude/claude-x");
  EXPECT_EQ(h.p("claude").messages_calls, 1);
  EXPECT_EQ(h.p("claude").chats, 0);
  EXPECT_EQ(h.p("claude").models, std::vector<std::string>{"claude-x"});
  EXPECT_EQ(h.p("claude").raw_bodies[0], h.raw);
  EXPECT_EQ(out.usage.cache_write_tokens, 5) << "usage as the provider read it";
}

TEST(GatewayMessagesTest, AFallbackToAChatProviderSendsTheTranslation) {
  Harness h;
  h.p("claude").script = {AttemptOutcome::upstream_5xx};
  const Outcome out = h.call("m");
  ASSERT_TRUE(out.ok) << out.error.message;
  EXPECT_FALSE(out.passed_through) << "a chat completion, for the route to translate back";
  EXPECT_EQ(out.deployment, "openai/gpt-x");
  EXPECT_EQ(out.attempts, 2);
  EXPECT_EQ(h.p("claude").messages_calls, 1);
  EXPECT_EQ(h.p("openai").chats, 1);
  EXPECT_EQ(h.p("openai").messages_calls, 0);
  EXPECT_EQ(h.p("openai").chat_bodies[0], &h.chat);
}

TEST(GatewayMessagesTest, WhatChatCannotSayStillReachesAMessagesProvider) {
  Harness h;
  EXPECT_TRUE(h.call("m", /*translatable=*/false).ok);
  EXPECT_EQ(h.p("claude").messages_calls, 1);
}

TEST(GatewayMessagesTest, WhatChatCannotSayIsRefusedForAChatProviderWithItsReason) {
  Harness h;
  const Outcome out = h.call("chat-only", /*translatable=*/false);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.last_outcome, AttemptOutcome::rejected);
  EXPECT_EQ(out.error.code, Errc::invalid_request);
  EXPECT_EQ(out.error.param, "tools.0.type");
  EXPECT_EQ(h.p("openai").chats, 0) << "nothing sent";
}

TEST(GatewayMessagesTest, StreamsGoToTheSinkInTheAttemptsOwnForm) {
  Harness h;
  EventSink passed;
  ASSERT_TRUE(h.call("m", true, &passed).ok);
  EXPECT_EQ(passed.events, std::vector<std::string>{"message_start"});
  EXPECT_TRUE(passed.chunks.empty());

  h.p("claude").script = {AttemptOutcome::success, AttemptOutcome::rate_limited};
  EventSink translated;
  const Outcome out = h.call("m", true, &translated);
  ASSERT_TRUE(out.ok) << out.error.message;
  EXPECT_EQ(translated.attempts, (std::vector<std::string>{"claude/claude-x", "openai/gpt-x"}));
  EXPECT_TRUE(translated.events.empty());
  EXPECT_EQ(translated.chunks.size(), 1u);
}

TEST(GatewayMessagesTest, TokensAreCountedByAnAnthropicDeploymentAndCostNothing) {
  Harness h;
  const Outcome out = h.count("m");
  ASSERT_TRUE(out.ok) << out.error.message;
  EXPECT_EQ(out.body, R"({"input_tokens":42})");
  EXPECT_TRUE(out.passed_through);
  EXPECT_EQ(out.deployment, "claude/claude-x");
  EXPECT_EQ(out.upstream_request_id, "req_claude");
  EXPECT_EQ(h.p("claude").counts, 1);
  EXPECT_EQ(h.p("claude").raw_bodies[0], h.raw) << "the client's request";
  EXPECT_EQ(out.cost_usd, 0);
  EXPECT_FALSE(out.usage.reported);
  EXPECT_EQ(h.registry.render().find("sluice_tokens_total{"), std::string::npos)
      << "no tokens used";
  EXPECT_NE(h.registry.render().find(R"(gen_ai_operation_name="count_tokens")"), std::string::npos);
}

TEST(GatewayMessagesTest, ACountFallsBackToAnotherAnthropicDeploymentOnly) {
  Harness h;
  h.p("claude").script = {AttemptOutcome::upstream_5xx};
  const Outcome out = h.count("claudes");
  ASSERT_TRUE(out.ok) << out.error.message;
  EXPECT_EQ(out.deployment, "claude2/claude-y");
  EXPECT_EQ(out.attempts, 2) << "the chat deployment between them is never tried";
  EXPECT_EQ(h.p("openai").counts + h.p("openai").chats + h.p("openai").messages_calls, 0);
  EXPECT_EQ(h.p("claude2").models, std::vector<std::string>{"claude-y"});
}

TEST(GatewayMessagesTest, ACountThatFailsEverywhereIsTheUpstreamsFailure) {
  Harness h;
  h.p("claude").script = {AttemptOutcome::upstream_5xx, AttemptOutcome::upstream_5xx,
                          AttemptOutcome::upstream_5xx};
  const Outcome out = h.count("m");
  EXPECT_FALSE(out.ok);
  EXPECT_FALSE(out.unserved);
  EXPECT_EQ(out.last_outcome, AttemptOutcome::upstream_5xx);
  EXPECT_EQ(h.p("openai").chats, 0);
}

TEST(GatewayMessagesTest, AModelWithoutAnAnthropicDeploymentIsUnservedAndNothingIsSent) {
  Harness h;
  const Outcome out = h.count("chat-only");
  EXPECT_FALSE(out.ok);
  EXPECT_TRUE(out.unserved) << "the route estimates instead";
  EXPECT_EQ(out.attempts, 0);
  EXPECT_EQ(h.p("openai").counts + h.p("openai").chats, 0);
  const Outcome unknown = h.count("no-such-model");
  EXPECT_FALSE(unknown.unserved) << "a model that does not route is the catalog's 404";
  EXPECT_EQ(unknown.error.code, Errc::not_found);
}

}  // namespace
}  // namespace sluice::gateway
