#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "gateway/gateway_metrics.hpp"
#include "gateway/types.hpp"
#include "http/exchange.hpp"

namespace sluice::api {

// Writes a server-sent event stream: the 200 head (with x-sluice-deployment) goes out with the
// first event, so that failures before it can still be answered with an error status.
class SseWriter {
 public:
  // `metrics`, when given, counts the stream in sluice_active_streams while it is open.
  explicit SseWriter(http::Exchange& exchange, gateway::GatewayMetrics* metrics = nullptr)
      : exchange_(exchange), metrics_(metrics) {}
  ~SseWriter();
  SseWriter(const SseWriter&) = delete;
  SseWriter& operator=(const SseWriter&) = delete;

  void set_deployment(std::string_view deployment) { deployment_.assign(deployment); }
  // The canary version serving the stream (a static name), sent as x-sluice-canary.
  void set_canary(std::string_view version) { canary_ = version; }
  // A token limit's x-ratelimit-*-tokens headers, sent with the head.
  void set_token_limit(const gateway::TokenLimitReport& report) { token_limit_ = report; }
  bool started() const { return started_; }
  // One event: `event: <type>\n` when `type` is not empty, then `data: <data>\n\n`. False once the
  // client is gone.
  boost::asio::awaitable<bool> write(std::string_view type, std::string_view data);

 private:
  http::Exchange& exchange_;
  gateway::GatewayMetrics* metrics_;
  std::string deployment_;
  std::string_view canary_;
  std::string event_line_;  // `event: <type>\n`, reused
  gateway::TokenLimitReport token_limit_;
  bool started_ = false;
};

// Streams chat chunks to the client as OpenAI does: `data: <json>\n\n` per chunk, then
// `data: [DONE]`.
class SseSink final : public gateway::ChunkSink {
 public:
  SseSink(http::Exchange& exchange, gateway::GatewayMetrics& metrics)
      : writer_(exchange, &metrics) {}

  void on_attempt(std::string_view deployment) override { writer_.set_deployment(deployment); }
  void on_canary(std::string_view version) override { writer_.set_canary(version); }
  void on_token_limit(const gateway::TokenLimitReport& report) override {
    writer_.set_token_limit(report);
  }
  bool started() const override { return writer_.started(); }
  boost::asio::awaitable<bool> send(std::string_view chunk_json) override;

  boost::asio::awaitable<void> finish();
  // A failure after the stream started: OpenAI's SDKs raise an APIError for a data event that
  // carries an `error` object, so the client learns the stream broke instead of seeing a cut.
  boost::asio::awaitable<void> fail(const Error& error);

 private:
  SseWriter writer_;
};

}  // namespace sluice::api
