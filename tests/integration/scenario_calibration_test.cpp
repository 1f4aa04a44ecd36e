// The pieces of bench/simulate_calibrate.sh, each for a few seconds: mock-upstream playing a
// scenario provider answers with the scenario's time to first token, time per token and error
// rate; scenario_load sends the simulator's own requests (as many as `sluice simulate` counts for
// the same scenario), each when it is due however long the earlier ones take (open loop).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <future>
#include <sstream>
#include <vector>

#include "support/mock_fixture.hpp"
#include "support/program.hpp"
#include "support/sanitizer.hpp"

namespace sluice::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One streamed chat completion on its own connection, timed from the request's last byte.
struct Timed {
  int status = 0;
  double first_byte_ms = 0;  // the head and the first token come together
  double last_byte_ms = 0;
  int tokens = 0;  // content deltas of "tok "
};

Timed timed_stream(int port, int max_tokens) {
  Timed out;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  const std::string body = R"({"model":"m","stream":true,"max_tokens":)" +
                           std::to_string(max_tokens) +
                           R"(,"messages":[{"role":"user","content":"hi"}]})";
  const std::string request = chat_request(body, "Connection: close\r\n");
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  const auto sent = Clock::now();
  std::string received;
  char buffer[16384];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    const double at = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
    if (received.empty()) out.first_byte_ms = at;
    out.last_byte_ms = at;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (received.starts_with("HTTP/1.1 ")) out.status = std::atoi(received.c_str() + 9);
  for (std::size_t at = 0; (at = received.find(R"("content":"tok ")", at)) != std::string::npos;
       ++at)
    ++out.tokens;
  return out;
}

// A scenario around one provider entry `p` (gateway provider p, alias chat), at `rate` a second
// for `duration`, every request streamed or none, answers `tokens` long.
std::string scenario_yaml(const std::string& provider_entry, double rate,
                          const std::string& duration, bool stream, int tokens) {
  return "duration: " + duration +
         "\n"
         "seed: 3\n"
         "traffic:\n"
         "  rate: " +
         std::to_string(rate) +
         "\n"
         "  mix:\n"
         "    - {model: chat, stream: " +
         (stream ? "true" : "false") +
         ", prompt_tokens: {dist: uniform, min: 10, max: 200},\n"
         "       completion_tokens: {dist: constant, value: " +
         std::to_string(tokens) +
         "}}\n"
         "providers:\n"
         "  - " +
         provider_entry +
         "\n"
         "gateway:\n"
         "  providers: [{name: p, type: openai, base_url: https://p.example/v1}]\n"
         "  models: [{alias: chat, deployments: [{provider: p, model: m}]}]\n";
}

TEST(ScenarioCalibrationTest, MockUpstreamPlaysTheProvidersDistributions) {
  SKIP_WHEN_SANITIZED();
  // Time to first token lognormal (median 20 ms, p99 60 ms), 2 ms a token, one answer in five a
  // 503. Answers of 11 tokens: the last is due 20 ms after the first.
  TempFile scenario(scenario_yaml(
      "{provider: p, ttft: {dist: lognormal, median: 20ms, p99: 60ms}, per_token: {dist: "
      "constant, value: 2ms}, error_latency: {dist: constant, value: 1ms}, error_rate: 0.2}",
      1, "1m", true, 11));
  SluiceProcess mock({"mock-upstream", "--listen", "127.0.0.1:0", "--scenario", scenario.path(),
                      "--scenario-provider", "p", "--chunks", "4"});
  const int port = mock.wait_listening();
  ASSERT_GT(port, 0) << mock.output();

  // 240 requests, 16 at a time (the mock has no concurrency limit: they do not wait for each
  // other): about half a second.
  constexpr int kRequests = 240;
  constexpr int kParallel = 16;
  std::vector<std::future<std::vector<Timed>>> workers;
  for (int w = 0; w < kParallel; ++w)
    workers.push_back(std::async(std::launch::async, [port] {
      std::vector<Timed> mine;
      for (int i = 0; i < kRequests / kParallel; ++i) mine.push_back(timed_stream(port, 11));
      return mine;
    }));
  std::vector<Timed> answers;
  for (auto& w : workers)
    for (const Timed& t : w.get()) answers.push_back(t);

  int errors = 0;
  std::vector<double> ttft, decode;
  for (const Timed& t : answers) {
    if (t.status == 503) {
      ++errors;
      continue;
    }
    ASSERT_EQ(t.status, 200);
    EXPECT_EQ(t.tokens, 11) << "the answer is max_tokens long";
    ttft.push_back(t.first_byte_ms);
    decode.push_back(t.last_byte_ms - t.first_byte_ms);
  }
  // Errors: a binomial share of 0.2, within 4 standard deviations.
  const double sd_errors = std::sqrt(kRequests * 0.2 * 0.8);
  EXPECT_NEAR(errors, kRequests * 0.2, 4 * sd_errors);

  // Time to first token: the lognormal's mean exp(mu + sigma^2 / 2), within 4 standard errors,
  // plus at most 5 ms of loopback, scheduling and a loaded machine above it (never below).
  const double sigma = std::log(60.0 / 20.0) / 2.3263478740408408;
  const double mean = 20 * std::exp(sigma * sigma / 2);
  const double se = mean * std::sqrt(std::exp(sigma * sigma) - 1) / std::sqrt(ttft.size());
  double sum = 0;
  for (double v : ttft) sum += v;
  const double measured = sum / static_cast<double>(ttft.size());
  EXPECT_GT(measured, mean - 4 * se) << "mean time to first token " << measured << " ms";
  EXPECT_LT(measured, mean + 4 * se + 5) << "mean time to first token " << measured << " ms";
  // Its spread: the 10th and 90th percentiles, 20 ms x exp(-/+1.2816 sigma) (10.9 and 36.6 ms),
  // within 15% (a quantile of ~190 draws moves about 8%), plus the same allowance above.
  std::vector<double> sorted = ttft;
  std::sort(sorted.begin(), sorted.end());
  const double p10 = sorted[sorted.size() / 10];
  const double p90 = sorted[sorted.size() * 9 / 10];
  const double expected_p10 = 20 * std::exp(-1.2815516 * sigma);
  const double expected_p90 = 20 * std::exp(1.2815516 * sigma);
  EXPECT_GT(p10, expected_p10 * 0.85);
  EXPECT_LT(p10, expected_p10 * 1.15 + 5);
  EXPECT_GT(p90, expected_p90 * 0.85);
  EXPECT_LT(p90, expected_p90 * 1.15 + 5);
  // The other 10 tokens at 2 ms each: the last write is due 20 ms after the first.
  std::sort(decode.begin(), decode.end());
  const double decode_median = decode[decode.size() / 2];
  EXPECT_GT(decode_median, 19.5);
  EXPECT_LT(decode_median, 25);
  EXPECT_EQ(mock_stat(port, "errors"), errors);
}

TEST(ScenarioCalibrationTest, TheLoadGeneratorSendsTheSimulatorsRequestsOpenLoop) {
  SKIP_WHEN_SANITIZED();
  // 50 requests a second for 2 s, each answered after 400 ms: in a closed loop they would take
  // the whole run one after another; open, they overlap and the run ends 0.4 s after the last.
  const std::string dir = make_temp_dir();
  TempFile scenario(scenario_yaml(
      "{provider: p, ttft: {dist: constant, value: 400ms}, per_token: {dist: constant, value: "
      "0ms}}",
      50, "2s", false, 1));
  SluiceProcess mock({"mock-upstream", "--listen", "127.0.0.1:0", "--scenario", scenario.path(),
                      "--scenario-provider", "p"});
  const int port = mock.wait_listening();
  ASSERT_GT(port, 0) << mock.output();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  auto live =
      run_program(SCENARIO_LOAD_BINARY,
                  {scenario.path(), "--target", url, "--start-hook", url + "/mock/scenario/restart",
                   "--json", dir + "/live.json", "--requests", dir + "/requests.csv"});
  ASSERT_EQ(live.exit_code, 0) << live.output;
  auto simulated = run_sluice({"simulate", scenario.path(), "--json", dir + "/sim.json"});
  ASSERT_EQ(simulated.exit_code, 0) << simulated.output;

  const json::object report = json::parse(read_file(dir + "/live.json")).as_object();
  const json::object sim = json::parse(read_file(dir + "/sim.json")).as_object();
  const std::int64_t requests = report.at("requests").as_int64();
  EXPECT_EQ(requests, sim.at("totals").at("requests").as_int64())
      << "the simulator's arrivals, drawn from the same seed";
  // 100 expected; a Poisson count within 4 standard deviations.
  EXPECT_NEAR(static_cast<double>(requests), 100, 40);
  EXPECT_EQ(report.at("completed").as_int64(), requests) << live.output;

  // Sent when due, not when an earlier answer came: a closed loop would lag by seconds. (The
  // bounds leave room for a loaded machine's run queue: tens of milliseconds at its 99th
  // percentile on a shared 2-core box.)
  const json::object& lag = report.at("generator").at("lag_s").as_object();
  EXPECT_LT(lag.at("p50").to_number<double>(), 0.02);
  EXPECT_LT(lag.at("p99").to_number<double>(), 0.2);
  // Open loop: the run lasted the arrivals plus one answer, not the sum of the answers (40 s).
  const double wall = report.at("generator").at("wall_s").to_number<double>();
  EXPECT_LT(wall, 2.0 + 0.4 + 1.5);
  const json::object& latency = report.at("latency_s").as_object();
  EXPECT_GE(latency.at("p50").to_number<double>(), 0.4);
  EXPECT_LT(latency.at("p50").to_number<double>(), 0.4 + 0.05);
  EXPECT_LT(latency.at("p99").to_number<double>(), 0.4 + 0.3);

  // The requests' offsets are the schedule's: spread over the 2 s, each sent at its own.
  std::istringstream csv(read_file(dir + "/requests.csv"));
  std::string line;
  std::getline(csv, line);  // header
  double last_arrival = 0;
  int rows = 0;
  while (std::getline(csv, line)) {
    ++rows;
    last_arrival = std::max(last_arrival, std::stod(line.substr(0, line.find(','))));
  }
  EXPECT_EQ(rows, requests);
  EXPECT_GT(last_arrival, 1.8);
  EXPECT_LT(last_arrival, 2.0);
}

TEST(ScenarioCalibrationTest, TheShippedCalibrationScenariosRunInBothHalves) {
  const std::string examples = std::string(SLUICE_SOURCE_DIR) + "/examples/simulate/";
  for (const auto& [file, providers] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"calibration.yaml", {"primary", "secondary"}},
           {"calibration-outage.yaml", {"openai", "fallback"}},
           {"calibration-backlog.yaml", {"openai"}},
           {"calibration-canary.yaml", {"openai"}},
           {"calibration-cost.yaml", {"openai"}}}) {
    const std::string path = examples + file;
    auto simulated = run_sluice({"simulate", path, "--duration", "5s", "--load", "1.5"});
    EXPECT_EQ(simulated.exit_code, 0) << file << ": " << simulated.output;
    for (const std::string& provider : providers) {
      SluiceProcess mock({"mock-upstream", "--listen", "127.0.0.1:0", "--scenario", path,
                          "--scenario-provider", provider});
      EXPECT_GT(mock.wait_listening(), 0) << file << " " << provider << ": " << mock.output();
    }
  }
  auto wrong = run_sluice({"mock-upstream", "--scenario", examples + "calibration.yaml",
                           "--scenario-provider", "nobody"});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.output.find("no providers entry for provider 'nobody'"), std::string::npos)
      << wrong.output;
}

}  // namespace
}  // namespace sluice::testing
