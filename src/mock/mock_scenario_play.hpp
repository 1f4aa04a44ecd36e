#pragma once
// Times one chat completion as a scenario provider answers it (mock_scenario.hpp decides, this
// plays it on the exchange's event loop): the failures after their latency, the line in front of
// the provider's concurrency limit, the first token after its ttft, the rest at per_token each,
// a reset at its point.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "core/result.hpp"
#include "http/exchange.hpp"
#include "mock/mock_scenario.hpp"

namespace sluice::mock {

// The most output tokens a scenario answer has: a long context's answer, bounded so that an
// answer's body stays a few megabytes.
inline constexpr long long kMaxScenarioTokens = 100'000;

// The answer's length: the request's max_completion_tokens, else its max_tokens, else `fallback`
// (the --reply-tokens knob, or the mock's ordinary answer length). An Error (invalid_request,
// naming the parameter) above kMaxScenarioTokens or below 1.
Result<long long> scenario_tokens(const boost::json::object& request, long long fallback);

// What the mock does around the answer: its error bodies and its counters.
struct ScenarioHooks {
  // Answers an injected error: 503, or 429 asking the client to come back after `retry_after`.
  std::function<void(http::Exchange&, int status, std::chrono::milliseconds retry_after)> error;
  std::function<void()> reset;      // a connection dropped on purpose
  std::function<void()> stream;     // a streamed answer begun
  std::function<void()> cancelled;  // the client left before the answer was whole
};

// Plays the answer of `upstream` to a (validated) chat request for `model`, `tokens` long, its
// stream in at most `writes` writes after the first token's.
boost::asio::awaitable<void> play_scenario_chat(http::Exchange& ex, ScenarioPlayer& player,
                                                ScenarioUpstream& upstream,
                                                const boost::json::object& request,
                                                const std::string& model, long long tokens,
                                                long long writes, const ScenarioHooks& hooks);

}  // namespace sluice::mock
