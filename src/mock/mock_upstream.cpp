// `sluice mock-upstream`: a fake provider speaking OpenAI's API and Anthropic's Messages API,
// with fault injection (latency, errors, resets, slow and stalled streams), for integration tests
// and benchmarks. Faults come from flags, per-request x-mock-* headers, or POST /mock/config at
// runtime (mock_knobs.hpp); this file wires the routes and handlers.
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cmd/commands.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/config_values.hpp"
#include "core/ids.hpp"
#include "core/json_read.hpp"
#include "core/version.hpp"
#include "gateway/model_list.hpp"
#include "gateway/moderation/moderation_request.hpp"
#include "gateway/providers/mock/mock_moderation.hpp"
#include "gateway/providers/mock/mock_replies.hpp"
#include "gateway/providers/mock/mock_rerank.hpp"
#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/param_rules.hpp"
#include "gateway/providers/request_validation.hpp"
#include "gateway/timing.hpp"
#include "http/server.hpp"
#include "mock/mock_anthropic.hpp"
#include "mock/mock_azure.hpp"
#include "mock/mock_knobs.hpp"
#include "mock/mock_media.hpp"
#include "mock/mock_recorder.hpp"
#include "mock/mock_scenario.hpp"
#include "mock/mock_scenario_play.hpp"
#include "mock/mock_tool_turns.hpp"
#include "ops/drain.hpp"
#include "ops/http_observer.hpp"
#include "ops/logger.hpp"
#include "ops/metrics.hpp"
#include "ops/signals.hpp"

namespace sluice::cmd {
namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using sluice::mock::Knobs;
using sluice::mock::Plan;
using std::chrono::milliseconds;

// With drain_delay 0 there is nothing to wait for but streams in flight; stalled ones are
// dropped as soon as the drain starts.
constexpr milliseconds kGrace{5'000};
constexpr std::size_t kMaxBodyBytes = 16 << 20;  // large prompts and embedding batches
// The most gateway.rerank.max_documents allows: the gateway's bound is the one tests meet.
constexpr std::size_t kMaxRerankDocuments = 100'000;

// Counters for GET /mock/stats. `requests` counts the /v1 API calls, `chat` and `messages` the
// OpenAI and Anthropic chat calls, `stream` the streamed replies of either; `moderations`,
// `rerank` and `count_tokens` (Anthropic's) those endpoints' calls; `errors` every error answer
// (injected or a rejected request), `resets` the connections dropped on purpose, `cancelled` the
// calls whose client (the gateway) went away before the answer was complete.
struct Stats {
  std::atomic<long long> requests{0}, chat{0}, stream{0}, embeddings{0}, messages{0}, errors{0},
      resets{0}, cancelled{0}, moderations{0}, rerank{0}, count_tokens{0};

  static void bump(std::atomic<long long>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
  }
  std::string to_json() const {
    return json::serialize(json::object{{"requests", requests.load()},
                                        {"chat", chat.load()},
                                        {"stream", stream.load()},
                                        {"embeddings", embeddings.load()},
                                        {"messages", messages.load()},
                                        {"errors", errors.load()},
                                        {"resets", resets.load()},
                                        {"cancelled", cancelled.load()},
                                        {"moderations", moderations.load()},
                                        {"rerank", rerank.load()},
                                        {"count_tokens", count_tokens.load()}});
  }
  void reset() {
    for (auto* c : {&requests, &chat, &stream, &embeddings, &messages, &errors, &resets, &cancelled,
                    &moderations, &rerank, &count_tokens})
      c->store(0);
  }
};

struct MockState {
  MockState(const Knobs& k, std::size_t record_requests) : live(k), recorder(record_requests) {}
  mock::LiveKnobs live;
  Stats stats;
  mock::RequestRecorder recorder;  // GET /mock/requests
  mock::Script script;             // POST /mock/script
  std::vector<std::string> models{"mock-model"};
  std::atomic<bool> stopping{false};
  gateway::MockPromptCache prompt_cache;  // Anthropic's prompt caching, simulated
  mock::MediaStats media;                 // GET /mock/media/stats
  // --scenario: chat completions play a scenario provider; null otherwise.
  std::unique_ptr<mock::ScenarioPlayer> scenario;
};

// Whose error shape an endpoint answers in: clients of each API parse only their own.
enum class Dialect { openai, anthropic, azure };

// ---- Handlers ------------------------------------------------------------------------------

asio::awaitable<void> sleep_for(milliseconds duration) {
  if (duration.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

void answer_error(http::Exchange& ex, MockState& state, const Error& error,
                  Dialect dialect = Dialect::openai) {
  Stats::bump(state.stats.errors);
  if (dialect == Dialect::openai) {
    ex.response.set_error(error);
    return;
  }
  const int status = http_status(error.code);
  if (dialect == Dialect::azure) {
    // Azure relays the model's own validation errors in OpenAI's shape; its own have a code.
    ex.response.set_json(status,
                         mock::azure_error_json(
                             error.code_detail.empty() ? std::to_string(status) : error.code_detail,
                             error.message, error.param));
    return;
  }
  ex.response.set_json(
      status, gateway::anthropic_error_json(gateway::anthropic_error_type(status), error.message));
}

std::string openai_injected_error(int status, long long retry_after) {
  Error error;
  error.code = errc_from_status(status);
  if (status == 429) {
    error.message = "Rate limit reached (injected by sluice mock-upstream). Please try again in " +
                    std::to_string(retry_after) + "s.";
    error.code_detail = "rate_limit_exceeded";
  } else if (status >= 500) {
    error.message =
        "The server had an error while processing your request (injected by sluice "
        "mock-upstream, status " +
        std::to_string(status) + ").";
  } else {
    error.message = "Injected fault: sluice mock-upstream answered " + std::to_string(status) + ".";
  }
  return render_error_body(error);
}

std::string anthropic_injected_error(int status, long long retry_after) {
  std::string message;
  if (status == 429) {
    message =
        "Number of requests has exceeded your rate limit (injected by sluice "
        "mock-upstream). Please try again in " +
        std::to_string(retry_after) + "s.";
  } else if (status == 529) {
    message = "Overloaded (injected by sluice mock-upstream).";
  } else if (status >= 500) {
    message = "Internal server error (injected by sluice mock-upstream, status " +
              std::to_string(status) + ").";
  } else {
    message = "Injected fault: sluice mock-upstream answered " + std::to_string(status) + ".";
  }
  return gateway::anthropic_error_json(gateway::anthropic_error_type(status), message);
}

void answer_injected_error(http::Exchange& ex, MockState& state, const Plan& plan,
                           Dialect dialect) {
  const int status = plan.error_status;
  const long long retry_after = plan.knobs.retry_after;
  // Anthropic's overload (529) says when to come back too; so does any error a script gave one.
  const bool says_when = status == 429 || plan.retry_after_any_status;
  if (says_when || (status == 529 && dialect == Dialect::anthropic))
    ex.response.add_header("Retry-After", std::to_string(retry_after));
  Stats::bump(state.stats.errors);
  // The exact status asked for, even one Errc has no kind of its own for (e.g. 529).
  if (dialect == Dialect::azure) {
    if (says_when) ex.response.add_header("retry-after-ms", std::to_string(retry_after * 1000));
    ex.response.set_json(status,
                         mock::azure_error_json(std::to_string(status),
                                                "Injected fault: sluice mock-upstream answered " +
                                                    std::to_string(status) + " (Azure OpenAI)."));
    return;
  }
  ex.response.set_json(status, dialect == Dialect::openai
                                   ? openai_injected_error(status, retry_after)
                                   : anthropic_injected_error(status, retry_after));
}

// Latency, then a reset or an injected error. True when the request has been dealt with.
asio::awaitable<bool> inject_faults(http::Exchange& ex, MockState& state, const Plan& plan,
                                    Dialect dialect) {
  if (plan.latency.count() > 0) {
    // A client that leaves while we "think" is noticed at once, as a real upstream would.
    ex.watch_client();
    gateway::RequestLimits limits;
    limits.cancellation = &ex.cancellation;
    const bool slept = co_await gateway::real_timing().sleep(plan.latency, limits);
    if (!slept) {
      Stats::bump(state.stats.cancelled);
      co_return true;
    }
  }
  if (plan.reset) {
    Stats::bump(state.stats.resets);
    ex.abort_connection();
    co_return true;
  }
  if (plan.error_status) {
    answer_injected_error(ex, state, plan, dialect);
    co_return true;
  }
  co_return false;
}

std::optional<json::object> parse_body(http::Exchange& ex, MockState& state,
                                       Dialect dialect = Dialect::openai) {
  boost::system::error_code ec;
  json::value body = json::parse(ex.request.body, ec);
  if (ec || !body.is_object()) {
    answer_error(ex, state,
                 make_error(Errc::invalid_request,
                            "We could not parse the JSON body of your request: expected a JSON "
                            "object."),
                 dialect);
    return std::nullopt;
  }
  return std::move(body.get_object());
}

// The plan and faults every inference endpoint goes through. Empty when already answered.
asio::awaitable<std::optional<Plan>> begin_inference(http::Exchange& ex, MockState& state,
                                                     Dialect dialect = Dialect::openai) {
  const std::optional<mock::ScriptEntry> scripted = state.script.next();
  auto plan = mock::plan_for(ex.request, state.live.load(), scripted ? &*scripted : nullptr);
  if (!plan) {
    answer_error(ex, state, plan.error(), dialect);
    co_return std::nullopt;
  }
  if (co_await inject_faults(ex, state, *plan, dialect)) co_return std::nullopt;
  co_return std::move(*plan);
}

// Silent until the drain starts, then the connection is dropped so that shutdown need not wait.
asio::awaitable<void> stall(http::Exchange& ex, MockState& state) {
  while (!state.stopping.load(std::memory_order_relaxed)) co_await sleep_for(milliseconds(100));
  ex.abort_connection();
}

// Sends `frames` (whole SSE events) as a stream, with the plan's pauses and stall.
asio::awaitable<void> stream_frames(http::Exchange& ex, MockState& state, const Plan& plan,
                                    const std::vector<std::string>& frames) {
  Stats::bump(state.stats.stream);
  ex.response.status = 200;
  ex.response.content_type = "text/event-stream";
  ex.response.add_header("Cache-Control", "no-cache");
  if (!co_await ex.begin_stream()) co_return;
  const long long stall_after = plan.knobs.stall_after_chunks;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (stall_after >= 0 && static_cast<long long>(i) == stall_after) {
      co_await stall(ex, state);
      co_return;
    }
    if (i > 0) co_await sleep_for(milliseconds(plan.knobs.chunk_interval_ms));
    if (!co_await ex.write(frames[i])) {
      Stats::bump(state.stats.cancelled);
      co_return;
    }
  }
}

bool wants_stream(const json::object& request) {
  const json::value* stream = request.if_contains("stream");
  return stream && stream->is_bool() && stream->get_bool();
}

std::vector<std::string> openai_frames(const json::object& request, const gateway::MockReply& reply,
                                       std::string_view model, std::string_view id,
                                       long long created, int chunks) {
  auto frames = gateway::chat_chunks_json(reply, model, id, created, chunks,
                                          gateway::usage_requested(request));
  frames.emplace_back("[DONE]");
  for (std::string& frame : frames) frame = "data: " + frame + "\n\n";
  return frames;
}

// The parameters OpenAI's reasoning models refuse (the gateway's built-in rules name them), so
// that a test proves the gateway took them out: a 400 naming the first one found.
std::optional<Error> refused_reasoning_param(const json::object& request, std::string_view model) {
  static const gateway::ParamRules reasoning({}, /*builtin=*/true);
  const std::string_view param = reasoning.first_change(model, request);
  if (param.empty()) return std::nullopt;
  std::string message =
      "Unsupported parameter: '" + std::string(param) + "' is not supported with this model.";
  if (param == "max_tokens") message += " Use 'max_completion_tokens' instead.";
  return make_error(Errc::invalid_request, std::move(message), std::string(param),
                    "unsupported_parameter");
}

gateway::MockReply with_cache_counts(gateway::MockReply reply, const Knobs& knobs) {
  reply.cached_tokens = knobs.cached_tokens;
  reply.cache_write_tokens = knobs.cache_write_tokens;
  return reply;
}

// The chat every OpenAI-shaped route answers (OpenAI's and Azure's), past its own checks:
// `model` is what the answer names. Azure adds its content filter results.
asio::awaitable<void> answer_chat(http::Exchange& ex, MockState& state, const Plan& plan,
                                  const json::object& request, const std::string& model,
                                  Dialect dialect) {
  std::optional<gateway::MockReply> tool_turn;
  if (plan.knobs.auto_tool_calls)
    tool_turn = mock::mock_tool_turn(request, plan.knobs.reply_tokens);
  const auto reply =
      with_cache_counts(tool_turn ? std::move(*tool_turn)
                                  : gateway::mock_chat_reply(request, plan.knobs.reply_tokens),
                        plan.knobs);
  const std::string id = "chatcmpl-" + core::random_hex(12);
  const long long created = core::unix_seconds();
  if (wants_stream(request)) {
    auto frames =
        openai_frames(request, reply, model, id, created, static_cast<int>(plan.knobs.chunks));
    if (dialect == Dialect::azure)
      frames.insert(frames.begin(), "data: " + mock::azure_prompt_filter_chunk() + "\n\n");
    co_await stream_frames(ex, state, plan, frames);
  } else {
    std::string body = gateway::chat_completion_json(reply, model, id, created);
    if (dialect == Dialect::azure) body = mock::azure_chat_completion(body);
    ex.response.set_json(200, std::move(body));
  }
}

// A chat completion as the scenario's provider answers it (mock_scenario.hpp): the knobs' faults
// do not apply; --chunks bounds the stream's writes and --reply-tokens is the length of an
// answer the request does not bound.
asio::awaitable<void> scenario_chat(http::Exchange& ex, MockState& state) {
  auto request = parse_body(ex, state);
  if (!request) co_return;
  if (auto status = gateway::validate_chat_request(*request); !status) {
    answer_error(ex, state, status.error());
    co_return;
  }
  const std::string model(request->at("model").get_string());
  mock::ScenarioUpstream* upstream = state.scenario->upstream_for(model);
  if (!upstream) {
    answer_error(ex, state,
                 make_error(Errc::not_found,
                            "The scenario has no providers entry for provider '" +
                                state.scenario->provider() + "' that covers model '" + model + "'.",
                            "model", "model_not_found"));
    co_return;
  }
  const Knobs knobs = state.live.load();
  const long long fallback = knobs.reply_tokens > 0
                                 ? knobs.reply_tokens
                                 : gateway::mock_chat_reply(*request).completion_tokens;
  auto tokens = mock::scenario_tokens(*request, fallback);
  if (!tokens) {
    answer_error(ex, state, tokens.error());
    co_return;
  }
  mock::ScenarioHooks hooks;
  hooks.error = [&state](http::Exchange& exchange, int status, milliseconds retry_after) {
    Plan plan;
    plan.error_status = status;
    plan.knobs.retry_after = (retry_after.count() + 999) / 1000;  // whole seconds, rounded up
    // The exact wait too, as OpenAI and Azure send it: the gateway prefers it to Retry-After.
    if (status == 429)
      exchange.response.add_header("retry-after-ms", std::to_string(retry_after.count()));
    answer_injected_error(exchange, state, plan, Dialect::openai);
  };
  hooks.reset = [&state] { Stats::bump(state.stats.resets); };
  hooks.stream = [&state] { Stats::bump(state.stats.stream); };
  hooks.cancelled = [&state] { Stats::bump(state.stats.cancelled); };
  co_await mock::play_scenario_chat(ex, *state.scenario, *upstream, *request, model, *tokens,
                                    knobs.chunks, hooks);
}

asio::awaitable<void> chat_completions(http::Exchange& ex, MockState& state) {
  Stats::bump(state.stats.requests);
  Stats::bump(state.stats.chat);
  state.recorder.record(ex.request);
  if (state.scenario) {
    co_await scenario_chat(ex, state);
    co_return;
  }
  auto plan = co_await begin_inference(ex, state);
  if (!plan) co_return;
  auto request = parse_body(ex, state);
  if (!request) co_return;
  if (auto status = gateway::validate_chat_request(*request); !status) {
    answer_error(ex, state, status.error());
    co_return;
  }
  const std::string model(request->at("model").get_string());
  if (auto refused = refused_reasoning_param(*request, model)) {
    answer_error(ex, state, *refused);
    co_return;
  }
  co_await answer_chat(ex, state, *plan, *request, model, Dialect::openai);
}

// Azure OpenAI's deployment endpoints: the deployment in the path is the model (the body's
// `model` is optional and ignored), the key in `api-key`, the version in `api-version`.
// Returns the deployment, or nullopt when the request was refused (and answered).
std::optional<std::string> azure_deployment(http::Exchange& ex, MockState& state) {
  if (auto refusal = mock::refuse_azure_request(ex.request.header("api-key"),
                                                ex.request.header("authorization"),
                                                ex.request.query_param("api-version"))) {
    Stats::bump(state.stats.errors);
    ex.response.set_json(refusal->status, std::move(refusal->body));
    return std::nullopt;
  }
  return std::string(ex.request.param("deployment"));
}

asio::awaitable<void> azure_chat_completions(http::Exchange& ex, MockState& state) {
  Stats::bump(state.stats.requests);
  Stats::bump(state.stats.chat);
  state.recorder.record(ex.request);
  constexpr Dialect kAzure = Dialect::azure;
  const auto deployment = azure_deployment(ex, state);
  if (!deployment) co_return;
  auto plan = co_await begin_inference(ex, state, kAzure);
  if (!plan) co_return;
  auto request = parse_body(ex, state, kAzure);
  if (!request) co_return;
  if (!request->contains("model")) (*request)["model"] = *deployment;
  if (auto status = gateway::validate_chat_request(*request); !status) {
    answer_error(ex, state, status.error(), kAzure);
    co_return;
  }
  if (ex.request.header("x-mock-content-filter") == "1") {
    Stats::bump(state.stats.errors);
    ex.response.set_json(400, mock::azure_content_filter_error());
    co_return;
  }
  if (auto refused = refused_reasoning_param(*request, *deployment)) {
    answer_error(ex, state, *refused);  // the model's own refusal: OpenAI's shape, as Azure relays
    co_return;
  }
  co_await answer_chat(ex, state, *plan, *request, *deployment, kAzure);
}

// Prompt caching, as the request asks: a marked prefix is written the first time, then read.
gateway::MockReply anthropic_prompt_cache(gateway::MockReply reply, const json::object& request,
                                          MockState& state) {
  const auto prefix = gateway::mock_cache_prefix(request, reply.prompt_tokens);
  if (!prefix) return reply;
  return gateway::with_prompt_cache(std::move(reply), *prefix,
                                    state.prompt_cache.remember(prefix->key));
}

// The headers every answer of Anthropic's API carries, errors included: its own request id, and
// the account's rate limits (a fixed picture: the mock limits nothing).
void add_anthropic_headers(http::Exchange& ex) {
  ex.response.add_header("request-id", "req_mock" + core::random_hex(12));
  ex.response.add_header("anthropic-ratelimit-requests-limit", "4000");
  ex.response.add_header("anthropic-ratelimit-requests-remaining", "3999");
  ex.response.add_header("anthropic-ratelimit-tokens-limit", "400000");
  ex.response.add_header("anthropic-ratelimit-tokens-remaining", "399000");
}

// What Anthropic's endpoints check alike before reading a body: the faults, then the headers
// (401 before 400). Empty when already answered.
asio::awaitable<std::optional<Plan>> begin_anthropic(http::Exchange& ex, MockState& state) {
  constexpr Dialect kAnthropic = Dialect::anthropic;
  add_anthropic_headers(ex);
  auto plan = co_await begin_inference(ex, state, kAnthropic);
  if (!plan) co_return std::nullopt;
  if (auto status = gateway::validate_anthropic_headers(
          gateway::anthropic_api_key(ex.request.header("x-api-key"),
                                     ex.request.header("authorization")),
          ex.request.header("anthropic-version"));
      !status) {
    answer_error(ex, state, status.error(), kAnthropic);
    co_return std::nullopt;
  }
  co_return plan;
}

// Anthropic's POST /v1/messages. Past the faults, requests are checked in Anthropic's order:
// headers (401 before 400), then the body.
asio::awaitable<void> messages(http::Exchange& ex, MockState& state) {
  Stats::bump(state.stats.requests);
  Stats::bump(state.stats.messages);
  state.recorder.record(ex.request);
  constexpr Dialect kAnthropic = Dialect::anthropic;
  auto plan = co_await begin_anthropic(ex, state);
  if (!plan) co_return;
  auto request = parse_body(ex, state, kAnthropic);
  if (!request) co_return;
  if (auto status = gateway::validate_anthropic_request(*request); !status) {
    answer_error(ex, state, status.error(), kAnthropic);
    co_return;
  }
  const auto reply = anthropic_prompt_cache(
      with_cache_counts(gateway::mock_anthropic_reply(*request, plan->knobs.reply_tokens),
                        plan->knobs),
      *request, state);
  const auto extras = gateway::mock_anthropic_thinking(*request);
  const std::string model(request->at("model").get_string());
  const std::string id = "msg_" + core::random_hex(12);
  if (wants_stream(*request)) {
    std::vector<std::string> frames;
    for (const auto& event : gateway::anthropic_stream_events(
             reply, model, id, static_cast<int>(plan->knobs.chunks), extras))
      frames.push_back(gateway::sse_frame(event));
    co_await stream_frames(ex, state, *plan, frames);
  } else {
    ex.response.set_json(200, gateway::anthropic_message_json(reply, model, id, extras));
  }
}

// Anthropic's POST /v1/messages/count_tokens: the input tokens /v1/messages would report for the
// same request (mock_anthropic.hpp), through the same faults and checks.
asio::awaitable<void> count_tokens(http::Exchange& ex, MockState& state) {
  Stats::bump(state.stats.requests);
  Stats::bump(state.stats.count_tokens);
  state.recorder.record(ex.request);
  constexpr Dialect kAnthropic = Dialect::anthropic;
  if (!co_await begin_anthropic(ex, state)) co_return;
  auto request = parse_body(ex, state, kAnthropic);
  if (!request) co_return;
  if (auto status = gateway::validate_anthropic_count_tokens_request(*request); !status) {
    answer_error(ex, state, status.error(), kAnthropic);
    co_return;
  }
  ex.response.set_json(200, gateway::anthropic_count_tokens_json(*request));
}

asio::awaitable<void> embeddings(http::Exchange& ex, MockState& state,
                                 Dialect dialect = Dialect::openai) {
  Stats::bump(state.stats.requests);
  Stats::bump(state.stats.embeddings);
  state.recorder.record(ex.request);
  std::optional<std::string> deployment;
  if (dialect == Dialect::azure) {
    deployment = azure_deployment(ex, state);
    if (!deployment) co_return;
  }
  auto plan = co_await begin_inference(ex, state, dialect);
  if (!plan) co_return;
  auto request = parse_body(ex, state, dialect);
  if (!request) co_return;
  if (deployment && !request->contains("model")) (*request)["model"] = *deployment;
  if (auto status = gateway::validate_embeddings_request(*request); !status) {
    answer_error(ex, state, status.error(), dialect);
    co_return;
  }
  const std::string model(deployment ? *deployment
                                     : std::string(request->at("model").get_string()));
  ex.response.set_json(
      200, gateway::embeddings_json(*request, model,
                                    static_cast<int>(plan->knobs.embedding_dimensions)));
}

// OpenAI's moderations: an input with the word "unsafe" is flagged (mock_moderation.hpp).
asio::awaitable<void> moderations(http::Exchange& ex, MockState& state) {
  Stats::bump(state.stats.requests);
  Stats::bump(state.stats.moderations);
  state.recorder.record(ex.request);
  auto plan = co_await begin_inference(ex, state);
  if (!plan) co_return;
  auto request = parse_body(ex, state);
  if (!request) co_return;
  if (auto inputs = gateway::moderation_inputs(*request); !inputs) {
    answer_error(ex, state, inputs.error());
    co_return;
  }
  const std::string_view model = core::string_field(*request, "model");
  ex.response.set_json(
      200, gateway::mock_moderation_json(*request,
                                         model.empty() ? gateway::kDefaultModerationModel : model));
}

// Jina's (and Cohere's) rerank, scored by shared words (mock_rerank.hpp).
asio::awaitable<void> rerank(http::Exchange& ex, MockState& state) {
  Stats::bump(state.stats.requests);
  Stats::bump(state.stats.rerank);
  state.recorder.record(ex.request);
  auto plan = co_await begin_inference(ex, state);
  if (!plan) co_return;
  auto body = parse_body(ex, state);
  if (!body) co_return;
  auto request = gateway::parse_rerank_request(*body, kMaxRerankDocuments, {});
  if (!request) {
    answer_error(ex, state, request.error());
    co_return;
  }
  ex.response.set_json(200, gateway::mock_rerank_json(*request, request->model));
}

asio::awaitable<void> post_config(http::Exchange& ex, MockState& state) {
  boost::system::error_code ec;
  json::value body = json::parse(ex.request.body, ec);
  if (ec || !body.is_object()) {
    ex.response.set_error(make_error(Errc::invalid_request, "expected a JSON object of knobs"));
    co_return;
  }
  auto knobs = state.live.merge(body.get_object());
  if (!knobs) {
    ex.response.set_error(knobs.error());
    co_return;
  }
  ex.response.set_json(200, mock::knobs_json(*knobs));
}

void register_routes(http::Router& router, MockState& state) {
  using Exchange = http::Exchange;
  // Model routes take bodies as large as the gateway's (server.max_model_body_bytes).
  const http::RouteOptions model_route{.model_route = true};
  router.add(
      "POST", "/v1/chat/completions",
      [&state](Exchange& ex) { return chat_completions(ex, state); }, model_route);
  router.add(
      "POST", "/v1/embeddings", [&state](Exchange& ex) { return embeddings(ex, state); },
      model_route);
  router.add(
      "POST", "/v1/messages", [&state](Exchange& ex) { return messages(ex, state); }, model_route);
  router.add(
      "POST", "/v1/messages/count_tokens",
      [&state](Exchange& ex) { return count_tokens(ex, state); }, model_route);
  router.add(
      "POST", "/openai/deployments/{deployment}/chat/completions",
      [&state](Exchange& ex) { return azure_chat_completions(ex, state); }, model_route);
  router.add(
      "POST", "/openai/deployments/{deployment}/embeddings",
      [&state](Exchange& ex) { return embeddings(ex, state, Dialect::azure); }, model_route);
  router.add(
      "POST", "/v1/moderations", [&state](Exchange& ex) { return moderations(ex, state); },
      model_route);
  router.add(
      "POST", "/v1/rerank", [&state](Exchange& ex) { return rerank(ex, state); }, model_route);
  // Images and audio (mock_media.hpp), through the same faults as the other inference calls.
  mock::register_media_routes(router, state.media, [&state](Exchange& ex) {
    Stats::bump(state.stats.requests);
    state.recorder.record(ex.request);
    return begin_inference(ex, state);
  });
  router.add("GET", "/v1/models", [&state](Exchange& ex) -> asio::awaitable<void> {
    Stats::bump(state.stats.requests);
    state.recorder.record(ex.request);
    ex.response.set_json(200, gateway::models_json(state.models));
    co_return;
  });
  router.add("GET", "/livez", [](Exchange& ex) -> asio::awaitable<void> {
    ex.response.set_json(200, R"({"status":"ok"})");
    co_return;
  });
  router.add("POST", "/mock/config", [&state](Exchange& ex) { return post_config(ex, state); });
  router.add("DELETE", "/mock/config", [&state](Exchange& ex) -> asio::awaitable<void> {
    ex.response.set_json(200, mock::knobs_json(state.live.restore()));
    co_return;
  });
  router.add("GET", "/mock/config", [&state](Exchange& ex) -> asio::awaitable<void> {
    ex.response.set_json(200, mock::knobs_json(state.live.load()));
    co_return;
  });
  router.add("POST", "/mock/script", [&state](Exchange& ex) -> asio::awaitable<void> {
    boost::system::error_code ec;
    const json::value body = json::parse(ex.request.body, ec);
    auto entries = ec ? Result<std::vector<mock::ScriptEntry>>(
                            make_error(Errc::invalid_request, "expected {\"script\": [...]}"))
                      : mock::script_from_json(body);
    if (!entries) {
      ex.response.set_error(entries.error());
      co_return;
    }
    state.script.set(std::move(*entries));
    ex.response.set_json(200, state.script.json());
  });
  router.add("GET", "/mock/script", [&state](Exchange& ex) -> asio::awaitable<void> {
    ex.response.set_json(200, state.script.json());
    co_return;
  });
  router.add("GET", "/mock/stats", [&state](Exchange& ex) -> asio::awaitable<void> {
    ex.response.set_json(200, state.stats.to_json());
    co_return;
  });
  router.add("POST", "/mock/stats/reset", [&state](Exchange& ex) -> asio::awaitable<void> {
    state.stats.reset();
    ex.response.set_json(200, state.stats.to_json());
    co_return;
  });
  router.add("POST", "/mock/scenario/restart", [&state](Exchange& ex) -> asio::awaitable<void> {
    if (!state.scenario) {
      ex.response.set_error(
          make_error(Errc::not_found, "no scenario is played: start with --scenario FILE"));
      co_return;
    }
    state.scenario->restart();
    ex.response.set_json(200, R"({"restarted":true})");
    co_return;
  });
  router.add("GET", "/mock/requests", [&state](Exchange& ex) -> asio::awaitable<void> {
    if (!state.recorder.enabled()) {
      ex.response.set_error(
          make_error(Errc::not_found, "requests are not recorded: start with --record-requests N"));
      co_return;
    }
    ex.response.set_json(200, state.recorder.json());
    co_return;
  });
  router.add("DELETE", "/mock/requests", [&state](Exchange& ex) -> asio::awaitable<void> {
    state.recorder.clear();
    ex.response.set_json(200, state.recorder.json());
    co_return;
  });
}

}  // namespace

int run_mock_upstream(int argc, char** argv, int first) {
  auto options = mock::parse_options(argc, argv, first);
  if (!options) {
    std::fprintf(stderr, "sluice mock-upstream: %s\n%s", options.error().message.c_str(),
                 mock::kUsage);
    return 2;
  }
  if (options->help) {
    std::fputs(mock::kUsage, stdout);
    return 0;
  }
  auto address = core::parse_listen(options->listen);
  if (!address) {
    std::fprintf(stderr, "sluice mock-upstream: --listen: %s\n", address.error().message.c_str());
    return 2;
  }
  auto& log = ops::logger();
  log.configure(core::LogLevel::info, core::LogFormat::json);
  ops::TerminationSignals signals;
  signals.block();

  MockState state(options->knobs, static_cast<std::size_t>(options->record_requests));
  if (!options->models.empty()) state.models = options->models;
  if (!options->scenario.empty()) {
    auto player = mock::ScenarioPlayer::load(options->scenario, options->scenario_provider,
                                             core::process_environment(), options->scenario_seed);
    if (!player) {
      std::fprintf(stderr, "sluice mock-upstream: %s\n", player.error().message.c_str());
      return 2;
    }
    state.scenario = std::move(*player);
  }
  http::Router router;
  register_routes(router, state);
  ops::Registry registry;  // HttpObserver's histogram lives here; nothing scrapes it
  ops::HttpObserver observer(registry, log, options->access_log);

  core::ServerConfig config;
  config.listen = options->listen;
  config.host = address->host;
  config.port = address->port;
  config.threads = options->threads;
  config.max_body_bytes = kMaxBodyBytes;
  // A load-test target must not be the bottleneck: the fd limit is the only cap.
  config.max_connections = 1 << 20;
  http::Server server(config, router, observer);
  if (auto status = server.listen(); !status) {
    log.error("cannot start", {{"key", "--listen"}, {"error", status.error().message}});
    return 1;
  }
  server.start();
  log.info("listening", {{"host", config.host},
                         {"port", static_cast<long long>(server.local_port())},
                         {"mode", "mock-upstream"},
                         {"version", kVersion}});

  const int signal_number = signals.wait(milliseconds(-1));
  // As serve drains, with no drain delay: nothing balances load onto a mock.
  core::ShutdownConfig shutdown;
  shutdown.drain_delay = milliseconds(0);
  shutdown.grace = kGrace;
  return ops::drain_and_stop(server, signals, shutdown, signal_number,
                             [&state] { state.stopping.store(true); });
}

}  // namespace sluice::cmd
