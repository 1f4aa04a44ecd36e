// /metrics content, checked by Prometheus' own promtool.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

std::string run_command(const std::string& command, int& exit_code) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int status = ::pclose(pipe);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

TEST(MetricsEndpointTest, ExposesHttpMetricsWithRouteTemplates) {
  auto server = start_server();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(http_request(server->port(), "GET", "/livez"));
  ASSERT_TRUE(http_request(server->port(), "GET", "/no/such/path/123"));
  ASSERT_TRUE(http_request(server->port(), "BREW", "/livez"));
  // A request is recorded once its response is written, so a scrape served by another event loop
  // may briefly miss the last one: poll until all five are in.
  std::optional<HttpResponse> r;
  for (int i = 0; i < 100; ++i) {
    r = http_request(server->port(), "GET", "/metrics");
    if (r && r->body.find("status=\"405\"") != std::string::npos &&
        r->body.find("status=\"404\"") != std::string::npos &&
        r->body.find("route=\"/livez\",status=\"200\"} 3") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = r->body;
  EXPECT_NE(m.find("# TYPE http_server_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(m.find("http_server_request_duration_seconds_count{method=\"GET\",route=\"/livez\","
                   "status=\"200\"} 3"),
            std::string::npos)
      << m;
  // Unknown paths are counted under one label, never the raw path; odd methods become _OTHER.
  EXPECT_NE(m.find("route=\"unmatched\",status=\"404\""), std::string::npos);
  EXPECT_EQ(m.find("/no/such/path"), std::string::npos);
  EXPECT_NE(m.find("method=\"_OTHER\",route=\"/livez\",status=\"405\""), std::string::npos) << m;
  EXPECT_NE(m.find("# TYPE http_server_active_requests gauge"), std::string::npos);
  const auto active_at = m.find("\nhttp_server_active_requests ");
  ASSERT_NE(active_at, std::string::npos);
  EXPECT_GE(std::atof(m.c_str() + active_at + 29), 1.0);  // at least the scrape itself
  EXPECT_NE(m.find("sluice_build_info{version=\""), std::string::npos);
  EXPECT_NE(m.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(m.find("process_cpu_seconds_total "), std::string::npos);
  EXPECT_NE(m.find("process_open_fds "), std::string::npos);
  // Model calls last minutes: the buckets reach 10 minutes.
  EXPECT_NE(m.find(R"(route="/livez",status="200",le="600"} 3)"), std::string::npos) << m;
  EXPECT_NE(m.find("\nsluice_http_open_connections 1\n"), std::string::npos);
  EXPECT_NE(m.find("\nsluice_http_connections_rejected_total 0\n"), std::string::npos);
  EXPECT_NE(m.find("\nsluice_draining 0\n"), std::string::npos);
}

TEST(MetricsEndpointTest, PassesPromtool) {
  auto server = start_server();
  ASSERT_TRUE(http_request(server->port(), "GET", "/livez"));
  ASSERT_TRUE(http_request(server->port(), "GET", "/nope"));
  ASSERT_TRUE(http_request(server->port(), "POST", "/readyz", "x"));
  auto r = http_request(server->port(), "GET", "/metrics");
  ASSERT_TRUE(r);
  TempFile scrape(r->body, ".prom");
  int code = -1;
  const std::string out = run_command("promtool check metrics < " + scrape.path() + " 2>&1", code);
  EXPECT_EQ(code, 0) << out << "\n--- scrape ---\n" << r->body;
  EXPECT_EQ(out, "") << "promtool lint findings:\n" << out;
}

// Two aliases naming one provider/model share its deployment: one circuit, one series.
TEST(MetricsEndpointTest, OneCircuitSeriesPerProviderModel) {
  TempFile config(
      "gateway:\n  providers:\n    - {name: local, type: mock}\n  models:\n"
      "    - alias: fast\n      deployments: [{provider: local, model: m, weight: 3}]\n"
      "    - alias: cheap\n      deployments: [{provider: local, model: m, priority: 1}]\n");
  auto server = start_server({}, {"--config", config.path()});
  auto r = http_request(server->port(), "GET", "/metrics");
  ASSERT_TRUE(r);
  std::size_t series = 0;
  for (auto at = r->body.find("\nsluice_circuit_state{"); at != std::string::npos;
       at = r->body.find("\nsluice_circuit_state{", at + 1))
    ++series;
  EXPECT_EQ(series, 1u) << r->body;
  EXPECT_NE(r->body.find("sluice_circuit_state{deployment=\"local/m\"} 0"), std::string::npos);
}

TEST(MetricsEndpointTest, CanBeMovedOrDisabled) {
  auto moved = start_server({{"SLUICE_METRICS__PATH", "/internal/metrics"}});
  auto at_new = http_request(moved->port(), "GET", "/internal/metrics");
  ASSERT_TRUE(at_new);
  EXPECT_EQ(at_new->status, 200);
  auto at_old = http_request(moved->port(), "GET", "/metrics");
  ASSERT_TRUE(at_old);
  EXPECT_EQ(at_old->status, 404);
  auto disabled = start_server({{"SLUICE_METRICS__ENABLED", "false"}});
  auto none = http_request(disabled->port(), "GET", "/metrics");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
}

}  // namespace
}  // namespace sluice::testing
