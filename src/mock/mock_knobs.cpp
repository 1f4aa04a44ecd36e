#include "mock/mock_knobs.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <random>

#include "core/config_values.hpp"

namespace sluice::mock {
namespace {
namespace json = boost::json;

// Far beyond any context window, and small enough that the mock's sums cannot overflow.
constexpr long long kMaxReportedTokens = 1'000'000'000;

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
    {"embedding_dimensions", &Knobs::embedding_dimensions, nullptr, 1, 65536},
    {"cached_tokens", &Knobs::cached_tokens, nullptr, 0, kMaxReportedTokens},
    {"cache_write_tokens", &Knobs::cache_write_tokens, nullptr, 0, kMaxReportedTokens},
    {"auto_tool_calls", &Knobs::auto_tool_calls, nullptr, 0, 1},
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

double uniform01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

const char* const kUsage =
    "usage: sluice mock-upstream [flags]\n"
    "  --listen HOST:PORT         default 127.0.0.1:0 (the port is in the \"listening\" log line)\n"
    "  --threads N                event loops (default 1)\n"
    "  --latency-ms N             delay before the response or first byte\n"
    "  --latency-jitter-ms N      +/- random jitter on that delay\n"
    "  --error-rate F             fraction of inference requests answered with an error\n"
    "  --error-status N           that error's status (default 500)\n"
    "  --retry-after S            Retry-After seconds on 429s and Anthropic's 529s (default 1)\n"
    "  --reset-rate F             fraction of requests whose connection is reset, no response\n"
    "  --chunks N                 content deltas per streamed reply (default 8)\n"
    "  --chunk-interval-ms N      pause between streamed events\n"
    "  --stall-after-chunks N     send N stream events, then go silent with the connection open\n"
    "  --reply-tokens N           pad each answer to at least N tokens (long streams)\n"
    "  --embedding-dimensions N   length of embedding vectors unless a request asks (default 16);\n"
    "                             vectors hash the input's words: similar texts, similar vectors\n"
    "  --cached-tokens N          report N more prompt tokens, read from the provider's cache\n"
    "                             (OpenAI: in prompt_tokens and "
    "prompt_tokens_details.cached_tokens;\n"
    "                             Anthropic: cache_read_input_tokens)\n"
    "  --cache-write-tokens N     report N prompt tokens written to the cache (Anthropic:\n"
    "                             cache_creation_input_tokens; OpenAI reports no writes)\n"
    "  --auto-tool-calls 1        a chat offering tools without forcing one calls the first, with\n"
    "                             arguments for its required parameters, until a tool result\n"
    "                             follows the last user message; then the answer quotes results\n"
    "  --models a,b,c             ids listed by GET /v1/models (default mock-model)\n"
    "  --record-requests N        keep the last N requests (method, target, headers, body) for\n"
    "                             GET /mock/requests (default 0: none)\n"
    "  --access-log               log every request\n"
    "  --scenario FILE            with --scenario-provider NAME: OpenAI chat completions play\n"
    "                             that provider of a `sluice simulate` scenario: its ttft and\n"
    "                             per_token distributions, error_rate (503), reset_rate,\n"
    "                             rate_limit (429 with Retry-After), concurrency (a line, first\n"
    "                             come first served) and outages (timed from the start, or from\n"
    "                             POST /mock/scenario/restart); answers are max_completion_tokens\n"
    "                             or max_tokens tokens long (else --reply-tokens), streamed in at\n"
    "                             most --chunks writes after the first token; the other fault\n"
    "                             knobs do not apply to them\n"
    "  --scenario-seed N          the seed of the provider's draws instead of the scenario's\n"
    "                             (as sluice simulate --seed)\n"
    "endpoints: OpenAI's /v1/chat/completions, /v1/embeddings, /v1/models (reasoning models o1,\n"
    "  o3, o4-mini, gpt-5... refuse max_tokens and sampling parameters, as OpenAI does),\n"
    "  /v1/moderations (inputs with the word \"unsafe\" are flagged for violence); Jina's and\n"
    "  Cohere's /v1/rerank (scored by the share of the query's words a document has);\n"
    "  Anthropic's /v1/messages (errors in Anthropic's shape; needs x-api-key or Authorization:\n"
    "  Bearer, and anthropic-version; extended thinking signs its thinking blocks and checks the\n"
    "  signatures sent back; cache_control marks a prefix the first request writes to the prompt\n"
    "  cache and later ones read, the part up to its last breakpoint with \"ttl\": \"1h\" for an\n"
    "  hour) and /v1/messages/count_tokens (the input tokens /v1/messages reports for the same\n"
    "  request); Azure OpenAI's /openai/deployments/{deployment}/chat/completions and\n"
    "  /embeddings (need an api-key header and an api-version query; errors in Azure's shape;\n"
    "  answers name the deployment as model)\n"
    "per request: x-mock-status, x-mock-latency-ms, x-mock-chunks, x-mock-chunk-interval-ms,\n"
    "  x-mock-stall-after-chunks, x-mock-reset: 1, x-mock-retry-after, x-mock-reply-tokens,\n"
    "  x-mock-cached-tokens, x-mock-cache-write-tokens, x-mock-content-filter: 1 (Azure: the\n"
    "  prompt is refused by the content filter, 400 content_filter)\n"
    "runtime: POST /mock/config {snake_case knobs} changes the knobs it names, DELETE\n"
    "  /mock/config restores the flags' knobs; POST /mock/script {\"script\": [{from, to,\n"
    "  status, latency_ms, retry_after, reset}]} scripts the faults of inference requests by\n"
    "  number from 1 (a covered request gets exactly its entry; GET /mock/script shows it and\n"
    "  the count); GET /mock/stats, POST /mock/stats/reset; POST /mock/scenario/restart (with\n"
    "  --scenario) starts the outage clock and the rate limit over;\n"
    "  GET /mock/requests (with --record-requests), DELETE /mock/requests forgets them\n";

Knobs LiveKnobs::load() const {
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
  k.embedding_dimensions = embedding_dimensions_.load(kOrder);
  k.cached_tokens = cached_tokens_.load(kOrder);
  k.cache_write_tokens = cache_write_tokens_.load(kOrder);
  k.auto_tool_calls = auto_tool_calls_.load(kOrder);
  return k;
}

void LiveKnobs::store(const Knobs& k) {
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
  embedding_dimensions_.store(k.embedding_dimensions, kOrder);
  cached_tokens_.store(k.cached_tokens, kOrder);
  cache_write_tokens_.store(k.cache_write_tokens, kOrder);
  auto_tool_calls_.store(k.auto_tool_calls, kOrder);
}

Result<Knobs> LiveKnobs::merge(const json::object& body) {
  auto merged = knobs_from_json(body, load());
  if (merged) store(*merged);
  return merged;
}

Knobs LiveKnobs::restore() {
  store(startup_);
  return startup_;
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
    if (!knob && flag != "--listen" && flag != "--threads" && flag != "--models" &&
        flag != "--record-requests" && flag != "--scenario" && flag != "--scenario-provider" &&
        flag != "--scenario-seed")
      return make_error(Errc::invalid_request, "unknown flag " + std::string(flag));
    if (i + 1 >= argc)
      return make_error(Errc::invalid_request, std::string(flag) + " needs a value");
    const std::string_view value = argv[++i];
    if (flag == "--listen") {
      o.listen = value;
    } else if (flag == "--models") {
      o.models = split_models(value);
    } else if (flag == "--scenario") {
      o.scenario = value;
    } else if (flag == "--scenario-provider") {
      o.scenario_provider = value;
    } else if (flag == "--scenario-seed") {
      o.scenario_seed = value;
    } else if (flag == "--threads") {
      auto n = core::parse_integer(value);
      if (!n || *n < 1 || *n > 256)
        return make_error(Errc::invalid_request, "--threads must be an integer from 1 to 256");
      o.threads = static_cast<int>(*n);
    } else if (flag == "--record-requests") {
      auto n = core::parse_integer(value);
      if (!n || *n < 0 || *n > 1000)
        return make_error(Errc::invalid_request,
                          "--record-requests must be an integer from 0 to 1000");
      o.record_requests = static_cast<int>(*n);
    } else {
      std::optional<double> number;
      if (auto parsed = core::parse_number(value)) number = *parsed;
      if (const Status status = store_knob(o.knobs, *knob, number, flag); !status)
        return status.error();
    }
  }
  if (o.scenario.empty() != o.scenario_provider.empty())
    return make_error(Errc::invalid_request,
                      "--scenario and --scenario-provider go together: the scenario file and the "
                      "gateway provider of it to play");
  return o;
}

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
      {"reply_tokens", k.reply_tokens},
      {"embedding_dimensions", k.embedding_dimensions},
      {"cached_tokens", k.cached_tokens},
      {"cache_write_tokens", k.cache_write_tokens},
      {"auto_tool_calls", k.auto_tool_calls}};
  return json::serialize(out);
}

Result<Plan> plan_for(const http::Request& request, const Knobs& live,
                      const ScriptEntry* scripted) {
  Plan plan;
  Knobs& k = plan.knobs;
  k = live;
  std::optional<long long> forced_status;
  bool forced_reset = false;
  if (scripted) {
    forced_status = scripted->status;  // 0: a normal answer, whatever the error rate
    forced_reset = scripted->reset;
    if (scripted->latency_ms >= 0) {
      k.latency_ms = scripted->latency_ms;
      k.latency_jitter_ms = 0;
    }
    if (scripted->retry_after >= 0) {
      k.retry_after = scripted->retry_after;
      plan.retry_after_any_status = true;
    }
  }
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
      {"x-mock-reply-tokens", 0, kNoMax, &k.reply_tokens},
      {"x-mock-cached-tokens", 0, kMaxReportedTokens, &k.cached_tokens},
      {"x-mock-cache-write-tokens", 0, kMaxReportedTokens, &k.cache_write_tokens}};
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
  plan.reset = reset_header == "1" || reset_header == "true" || forced_reset ||
               (!scripted && k.reset_rate > 0 && uniform01() < k.reset_rate);
  if (forced_status) {
    plan.error_status = *forced_status >= 400 ? static_cast<int>(*forced_status) : 0;
  } else if (k.error_rate > 0 && uniform01() < k.error_rate) {
    plan.error_status = static_cast<int>(k.error_status);
  }
  long long latency = k.latency_ms;
  if (k.latency_jitter_ms > 0)
    latency +=
        static_cast<long long>((uniform01() * 2 - 1) * static_cast<double>(k.latency_jitter_ms));
  plan.latency = std::chrono::milliseconds(std::max(0LL, latency));
  return plan;
}

}  // namespace sluice::mock
