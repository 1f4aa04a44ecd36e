#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// A raw HTTP/1.1 client over one loopback TCP connection, for tests that need control over
// bytes and timing (slow senders, pipelining, keep-alive).
class HttpConnection {
 public:
  explicit HttpConnection(int port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send_raw(std::string_view bytes);
  // Reads one response (Content-Length, chunked, or until close).
  std::optional<HttpResponse> read_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(10), bool head_request = false);
  // Closes our sending side (FIN), as a client that has said all it will say.
  void half_close();
  // True if the peer closes (EOF or reset) within `timeout` without sending anything more.
  bool wait_closed(std::chrono::milliseconds timeout);

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

// One request on a fresh connection. `extra_headers` are raw "Name: value\r\n" lines.
std::optional<HttpResponse> http_request(
    int port, std::string_view method, std::string_view target, std::string_view body = {},
    std::string_view extra_headers = {},
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// True if a TCP connect to 127.0.0.1:port is refused (or fails) right away.
bool connect_refused(int port);

}  // namespace sluice::testing
