#include "mock/mock_scenario_play.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "gateway/providers/mock/mock_replies.hpp"
#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/timing.hpp"
#include "ops/admission_wait.hpp"

namespace sluice::mock {
namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using Verdict = ops::AdmissionGate::Verdict;

namespace {

// One token as the mock counts them (mock_tokens: a token per 4 bytes): every piece of a scenario
// answer is this, so that its usage and its text agree.
constexpr std::string_view kToken = "tok ";
// How long a "no answer" outage holds the connection when the client never leaves.
constexpr std::chrono::hours kNoAnswerHold{1};

// Waits until `at`; false when the client left first.
asio::awaitable<bool> sleep_until(http::Exchange& ex, Clock::time_point at) {
  const Clock::time_point now = Clock::now();
  if (at <= now) co_return !ex.cancellation.cancelled();
  gateway::RequestLimits limits;
  limits.cancellation = &ex.cancellation;
  co_return co_await gateway::real_timing().sleep(at - now, limits);
}

// Holds one of the upstream's places for the answer, whatever way it ends.
class Place {
 public:
  explicit Place(ops::AdmissionGate* line) : line_(line) {}
  ~Place() {
    if (held) line_->release();
  }
  Place(const Place&) = delete;
  Place& operator=(const Place&) = delete;
  bool held = false;

 private:
  ops::AdmissionGate* line_;
};

// The answer: `tokens` pieces of kToken, the usage the mock reports for this request.
gateway::MockReply scenario_reply(const json::object& request, long long tokens) {
  const gateway::MockConversation conversation = gateway::read_mock_conversation(request);
  gateway::MockReply reply;
  reply.prompt_tokens =
      gateway::mock_tokens(conversation.prompt_bytes) + 4 * conversation.message_count;
  reply.completion_tokens = tokens;
  return reply;
}

std::string sse(std::string_view json) {
  std::string frame = "data: ";
  frame += json;
  frame += "\n\n";
  return frame;
}

// The stream in writes: the first token (with the role chunk) at ttft, then the rest in at most
// `writes` writes, each sent when its last token is due; the finish chunk, the usage chunk (when
// asked for) and [DONE] go with the last.
struct StreamWrite {
  std::string bytes;
  Nanos at;
};

std::vector<StreamWrite> stream_writes(const json::object& request, const ServicePlan& plan,
                                       const std::string& model, long long writes) {
  gateway::MockReply reply = scenario_reply(request, plan.tokens);
  reply.content = std::string(kToken);  // one piece: the chunks are all alike
  // [role, one token, finish, (usage)]
  const auto chunks =
      gateway::chat_chunks_json(reply, model, "chatcmpl-" + core::random_hex(12),
                                core::unix_seconds(), 1, gateway::usage_requested(request));
  const std::string token = sse(chunks[1]);
  std::string tail = sse(chunks[2]);
  if (chunks.size() > 3) tail += sse(chunks[3]);
  tail += sse("[DONE]");

  std::vector<StreamWrite> out;
  out.push_back({sse(chunks[0]) + token, plan.token_due(1)});
  const long long rest = plan.tokens - 1;
  const long long groups = std::min(rest, std::max(1LL, writes));
  long long sent = 1;
  for (long long g = 1; g <= groups; ++g) {
    const long long last = 1 + (rest * g + groups - 1) / groups;  // the group's last token
    StreamWrite write{{}, plan.token_due(last)};
    write.bytes.reserve(token.size() * static_cast<std::size_t>(last - sent));
    for (; sent < last; ++sent) write.bytes += token;
    out.push_back(std::move(write));
  }
  out.back().bytes += tail;
  return out;
}

// Answers `kind` of refusal: after its latency, an error status or a dropped connection.
asio::awaitable<void> refuse(http::Exchange& ex, ScenarioUpstream& upstream,
                             const ArrivalVerdict& verdict, Clock::time_point arrived,
                             const ScenarioHooks& hooks) {
  using Kind = ArrivalVerdict::Kind;
  if (verdict.kind == Kind::connect) {  // as near a refused connection as a live socket gets
    hooks.reset();
    ex.abort_connection();
    co_return;
  }
  ex.watch_client();
  if (verdict.kind == Kind::no_answer) {
    co_await sleep_until(ex, arrived + kNoAnswerHold);
    hooks.cancelled();
    ex.abort_connection();
    co_return;
  }
  if (!co_await sleep_until(ex, arrived + verdict.after)) {
    hooks.cancelled();
    co_return;
  }
  if (verdict.kind == Kind::reset) {
    hooks.reset();
    ex.abort_connection();
  } else {
    hooks.error(ex, verdict.kind == Kind::rate_limited ? 429 : 503, upstream.retry_after());
  }
}

}  // namespace

Result<long long> scenario_tokens(const json::object& request, long long fallback) {
  for (const char* name : {"max_completion_tokens", "max_tokens"}) {
    const json::value* value = request.if_contains(name);
    if (!value || value->is_null()) continue;
    if (!value->is_int64() || value->get_int64() < 1 || value->get_int64() > kMaxScenarioTokens)
      return make_error(Errc::invalid_request,
                        std::string(name) + " must be an integer from 1 to " +
                            std::to_string(kMaxScenarioTokens) +
                            " (the most a scenario provider of sluice mock-upstream answers)",
                        name);
    return value->get_int64();
  }
  return std::clamp(fallback, 1LL, kMaxScenarioTokens);
}

asio::awaitable<void> play_scenario_chat(http::Exchange& ex, ScenarioPlayer& player,
                                         ScenarioUpstream& upstream, const json::object& request,
                                         const std::string& model, long long tokens,
                                         long long writes, const ScenarioHooks& hooks) {
  const Clock::time_point arrived = Clock::now();
  const ArrivalVerdict verdict = upstream.on_arrival(player.since_start(), steady_now_ns());
  if (verdict.kind != ArrivalVerdict::Kind::serve) {
    co_await refuse(ex, upstream, verdict, arrived, hooks);
    co_return;
  }
  Place place(upstream.line());
  if (ops::AdmissionGate* line = upstream.line()) {
    // In line until a place comes, or the gateway gives up on the attempt (its first-byte or the
    // request's timeout) and closes the connection.
    const Verdict admitted =
        co_await ops::wait_for_slot(*line, core::Priority::normal, Clock::time_point::max(), ex);
    place.held = admitted == Verdict::admitted;
    if (!place.held || ex.cancellation.cancelled()) {
      hooks.cancelled();
      co_return;
    }
  }
  ex.watch_client();
  const Clock::time_point started = Clock::now();
  const ServicePlan plan = upstream.on_service(tokens);
  if (plan.error) {
    if (!co_await sleep_until(ex, started + plan.error_after)) {
      hooks.cancelled();
      co_return;
    }
    hooks.error(ex, 503, upstream.retry_after());
    co_return;
  }
  const bool stream = request.if_contains("stream") && request.at("stream").is_bool() &&
                      request.at("stream").get_bool();
  // A non-streamed answer's first byte comes when it is complete: upstreams send its head then.
  const Nanos first_byte = stream ? plan.ttft : plan.done();
  const auto reset_before = [&](Nanos at) { return plan.reset_at && *plan.reset_at < at; };
  const auto drop = [&]() -> asio::awaitable<void> {
    if (co_await sleep_until(ex, started + *plan.reset_at)) {
      hooks.reset();
    } else {
      hooks.cancelled();
    }
    ex.abort_connection();
  };
  if (reset_before(first_byte)) {
    co_await drop();
    co_return;
  }
  if (!stream) {
    if (!co_await sleep_until(ex, started + plan.done())) {
      hooks.cancelled();
      co_return;
    }
    gateway::MockReply reply = scenario_reply(request, plan.tokens);
    reply.content.reserve(kToken.size() * static_cast<std::size_t>(plan.tokens));
    for (long long i = 0; i < plan.tokens; ++i) reply.content += kToken;
    ex.response.set_json(
        200, gateway::chat_completion_json(reply, model, "chatcmpl-" + core::random_hex(12),
                                           core::unix_seconds()));
    co_return;
  }
  const std::vector<StreamWrite> parts = stream_writes(request, plan, model, writes);
  hooks.stream();
  ex.response.status = 200;
  ex.response.content_type = "text/event-stream";
  ex.response.add_header("Cache-Control", "no-cache");
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (reset_before(parts[i].at)) {
      co_await drop();
      co_return;
    }
    if (!co_await sleep_until(ex, started + parts[i].at)) {
      hooks.cancelled();
      co_return;
    }
    if (i == 0) {
      const bool begun = co_await ex.begin_stream();
      if (!begun) {
        hooks.cancelled();
        co_return;
      }
    }
    if (!co_await ex.write(parts[i].bytes)) {
      hooks.cancelled();
      co_return;
    }
  }
}

}  // namespace sluice::mock
