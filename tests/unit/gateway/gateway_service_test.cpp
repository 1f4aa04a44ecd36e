// The core request path with scripted providers and a fake clock: retries, fallbacks, the breaker
// contract, deadlines and cancellation, without sockets or sleeps.
#include "gateway/gateway_service.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "fake_provider.hpp"
#include "ops/degraded_mode.hpp"
#include "ops/metrics.hpp"
#include "ops/tracer.hpp"

namespace sluice::gateway {
namespace {

using namespace std::chrono_literals;
using core::AttemptOutcome;
using Clock = Timing::Clock;

// Time stands still unless a provider script or a backoff moves it.
class FakeTiming final : public Timing {
 public:
  Clock::time_point now() const override { return now_; }
  boost::asio::awaitable<bool> sleep(Clock::duration delay, RequestLimits limits) override {
    slept += delay;
    const auto wanted = now_ + delay;
    now_ = std::min(wanted, limits.deadline);
    co_return wanted <= limits.deadline &&
        !(limits.cancellation && limits.cancellation->cancelled());
  }
  void advance(Clock::duration d) { now_ += d; }
  Clock::duration slept{0};

 private:
  Clock::time_point now_ = Clock::time_point{} + 1h;
};

// One scripted step of an attempt: it may take time, stream chunks, then ends with `outcome`.
struct Step {
  AttemptOutcome outcome = AttemptOutcome::success;
  Clock::duration takes{0};
  int chunks = 0;
  std::function<void()> during;  // runs mid-attempt (e.g. the client leaves)
  std::optional<std::chrono::milliseconds> retry_after;
  Usage usage;  // what the upstream reported
};

class ScriptedProvider final : public Provider {
 public:
  ScriptedProvider(std::string name, FakeTiming& timing)
      : name_(std::move(name)), timing_(timing) {}
  const std::string& name() const override { return name_; }

  boost::asio::awaitable<AttemptResult> chat(const ChatRequest& request, std::string_view,
                                             ChunkSink* sink) override {
    ++calls;
    traceparents.push_back(request.trace ? request.trace->traceparent() : "");
    Step step = script.empty() ? Step{} : script.front();
    if (!script.empty()) script.pop_front();
    timing_.advance(step.takes);
    if (step.during) step.during();
    for (int i = 0; i < step.chunks && sink; ++i) co_await sink->send(R"({"choices":[]})");
    AttemptResult result;
    result.outcome = step.outcome;
    result.retry_after = step.retry_after;
    result.usage = step.usage;
    if (step.outcome == AttemptOutcome::success) {
      result.body = R"({"choices":[{"finish_reason":"stop"}]})";
      result.finish_reason = "stop";
    } else {
      result.error =
          make_error(Errc::bad_gateway, "scripted " + std::string(to_string(step.outcome)));
    }
    co_return result;
  }
  boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest&,
                                                   std::string_view) override {
    co_return AttemptResult{};
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override {
    co_return std::vector<std::string>{};
  }

  std::deque<Step> script;
  int calls = 0;
  std::vector<std::string> traceparents;  // what each call would send upstream

 private:
  std::string name_;
  FakeTiming& timing_;
};

class CountingSink final : public ChunkSink {
 public:
  void on_attempt(std::string_view deployment) override { attempts.emplace_back(deployment); }
  void on_canary(std::string_view version) override { canaries.emplace_back(version); }
  boost::asio::awaitable<bool> send(std::string_view) override {
    ++chunks;
    co_return true;
  }
  bool started() const override { return chunks > 0; }
  int chunks = 0;
  std::vector<std::string> attempts;
  std::vector<std::string> canaries;
};

// Providers "a", "b", "c"; alias "m" is a/x (priority 0) then b/x (priority 1); alias "solo" is
// c/x alone with fallback alias "backup" (b/y).
struct Harness {
  explicit Harness(std::function<void(core::GatewayConfig&)> tweak = {}) {
    config.retry.base_backoff = 100ms;
    config.retry.max_backoff = 1s;
    config.retry.budget = 10s;
    config.circuit_breaker.failure_threshold = 100;
    config.circuit_breaker.cooldown = 30s;
    for (const char* name : {"a", "b", "c"}) {
      core::ProviderConfig p;
      p.name = name;
      p.type = "mock";
      config.providers.push_back(p);
    }
    core::ModelAliasConfig m;
    m.alias = "m";
    m.deployments = {{"a", "x", 1, 0, ""}, {"b", "x", 1, 1, ""}};
    core::ModelAliasConfig solo;
    solo.alias = "solo";
    solo.deployments = {{"c", "x", 1, 0, ""}};
    solo.fallbacks = {"backup"};
    core::ModelAliasConfig backup;
    backup.alias = "backup";
    backup.deployments = {{"b", "y", 1, 0, ""}};
    config.models = {m, solo, backup};
    if (tweak) tweak(config);
    auto built = Catalog::build(config, [this](const core::ProviderConfig& c) {
      auto p = std::make_unique<ScriptedProvider>(c.name, timing);
      providers[c.name] = p.get();
      return Result<std::unique_ptr<Provider>>(std::move(p));
    });
    catalog = std::move(*built);
    metrics = std::make_unique<GatewayMetrics>(registry, *catalog);
    service = std::make_unique<GatewayService>(*catalog, config, *metrics, timing);
  }

  Outcome chat(std::string model, ChunkSink* sink = nullptr,
               core::Cancellation* cancellation = nullptr) {
    body = boost::json::parse(R"({"model":")" + model + R"(","messages":[])" + body_extra + "}")
               .as_object();
    ChatRequest request;
    request.body = &body;
    request.trace = trace;
    request.model = model;
    request.stream = sink != nullptr;
    request.canary_key = canary_key;
    request.limits.deadline = service->deadline_for(model, client_timeout);
    request.limits.cancellation = cancellation;
    return testing::run_to_end(service->chat(request, sink));
  }
  ScriptedProvider& p(const std::string& name) { return *providers.at(name); }
  std::string metric(std::string_view needle) {
    const std::string text = registry.render();
    const auto at = text.find(needle);
    if (at == std::string::npos) return "";
    const auto end = text.find('\n', at);
    return text.substr(at, end - at);
  }

  core::GatewayConfig config;
  FakeTiming timing;
  std::map<std::string, ScriptedProvider*> providers;
  std::unique_ptr<Catalog> catalog;
  ops::Registry registry;
  std::unique_ptr<GatewayMetrics> metrics;
  std::unique_ptr<GatewayService> service;
  boost::json::object body;
  std::string body_extra;  // more members for the request body: `,"name":value`
  std::string canary_key;  // as x-sluice-canary-key
  const core::TraceContext* trace = nullptr;
  std::optional<std::chrono::milliseconds> client_timeout;
};

TEST(GatewayServiceTest, RetriableFailureMovesToTheNextPriority) {
  Harness h;
  h.p("a").script = {{AttemptOutcome::upstream_5xx}};
  const Outcome out = h.chat("m");
  EXPECT_TRUE(out.ok);
  EXPECT_EQ(out.deployment, "b/x");
  EXPECT_EQ(out.attempts, 2);
  EXPECT_EQ(out.finish_reason, "stop");
  EXPECT_EQ(h.timing.slept, 0s) << "a different deployment needs no backoff";
  EXPECT_NE(
      h.metric(R"(sluice_upstream_requests_total{deployment="a/x",outcome="upstream_5xx"} 1)"), "");
  EXPECT_NE(h.metric(R"(sluice_upstream_retries_total{kind="retry"} 1)"), "");
}

TEST(GatewayServiceTest, CachedTokensArePricedApartAndCountedByType) {
  Harness h([](core::GatewayConfig& c) {
    c.prices = {core::PriceConfig{"x", 3.0, 15.0, 0.30, 3.75}};
  });
  Usage usage;
  usage.prompt_tokens = 25'000;  // Anthropic's input 1,000 + cache reads 20,000 + writes 4,000
  usage.cached_tokens = 20'000;
  usage.cache_write_tokens = 4'000;
  usage.completion_tokens = 300;
  usage.reported = true;
  Step answered;
  answered.usage = usage;
  h.p("a").script = {answered};
  const Outcome out = h.chat("m");
  ASSERT_TRUE(out.ok);
  // 1,000 x 3 + 20,000 x 0.30 + 4,000 x 3.75 + 300 x 15 = 28,500 per 1e6 = $0.0285.
  EXPECT_DOUBLE_EQ(out.cost_usd, 0.0285);
  EXPECT_NE(h.metric(R"(sluice_tokens_total{alias="m",key="",type="input"} 1000)"), "");
  EXPECT_NE(h.metric(R"(sluice_tokens_total{alias="m",key="",type="cached_input"} 20000)"), "");
  EXPECT_NE(h.metric(R"(sluice_tokens_total{alias="m",key="",type="cache_write"} 4000)"), "");
  EXPECT_NE(h.metric(R"(sluice_tokens_total{alias="m",key="",type="output"} 300)"), "");
  // The GenAI histogram counts the whole prompt as input, as its conventions do.
  EXPECT_NE(h.metric(R"(gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",)"
                     R"(gen_ai_provider_name="a",gen_ai_request_model="m",)"
                     R"(gen_ai_token_type="input"} 25000)"),
            "");
}

TEST(GatewayServiceTest, OneHourCacheWritesArePricedAndCountedAsTheirOwnType) {
  Harness h([](core::GatewayConfig& c) {
    c.prices = {core::PriceConfig{"x", 3.0, 15.0, 0.30, 3.75}};  // 1-hour writes: 2 x 3 = 6
  });
  Usage usage;
  usage.prompt_tokens = 31'000;  // input 1,000 + reads 20,000 + writes 10,000 (6,000 for 1 h)
  usage.cached_tokens = 20'000;
  usage.cache_write_tokens = 10'000;
  usage.cache_write_1h_tokens = 6'000;
  usage.completion_tokens = 300;
  usage.reported = true;
  Step answered;
  answered.usage = usage;
  h.p("a").script = {answered};
  const Outcome out = h.chat("m");
  ASSERT_TRUE(out.ok);
  // 1,000 x 3 + 20,000 x 0.30 + 4,000 x 3.75 + 6,000 x 6 + 300 x 15 = 64,500 per 1e6.
  EXPECT_DOUBLE_EQ(out.cost_usd, 0.0645);
  // The types add up to the 31,000 prompt tokens: 1,000 + 20,000 + 4,000 + 6,000.
  EXPECT_NE(h.metric(R"(sluice_tokens_total{alias="m",key="",type="input"} 1000)"), "");
  EXPECT_NE(h.metric(R"(sluice_tokens_total{alias="m",key="",type="cached_input"} 20000)"), "");
  EXPECT_NE(h.metric(R"(sluice_tokens_total{alias="m",key="",type="cache_write"} 4000)"), "");
  EXPECT_NE(h.metric(R"(sluice_tokens_total{alias="m",key="",type="cache_write_1h"} 6000)"), "");
  EXPECT_NE(h.metric(R"(sluice_tokens_total{alias="m",key="",type="output"} 300)"), "");
}

TEST(GatewayServiceTest, NoCacheNoCacheSeries) {
  Harness h;
  Step answered;
  answered.usage.prompt_tokens = 10;
  answered.usage.completion_tokens = 2;
  h.p("a").script = {answered};
  ASSERT_TRUE(h.chat("m").ok);
  EXPECT_NE(h.metric(R"(sluice_tokens_total{alias="m",key="",type="input"} 10)"), "");
  EXPECT_EQ(h.metric(R"(type="cached_input")"), "");
  EXPECT_EQ(h.metric(R"(type="cache_write")"), "");
  EXPECT_EQ(h.metric(R"(type="cache_write_1h")"), "");
}

const ops::SpanAttribute* attribute(const ops::Span& span, std::string_view key) {
  for (const ops::SpanAttribute& a : span.attributes)
    if (a.key == key) return &a;
  return nullptr;
}

template <class T>
T attribute_value(const ops::Span& span, std::string_view key) {
  const ops::SpanAttribute* found = attribute(span, key);
  if (!found) {
    ADD_FAILURE() << "no attribute " << key << " on " << span.name;
    return T{};
  }
  return std::get<T>(found->value);
}

std::string hex_of(const std::array<uint8_t, 8>& id) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (uint8_t b : id) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

struct TracingHarness : Harness {
  TracingHarness() { service->set_tracer(&tracer); }
  std::vector<ops::Span> spans() {
    tracer.flush_thread();
    return queue.pop(100, std::chrono::steady_clock::now());
  }
  ops::TraceMetrics trace_metrics{registry};
  ops::SpanQueue queue{100};
  ops::Tracer tracer{queue, *ops::TraceSampler::parse("parentbased_always_on", 1), trace_metrics};
};

TEST(GatewayServiceTest, EachTracedAttemptIsAClientSpanWhoseIdGoesUpstream) {
  TracingHarness h;
  const core::TraceContext trace =
      core::trace_context_from("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  h.trace = &trace;
  h.body_extra = R"(,"max_tokens":64,"temperature":0.2)";
  h.p("a").script = {{AttemptOutcome::upstream_5xx}};
  h.p("b").script = {{AttemptOutcome::success}};
  const Outcome out = h.chat("m");
  ASSERT_TRUE(out.ok);

  const auto spans = h.spans();
  ASSERT_EQ(spans.size(), 2u);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const ops::Span& span = spans[i];
    EXPECT_EQ(span.name, "chat x");
    EXPECT_EQ(span.kind, ops::SpanKind::client);
    ASSERT_TRUE(span.has_parent);
    EXPECT_EQ(hex_of(span.parent_span_id), trace.span_id);  // under the request's span
    EXPECT_EQ(attribute_value<std::string>(span, "gen_ai.operation.name"), "chat");
    EXPECT_EQ(attribute_value<std::string>(span, "gen_ai.request.model"), "x");
    EXPECT_EQ(attribute_value<std::string>(span, "sluice.model"), "m");
    EXPECT_EQ(attribute_value<int64_t>(span, "gen_ai.request.max_tokens"), 64);
    EXPECT_DOUBLE_EQ(attribute_value<double>(span, "gen_ai.request.temperature"), 0.2);
    EXPECT_EQ(attribute_value<int64_t>(span, "sluice.attempt"), static_cast<int64_t>(i + 1));
    // The upstream saw this attempt's span as its parent.
    const std::string& provider = i == 0 ? "a" : "b";
    ASSERT_EQ(h.p(provider).traceparents.size(), 1u);
    EXPECT_EQ(h.p(provider).traceparents[0],
              "00-" + trace.trace_id + "-" + hex_of(span.span_id) + "-01");
  }
  EXPECT_EQ(attribute_value<std::string>(spans[0], "gen_ai.provider.name"), "a");
  EXPECT_EQ(attribute_value<std::string>(spans[0], "error.type"), "upstream_5xx");
  EXPECT_EQ(spans[0].status, ops::SpanStatus::error);
  EXPECT_EQ(attribute_value<std::string>(spans[0], "sluice.attempt.kind"), "first");
  EXPECT_EQ(attribute_value<std::string>(spans[1], "gen_ai.provider.name"), "b");
  EXPECT_EQ(attribute(spans[1], "error.type"), nullptr);
  EXPECT_EQ(spans[1].status, ops::SpanStatus::unset);
  EXPECT_EQ(attribute_value<std::string>(spans[1], "sluice.attempt.kind"), "retry");
  EXPECT_NE(spans[0].span_id, spans[1].span_id);
}

TEST(GatewayServiceTest, AnUnsampledRequestHasNoSpansAndPassesItsContextOn) {
  TracingHarness h;
  const core::TraceContext trace =
      core::trace_context_from("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  h.trace = &trace;
  ASSERT_TRUE(h.chat("m").ok);
  EXPECT_TRUE(h.spans().empty());
  EXPECT_EQ(h.p("a").traceparents.at(0), trace.traceparent());
}

TEST(GatewayServiceTest, RequestFaultIsNotRetried) {
  Harness h;
  h.p("a").script = {{AttemptOutcome::upstream_4xx}};
  const Outcome out = h.chat("m");
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.last_outcome, AttemptOutcome::upstream_4xx);
  EXPECT_EQ(h.p("b").calls, 0);
}

TEST(GatewayServiceTest, NoRetryOnceTheClientReceivedBytes) {
  Harness h;
  h.p("a").script = {{.outcome = AttemptOutcome::reset, .chunks = 2}};
  CountingSink sink;
  const Outcome out = h.chat("m", &sink);
  EXPECT_FALSE(out.ok);
  EXPECT_TRUE(out.stream_started);
  EXPECT_EQ(out.last_outcome, AttemptOutcome::reset);
  EXPECT_EQ(h.p("b").calls, 0);
  EXPECT_EQ(sink.attempts, std::vector<std::string>{"a/x"});
}

TEST(GatewayServiceTest, MaxAttemptsIsEnforcedOnce) {
  // Backoffs drawn from [0, 10 s] (full jitter): both rounds' draws being 0 ms is a 1e-8 chance.
  Harness h([](core::GatewayConfig& c) {
    c.retry.max_attempts = 3;
    c.retry.base_backoff = 10s;
    c.retry.max_backoff = 10s;
    c.retry.budget = 60s;
  });
  for (auto* name : {"a", "b"})
    h.p(name).script = {
        {AttemptOutcome::timeout}, {AttemptOutcome::timeout}, {AttemptOutcome::timeout}};
  const Outcome out = h.chat("m");
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.attempts, 3);
  EXPECT_EQ(h.p("a").calls + h.p("b").calls, 3);
  EXPECT_GT(h.timing.slept, 0s) << "the second round backs off";
}

// gateway.random_seed (serve and the simulator seed through set_random_seed): the same seed
// replays the balancer's picks and the retry jitter exactly, and another seed gives another
// schedule.
TEST(GatewayServiceTest, ASeedReplaysPicksAndBackoffs) {
  struct Run {
    std::vector<std::string> answered_by;
    Clock::duration slept{0};
    bool operator==(const Run&) const = default;
  };
  const auto run = [](std::uint64_t seed) {
    Harness h([](core::GatewayConfig& c) {
      core::ModelAliasConfig pair;
      pair.alias = "pair";
      pair.deployments = {{"a", "x", 1, 0, ""}, {"c", "x", 1, 0, ""}};
      c.models.push_back(pair);
      c.retry.max_attempts = 3;
      c.retry.base_backoff = 1s;
      c.retry.max_backoff = 1s;
      c.retry.budget = 1h;
    });
    h.service->set_random_seed(seed);
    Run out;
    for (int i = 0; i < 30; ++i) {
      // Each request fails on both deployments, then succeeds on whichever the third pick is,
      // after a jittered backoff.
      for (const char* name : {"a", "c"})
        h.p(name).script = {{AttemptOutcome::upstream_5xx}, {AttemptOutcome::success}};
      const Outcome answered = h.chat("pair");
      EXPECT_TRUE(answered.ok);
      EXPECT_EQ(answered.attempts, 3);
      out.answered_by.push_back(answered.deployment);
    }
    out.slept = h.timing.slept;
    return out;
  };
  const Run first = run(7);
  EXPECT_EQ(run(7), first);
  EXPECT_FALSE(run(8) == first);
  EXPECT_GT(first.slept, 0s);
}

TEST(GatewayServiceTest, RetryAfterBeyondTheBudgetEndsTheRequest) {
  Harness h([](core::GatewayConfig& c) {
    c.retry.max_attempts = 5;
    c.retry.budget = 2s;
  });
  h.p("c").script = {{.outcome = AttemptOutcome::rate_limited, .retry_after = 5000ms}};
  h.p("b").script = {{.outcome = AttemptOutcome::rate_limited, .retry_after = 5000ms}};
  const Outcome out = h.chat("solo");
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.last_outcome, AttemptOutcome::rate_limited);
  EXPECT_EQ(out.attempts, 2);  // solo's deployment, then the fallback's: no third, no wait
  EXPECT_EQ(h.timing.slept, 0s);
  EXPECT_EQ(out.retry_after, 5000ms);
}

TEST(GatewayServiceTest, FallbackAliasServesAndIsCounted) {
  Harness h;
  h.p("c").script = {{AttemptOutcome::connect}};
  const Outcome out = h.chat("solo");
  EXPECT_TRUE(out.ok);
  EXPECT_EQ(out.deployment, "b/y");
  EXPECT_NE(h.metric(R"(sluice_upstream_retries_total{kind="fallback"} 1)"), "");
}

TEST(GatewayServiceTest, DegradedModeServesTheConfiguredCheaperAlias) {
  Harness h;
  ops::DegradedMode degraded(1s, 1s);
  h.service->set_degraded_aliases(&degraded, {{"solo", "backup"}});
  EXPECT_EQ(h.chat("solo").deployment, "c/x");
  const auto t0 = ops::DegradedMode::Clock::now();
  degraded.observe(true, t0);
  degraded.observe(true, t0 + 1s);
  ASSERT_TRUE(degraded.on());
  EXPECT_EQ(h.chat("solo").deployment, "b/y");
  EXPECT_EQ(h.chat("m").deployment, "a/x");  // not listed: served as asked
}

TEST(GatewayServiceTest, EveryCircuitOpenAnswers503WithTheShortestCooldown) {
  Harness h([](core::GatewayConfig& c) {
    c.circuit_breaker.failure_threshold = 1;
    c.retry.max_attempts = 2;
  });
  h.p("a").script = {{AttemptOutcome::upstream_5xx}};
  h.p("b").script = {{AttemptOutcome::upstream_5xx}};
  EXPECT_FALSE(h.chat("m").ok);  // both circuits open now
  EXPECT_NE(h.metric(R"(sluice_circuit_transitions_total{deployment="a/x",to="open"} 1)"), "");
  h.timing.advance(10s);
  const Outcome out = h.chat("m");
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.attempts, 0);
  EXPECT_EQ(out.error.code, Errc::unavailable);
  EXPECT_EQ(out.error.code_detail, "deployments_unavailable");
  ASSERT_TRUE(out.retry_after);
  EXPECT_EQ(*out.retry_after, 20s);
  EXPECT_EQ(h.p("a").calls + h.p("b").calls, 2);
}

TEST(GatewayServiceTest, CancelledProbeReleasesTheHalfOpenSlot) {
  Harness h([](core::GatewayConfig& c) {
    c.circuit_breaker.failure_threshold = 1;
    c.circuit_breaker.cooldown = 1s;
    c.retry.max_attempts = 1;
  });
  h.p("c").script = {{AttemptOutcome::upstream_5xx}};
  h.p("b").script = {{AttemptOutcome::upstream_5xx}};
  EXPECT_FALSE(h.chat("solo").ok);  // c/x and b/y open
  h.timing.advance(2s);             // half-open: one probe each
  h.p("c").script = {{AttemptOutcome::client_gone}};
  EXPECT_EQ(h.chat("solo").last_outcome, AttemptOutcome::client_gone);
  // Without the release the probe slot stays taken and this request would get 503.
  const Outcome probe = h.chat("solo");
  EXPECT_TRUE(probe.ok);
  EXPECT_EQ(probe.deployment, "c/x");
  EXPECT_EQ(h.p("c").calls, 3);
  EXPECT_NE(h.metric(R"(sluice_circuit_transitions_total{deployment="c/x",to="closed"} 1)"), "");
}

// Outcome::tries (the access log's `tries`): each attempt's deployment, outcome, start and
// duration since the request began, the backoff waited before it (Retry-After honoured), what
// the upstream asked for, and what it did to the circuit.
TEST(GatewayServiceTest, EachAttemptIsRecordedWithItsWaitAndWhatItDidToTheCircuit) {
  Harness h([](core::GatewayConfig& c) {
    c.retry.max_attempts = 3;
    core::ModelAliasConfig one;
    one.alias = "one";
    one.deployments = {{"c", "x", 1, 0, ""}};
    c.models.push_back(one);
  });
  h.p("c").script = {{.outcome = AttemptOutcome::upstream_5xx, .takes = 5ms},
                     {.outcome = AttemptOutcome::rate_limited, .takes = 7ms, .retry_after = 2000ms},
                     {.outcome = AttemptOutcome::success, .takes = 11ms}};
  const Outcome out = h.chat("one");
  ASSERT_TRUE(out.ok);
  ASSERT_EQ(out.tries.size(), 3u);
  const AttemptRecord& first = out.tries[0];
  EXPECT_EQ(first.deployment, "c/x");
  EXPECT_EQ(first.outcome, AttemptOutcome::upstream_5xx);
  EXPECT_EQ(first.start, 0ms);
  EXPECT_EQ(first.duration, 5ms);
  EXPECT_EQ(first.wait, 0ms);
  EXPECT_EQ(first.circuit, CircuitBreaker::Transition::none);
  const AttemptRecord& second = out.tries[1];
  // Full jitter below base_backoff (100 ms) after the first failure.
  EXPECT_LE(second.wait, 100ms);
  EXPECT_EQ(second.start, 5ms + second.wait);
  EXPECT_EQ(second.outcome, AttemptOutcome::rate_limited);
  ASSERT_TRUE(second.retry_after);
  EXPECT_EQ(*second.retry_after, 2000ms);
  const AttemptRecord& third = out.tries[2];
  EXPECT_EQ(third.wait, 2000ms) << "Retry-After is a floor on the backoff";
  EXPECT_EQ(third.start, second.start + 7ms + 2000ms);
  EXPECT_EQ(third.duration, 11ms);
  EXPECT_FALSE(third.retry_after);
  for (const AttemptRecord& t : out.tries) {
    EXPECT_FALSE(t.probe);
    EXPECT_EQ(t.circuit, CircuitBreaker::Transition::none) << "failure_threshold is 100 here";
  }
  EXPECT_EQ(h.timing.slept, second.wait + third.wait);
}

TEST(GatewayServiceTest, AProbeIsRecordedAndItsSuccessClosesTheCircuit) {
  Harness h([](core::GatewayConfig& c) {
    c.circuit_breaker.failure_threshold = 1;
    c.circuit_breaker.cooldown = 1s;
    c.retry.max_attempts = 1;
  });
  h.p("c").script = {{AttemptOutcome::upstream_5xx}};
  const Outcome failed = h.chat("solo");
  ASSERT_EQ(failed.tries.size(), 1u);
  EXPECT_EQ(failed.tries[0].circuit, CircuitBreaker::Transition::opened);
  EXPECT_FALSE(failed.tries[0].probe);
  h.timing.advance(2s);  // past the cooldown: the next request probes
  const Outcome probe = h.chat("solo");
  ASSERT_EQ(probe.tries.size(), 1u);
  EXPECT_TRUE(probe.tries[0].probe);
  EXPECT_EQ(probe.tries[0].circuit, CircuitBreaker::Transition::closed);
  const Outcome after = h.chat("solo");
  ASSERT_EQ(after.tries.size(), 1u);
  EXPECT_FALSE(after.tries[0].probe);
  EXPECT_EQ(after.tries[0].circuit, CircuitBreaker::Transition::none);
}

TEST(GatewayServiceTest, DeadlineBoundsRetriesAndAnswers504) {
  Harness h([](core::GatewayConfig& c) {
    c.retry.max_attempts = 10;
    c.request_timeout = 5s;
  });
  for (auto* name : {"a", "b"})
    for (int i = 0; i < 10; ++i) h.p(name).script.push_back({AttemptOutcome::timeout, 2s});
  const Outcome out = h.chat("m");
  EXPECT_FALSE(out.ok);
  EXPECT_LE(out.attempts, 3);
  EXPECT_EQ(out.error.code, Errc::gateway_timeout);
  EXPECT_EQ(out.error.code_detail, "deadline_exceeded");
}

TEST(GatewayServiceTest, ClientTimeoutOnlyShortensTheAliasTimeout) {
  Harness h([](core::GatewayConfig& c) { c.models[0].timeout = 3s; });
  const auto now = h.timing.now();
  EXPECT_EQ(h.service->deadline_for("m", std::nullopt), now + 3s);
  EXPECT_EQ(h.service->deadline_for("m", 1000ms), now + 1s);
  EXPECT_EQ(h.service->deadline_for("m", 60000ms), now + 3s);
  EXPECT_EQ(h.service->deadline_for("solo", std::nullopt), now + h.config.request_timeout);
}

// An upload's deadline counts from the request's start, its body being read within it; before
// its model field is read, the latest any model may have.
TEST(GatewayServiceTest, AnUploadsDeadlineCountsFromItsStartAndIsTheLongestBeforeItsModel) {
  Harness h([](core::GatewayConfig& c) {
    c.request_timeout = 10s;
    c.models[0].timeout = 30s;
    c.models[1].timeout = 2s;
  });
  const auto started = h.timing.now();
  h.timing.advance(5s);
  EXPECT_EQ(h.service->deadline_for("m", std::nullopt, started), started + 30s);
  EXPECT_EQ(h.service->deadline_for("solo", std::nullopt, started), started + 2s);
  EXPECT_EQ(h.service->deadline_for("backup", std::nullopt, started), started + 10s);
  EXPECT_EQ(h.service->deadline_for("m", 4000ms, started), started + 4s);
  EXPECT_EQ(h.service->longest_deadline(std::nullopt, started), started + 30s);
  EXPECT_EQ(h.service->longest_deadline(3000ms, started), started + 3s);
  EXPECT_EQ(h.service->deadline_for("m", std::nullopt), h.timing.now() + 30s) << "from now";
  Harness plain;
  EXPECT_EQ(plain.service->longest_deadline(std::nullopt, started),
            started + plain.config.request_timeout);
}

TEST(GatewayServiceTest, ClientThatLeavesStopsRetries) {
  Harness h;
  core::Cancellation cancellation;
  h.p("a").script = {{.outcome = AttemptOutcome::client_gone, .during = [&] {
                        cancellation.cancel(core::Cancellation::Reason::client_gone);
                      }}};
  const Outcome out = h.chat("m", nullptr, &cancellation);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.last_outcome, AttemptOutcome::client_gone);
  EXPECT_EQ(h.p("b").calls, 0);
}

TEST(GatewayServiceTest, ShutdownMidStreamEndsWithAShuttingDownError) {
  Harness h;
  core::Cancellation cancellation;
  h.p("a").script = {{.outcome = AttemptOutcome::cancelled, .chunks = 1, .during = [&] {
                        cancellation.cancel(core::Cancellation::Reason::shutdown);
                      }}};
  CountingSink sink;
  const Outcome out = h.chat("m", &sink, &cancellation);
  EXPECT_TRUE(out.stream_started);
  EXPECT_EQ(out.error.code_detail, "shutting_down");
  EXPECT_EQ(out.last_outcome, AttemptOutcome::cancelled);
}

// Clients choose model names: names the catalog does not keep must not become metric series.
TEST(GatewayServiceTest, UnkeptModelNamesShareOneMetricLabel) {
  Harness h;
  for (int i = 0; i < 20; ++i) {
    h.p("a").script = {{AttemptOutcome::upstream_4xx}};
    EXPECT_FALSE(h.chat("a/junk-" + std::to_string(i)).ok);
  }
  const std::string text = h.registry.render();
  EXPECT_EQ(text.find("junk"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(gen_ai_request_model="a/*")"), std::string::npos) << text;
}

TEST(GatewayServiceTest, BackoffIsCutShortByTheDeadline) {
  Harness h([](core::GatewayConfig& c) {
    c.retry.max_attempts = 3;
    c.retry.base_backoff = 1s;
    c.retry.max_backoff = 1s;
    c.request_timeout = 1500ms;
  });
  h.p("c").script = {{AttemptOutcome::upstream_5xx}, {AttemptOutcome::upstream_5xx}};
  h.p("b").script = {{AttemptOutcome::upstream_5xx}, {AttemptOutcome::upstream_5xx}};
  const Outcome out = h.chat("solo");
  EXPECT_FALSE(out.ok);
  EXPECT_LE(h.timing.now() - (Clock::time_point{} + 1h), 1500ms);
}

// Records what the service reserves and settles; refuses every call once `refuse` is set.
class RecordingTokenLimiter final : public TokenLimiter {
 public:
  TokenReservation reserve(const Caller&, std::string_view, long long estimate, int64_t) override {
    estimates.push_back(estimate);
    TokenReservation reservation;
    reservation.admitted = !refuse;
    reservation.bucket = refuse ? 0 : 1;
    reservation.per_minute = 1000;
    reservation.reserved = estimate;
    reservation.retry_after_ns = refuse ? 1'500'000'000 : 0;
    reservation.report = {1000, refuse ? 0 : 1000 - estimate, 6'000'000'000};
    return reservation;
  }
  void settle(const TokenReservation&, long long used, int64_t) override {
    settled.push_back(used);
  }

  bool refuse = false;
  std::vector<long long> estimates;
  std::vector<long long> settled;
};

class TokenReportingSink final : public ChunkSink {
 public:
  void on_attempt(std::string_view) override {}
  void on_token_limit(const TokenLimitReport& report) override { reported = report; }
  boost::asio::awaitable<bool> send(std::string_view) override { co_return true; }
  bool started() const override { return false; }
  TokenLimitReport reported;
};

TEST(GatewayServiceTest, ACallReservesItsEstimatedTokensAndSettlesWhatItUsed) {
  Harness h;
  RecordingTokenLimiter tokens;
  h.service->set_token_limiter(&tokens, 100);
  const Outcome served = h.chat("m");
  ASSERT_TRUE(served.ok);
  // No max_tokens: the default completion (the harness sends no raw body to count).
  EXPECT_EQ(tokens.estimates, std::vector<long long>{100});
  EXPECT_EQ(tokens.settled, std::vector<long long>{0});  // the scripted answer used none
  EXPECT_EQ(served.token_limit.limit, 1000);
  EXPECT_EQ(served.token_limit.remaining, 900);
  // A failed call settles too (refunding the reservation), and a stream hears of the limit
  // before its first attempt, so that the headers go out with its head.
  h.p("a").script = {{AttemptOutcome::upstream_4xx}};
  TokenReportingSink sink;
  EXPECT_FALSE(h.chat("m", &sink).ok);
  EXPECT_EQ(tokens.settled.size(), 2u);
  EXPECT_EQ(sink.reported.limit, 1000);
}

TEST(GatewayServiceTest, ACallBeyondTheTokenLimitIsA429ThatReachesNoUpstream) {
  Harness h;
  RecordingTokenLimiter tokens;
  tokens.refuse = true;
  h.service->set_token_limiter(&tokens, 100);
  const Outcome refused = h.chat("m");
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.error.code, Errc::rate_limited);
  EXPECT_EQ(refused.error.code_detail, "rate_limit_exceeded");
  EXPECT_EQ(refused.retry_after, std::chrono::milliseconds(1500));
  EXPECT_EQ(refused.token_limit.remaining, 0);
  EXPECT_EQ(h.p("a").calls + h.p("b").calls, 0);
  EXPECT_TRUE(tokens.settled.empty());
  // A model no alias serves is refused as before, without a reservation.
  tokens.estimates.clear();
  EXPECT_EQ(h.chat("nowhere").error.code, Errc::not_found);
  EXPECT_TRUE(tokens.estimates.empty());
}

// Alias "m" hands `weight` of its chats to its canary, alias "backup" (b/y); `rule` (metric,
// threshold, window, min_requests) when given.
std::function<void(core::GatewayConfig&)> canary_of_m(double weight,
                                                      core::CanaryRollbackConfig rule = {}) {
  return [weight, rule](core::GatewayConfig& c) {
    c.models[0].canary.alias = "backup";
    c.models[0].canary.weight = weight;
    c.models[0].canary.rollback = rule;
  };
}

TEST(GatewayServiceCanaryTest, SplitsTheAliasByWeightWithTheSeededGenerator) {
  Harness h(canary_of_m(0.25));
  h.service->set_random_seed(11);
  int candidate = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const Outcome out = h.chat("m");
    ASSERT_TRUE(out.ok);
    if (out.canary == "candidate") {
      ++candidate;
      EXPECT_EQ(out.deployment, "b/y");
    } else {
      ASSERT_EQ(out.canary, "baseline");
      EXPECT_EQ(out.deployment, "a/x");
    }
  }
  // Binomial(4000, 0.25): sd 27; 5 sd.
  EXPECT_NEAR(candidate, 1000, 137);
  EXPECT_NE(h.metric(R"(sluice_canary_requests_total{alias="m",version="candidate"} )" +
                     std::to_string(candidate)),
            "");
  EXPECT_NE(h.metric(R"(sluice_canary_requests_total{alias="m",version="baseline"} )" +
                     std::to_string(n - candidate)),
            "");
  EXPECT_NE(h.metric(R"(sluice_canary_weight{alias="m"} 0.25)"), "");
  // The same seed, the same split.
  Harness again(canary_of_m(0.25));
  again.service->set_random_seed(11);
  int replayed = 0;
  for (int i = 0; i < n; ++i) replayed += again.chat("m").canary == "candidate";
  EXPECT_EQ(replayed, candidate);
  // Other aliases (the candidate itself included) are served as configured, without the header.
  EXPECT_EQ(h.chat("solo").canary, "");
  EXPECT_EQ(h.chat("backup").canary, "");
}

TEST(GatewayServiceCanaryTest, AKeyOrTheUserKeepsAClientOnOneVersion) {
  Harness h(canary_of_m(0.5));
  h.service->set_random_seed(5);
  std::map<std::string, std::set<std::string>> versions;  // by key
  for (int i = 0; i < 40; ++i) {
    const std::string user = "user-" + std::to_string(i % 8);
    h.body_extra = R"(,"user":")" + user + R"(")";
    versions[user].insert(std::string(h.chat("m").canary));
  }
  std::set<std::string> seen;
  for (const auto& [user, v] : versions) {
    EXPECT_EQ(v.size(), 1u) << user;
    seen.insert(*v.begin());
  }
  EXPECT_EQ(seen.size(), 2u) << "8 users at 50%: both versions serve some";
  // The header wins over the body's user, as the controller's hash of it says.
  const CanaryController& canary = *h.service->canaries().find("m");
  h.canary_key = "team-blue";
  const std::string expected = canary.position_of("team-blue") < 0.5 ? "candidate" : "baseline";
  for (int i = 0; i < 10; ++i) EXPECT_EQ(h.chat("m").canary, expected);
}

TEST(GatewayServiceCanaryTest, AStreamLearnsItsVersionBeforeTheFirstAttempt) {
  Harness h(canary_of_m(1.0));
  CountingSink sink;
  const Outcome out = h.chat("m", &sink);
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(sink.canaries, std::vector<std::string>{"candidate"});
  EXPECT_EQ(sink.attempts, std::vector<std::string>{"b/y"});
}

TEST(GatewayServiceCanaryTest, AFailingCandidateIsRolledBackOnceAndStaysOut) {
  Harness h([](core::GatewayConfig& c) {
    canary_of_m(0.5, {"error_rate", "0.2", core::Millis{60'000}, 10})(c);
    c.retry.max_attempts = 1;  // each candidate failure reaches the client
  });
  h.service->set_random_seed(9);
  for (int i = 0; i < 1000; ++i) h.p("b").script.push_back({AttemptOutcome::upstream_5xx});
  int candidate = 0;
  int failed = 0;
  for (int i = 0; i < 200; ++i) {
    h.timing.advance(100ms);
    const Outcome out = h.chat("m");
    if (out.canary == "candidate") {
      ++candidate;
      failed += !out.ok;
    }
  }
  // Every candidate request failed; the 10th (min_requests) made the verdict, and none followed.
  EXPECT_EQ(candidate, 10);
  EXPECT_EQ(failed, 10);
  EXPECT_NE(h.metric(R"(sluice_canary_rollbacks_total{alias="m",reason="error_rate"} 1)"), "");
  EXPECT_NE(h.metric(R"(sluice_canary_rollbacks_total{alias="m",reason="manual"} 0)"), "");
  EXPECT_NE(h.metric(R"(sluice_canary_weight{alias="m"} 0)"), "");
  const auto statuses = h.service->canary_statuses();
  ASSERT_EQ(statuses.size(), 1u);
  ASSERT_TRUE(statuses[0].rollback);
  EXPECT_EQ(statuses[0].rollback->reason, "error_rate");
  EXPECT_DOUBLE_EQ(*statuses[0].rollback->candidate_value, 1.0);
  // An admin puts it back, fixed: it serves again.
  CanaryController& canary = *h.service->canaries().find("m");
  EXPECT_FALSE(h.service->roll_back_canary(canary)) << "already out";
  h.p("b").script.clear();
  EXPECT_TRUE(h.service->resume_canary(canary));
  EXPECT_NE(h.metric(R"(sluice_canary_weight{alias="m"} 0.5)"), "");
  int served = 0;
  for (int i = 0; i < 40; ++i) served += h.chat("m").canary == "candidate";
  EXPECT_GT(served, 0);
  EXPECT_TRUE(h.service->roll_back_canary(canary));
  EXPECT_NE(h.metric(R"(sluice_canary_rollbacks_total{alias="m",reason="manual"} 1)"), "");
}

TEST(GatewayServiceCanaryTest, AnAnswerFromTheCandidatesFallbackCountsAgainstIt) {
  // The candidate is "solo" (c/x), whose own fallback alias "backup" answers when c fails: the
  // client is served, but not by the candidate.
  Harness h([](core::GatewayConfig& c) {
    c.models[0].canary.alias = "solo";
    c.models[0].canary.weight = 1.0;
    c.models[0].canary.rollback = {"error_rate", "0.5", core::Millis{60'000}, 5};
  });
  for (int i = 0; i < 100; ++i) h.p("c").script.push_back({AttemptOutcome::upstream_5xx});
  for (int i = 0; i < 5; ++i) {
    const Outcome out = h.chat("m");
    EXPECT_TRUE(out.ok);
    EXPECT_EQ(out.deployment, "b/y");
    EXPECT_EQ(out.canary, "candidate");
  }
  EXPECT_EQ(h.chat("m").canary, "baseline") << "rolled back after 5";
}

TEST(GatewayServiceCanaryTest, RequestsTheClientCutShortAreNotHeldAgainstAVersion) {
  Harness h(canary_of_m(1.0, {"error_rate", "0.5", core::Millis{60'000}, 3}));
  for (int i = 0; i < 10; ++i) {
    core::Cancellation cancellation;
    h.p("b").script = {{.outcome = AttemptOutcome::client_gone, .during = [&] {
                          cancellation.cancel(core::Cancellation::Reason::client_gone);
                        }}};
    EXPECT_EQ(h.chat("m", nullptr, &cancellation).canary, "candidate");
  }
  const auto statuses = h.service->canary_statuses();
  EXPECT_EQ(statuses[0].candidate_reading.requests, 0u);
  EXPECT_FALSE(statuses[0].rollback);
  EXPECT_NE(h.metric(R"(sluice_canary_requests_total{alias="m",version="candidate"} 10)"), "");
}

}  // namespace
}  // namespace sluice::gateway
