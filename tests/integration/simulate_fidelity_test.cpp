// Policy fidelity of `sluice simulate`. The real server (one event loop, gateway.random_seed)
// serves a fixed schedule of chat completions in front of three mock upstreams whose faults are
// scripted by request number (503s, a 429 asking for 1 s), with a weighted alias, a
// fallback alias, jittered backoff and circuit breakers. Its access log records each request's
// arrival and `tries`. `sluice simulate` then replays that log: the same arrivals, each
// upstream's n-th attempt answered as the n-th attempt the server sent it was (outcome, time,
// Retry-After), and the same gateway section. The decisions must be the same, exactly: per
// request the deployments tried in order, each attempt's outcome, the backoff waited before it
// (the jitter drawn from the same seed, Retry-After honoured), which attempts were half-open
// probes and which opened or closed a circuit. Times must agree within what the live run's own
// timing allows (kClockMs and slack_ms below).
//
// The simulator runs the production policy, not a copy of it: the same schedule with another
// circuit_breaker.failure_threshold and random_seed makes the server decide differently, and the
// simulator follows it to the same decisions (SameConfigChangeMovesLiveAndSimulatedAlike).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "support/mock_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// The simulated gateway is infinitely fast and its timers exact: an attempt starts when the
// previous one's logged duration and its own backoff have passed. The live event loop starts it
// later by its slack: a backoff timer's late wake-up, the gateway's own work between attempts
// (more on a loaded machine). That slack is measured from the live log itself (slack_ms below),
// so the tolerance of each time is what the live run's own timing allows, not a guess. Arrivals
// are read from `ts` (whole milliseconds) minus `duration_ms` in both logs: kClockMs more.
// Each replayed request starts at its logged arrival, so nothing adds up across requests.
constexpr double kClockMs = 2;
// Durations are logged to the microsecond: sums of them differ from the clock's by rounding.
constexpr double kRoundingMs = 0.01;

struct Try {
  std::string deployment;
  std::string outcome;
  double start_ms = 0;
  double duration_ms = 0;
  long long wait_ms = 0;
  long long retry_after_ms = -1;
  bool probe = false;
  std::string circuit;  // "opened", "closed" or ""
};

struct Request {
  double arrival_ms = 0;  // ts - duration_ms, since the epoch (live) or the run's start (sim)
  int status = 0;
  std::vector<Try> tries;
};

double number(const json::value& v) {
  return v.is_double() ? v.as_double() : v.to_number<double>();
}

double log_time_ms(std::string_view ts) {
  // "2026-01-01T00:00:01.234Z": only differences matter, within one day.
  const double h = std::stod(std::string(ts.substr(11, 2)));
  const double m = std::stod(std::string(ts.substr(14, 2)));
  const double s = std::stod(std::string(ts.substr(17, ts.size() - 18)));
  const double day = std::stod(std::string(ts.substr(8, 2)));
  return (((day * 24 + h) * 60 + m) * 60 + s) * 1000;
}

// The chat completions an access log (JSON lines, possibly among other output) records, in
// arrival order.
std::vector<Request> read_log(const std::string& text) {
  std::vector<Request> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    json::error_code ec;
    const json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;
    const json::object& o = v.as_object();
    const auto text = [&o](std::string_view key) -> std::string_view {
      const json::value* v = o.if_contains(key);
      return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view{};
    };
    if (text("msg") != "request" || text("route") != "/v1/chat/completions") continue;
    Request r;
    r.arrival_ms = log_time_ms(o.at("ts").as_string()) - number(o.at("duration_ms"));
    r.status = static_cast<int>(number(o.at("status")));
    if (const json::value* tries = o.if_contains("tries"))
      for (const json::value& t : tries->as_array()) {
        const json::object& a = t.as_object();
        Try x;
        x.deployment = a.at("deployment").as_string();
        x.outcome = a.at("outcome").as_string();
        x.start_ms = number(a.at("start_ms"));
        x.duration_ms = number(a.at("duration_ms"));
        x.wait_ms = static_cast<long long>(number(a.at("wait_ms")));
        if (const json::value* ra = a.if_contains("retry_after_ms"))
          x.retry_after_ms = static_cast<long long>(number(*ra));
        x.probe = a.contains("probe");
        if (const json::value* c = a.if_contains("circuit")) x.circuit = c->as_string();
        r.tries.push_back(x);
      }
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Request& a, const Request& b) { return a.arrival_ms < b.arrival_ms; });
  return out;
}

// A request's decisions, exactly: per attempt the deployment, outcome, backoff, probe, circuit.
std::string decisions(const Request& r) {
  std::string out;
  for (const Try& t : r.tries)
    out += t.deployment + " " + t.outcome + " wait=" + std::to_string(t.wait_ms) +
           (t.probe ? " probe" : "") + (t.circuit.empty() ? "" : " " + t.circuit) + "; ";
  return out;
}

// Per attempt of a live request, how much later it started than its predecessors' logged
// durations and its backoffs alone make it start (its first attempt: after the route began).
std::vector<double> slack_ms(const Request& r) {
  std::vector<double> out;
  double due = 0;
  for (std::size_t k = 0; k < r.tries.size(); ++k) {
    const Try& t = r.tries[k];
    if (k > 0) due += r.tries[k - 1].duration_ms;
    due += static_cast<double>(t.wait_ms);
    out.push_back(std::max(0.0, t.start_ms - due));
  }
  return out;
}

// The most any attempt of the live run was late, in milliseconds.
double worst_slack_ms(const std::vector<Request>& live) {
  double worst = 0;
  for (const Request& r : live)
    for (double slack : slack_ms(r)) worst = std::max(worst, slack);
  return worst;
}

// A circuit's state change, at a time relative to the run's first arrival.
struct Transition {
  double at_ms;
  std::string deployment;
  std::string to;  // open, half_open, closed
};

// From the tries: opened and closed when the attempt that did it ended; half-open when the first
// probe after an opening was let through (the decision, before any backoff).
std::vector<Transition> transitions(const std::vector<Request>& requests) {
  std::vector<Transition> out;
  if (requests.empty()) return out;
  const double first = requests.front().arrival_ms;
  for (const Request& r : requests)
    for (const Try& t : r.tries) {
      const double decided = r.arrival_ms - first + t.start_ms - static_cast<double>(t.wait_ms);
      const double ended = r.arrival_ms - first + t.start_ms + t.duration_ms;
      if (t.probe) out.push_back({decided, t.deployment, "half_open"});
      if (t.circuit == "opened") out.push_back({ended, t.deployment, "open"});
      if (t.circuit == "closed") out.push_back({ended, t.deployment, "closed"});
    }
  std::stable_sort(out.begin(), out.end(),
                   [](const Transition& a, const Transition& b) { return a.at_ms < b.at_ms; });
  // A probe round's first probe marks the change; later probes of the same round are not one.
  std::vector<Transition> changes;
  std::map<std::string, std::string> state;
  for (const Transition& t : out) {
    if (t.to == "half_open" && state[t.deployment] != "open") continue;
    state[t.deployment] = t.to;
    changes.push_back(t);
  }
  return changes;
}

// The smallest gap, in the live run, between two instants that decisions depend on the order of,
// belonging to different requests (arrivals, the instants attempts were decided, started and
// ended), or between an instant an attempt was decided and a circuit's cooldown running out.
// Each instant of the replay is off the live one by at most the run's worst slack and the
// clock's resolution: a gap below twice that could come out in the other order.
double narrowest_margin(const std::vector<Request>& requests, double cooldown_ms) {
  struct Instant {
    double at;
    std::size_t request;
    bool decision;
  };
  std::vector<Instant> instants;
  std::vector<double> expiries;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const Request& r = requests[i];
    instants.push_back({r.arrival_ms, i, true});
    for (const Try& t : r.tries) {
      const double start = r.arrival_ms + t.start_ms;
      instants.push_back({start - static_cast<double>(t.wait_ms), i, true});
      instants.push_back({start, i, false});
      instants.push_back({start + t.duration_ms, i, false});
      if (t.circuit == "opened") expiries.push_back(start + t.duration_ms + cooldown_ms);
    }
  }
  double narrowest = 1e9;
  for (std::size_t a = 0; a < instants.size(); ++a) {
    for (std::size_t b = a + 1; b < instants.size(); ++b)
      if (instants[a].request != instants[b].request)
        narrowest = std::min(narrowest, std::abs(instants[a].at - instants[b].at));
    if (instants[a].decision)
      for (double expiry : expiries)
        narrowest = std::min(narrowest, std::abs(instants[a].at - expiry));
  }
  return narrowest;
}

// One run of the whole schedule, live and simulated.
struct Variant {
  int failure_threshold;
  int random_seed;
};

struct Runs {
  std::vector<Request> live;
  std::vector<Request> simulated;
  std::string live_metrics;
  std::string report;
  std::string dir;
};

constexpr double kCooldownMs = 730;
constexpr int kRequests = 26;
constexpr auto kSpacing = 200ms;

std::string gateway_section(const Variant& v, int a, int b, int c) {
  const auto url = [](int port) { return "\"http://127.0.0.1:" + std::to_string(port) + "/v1\""; };
  return "gateway:\n"
         "  random_seed: " +
         std::to_string(v.random_seed) +
         "\n"
         "  models_refresh: 0\n"
         "  providers:\n"
         "    - {name: up-a, type: openai, base_url: " +
         url(a) +
         ", api_key: test}\n"
         "    - {name: up-b, type: openai, base_url: " +
         url(b) +
         ", api_key: test}\n"
         "    - {name: up-c, type: openai, base_url: " +
         url(c) +
         ", api_key: test}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      strategy: weighted\n"
         "      deployments: [{provider: up-a, model: m, weight: 3}, {provider: up-b, model: m}]\n"
         "      fallbacks: [spare]\n"
         "    - {alias: spare, deployments: [{provider: up-c, model: m}]}\n"
         "  retry: {max_attempts: 4, base_backoff: 20ms, max_backoff: 40ms, budget: 10s}\n"
         "  circuit_breaker: {failure_threshold: " +
         std::to_string(v.failure_threshold) +
         ", cooldown: " + std::to_string(static_cast<int>(kCooldownMs)) +
         "ms, half_open_requests: 1}\n";
}

void set_script(int mock_port, const std::string& script) {
  auto r =
      http_request(mock_port, "POST", "/mock/script", script, "Content-Type: application/json\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The live run: the schedule through `sluice serve`; its access log lines.
void run_live(const Variant& v, Runs& runs) {
  auto a = start_mock_upstream({"--latency-ms", "10"});
  auto b = start_mock_upstream({"--latency-ms", "10"});
  auto c = start_mock_upstream({"--latency-ms", "10"});
  // Faults by the number of the request each upstream receives.
  set_script(a->port(), R"({"script":[{"from":3,"to":6,"status":503},{"from":11,"status":503}]})");
  set_script(b->port(), R"({"script":[{"from":2,"status":503},{"from":6,"to":7,"status":503}]})");
  set_script(c->port(), R"({"script":[{"from":2,"status":429,"retry_after":1,"latency_ms":60},)"
                        R"({"from":4,"status":503}]})");
  const std::string gateway = gateway_section(v, a->port(), b->port(), c->port());
  TempFile config(gateway);
  std::ofstream(runs.dir + "/gateway.yaml") << gateway;
  auto server = start_server({{"SLUICE_SERVER__THREADS", "1"}}, {"--config", config.path()});
  ASSERT_GT(server->port(), 0);

  const std::string body = R"({"model":"chat","messages":[{"role":"user","content":"hi"}]})";
  const auto t0 = std::chrono::steady_clock::now() + 100ms;
  std::vector<std::thread> clients;
  for (int i = 0; i < kRequests; ++i)
    clients.emplace_back([&, i] {
      std::this_thread::sleep_until(t0 + i * kSpacing);
      http_request(server->port(), "POST", "/v1/chat/completions", body,
                   "Content-Type: application/json\r\n", 20s);
    });
  for (std::thread& t : clients) t.join();
  // Access lines are written in batches (log.access_log_buffer): wait for all of them.
  ASSERT_TRUE(eventually([&] {
    return read_log(server->output()).size() >= static_cast<std::size_t>(kRequests);
  })) << server->output();
  EXPECT_TRUE(contains(server->output(), R"("msg":"gateway decisions seeded","seed":)" +
                                             std::to_string(v.random_seed) +
                                             R"(,"set_by":"gateway.random_seed")"));
  auto metrics = http_request(server->port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  runs.live_metrics = metrics->body;
  const std::string log = server->output();
  std::ofstream(runs.dir + "/live.log") << log;
  runs.live = read_log(log);
}

// The replay: `sluice simulate` on the live log's arrivals and answers, the same gateway section.
void run_simulated(Runs& runs) {
  const std::string upstream =
      ", ttft: {dist: constant, value: 10ms}, per_token: {dist: constant, value: 0s}}\n";
  const std::string scenario =
      "seed: 1\n"
      "traffic:\n"
      "  replay: {file: live.log, answers: true}\n"
      "providers:\n"
      "  - {provider: up-a" +
      upstream + "  - {provider: up-b" + upstream + "  - {provider: up-c" + upstream +
      read_whole(runs.dir + "/gateway.yaml");
  std::ofstream(runs.dir + "/replay.yaml") << scenario;
  const RunResult sim =
      run_sluice({"simulate", runs.dir + "/replay.yaml", "--access-log",
                  runs.dir + "/simulated.log", "--json", runs.dir + "/report.json"},
                 {}, 60s);
  ASSERT_EQ(sim.exit_code, 0) << sim.output;
  runs.simulated = read_log(read_whole(runs.dir + "/simulated.log"));
  runs.report = read_whole(runs.dir + "/report.json");
}

// The live run, repeated (at most three times) while a stall of the machine put two instants
// that decisions depend on closer than the slack: such a run is no evidence either way.
Runs record_and_replay(const Variant& v) {
  Runs runs;
  for (int attempt = 0; attempt < 3; ++attempt) {
    runs = {};
    runs.dir = make_temp_dir();
    run_live(v, runs);
    if (::testing::Test::HasFatalFailure()) return runs;
    const double margin = narrowest_margin(runs.live, kCooldownMs);
    const double needed = 2 * (worst_slack_ms(runs.live) + kClockMs);
    std::printf("live run %d: decisive instants at least %.3f ms apart, %.3f ms needed\n",
                attempt + 1, margin, needed);
    if (margin >= needed) break;
    std::printf("no evidence either way: again\n");
  }
  run_simulated(runs);
  return runs;
}

long long metric_value(const std::string& exposition, const std::string& series) {
  const auto at = exposition.find(series + " ");
  if (at == std::string::npos) return 0;
  return std::stoll(exposition.substr(at + series.size() + 1));
}

// Live and simulated decisions are the same, their times within the slack; the live log agrees
// with the server's own breaker counter and the simulated one with the report's.
void expect_same_decisions(const Runs& runs) {
  ASSERT_EQ(runs.live.size(), static_cast<std::size_t>(kRequests)) << runs.dir;
  ASSERT_EQ(runs.simulated.size(), runs.live.size()) << runs.dir;
  const double live_first = runs.live.front().arrival_ms;
  const double sim_first = runs.simulated.front().arrival_ms;
  double worst_arrival = 0, worst_start = 0;
  for (std::size_t i = 0; i < runs.live.size(); ++i) {
    const Request& live = runs.live[i];
    const Request& sim = runs.simulated[i];
    ASSERT_EQ(decisions(sim), decisions(live))
        << "request " << i << " (logs in " << runs.dir << ")";
    EXPECT_EQ(sim.status, live.status) << "request " << i;
    const double arrival_gap =
        std::abs((sim.arrival_ms - sim_first) - (live.arrival_ms - live_first));
    EXPECT_LE(arrival_gap, kClockMs) << "request " << i;
    worst_arrival = std::max(worst_arrival, arrival_gap);
    const std::vector<double> slack = slack_ms(live);
    for (std::size_t k = 0; k < live.tries.size(); ++k) {
      // Early by exactly the live run's slack: the simulated attempt starts when the logged
      // durations and backoffs say.
      const double early = live.tries[k].start_ms - sim.tries[k].start_ms;
      EXPECT_NEAR(early, slack[k], kRoundingMs) << "request " << i << " attempt " << k;
      worst_start = std::max(worst_start, std::abs(early));
      EXPECT_EQ(sim.tries[k].retry_after_ms, live.tries[k].retry_after_ms);
    }
  }
  std::printf("arrivals within %.3f ms, attempts' starts within %.3f ms (the live slack)\n",
              worst_arrival, worst_start);

  const std::vector<Transition> live_changes = transitions(runs.live);
  const std::vector<Transition> sim_changes = transitions(runs.simulated);
  ASSERT_EQ(sim_changes.size(), live_changes.size());
  for (std::size_t i = 0; i < live_changes.size(); ++i) {
    EXPECT_EQ(sim_changes[i].deployment, live_changes[i].deployment) << "transition " << i;
    EXPECT_EQ(sim_changes[i].to, live_changes[i].to) << "transition " << i;
    EXPECT_NEAR(sim_changes[i].at_ms, live_changes[i].at_ms, worst_start + kClockMs)
        << "transition " << i;
  }

  // What the log says opened a circuit is what the server's own counter counted, and what the
  // simulated log says is what the simulated replica's registry counted.
  const json::value report = json::parse(runs.report);
  for (const char* deployment : {"up-a/m", "up-b/m", "up-c/m"}) {
    long long logged = 0;
    for (const Request& r : runs.live)
      for (const Try& t : r.tries) logged += t.deployment == deployment && t.circuit == "opened";
    EXPECT_EQ(metric_value(runs.live_metrics,
                           std::string(R"(sluice_circuit_transitions_total{deployment=")") +
                               deployment + R"(",to="open"})"),
              logged)
        << deployment;
    long long reported = 0;
    for (const json::value& d : report.at("deployments").as_array())
      if (d.at("deployment").as_string() == deployment)
        reported = d.at("breaker_openings").as_int64();
    EXPECT_EQ(reported, logged) << deployment;
  }
}

TEST(SimulateFidelityTest, ALiveRunsDecisionsAreReplayedExactly) {
  const Variant variant{2, 11};
  const Runs runs = record_and_replay(variant);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  expect_same_decisions(runs);

  // The schedule exercised what is compared: both deployments of the weighted alias chosen first,
  // the fallback alias, a jittered backoff, a Retry-After honoured, a circuit opened, probed
  // (and the probe failing), and closed.
  std::set<std::string> first_picks;
  int jittered = 0, honoured = 0, fallbacks = 0;
  for (const Request& r : runs.live) {
    if (!r.tries.empty()) first_picks.insert(r.tries.front().deployment);
    for (std::size_t k = 0; k < r.tries.size(); ++k) {
      const Try& t = r.tries[k];
      fallbacks += t.deployment == "up-c/m";
      if (k > 0 && t.wait_ms > 0 && r.tries[k - 1].retry_after_ms < 0) ++jittered;
      if (k > 0 && r.tries[k - 1].retry_after_ms > 0 && t.wait_ms >= r.tries[k - 1].retry_after_ms)
        ++honoured;
    }
  }
  std::string changes;
  for (const Transition& t : transitions(runs.live))
    changes += t.deployment + ":" + t.to + " at " + std::to_string(t.at_ms) + "\n";
  EXPECT_TRUE(first_picks.contains("up-a/m") && first_picks.contains("up-b/m"));
  EXPECT_GT(fallbacks, 0);
  EXPECT_GT(jittered, 0);
  EXPECT_GT(honoured, 0);
  EXPECT_TRUE(contains(changes, ":open")) << changes;
  EXPECT_TRUE(contains(changes, ":half_open")) << changes;
  EXPECT_TRUE(contains(changes, ":closed")) << changes;
  std::printf("circuit transitions:\n%s", changes.c_str());
}

// Through the production policy's public configuration: another failure threshold and seed
// change what the server decides, and the simulator follows to the same decisions again.
TEST(SimulateFidelityTest, SameConfigChangeMovesLiveAndSimulatedAlike) {
  const Runs first = record_and_replay({2, 11});
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  const Runs changed = record_and_replay({3, 12});
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  expect_same_decisions(changed);
  std::string before, after;
  for (const Request& r : first.live) before += decisions(r) + "\n";
  for (const Request& r : changed.live) after += decisions(r) + "\n";
  EXPECT_NE(after, before) << "the change must change the live decisions";
  std::string simulated_before, simulated_after;
  for (const Request& r : first.simulated) simulated_before += decisions(r) + "\n";
  for (const Request& r : changed.simulated) simulated_after += decisions(r) + "\n";
  EXPECT_EQ(simulated_before, before);
  EXPECT_EQ(simulated_after, after);
}

}  // namespace
}  // namespace sluice::testing
