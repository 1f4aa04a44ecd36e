// `sluice mock-upstream`: an OpenAI-compatible fake provider with fault injection (latency,
// errors, resets, slow and stalled streams), for integration tests and benchmarks. Faults come
// from flags, per-request x-mock-* headers, or POST /mock/config at runtime.
#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cmd/commands.hpp"
#include "core/config_values.hpp"
#include "core/ids.hpp"
#include "core/version.hpp"
#include "gateway/mock_responses.hpp"
#include "http/server.hpp"
#include "ops/http_observer.hpp"
#include "ops/drain.hpp"
#include "ops/logger.hpp"
#include "ops/metrics.hpp"
#include "ops/signals.hpp"

namespace sluice::cmd {
namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::milliseconds;

// With drain_delay 0 there is nothing to wait for but streams in flight; stalled ones are
// dropped as soon as the drain starts.
constexpr milliseconds kGrace{5'000};
constexpr std::size_t kMaxBodyBytes = 16 << 20;  // large prompts and embedding batches

constexpr const char* kUsage =
    "usage: sluice mock-upstream [flags]\n"
    "  --listen HOST:PORT         default 127.0.0.1:0 (the port is in the \"listening\" log line)\n"
    "  --threads N                event loops (default 1)\n"
    "  --latency-ms N             delay before the response or first byte\n"
    "  --latency-jitter-ms N      +/- random jitter on that delay\n"
    "  --error-rate F             fraction of chat/embeddings requests answered with an error\n"
    "  --error-status N           that error's status (default 500)\n"
    "  --retry-after S            Retry-After seconds on 429s (default 1)\n"
    "  --reset-rate F             fraction of requests whose connection is reset, no response\n"
    "  --chunks N                 content deltas per streamed reply (default 8)\n"
    "  --chunk-interval-ms N      pause between streamed events\n"
    "  --stall-after-chunks N     send N stream events, then go silent with the connection open\n"
    "  --reply-tokens N           pad each answer to at least N tokens (long streams)\n"
    "  --models a,b,c             ids listed by GET /v1/models (default mock-model)\n"
    "  --access-log               log every request\n"
    "per request: x-mock-status, x-mock-latency-ms, x-mock-chunks, x-mock-chunk-interval-ms,\n"
    "  x-mock-stall-after-chunks, x-mock-reset: 1, x-mock-retry-after, x-mock-reply-tokens\n"
    "runtime: POST /mock/config {snake_case knobs}, GET /mock/stats, POST /mock/stats/reset\n";

// The fault knobs. -1 in stall_after_chunks means "never stall".
struct Knobs {
  long long latency_ms = 0;
  long long latency_jitter_ms = 0;
  double error_rate = 0;
  long long error_status = 500;
  double reset_rate = 0;
  long long chunks = 8;
  long long chunk_interval_ms = 0;
  long long stall_after_chunks = -1;
  long long retry_after = 1;
  long long reply_tokens = 0;  // pad answers to at least this many tokens
};

// The live knobs, read per request by every loop: relaxed atomics rather than a shared lock. A
// concurrent /mock/config may be seen half-applied by one request, which a fault injector can
// live with.
class LiveKnobs {
 public:
  explicit LiveKnobs(const Knobs& k) { store(k); }
  Knobs load() const {
    Knobs k;
    k.latency_ms = latency_ms_.load(kOrder);
    k.latency_jitter_ms = latency_jitter_ms_.load(kOrder);
    k.error_rate = error_rate_.load(kOrder);
    k.error_status = error_status_.load(kOrder);
    k.reset_rate = reset_rate_.load(kOrder);
    k.chunks = chunks_.load(kOrder);
    k.chunk_interval_ms = chunk_interval_ms_.load(kOrder);
    k.stall_after_chunks = stall_after_chunks_.load(kOrder);
    k.retry_after = retry_after_.load(kOrder);
    k.reply_tokens = reply_tokens_.load(kOrder);
    return k;
  }
  void store(const Knobs& k) {
    latency_ms_.store(k.latency_ms, kOrder);
    latency_jitter_ms_.store(k.latency_jitter_ms, kOrder);
    error_rate_.store(k.error_rate, kOrder);
    error_status_.store(k.error_status, kOrder);
    reset_rate_.store(k.reset_rate, kOrder);
    chunks_.store(k.chunks, kOrder);
    chunk_interval_ms_.store(k.chunk_interval_ms, kOrder);
    stall_after_chunks_.store(k.stall_after_chunks, kOrder);
    retry_after_.store(k.retry_after, kOrder);
    reply_tokens_.store(k.reply_tokens, kOrder);
  }

 private:
  static constexpr auto kOrder = std::memory_order_relaxed;
  std::atomic<long long> latency_ms_, latency_jitter_ms_, error_status_, chunks_,
      chunk_interval_ms_, stall_after_chunks_, retry_after_, reply_tokens_;
  std::atomic<double> error_rate_, reset_rate_;
};

// Counters for GET /mock/stats. `requests` counts the /v1 API calls; `errors` every error answer
// (injected or a rejected request), `resets` the connections dropped on purpose.
struct Stats {
  std::atomic<long long> requests{0}, chat{0}, stream{0}, embeddings{0}, errors{0}, resets{0};

  static void bump(std::atomic<long long>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
  }
  std::string to_json() const {
    return json::serialize(json::object{{"requests", requests.load()},
                                        {"chat", chat.load()},
                                        {"stream", stream.load()},
                                        {"embeddings", embeddings.load()},
                                        {"errors", errors.load()},
                                        {"resets", resets.load()}});
  }
  void reset() {
    for (auto* c : {&requests, &chat, &stream, &embeddings, &errors, &resets}) c->store(0);
  }
};

struct MockState {
  explicit MockState(const Knobs& k) : startup(k), live(k) {}
  const Knobs startup;  // from the flags: /mock/config overlays its fields onto these
  LiveKnobs live;
  Stats stats;
  std::vector<std::string> models{"mock-model"};
  std::atomic<bool> stopping{false};
};

struct Options {
  std::string listen = "127.0.0.1:0";
  int threads = 1;
  bool access_log = false;
  bool help = false;
  Knobs knobs;
  std::vector<std::string> models;
};

// ---- Parsing knobs from flags, headers and JSON --------------------------------------------

// One knob as flags and /mock/config name it: `--latency-ms` and "latency_ms".
struct KnobSpec {
  std::string_view name;  // snake_case
  long long Knobs::*integer = nullptr;
  double Knobs::*rate = nullptr;  // a probability, 0..1
  long long min = 0;
  long long max = std::numeric_limits<long long>::max();
};

constexpr KnobSpec kKnobSpecs[] = {
    {"latency_ms", &Knobs::latency_ms},
    {"latency_jitter_ms", &Knobs::latency_jitter_ms},
    {"error_rate", nullptr, &Knobs::error_rate},
    {"error_status", &Knobs::error_status, nullptr, 400, 599},
    {"reset_rate", nullptr, &Knobs::reset_rate},
    {"chunks", &Knobs::chunks, nullptr, 1},
    {"chunk_interval_ms", &Knobs::chunk_interval_ms},
    {"stall_after_chunks", &Knobs::stall_after_chunks, nullptr, -1},  // -1: never
    {"retry_after", &Knobs::retry_after},
    {"reply_tokens", &Knobs::reply_tokens},
};

const KnobSpec* find_knob(std::string_view snake_name) {
  for (const auto& spec : kKnobSpecs)
    if (spec.name == snake_name) return &spec;
  return nullptr;
}

// Checks and stores a value that `label` (the flag or member) gave; nullopt: not a number.
Status store_knob(Knobs& k, const KnobSpec& spec, std::optional<double> number,
                  std::string_view label) {
  if (spec.rate) {
    if (!number || !(*number >= 0 && *number <= 1))
      return make_error(Errc::invalid_request, std::string(label) + " must be a number from 0 to 1",
                        std::string(label));
    k.*spec.rate = *number;
    return {};
  }
  const bool integral = number && std::trunc(*number) == *number &&
                        *number >= static_cast<double>(spec.min) &&
                        *number <= static_cast<double>(spec.max);
  if (!integral) {
    std::string range = "an integer >= " + std::to_string(spec.min);
    if (spec.max != std::numeric_limits<long long>::max())
      range = "an integer from " + std::to_string(spec.min) + " to " + std::to_string(spec.max);
    return make_error(Errc::invalid_request, std::string(label) + " must be " + range,
                      std::string(label));
  }
  k.*spec.integer = static_cast<long long>(*number);
  return {};
}

std::vector<std::string> split_models(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

Result<Options> parse_options(int argc, char** argv, int first) {
  Options o;
  for (int i = first; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      continue;
    }
    if (flag == "--access-log") {
      o.access_log = true;
      continue;
    }
    std::string snake(flag.substr(flag.starts_with("--") ? 2 : 0));
    std::replace(snake.begin(), snake.end(), '-', '_');
    const KnobSpec* knob = flag.starts_with("--") ? find_knob(snake) : nullptr;
    if (!knob && flag != "--listen" && flag != "--threads" && flag != "--models")
      return make_error(Errc::invalid_request, "unknown flag " + std::string(flag));
    if (i + 1 >= argc)
      return make_error(Errc::invalid_request, std::string(flag) + " needs a value");
    const std::string_view value = argv[++i];
    if (flag == "--listen") {
      o.listen = value;
    } else if (flag == "--models") {
      o.models = split_models(value);
    } else if (flag == "--threads") {
      auto n = core::parse_integer(value);
      if (!n || *n < 1 || *n > 256)
        return make_error(Errc::invalid_request, "--threads must be an integer from 1 to 256");
      o.threads = static_cast<int>(*n);
    } else {
      std::optional<double> number;
      if (auto parsed = core::parse_number(value)) number = *parsed;
      if (const Status status = store_knob(o.knobs, *knob, number, flag); !status)
        return status.error();
    }
  }
  return o;
}

// POST /mock/config: the startup knobs with the body's members laid over them, so posting {}
// restores the flags' behaviour. Unknown members are rejected: a typo must not pass silently.
Result<Knobs> knobs_from_json(const json::object& body, const Knobs& base) {
  Knobs k = base;
  for (const auto& [key, value] : body) {
    const std::string name(key);
    const KnobSpec* knob = find_knob(name);
    if (!knob) return make_error(Errc::invalid_request, "unknown knob '" + name + "'", name);
    if (knob->integer == &Knobs::stall_after_chunks && value.is_null()) {
      k.stall_after_chunks = -1;
      continue;
    }
    std::optional<double> number;
    if (value.is_number()) number = value.to_number<double>();
    if (const Status status = store_knob(k, *knob, number, name); !status) return status.error();
  }
  return k;
}

std::string knobs_json(const Knobs& k) {
  json::object out{
      {"latency_ms", k.latency_ms},
      {"latency_jitter_ms", k.latency_jitter_ms},
      {"error_rate", k.error_rate},
      {"error_status", k.error_status},
      {"reset_rate", k.reset_rate},
      {"chunks", k.chunks},
      {"chunk_interval_ms", k.chunk_interval_ms},
      {"stall_after_chunks",
       k.stall_after_chunks >= 0 ? json::value(k.stall_after_chunks) : json::value(nullptr)},
      {"retry_after", k.retry_after},
      {"reply_tokens", k.reply_tokens}};
  return json::serialize(out);
}

// ---- What one request gets -----------------------------------------------------------------

struct Plan {
  Knobs knobs;
  milliseconds latency{0};
  bool reset = false;
  int error_status = 0;  // 0: answer normally
};

double uniform01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// The live knobs, then the x-mock-* headers, then the dice. An x-mock-status below 400 forces a
// normal answer whatever the error rate.
Result<Plan> plan_for(const http::Request& request, const MockState& state) {
  Plan plan;
  Knobs& k = plan.knobs;
  k = state.live.load();
  std::optional<long long> forced_status;
  struct HeaderKnob {
    std::string_view name;
    long long min;
    long long max;
    long long* target;
  };
  constexpr long long kNoMax = std::numeric_limits<long long>::max();
  long long status_header = 0;
  const HeaderKnob header_knobs[] = {
      {"x-mock-status", 100, 599, &status_header},
      {"x-mock-latency-ms", 0, kNoMax, &k.latency_ms},
      {"x-mock-chunks", 1, kNoMax, &k.chunks},
      {"x-mock-chunk-interval-ms", 0, kNoMax, &k.chunk_interval_ms},
      {"x-mock-stall-after-chunks", 0, kNoMax, &k.stall_after_chunks},
      {"x-mock-retry-after", 0, kNoMax, &k.retry_after},
      {"x-mock-reply-tokens", 0, kNoMax, &k.reply_tokens}};
  for (const auto& knob : header_knobs) {
    const std::string_view text = request.header(knob.name);
    if (text.empty()) continue;
    auto v = core::parse_integer(text);
    if (!v || *v < knob.min || *v > knob.max)
      return make_error(Errc::invalid_request,
                        std::string(knob.name) +
                            " must be an integer >= " + std::to_string(knob.min) +
                            (knob.max == kNoMax ? "" : " and <= " + std::to_string(knob.max)));
    *knob.target = *v;
    if (knob.target == &status_header) forced_status = *v;
    if (knob.target == &k.latency_ms) k.latency_jitter_ms = 0;  // a test asking for N gets N
  }
  const std::string_view reset_header = request.header("x-mock-reset");
  plan.reset = reset_header == "1" || reset_header == "true" ||
               (k.reset_rate > 0 && uniform01() < k.reset_rate);
  if (forced_status) {
    plan.error_status = *forced_status >= 400 ? static_cast<int>(*forced_status) : 0;
  } else if (k.error_rate > 0 && uniform01() < k.error_rate) {
    plan.error_status = static_cast<int>(k.error_status);
  }
  long long latency = k.latency_ms;
  if (k.latency_jitter_ms > 0)
    latency +=
        static_cast<long long>((uniform01() * 2 - 1) * static_cast<double>(k.latency_jitter_ms));
  plan.latency = milliseconds(std::max(0LL, latency));
  return plan;
}

// ---- Handlers ------------------------------------------------------------------------------

asio::awaitable<void> sleep_for(milliseconds duration) {
  if (duration.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

void answer_error(http::Exchange& ex, MockState& state, const Error& error) {
  Stats::bump(state.stats.errors);
  ex.response.set_error(error);
}

void answer_injected_error(http::Exchange& ex, MockState& state, const Plan& plan) {
  const int status = plan.error_status;
  Error error;
  error.code = errc_from_status(status);
  if (status == 429) {
    error.message = "Rate limit reached (injected by sluice mock-upstream). Please try again in " +
                    std::to_string(plan.knobs.retry_after) + "s.";
    error.code_detail = "rate_limit_exceeded";
    ex.response.add_header("Retry-After", std::to_string(plan.knobs.retry_after));
  } else if (status >= 500) {
    error.message =
        "The server had an error while processing your request (injected by sluice "
        "mock-upstream, status " +
        std::to_string(status) + ").";
  } else {
    error.message = "Injected fault: sluice mock-upstream answered " + std::to_string(status) + ".";
  }
  Stats::bump(state.stats.errors);
  // The exact status asked for, even one Errc has no kind of its own for (e.g. 529).
  ex.response.set_json(status, render_error_body(error));
}

// Latency, then a reset or an injected error. True when the request has been dealt with.
asio::awaitable<bool> inject_faults(http::Exchange& ex, MockState& state, const Plan& plan) {
  co_await sleep_for(plan.latency);
  if (plan.reset) {
    Stats::bump(state.stats.resets);
    ex.abort_connection();
    co_return true;
  }
  if (plan.error_status) {
    answer_injected_error(ex, state, plan);
    co_return true;
  }
  co_return false;
}

std::optional<json::object> parse_body(http::Exchange& ex, MockState& state) {
  boost::system::error_code ec;
  json::value body = json::parse(ex.request.body, ec);
  if (ec || !body.is_object()) {
    answer_error(ex, state,
                 make_error(Errc::invalid_request,
                            "We could not parse the JSON body of your request: expected a JSON "
                            "object."));
    return std::nullopt;
  }
  return std::move(body.get_object());
}

// The plan and faults every inference endpoint goes through. Empty when already answered.
asio::awaitable<std::optional<Plan>> begin_inference(http::Exchange& ex, MockState& state) {
  auto plan = plan_for(ex.request, state);
  if (!plan) {
    answer_error(ex, state, plan.error());
    co_return std::nullopt;
  }
  if (co_await inject_faults(ex, state, *plan)) co_return std::nullopt;
  co_return std::move(*plan);
}

// Silent until the drain starts, then the connection is dropped so that shutdown need not wait.
asio::awaitable<void> stall(http::Exchange& ex, MockState& state) {
  while (!state.stopping.load(std::memory_order_relaxed)) co_await sleep_for(milliseconds(100));
  ex.abort_connection();
}

asio::awaitable<void> stream_reply(http::Exchange& ex, MockState& state, const Plan& plan,
                                   const json::object& request, const gateway::MockReply& reply,
                                   std::string_view model, std::string_view id, long long created) {
  bool include_usage = false;
  if (const json::value* options = request.if_contains("stream_options");
      options && options->is_object())
    if (const json::value* v = options->get_object().if_contains("include_usage");
        v && v->is_bool())
      include_usage = v->get_bool();
  auto payloads = gateway::chat_chunks_json(reply, model, id, created,
                                            static_cast<int>(plan.knobs.chunks), include_usage);
  payloads.emplace_back("[DONE]");

  ex.response.status = 200;
  ex.response.content_type = "text/event-stream";
  ex.response.add_header("Cache-Control", "no-cache");
  if (!co_await ex.begin_stream()) co_return;
  const long long stall_after = plan.knobs.stall_after_chunks;
  std::string event;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    if (stall_after >= 0 && static_cast<long long>(i) == stall_after) {
      co_await stall(ex, state);
      co_return;
    }
    if (i > 0) co_await sleep_for(milliseconds(plan.knobs.chunk_interval_ms));
    event.assign("data: ");
    event += payloads[i];
    event += "\n\n";
    if (!co_await ex.write(event)) co_return;
  }
}

asio::awaitable<void> chat_completions(http::Exchange& ex, MockState& state) {
  Stats::bump(state.stats.requests);
  Stats::bump(state.stats.chat);
  auto plan = co_await begin_inference(ex, state);
  if (!plan) co_return;
  auto request = parse_body(ex, state);
  if (!request) co_return;
  if (auto status = gateway::validate_chat_request(*request); !status) {
    answer_error(ex, state, status.error());
    co_return;
  }
  const auto reply = gateway::mock_chat_reply(*request, plan->knobs.reply_tokens);
  const std::string model(request->at("model").get_string());
  const std::string id = "chatcmpl-" + core::random_hex(12);
  const long long created = static_cast<long long>(std::time(nullptr));
  const json::value* stream = request->if_contains("stream");
  if (stream && stream->is_bool() && stream->get_bool()) {
    Stats::bump(state.stats.stream);
    co_await stream_reply(ex, state, *plan, *request, reply, model, id, created);
  } else {
    ex.response.set_json(200, gateway::chat_completion_json(reply, model, id, created));
  }
}

asio::awaitable<void> embeddings(http::Exchange& ex, MockState& state) {
  Stats::bump(state.stats.requests);
  Stats::bump(state.stats.embeddings);
  auto plan = co_await begin_inference(ex, state);
  if (!plan) co_return;
  auto request = parse_body(ex, state);
  if (!request) co_return;
  if (auto status = gateway::validate_embeddings_request(*request); !status) {
    answer_error(ex, state, status.error());
    co_return;
  }
  const std::string model(request->at("model").get_string());
  ex.response.set_json(200, gateway::embeddings_json(*request, model));
}

asio::awaitable<void> post_config(http::Exchange& ex, MockState& state) {
  boost::system::error_code ec;
  json::value body = json::parse(ex.request.body, ec);
  if (ec || !body.is_object()) {
    ex.response.set_error(make_error(Errc::invalid_request, "expected a JSON object of knobs"));
    co_return;
  }
  auto knobs = knobs_from_json(body.get_object(), state.startup);
  if (!knobs) {
    ex.response.set_error(knobs.error());
    co_return;
  }
  state.live.store(*knobs);
  ex.response.set_json(200, knobs_json(*knobs));
}

void register_routes(http::Router& router, MockState& state) {
  using Exchange = http::Exchange;
  router.add("POST", "/v1/chat/completions",
             [&state](Exchange& ex) { return chat_completions(ex, state); });
  router.add("POST", "/v1/embeddings", [&state](Exchange& ex) { return embeddings(ex, state); });
  router.add("GET", "/v1/models", [&state](Exchange& ex) -> asio::awaitable<void> {
    Stats::bump(state.stats.requests);
    ex.response.set_json(200, gateway::models_json(state.models));
    co_return;
  });
  router.add("GET", "/livez", [](Exchange& ex) -> asio::awaitable<void> {
    ex.response.set_json(200, R"({"status":"ok"})");
    co_return;
  });
  router.add("POST", "/mock/config", [&state](Exchange& ex) { return post_config(ex, state); });
  router.add("GET", "/mock/config", [&state](Exchange& ex) -> asio::awaitable<void> {
    ex.response.set_json(200, knobs_json(state.live.load()));
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
}


}  // namespace

int run_mock_upstream(int argc, char** argv, int first) {
  auto options = parse_options(argc, argv, first);
  if (!options) {
    std::fprintf(stderr, "sluice mock-upstream: %s\n%s", options.error().message.c_str(), kUsage);
    return 2;
  }
  if (options->help) {
    std::fputs(kUsage, stdout);
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

  MockState state(options->knobs);
  if (!options->models.empty()) state.models = options->models;
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
