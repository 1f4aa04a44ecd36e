#include "gateway/providers/mock/mock_provider.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <random>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "gateway/providers/mock/mock_replies.hpp"
#include "gateway/providers/openai/openai_wire.hpp"

namespace sluice::gateway {
namespace asio = boost::asio;

asio::awaitable<std::optional<AttemptResult>> MockProvider::latency_and_faults() {
  if (config_.mock_latency.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(config_.mock_latency);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (config_.mock_error_rate > 0) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    if (std::uniform_real_distribution<double>(0, 1)(rng) < config_.mock_error_rate) {
      const Error error =
          make_error(errc_from_status(config_.mock_error_status), "mock provider injected error");
      co_return upstream_http_failure(config_.mock_error_status, render_error_body(error), "1", {},
                                      config_.name);
    }
  }
  co_return std::nullopt;
}

asio::awaitable<AttemptResult> MockProvider::chat(const ChatRequest& request,
                                                  std::string_view upstream_model,
                                                  ChunkSink* sink) {
  if (auto fault = co_await latency_and_faults()) co_return std::move(*fault);
  const MockReply reply = mock_chat_reply(*request.body);
  const std::string id = "chatcmpl-" + core::random_hex(12);
  AttemptResult result;
  result.usage.prompt_tokens = reply.prompt_tokens;
  result.usage.completion_tokens = reply.completion_tokens;
  result.usage.reported = true;
  if (request.stream && sink) {
    for (const std::string& chunk :
         chat_chunks_json(reply, upstream_model, id, core::unix_seconds(), config_.mock_chunks,
                          request.include_usage)) {
      if (!result.first_token_seen) {
        result.first_token_seen = true;
        result.first_token_at = std::chrono::steady_clock::now();
      }
      if (!co_await sink->send(chunk)) {
        result.fail_stream(AttemptResult::client_disconnected(), true);
        co_return result;
      }
    }
  } else {
    result.body = chat_completion_json(reply, upstream_model, id, core::unix_seconds());
  }
  result.ok = true;
  co_return result;
}

asio::awaitable<AttemptResult> MockProvider::embeddings(const EmbeddingsRequest& request,
                                                        std::string_view upstream_model) {
  if (auto fault = co_await latency_and_faults()) co_return std::move(*fault);
  AttemptResult result;
  result.body = embeddings_json(*request.body, upstream_model);
  read_trailing_usage(result.body, result.usage);
  result.ok = true;
  co_return result;
}

asio::awaitable<Result<std::vector<std::string>>> MockProvider::list_models() {
  co_return std::vector<std::string>{"mock"};  // it answers any name; this is the one it suggests
}

}  // namespace sluice::gateway
