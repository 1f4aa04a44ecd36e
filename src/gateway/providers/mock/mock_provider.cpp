#include "gateway/providers/mock/mock_provider.hpp"

#include <boost/json.hpp>
#include <limits>
#include <random>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "gateway/providers/mock/mock_moderation.hpp"
#include "gateway/providers/mock/mock_replies.hpp"
#include "gateway/providers/mock/mock_rerank.hpp"
#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/upstream_failure.hpp"
#include "gateway/timing.hpp"

namespace sluice::gateway {
namespace asio = boost::asio;

asio::awaitable<std::optional<AttemptResult>> MockProvider::latency_and_faults(
    const RequestLimits& limits) {
  // (The co_await is a statement of its own: GCC 12 mishandles it inside && and ?: operands.)
  bool slept = true;
  if (config_.mock_latency.count() > 0)
    slept = co_await real_timing().sleep(config_.mock_latency, limits);
  if (!slept) {
    const bool client_gone = limits.cancellation && limits.cancellation->reason() ==
                                                        core::Cancellation::Reason::client_gone;
    co_return AttemptResult::failure(
        client_gone ? core::AttemptOutcome::client_gone : core::AttemptOutcome::cancelled,
        make_error(Errc::gateway_timeout, "the request ended while the mock provider waited"));
  }
  if (config_.mock_error_rate > 0) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    if (std::uniform_real_distribution<double>(0, 1)(rng) < config_.mock_error_rate) {
      const Error error =
          make_error(errc_from_status(config_.mock_error_status), "mock provider injected error");
      co_return http_failure(config_.mock_error_status, render_error_body(error), "1", {},
                             config_.name);
    }
  }
  co_return std::nullopt;
}

asio::awaitable<AttemptResult> MockProvider::chat(const ChatRequest& request,
                                                  std::string_view upstream_model,
                                                  ChunkSink* sink) {
  if (auto fault = co_await latency_and_faults(request.limits)) co_return std::move(*fault);
  const MockReply reply = mock_chat_reply(*request.body);
  const std::string id = "chatcmpl-" + core::random_hex(12);
  AttemptResult result;
  result.usage.prompt_tokens = reply.prompt_tokens;
  result.usage.completion_tokens = reply.completion_tokens;
  result.usage.reported = true;
  result.finish_reason = reply.finish_reason;
  if (request.stream && sink) {
    for (const std::string& chunk :
         chat_chunks_json(reply, upstream_model, id, core::unix_seconds(), config_.mock_chunks,
                          request.include_usage)) {
      if (!result.first_token_seen) {
        result.first_token_seen = true;
        result.first_token_at = std::chrono::steady_clock::now();
      }
      if (!co_await sink->send(chunk)) {
        result.fail_stream(AttemptResult::failure(
            core::AttemptOutcome::client_gone,
            make_error(Errc::invalid_request, "client disconnected mid-stream")));
        co_return result;
      }
    }
  } else {
    result.body = chat_completion_json(reply, upstream_model, id, core::unix_seconds());
  }
  co_return result;
}

asio::awaitable<AttemptResult> MockProvider::embeddings(const EmbeddingsRequest& request,
                                                        std::string_view upstream_model) {
  if (auto fault = co_await latency_and_faults(request.limits)) co_return std::move(*fault);
  AttemptResult result;
  result.body = embeddings_json(*request.body, upstream_model);
  read_trailing_usage(result.body, result.usage);
  co_return result;
}

asio::awaitable<AttemptResult> MockProvider::call(const EndpointRequest& request,
                                                  std::string_view upstream_model) {
  if (auto fault = co_await latency_and_faults(request.limits)) co_return std::move(*fault);
  AttemptResult result;
  if (request.endpoint == Endpoint::moderations) {
    result.body = mock_moderation_json(*request.body, upstream_model);
    co_return result;
  }
  // The gateway sends what rerank_upstream_body() builds: never refused here.
  auto rerank = parse_rerank_request(*request.body, std::numeric_limits<std::size_t>::max(), {});
  if (!rerank) co_return AttemptResult::failure(core::AttemptOutcome::upstream_4xx, rerank.error());
  result.body = mock_rerank_json(*rerank, upstream_model);
  co_return result;
}

asio::awaitable<Result<std::vector<std::string>>> MockProvider::list_models() {
  co_return std::vector<std::string>{"mock"};  // it answers any name; this is the one it suggests
}

}  // namespace sluice::gateway
