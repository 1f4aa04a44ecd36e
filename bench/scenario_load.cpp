// scenario_load: the traffic of a `sluice simulate` scenario, sent live and open-loop to a gateway
// (bench/simulate_calibrate.sh sends it to haproxy in front of `sluice serve` replicas).
//
// The requests are the simulator's own: the same arrival process (sim::Arrivals) and request mix
// (sim::RequestMix) seeded by name from the scenario's seed, so that with the same seed the live
// run sends exactly the requests the simulation served, at the same offsets, with the same
// prompt and answer lengths. Each is sent when it is due whatever the earlier ones are doing
// (open loop); its latency counts from when it was due, so a late send is not hidden. How late
// the sends were (the generator's lag) and the generator's own CPU time are reported, to show it
// was not the bottleneck.
//
// The prompt is sized so that mock-upstream (which counts ceil(bytes / 4) + 4 per message)
// reports the drawn prompt tokens; max_tokens is the drawn answer length, which a scenario
// provider of mock-upstream answers exactly.
//
// usage: scenario_load SCENARIO --target URL [--seed N] [--duration D] [--metrics URL]...
//                      [--json FILE] [--requests FILE] [--drain D] [--start-hook URL]...
//                      [--load X] [--api-key KEY] [--key NAME=KEY]...
// Prints the measured report as JSON (to --json, else stdout), in the shape of the simulator's
// `totals` for the fields both have.
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/cancellation.hpp"
#include "core/config.hpp"
#include "core/config_values.hpp"
#include "gateway/providers/mock/mock_replies.hpp"
#include "http/upstream_client.hpp"
#include "sim/engine/random.hpp"
#include "sim/model/arrivals.hpp"
#include "sim/model/cause.hpp"
#include "sim/model/request_mix.hpp"
#include "sim/report/metric_counters.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace sluice;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "usage: scenario_load SCENARIO --target URL [--seed N] [--duration D] [--metrics URL]...\n"
    "                     [--json FILE] [--requests FILE] [--drain D] [--start-hook URL]...\n"
    "                     [--load X] [--api-key KEY] [--key NAME=KEY]...\n"
    "  --target URL     where requests go: URL/v1/chat/completions (haproxy, or one gateway)\n"
    "  --seed N         instead of the scenario's seed (as sluice simulate --seed)\n"
    "  --duration D     how long requests arrive (as sluice simulate --duration)\n"
    "  --load X         the scenario's traffic times X (as sluice simulate --load)\n"
    "  --api-key KEY    sent as Authorization: Bearer KEY (an admin key: x-sluice-priority is\n"
    "                   honoured for admin keys only)\n"
    "  --key NAME=KEY   what requests of the mix entries with `key: NAME` send instead (repeat)\n"
    "  --metrics URL    a gateway whose URL/metrics is read before and after the run: retries,\n"
    "                   fallbacks, breaker openings and cost are the sum over these (repeat)\n"
    "  --json FILE      the report (default: stdout)\n"
    "  --requests FILE  one CSV line per request\n"
    "  --drain D        after the last arrival, how long requests in flight may still take\n"
    "                   (default 120s); those still running then are cut and counted unfinished\n"
    "  --start-hook URL  POSTed (empty body) just before time 0: e.g. a scenario mock-upstream's\n"
    "                   /mock/scenario/restart, so that its outages are timed from the run's "
    "start\n"
    "                   (repeat)\n";

struct Args {
  std::string scenario;
  std::string target;
  sim::ScenarioFlags flags;
  std::vector<std::string> metrics;
  std::vector<std::string> start_hooks;
  std::string json_path;
  std::string requests_path;
  std::string api_key;
  std::map<std::string, std::string> keys;  // a `keys` entry's name -> its secret
  double drain_s = 120;
};

std::optional<Args> parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") return std::nullopt;
    if (!flag.starts_with("--")) {
      args.scenario = flag;
      continue;
    }
    if (i + 1 >= argc) return std::nullopt;
    const std::string value = argv[++i];
    if (flag == "--target") {
      args.target = value;
    } else if (flag == "--seed") {
      args.flags.seed = value;
    } else if (flag == "--duration") {
      args.flags.duration = value;
    } else if (flag == "--load") {
      args.flags.load = value;
    } else if (flag == "--api-key") {
      args.api_key = value;
    } else if (flag == "--key") {
      const auto equals = value.find('=');
      if (equals == std::string::npos) return std::nullopt;
      args.keys[value.substr(0, equals)] = value.substr(equals + 1);
    } else if (flag == "--metrics") {
      args.metrics.push_back(value);
    } else if (flag == "--start-hook") {
      args.start_hooks.push_back(value);
    } else if (flag == "--json") {
      args.json_path = value;
    } else if (flag == "--requests") {
      args.requests_path = value;
    } else if (flag == "--drain") {
      auto d = core::parse_seconds(value);
      if (!d) return std::nullopt;
      args.drain_s = d->count();
    } else {
      return std::nullopt;
    }
  }
  if (args.scenario.empty() || args.target.empty()) return std::nullopt;
  return args;
}

// What one request met.
struct Outcome {
  double arrival = 0;  // seconds since the start, as scheduled
  double lag = 0;      // how late it was sent
  bool stream = false;
  int status = 0;
  sim::Cause cause = sim::Cause::other;
  bool finished = false;  // false: still running at the drain deadline
  double latency = 0;     // from when it was due to the last byte
  std::optional<double> ttft;
};

// A prompt that mock-upstream counts as `tokens` tokens: one user message of 4 * (tokens - 4)
// bytes (at least 1 byte: 5 tokens is the fewest a one-message prompt counts).
std::string prompt_of(long long tokens) {
  const long long words = std::max(1LL, tokens - 4);
  std::string text;
  text.reserve(static_cast<std::size_t>(words) * 4);
  for (long long i = 0; i < words; ++i) text += "abc ";
  text.pop_back();
  text += '.';
  return text;
}

std::string body_of(const sim::Call& call) {
  json::object body{
      {"model", *call.model},
      {"messages", json::array{json::object{{"role", "user"},
                                            {"content", prompt_of(call.plan.prompt_tokens)}}}},
      {"max_tokens", call.plan.completion_tokens}};
  if (call.stream) body["stream"] = true;
  return json::serialize(body);
}

// The cause of a failed answer, from its status and OpenAI-shaped error (the gateway's codes and
// messages for each of the simulator's causes).
sim::Cause cause_of_error(int status, std::string_view body) {
  json::error_code ec;
  const json::value parsed = json::parse(body, ec);
  std::string code;
  std::string message;
  if (!ec && parsed.is_object())
    if (const json::value* error = parsed.as_object().if_contains("error");
        error && error->is_object()) {
      if (const json::value* c = error->as_object().if_contains("code"); c && c->is_string())
        code = c->as_string();
      if (const json::value* m = error->as_object().if_contains("message"); m && m->is_string())
        message = m->as_string();
    }
  if (code == "overloaded")
    return message.find("no slot within") != std::string::npos ? sim::Cause::queue_timeout
                                                               : sim::Cause::shed;
  if (code == "deployments_unavailable") return sim::Cause::circuit_open;
  if (code == "deadline_exceeded") return sim::Cause::deadline;
  if (status == 429) return sim::Cause::rate_limited;
  if (status == 504) return sim::Cause::timeout;
  if (message.starts_with("upstream ") && message.find(" answered 5") != std::string::npos)
    return sim::Cause::upstream_5xx;
  // The upstream's own OpenAI-shaped error, passed through as it came (its status too); the
  // gateway's own 503s (shed, circuits open) are told apart above by their codes.
  if (status == 500 || status == 503) return sim::Cause::upstream_5xx;
  if (status == 502) return sim::Cause::connection;
  return sim::Cause::other;
}

class Generator {
 public:
  // `bearer[i]`: the key mix entry i calls with (empty: none).
  Generator(asio::io_context& io, http::UpstreamEndpoint target, std::size_t expected,
            std::vector<std::string> bearer)
      : io_(io), target_(std::move(target)), bearer_(std::move(bearer)) {
    outcomes_.reserve(expected);
  }

  // Sends `calls` at their arrival times, counted from just after the `start_hooks` were POSTed.
  asio::awaitable<void> run(std::vector<sim::Call> calls, double drain_s,
                            const std::vector<http::UpstreamEndpoint>& start_hooks) {
    asio::steady_timer timer(io_);
    for (const http::UpstreamEndpoint& hook : start_hooks) {
      http::UpstreamRequest request;
      request.target = hook.base_path;
      http::UpstreamTimeouts timeouts;
      timeouts.total = std::chrono::seconds(10);
      http::UpstreamCall call;
      const Status posted = co_await call.start(hook, request, timeouts);
      if (!posted || call.status() != 200)
        throw std::runtime_error("--start-hook " + hook.host + ":" + hook.port + hook.base_path +
                                 " did not answer 200");
      co_await call.read_all(1 << 20);
    }
    start_ = Clock::now();
    started_unix_ =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (sim::Call& call : calls) {
      const auto due = start_ + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(call.arrival));
      timer.expires_at(due);
      co_await timer.async_wait(asio::use_awaitable);
      const double lag = std::chrono::duration<double>(Clock::now() - due).count();
      outcomes_.push_back(
          {.arrival = call.arrival, .lag = lag, .stream = call.stream, .ttft = std::nullopt});
      ++in_flight_;
      asio::co_spawn(io_, send(std::move(call), due, outcomes_.size() - 1), asio::detached);
    }
    arrivals_end_ = Clock::now();
    // Then the requests in flight, until the drain deadline cuts the rest.
    const auto cut_at = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(drain_s));
    while (in_flight_ > 0 && Clock::now() < cut_at) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(asio::use_awaitable);
    }
    if (in_flight_ > 0) cut_.cancel(core::Cancellation::Reason::client_gone);
    while (in_flight_ > 0) {
      timer.expires_after(std::chrono::milliseconds(5));
      co_await timer.async_wait(asio::use_awaitable);
    }
    ended_ = Clock::now();
  }

  const std::vector<Outcome>& outcomes() const { return outcomes_; }
  double started_unix() const { return started_unix_; }
  double wall_seconds() const { return std::chrono::duration<double>(ended_ - start_).count(); }

 private:
  asio::awaitable<void> send(sim::Call call, Clock::time_point due, std::size_t index) {
    const std::string body = body_of(call);
    std::string headers = "Content-Type: application/json\r\n";
    if (const std::string& key = bearer_[call.mix]; !key.empty())
      headers += "Authorization: Bearer " + key + "\r\n";
    if (call.client_timeout)
      headers += "x-sluice-timeout-ms: " + std::to_string(call.client_timeout->count()) + "\r\n";
    if (call.priority != core::Priority::normal)
      headers += "x-sluice-priority: " + std::string(core::to_string(call.priority)) + "\r\n";
    http::UpstreamRequest request;
    request.target = target_.base_path + "/v1/chat/completions";
    request.headers = std::move(headers);
    request.body = body;
    http::UpstreamTimeouts timeouts;
    timeouts.first_byte = std::chrono::minutes(10);  // the gateway's timeouts decide, not ours
    timeouts.idle = std::chrono::minutes(10);
    timeouts.total = std::chrono::hours(1);
    timeouts.cancellation = &cut_;

    Outcome result = outcomes_[index];
    http::UpstreamCall exchange;
    const Status started = co_await exchange.start(target_, request, timeouts);
    if (!started) {
      result.cause = exchange.outcome() == core::AttemptOutcome::client_gone
                         ? sim::Cause::other
                         : sim::Cause::connection;
      result.finished = exchange.outcome() != core::AttemptOutcome::client_gone;
    } else {
      result.status = exchange.status();
      const bool event_stream = exchange.header("content-type").starts_with("text/event-stream");
      if (result.status == 200 && event_stream) {
        co_await read_stream(exchange, due, result);
      } else {
        auto whole = co_await exchange.read_all(64 << 20);
        result.finished = whole.ok() || exchange.outcome() != core::AttemptOutcome::client_gone;
        if (result.status == 200 && whole.ok())
          result.cause = sim::Cause::none;
        else if (result.status != 200)
          result.cause = cause_of_error(result.status, whole.ok() ? *whole : std::string());
        else
          result.cause = sim::Cause::connection;
      }
    }
    result.latency = std::chrono::duration<double>(Clock::now() - due).count();
    outcomes_[index] = result;
    --in_flight_;
  }

  // A 200 event stream: its first event is the first token; [DONE] without an error event ends
  // it well, anything else is a broken stream.
  asio::awaitable<void> read_stream(http::UpstreamCall& exchange, Clock::time_point due,
                                    Outcome& result) {
    std::string pending;
    bool done = false;
    bool error = false;
    for (;;) {
      auto piece = co_await exchange.read_some();
      if (!piece.ok()) {
        result.finished = exchange.outcome() != core::AttemptOutcome::client_gone;
        break;
      }
      if (piece->empty()) {
        result.finished = true;
        break;
      }
      if (!result.ttft) result.ttft = std::chrono::duration<double>(Clock::now() - due).count();
      pending.append(*piece);
      std::size_t line_end;
      while ((line_end = pending.find('\n')) != std::string::npos) {
        const std::string_view line(pending.data(), line_end);
        if (line.starts_with("data: ")) {
          const std::string_view data = line.substr(6);
          if (data == "[DONE]") done = true;
          if (data.starts_with("{\"error\"")) error = true;
        }
        pending.erase(0, line_end + 1);
      }
    }
    result.cause = done && !error && result.finished ? sim::Cause::none : sim::Cause::stream_broken;
  }

  asio::io_context& io_;
  const http::UpstreamEndpoint target_;
  const std::vector<std::string> bearer_;  // by mix entry
  std::vector<Outcome> outcomes_;
  std::size_t in_flight_ = 0;
  core::Cancellation cut_;
  Clock::time_point start_;
  double started_unix_ = 0;  // time 0, as Unix seconds (to place the gateways' log lines)
  Clock::time_point arrivals_end_;
  Clock::time_point ended_;
};

// What the gateways' registries hold now, summed: the counters the simulator reads back from its
// replicas' registries, and the cost counter.
struct Scrape {
  sim::RegistryCounters counters;
  double cost_usd = 0;
  double canary_candidate = 0;  // requests a canary's candidate served
  double canary_rollbacks = 0;
  bool ok = true;
};

asio::awaitable<Scrape> scrape(const std::vector<http::UpstreamEndpoint>& gateways) {
  Scrape out;
  for (const http::UpstreamEndpoint& gateway : gateways) {
    http::UpstreamRequest request;
    request.method = "GET";
    request.target = gateway.base_path + "/metrics";
    http::UpstreamTimeouts timeouts;
    timeouts.total = std::chrono::seconds(10);
    http::UpstreamCall call;
    const Status started = co_await call.start(gateway, request, timeouts);
    if (!started || call.status() != 200) {
      out.ok = false;
      continue;
    }
    auto text = co_await call.read_all(64 << 20);
    if (!text) {
      out.ok = false;
      continue;
    }
    out.counters.add(sim::read_counters(*text));
    sim::for_each_sample(*text, [&](std::string_view name, std::string_view labels, double value) {
      if (name == "sluice_cost_usd_total") {
        out.cost_usd += value;
      } else if (name == "sluice_canary_requests_total") {
        if (sim::label_value(labels, "version") == "candidate") out.canary_candidate += value;
      } else if (name == "sluice_canary_rollbacks_total") {
        out.canary_rollbacks += value;
      }
    });
  }
  co_return out;
}

// Nearest rank, as the simulator's sketch approximates it.
double quantile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

json::object summary(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  const double n = static_cast<double>(values.size());
  return {{"count", values.size()},        {"mean", values.empty() ? 0.0 : sum / n},
          {"p50", quantile(values, 0.5)},  {"p90", quantile(values, 0.9)},
          {"p99", quantile(values, 0.99)}, {"max", values.empty() ? 0.0 : values.back()}};
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parse_args(argc, argv);
  if (!args) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto scenario = sim::load_scenario(args->scenario, args->flags, core::process_environment());
  if (!scenario) {
    for (const core::ConfigError& e : scenario.error())
      std::fprintf(stderr, "config error: %s\n", core::to_string(e).c_str());
    return 2;
  }
  if (scenario->replayed) {
    std::fputs("scenario_load: traffic.replay is not supported; give rate or phases\n", stderr);
    return 2;
  }
  auto target = http::UpstreamEndpoint::parse(args->target);
  if (!target || target->tls) {
    std::fputs("scenario_load: --target must be an http:// URL\n", stderr);
    return 2;
  }
  std::vector<http::UpstreamEndpoint> gateways;
  for (const std::string& url : args->metrics) {
    auto gateway = http::UpstreamEndpoint::parse(url);
    if (!gateway || gateway->tls) {
      std::fprintf(stderr, "scenario_load: --metrics %s: not an http:// URL\n", url.c_str());
      return 2;
    }
    gateways.push_back(std::move(*gateway));
  }

  std::vector<http::UpstreamEndpoint> hooks;
  for (const std::string& url : args->start_hooks) {
    auto hook = http::UpstreamEndpoint::parse(url);
    if (!hook || hook->tls) {
      std::fprintf(stderr, "scenario_load: --start-hook %s: not an http:// URL\n", url.c_str());
      return 2;
    }
    hooks.push_back(std::move(*hook));
  }

  // Every request, drawn before the first is sent: the simulator's streams, by the same names.
  const auto seed = static_cast<std::uint64_t>(scenario->seed);
  const double duration = scenario->duration.count();
  sim::Arrivals arrivals(scenario->traffic, duration, sim::derive_seed(seed, "arrivals"));
  sim::Random mix_random(sim::derive_seed(seed, "mix"));
  const sim::RequestMix mix(scenario->traffic.mix);
  std::vector<std::string> bearer;
  for (const sim::MixEntryConfig& entry : scenario->traffic.mix) {
    if (entry.key.empty()) {
      bearer.push_back(args->api_key);
      continue;
    }
    const auto secret = args->keys.find(entry.key);
    if (secret == args->keys.end()) {
      std::fprintf(stderr, "scenario_load: the mix sends with key %s: give --key %s=SECRET\n",
                   entry.key.c_str(), entry.key.c_str());
      return 2;
    }
    bearer.push_back(secret->second);
  }
  std::vector<sim::Call> calls;
  bool prioritized = false;
  while (const std::optional<double> t = arrivals.next()) {
    calls.push_back(mix.draw(*t, mix_random));
    prioritized = prioritized || calls.back().priority != core::Priority::normal;
  }
  if (prioritized && args->api_key.empty())
    std::fputs(
        "scenario_load: note: x-sluice-priority is honoured for admin keys only (--api-key)\n",
        stderr);

  asio::io_context io;
  Scrape before, after;
  Generator generator(io, *target, calls.size(), std::move(bearer));
  const double cpu_before = cpu_seconds();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        before = co_await scrape(gateways);
        co_await generator.run(std::move(calls), args->drain_s, hooks);
        after = co_await scrape(gateways);
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  http::close_pooled_connections();
  const double cpu = cpu_seconds() - cpu_before;

  std::vector<double> latencies, ttfts, lags;
  std::map<sim::Cause, std::int64_t> causes;
  std::int64_t finished = 0, completed = 0, unfinished = 0;
  for (const Outcome& o : generator.outcomes()) {
    lags.push_back(o.lag);
    if (!o.finished) {
      ++unfinished;
      continue;
    }
    ++finished;
    ++causes[o.cause];
    if (o.cause != sim::Cause::none) continue;
    ++completed;
    latencies.push_back(o.latency);
    if (o.stream && o.ttft) ttfts.push_back(*o.ttft);
  }
  const auto requests = static_cast<std::int64_t>(generator.outcomes().size());
  const std::int64_t failed = finished - completed;
  json::object errors;
  for (sim::Cause cause : sim::all_causes())
    if (cause != sim::Cause::none) errors[sim::to_string(cause)] = causes[cause];
  const double per_finished = finished > 0 ? 1.0 / static_cast<double>(finished) : 0.0;
  const sim::GatewayCounters moved = after.counters.since(before.counters);
  const auto lag_summary = summary(lags);
  // Attempts by deployment and outcome (sluice_upstream_requests_total), as the simulator's
  // report gives them.
  json::array deployments;
  for (const auto& [name, now] : after.counters.deployments) {
    const auto was = before.counters.deployments.find(name);
    json::object outcomes;
    double attempts = 0;
    for (const auto& [outcome, count] : now.outcomes) {
      double moved = count;
      if (was != before.counters.deployments.end())
        if (const auto it = was->second.outcomes.find(outcome); it != was->second.outcomes.end())
          moved -= it->second;
      if (moved == 0) continue;
      outcomes[outcome] = moved;
      attempts += moved;
    }
    if (attempts > 0)
      deployments.push_back(
          json::object{{"deployment", name}, {"attempts", attempts}, {"outcomes", outcomes}});
  }
  json::object report{
      {"scenario", args->scenario},
      {"seed", scenario->seed},
      {"duration_s", duration},
      {"requests", requests},
      {"finished", finished},
      {"completed", completed},
      {"failed", failed},
      {"unfinished", unfinished},
      {"throughput_rps", duration > 0 ? static_cast<double>(completed) / duration : 0.0},
      {"error_rate", static_cast<double>(failed) * per_finished},
      {"latency_s", summary(latencies)},
      {"ttft_s", summary(ttfts)},
      {"errors", errors},
      {"shed_rate",
       static_cast<double>(causes[sim::Cause::shed] + causes[sim::Cause::queue_timeout]) *
           per_finished},
      {"rate_limited_rate", static_cast<double>(causes[sim::Cause::rate_limited]) * per_finished},
      {"metrics_read", before.ok && after.ok && !gateways.empty()},
      {"retries", moved.retries},
      {"fallbacks", moved.fallbacks},
      {"breaker_openings", moved.breaker_openings},
      {"cost_usd", after.cost_usd - before.cost_usd},
      {"canary",
       {{"candidate", after.canary_candidate - before.canary_candidate},
        {"rollbacks", after.canary_rollbacks - before.canary_rollbacks}}},
      {"deployments", deployments},
      {"generator",
       {{"lag_s", lag_summary},
        {"cpu_s", cpu},
        {"wall_s", generator.wall_seconds()},
        {"started_unix_s", generator.started_unix()},
        {"cpu_share", generator.wall_seconds() > 0 ? cpu / generator.wall_seconds() : 0.0}}}};
  const std::string text = json::serialize(report) + "\n";
  if (args->json_path.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    std::ofstream out(args->json_path);
    out << text;
    if (!out) {
      std::fprintf(stderr, "scenario_load: cannot write %s\n", args->json_path.c_str());
      return 1;
    }
  }
  if (!args->requests_path.empty()) {
    std::ofstream out(args->requests_path);
    out << "arrival_s,lag_s,stream,status,cause,finished,latency_s,ttft_s\n";
    for (const Outcome& o : generator.outcomes())
      out << o.arrival << ',' << o.lag << ',' << o.stream << ',' << o.status << ','
          << sim::to_string(o.cause) << ',' << o.finished << ',' << o.latency << ','
          << (o.ttft ? std::to_string(*o.ttft) : std::string()) << '\n';
  }
  return 0;
}
