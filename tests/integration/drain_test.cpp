// Graceful drain on SIGTERM: readiness fails at once, serving continues for drain_delay, then the
// listener closes and in-flight requests finish within grace; exit code 0.
#include <signal.h>

#include <thread>

#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

TEST(DrainTest, SigtermDrainsInFlightRequestsThenExitsZero) {
  auto server =
      start_server({{"SLUICE_SHUTDOWN__DRAIN_DELAY", "1s"}, {"SLUICE_SHUTDOWN__GRACE", "10s"}});
  const int port = server->port();

  // In flight: a request whose body is still arriving when the signal comes.
  HttpConnection in_flight(port);
  ASSERT_TRUE(
      in_flight.send_raw("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345"));
  // Idle keep-alive connection: must be closed by the server when it stops accepting.
  HttpConnection idle(port);
  ASSERT_TRUE(idle.send_raw("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.read_response(5s));

  server->signal(SIGTERM);
  std::this_thread::sleep_for(100ms);
  // During drain_delay: not ready, but still serving new connections.
  auto ready = http_request(port, "GET", "/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_NE(ready->body.find("not_ready"), std::string::npos);
  auto verbose = http_request(port, "GET", "/readyz?verbose");
  ASSERT_TRUE(verbose);
  EXPECT_NE(verbose->body.find(R"({"name":"shutdown","ok":false,"detail":"draining"})"),
            std::string::npos)
      << verbose->body;
  auto scrape = http_request(port, "GET", "/metrics");
  ASSERT_TRUE(scrape);
  EXPECT_NE(scrape->body.find("\nsluice_draining 1\n"), std::string::npos) << scrape->body;
  auto live = http_request(port, "GET", "/livez");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);

  // After drain_delay: idle connections closed, new connections refused.
  EXPECT_TRUE(idle.wait_closed(5s));
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    refused = connect_refused(port);
    if (!refused) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(refused) << "listener still open after drain_delay";
  EXPECT_FALSE(server->wait_exit(200ms)) << "exited with a request still in flight";

  // The in-flight request completes and is told the connection closes.
  ASSERT_TRUE(in_flight.send_raw("67890"));
  auto done = in_flight.read_response(5s);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 405);
  EXPECT_EQ(done->header("connection"), "close");

  auto code = server->wait_exit(10s);
  ASSERT_TRUE(code) << server->output();
  EXPECT_EQ(*code, 0) << server->output();
  const auto out = server->output();
  EXPECT_NE(out.find("\"msg\":\"draining\""), std::string::npos);
  EXPECT_NE(out.find("\"msg\":\"stopped\""), std::string::npos);
}

TEST(DrainTest, GraceBoundsTheWait) {
  auto server =
      start_server({{"SLUICE_SHUTDOWN__DRAIN_DELAY", "0s"}, {"SLUICE_SHUTDOWN__GRACE", "1s"}});
  HttpConnection stuck(server->port());
  ASSERT_TRUE(stuck.send_raw("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n1"));
  std::this_thread::sleep_for(100ms);
  const auto started = std::chrono::steady_clock::now();
  server->signal(SIGTERM);
  auto code = server->wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 5s);
  EXPECT_NE(server->output().find("grace period over"), std::string::npos) << server->output();
}

TEST(DrainTest, SecondSignalExitsAtOnce) {
  auto server = start_server({{"SLUICE_SHUTDOWN__DRAIN_DELAY", "30s"}});
  server->signal(SIGTERM);
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(server->wait_exit(100ms));  // still in its drain delay
  const auto started = std::chrono::steady_clock::now();
  server->signal(SIGINT);
  auto code = server->wait_exit(5s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 128 + SIGINT);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST(DrainTest, IdleServerStopsPromptly) {
  auto server = start_server();  // dev profile: no drain delay
  const auto started = std::chrono::steady_clock::now();
  server->signal(SIGINT);
  auto code = server->wait_exit(5s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

}  // namespace
}  // namespace sluice::testing
