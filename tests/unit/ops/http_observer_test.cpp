#include "ops/http_observer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cstdio>

#include "ops/tracer.hpp"

namespace sluice::ops {
namespace {

// An observer logging JSON lines to a temp file, read back line by line.
class HttpObserverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::tmpfile();
    logger_.set_output_fd(fileno(file_));
    logger_.configure(core::LogLevel::info, core::LogFormat::json);
    exchange_.request.method = "POST";
    exchange_.request.path = "/v1/chat/completions";
    exchange_.request.headers = {{"User-Agent", "OpenAI/Python 1.50.0"}};
    exchange_.route = "/v1/chat/completions";
    exchange_.request_id = "req-1";
    exchange_.client_address = "10.0.0.7";
    exchange_.started = std::chrono::steady_clock::now();
  }
  void TearDown() override { std::fclose(file_); }
  std::vector<boost::json::object> lines() {
    std::string out;
    ::lseek(fileno(file_), 0, SEEK_SET);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fileno(file_), buf, sizeof buf)) > 0)
      out.append(buf, static_cast<std::size_t>(n));
    std::vector<boost::json::object> parsed;
    for (std::size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos;
         start = end + 1)
      parsed.push_back(boost::json::parse(out.substr(start, end - start)).as_object());
    return parsed;
  }
  void finish(int status) {
    exchange_.response.status = status;
    HttpObserver observer(registry_, logger_, true);
    observer.on_request_start();
    observer.on_request_end(exchange_, 42);
    observer.on_tick();
  }

  Registry registry_;
  Logger logger_;
  http::Exchange exchange_;
  std::FILE* file_ = nullptr;
};

TEST_F(HttpObserverTest, AccessLineCarriesClientUserAgentAndHandlerFields) {
  exchange_.log_fields = R"(,"model":"gpt-test")";
  finish(200);
  const auto logged = lines();
  ASSERT_EQ(logged.size(), 1u);
  const auto& line = logged[0];
  EXPECT_EQ(line.at("msg"), "request");
  EXPECT_EQ(line.at("client"), "10.0.0.7");
  EXPECT_EQ(line.at("user_agent"), "OpenAI/Python 1.50.0");
  EXPECT_EQ(line.at("model"), "gpt-test");
  EXPECT_EQ(line.at("bytes"), 42);
}

TEST_F(HttpObserverTest, UpstreamFailuresAreLoggedAtWarnBesidesTheAccessLine) {
  exchange_.log_fields = R"(,"upstream_error":"connect refused")";
  finish(502);
  const auto logged = lines();
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0].at("level"), "warn");
  EXPECT_EQ(logged[0].at("msg"), "request failed");
  EXPECT_EQ(logged[0].at("status"), 502);
  EXPECT_EQ(logged[0].at("upstream_error"), "connect refused");
  EXPECT_EQ(logged[1].at("msg"), "request");
}

TEST_F(HttpObserverTest, InternalErrorsAreLoggedAtError) {
  finish(500);
  const auto logged = lines();
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0].at("level"), "error");
}

TEST_F(HttpObserverTest, ClientErrorsGetOnlyTheAccessLine) {
  finish(404);
  EXPECT_EQ(lines().size(), 1u);
}

TEST_F(HttpObserverTest, InvalidUtf8FromTheClientStaysValidJson) {
  exchange_.request.path = "/\xff\xfe";
  exchange_.request.headers = {{"User-Agent", "bad\xc3"}};
  finish(404);
  const auto logged = lines();  // boost::json::parse throws on invalid UTF-8
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].at("path"), "/\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(logged[0].at("user_agent"), "bad\xef\xbf\xbd");
}

TEST(RequestDurationBucketsTest, ReachTenMinutes) {
  const auto buckets = request_duration_buckets();
  EXPECT_EQ(buckets.front(), 0.005);
  EXPECT_EQ(buckets.back(), 600);
  EXPECT_TRUE(std::is_sorted(buckets.begin(), buckets.end()));
}

// Sampled requests get a server span when the loop ticks; others none.
TEST_F(HttpObserverTest, SampledRequestsGetAServerSpan) {
  TraceMetrics trace_metrics(registry_);
  SpanQueue queue(10);
  Tracer tracer(queue, *TraceSampler::parse("parentbased_always_on", 1), trace_metrics);
  HttpObserver observer(registry_, logger_, false);
  observer.set_tracer(&tracer);
  exchange_.trace.reset_from("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  exchange_.started = std::chrono::steady_clock::now() - std::chrono::milliseconds(30);
  exchange_.response.status = 503;
  observer.on_request_start();
  observer.on_request_end(exchange_, 0);
  exchange_.trace.reset_from("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  observer.on_request_start();
  observer.on_request_end(exchange_, 0);  // the caller did not sample it
  EXPECT_EQ(queue.size(), 0u);            // kept by the thread until its tick
  observer.on_tick();
  const auto spans = queue.pop(10, std::chrono::steady_clock::now());
  ASSERT_EQ(spans.size(), 1u);
  const Span& span = spans[0];
  EXPECT_EQ(span.name, "POST /v1/chat/completions");
  EXPECT_EQ(span.kind, SpanKind::server);
  EXPECT_TRUE(span.has_parent);
  EXPECT_EQ(span.parent_span_id[0], 0x00);
  EXPECT_EQ(span.parent_span_id[1], 0xf0);
  EXPECT_EQ(span.status, SpanStatus::error);
  EXPECT_GE(span.end_unix_nanos - span.start_unix_nanos, 30'000'000u);  // from exchange.started
  std::map<std::string_view, std::string> text;
  for (const SpanAttribute& a : span.attributes)
    if (const auto* s = std::get_if<std::string>(&a.value)) text[a.key] = *s;
  EXPECT_EQ(text["http.request.method"], "POST");
  EXPECT_EQ(text["http.route"], "/v1/chat/completions");
  EXPECT_EQ(text["url.path"], "/v1/chat/completions");
  EXPECT_EQ(text["user_agent.original"], "OpenAI/Python 1.50.0");
  EXPECT_EQ(text["client.address"], "10.0.0.7");
  EXPECT_EQ(text["error.type"], "503");
}

}  // namespace
}  // namespace sluice::ops
