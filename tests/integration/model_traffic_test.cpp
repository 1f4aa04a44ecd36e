// The HTTP layer under model traffic, through `sluice mock-upstream`: per-route body limits, and
// streams whose clients go away or stop reading.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "support/mock_fixture.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

std::string gateway_config(int mock_port) {
  return "gateway:\n  providers:\n"
         "    - { name: mock, type: openai, base_url: \"http://127.0.0.1:" +
         std::to_string(mock_port) +
         "/v1\", api_key: test }\n"
         "  models:\n"
         "    - { alias: gpt-test, deployments: [ { provider: mock, model: gpt-test } ] }\n";
}

TEST(ModelTrafficTest, ModelRoutesTakeLargeBodiesAndProbesDoNot) {
  auto mock = start_mock_upstream({});
  TempFile config(gateway_config(mock->port()));
  auto server =
      start_server({{"SLUICE_SERVER__MAX_MODEL_BODY_BYTES", "8MiB"}}, {"--config", config.path()});
  // A vision request: a 5 MB image inline, far over server.max_body_bytes (1 MiB).
  const std::string image(5 << 20, 'A');
  const std::string vision = R"({"model":"gpt-test","messages":[{"role":"user","content":[)"
                             R"({"type":"text","text":"What is in this image?"},)"
                             R"({"type":"image_url","image_url":{"url":"data:image/png;base64,)" +
                             image + R"("}}]}]})";
  HttpConnection chat(server->port());
  ASSERT_TRUE(chat.send_raw(chat_request(vision)));
  auto ok = chat.read_response(20s);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body.substr(0, 500);
  EXPECT_NE(ok->body.find(R"("object":"chat.completion")"), std::string::npos);

  HttpConnection probe(server->port());
  ASSERT_TRUE(probe.send_raw("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                             std::to_string(2 << 20) + "\r\n\r\n"));
  auto refused = probe.read_response(5s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
  EXPECT_NE(refused->body.find("request body exceeds 1048576 bytes (raise server.max_body_bytes)"),
            std::string::npos)
      << refused->body;

  HttpConnection huge(server->port());  // over the model routes' own limit
  ASSERT_TRUE(huge.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                            std::to_string(9 << 20) + "\r\n\r\n"));
  auto too_big = huge.read_response(5s);
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);
  EXPECT_NE(
      too_big->body.find("request body exceeds 8388608 bytes (raise server.max_model_body_bytes)"),
      std::string::npos)
      << too_big->body;
}

// A client socket that can stop reading (small receive buffer) or vanish with a reset.
class StreamClient {
 public:
  explicit StreamClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    const int small = 4096;  // set before connect: the window stays small
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~StreamClient() { reset(); }
  bool start(std::string_view request) {
    return connected_ && ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
                             static_cast<ssize_t>(request.size());
  }
  // Waits for the first bytes of the response.
  bool first_bytes(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
    char buf[256];
    return ::recv(fd_, buf, sizeof buf, 0) > 0;
  }
  // Closes with RST, as a killed client or a dropped network path looks to the server.
  void reset() {
    if (fd_ < 0) return;
    const linger hard{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
  bool connected_ = false;
};

double open_connections(int port) {
  auto r = http_request(port, "GET", "/metrics", {}, {}, 2s);
  if (!r) return -1;
  const auto at = r->body.find("\nsluice_http_open_connections ");
  return at == std::string::npos ? -1 : std::atof(r->body.c_str() + at + 30);
}

// Polls until `count` connections are open (the scrape's own included); returns how long that
// took.
std::optional<std::chrono::milliseconds> wait_for_connections(int port, std::size_t count,
                                                              std::chrono::seconds limit) {
  const auto started = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - started < limit) {
    if (open_connections(port) == static_cast<double>(count))
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
    std::this_thread::sleep_for(20ms);
  }
  return std::nullopt;
}

TEST(ModelTrafficTest, AbandonedStreamsFreeTheirConnectionsAtOnce) {
  // Streams of 200 events, 20 ms apart: each would run for 4 s.
  auto mock = start_mock_upstream({"--chunks", "200", "--chunk-interval-ms", "20"});
  TempFile config(gateway_config(mock->port()));
  auto server =
      start_server({{"SLUICE_SERVER__BODY_TIMEOUT", "1s"}, {"SLUICE_SERVER__THREADS", "2"}},
                   {"--config", config.path()});
  const std::string request = chat_request(
      R"({"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_EQ(open_connections(server->port()), 1);  // the scrape's own

  // Clients that vanish after the first bytes.
  std::vector<std::unique_ptr<StreamClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<StreamClient>(server->port()));
    ASSERT_TRUE(clients.back()->start(request));
  }
  for (auto& client : clients) ASSERT_TRUE(client->first_bytes(10s));
  EXPECT_EQ(open_connections(server->port()), 9);
  clients.clear();  // reset
  const auto gone_freed = wait_for_connections(server->port(), 1, 10s);
  ASSERT_TRUE(gone_freed) << "connections still open: " << open_connections(server->port());
  EXPECT_LT(*gone_freed, 2s);

  // Clients that stop reading but keep their sockets open, on streams of about 6 MB: more than
  // the socket buffers absorb. Once they are full a write times out (server.body_timeout), and
  // the exchange must end then, not wait on its next write.
  ASSERT_EQ(http_request(mock->port(), "POST", "/mock/config", R"({"reply_tokens":1500000})")
                .value_or(HttpResponse{})
                .status,
            200);
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<StreamClient>(server->port()));
    ASSERT_TRUE(clients.back()->start(request));
  }
  for (auto& client : clients) ASSERT_TRUE(client->first_bytes(10s));
  const auto stuck_freed = wait_for_connections(server->port(), 1, 20s);
  ASSERT_TRUE(stuck_freed) << "connections still open: " << open_connections(server->port());

  // The server is healthy afterwards.
  auto r = http_request(server->port(), "GET", "/livez");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(ModelTrafficTest, ServerErrorsAreLoggedAtWarn) {
  TempFile config(gateway_config(1));  // nothing listens on port 1: the provider is down
  auto server = start_server({}, {"--config", config.path()});
  auto r = http_request(server->port(), "POST", "/v1/chat/completions",
                        R"({"model":"gpt-test","messages":[{"role":"user","content":"Hi"}]})",
                        "X-Request-Id: down-1\r\n");
  ASSERT_TRUE(r);
  ASSERT_GE(r->status, 500);
  ASSERT_NE(r->status, 500);  // an upstream failure, not our own bug: warn, not error
  for (int i = 0; i < 200; ++i) {
    const std::string out = server->output();
    const auto at = out.find(R"("msg":"request failed","request_id":"down-1")");
    if (at != std::string::npos) {
      const auto line_start = out.rfind('\n', at) + 1;
      const std::string line = out.substr(line_start, out.find('\n', at) - line_start);
      EXPECT_NE(line.find(R"("level":"warn")"), std::string::npos) << line;
      EXPECT_NE(line.find(R"("status":)" + std::to_string(r->status)), std::string::npos) << line;
      EXPECT_NE(line.find(R"("upstream_error":)"), std::string::npos) << line;  // handler fields
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
  FAIL() << "no warn line for the failed request:\n" << server->output();
}

}  // namespace
}  // namespace sluice::testing
