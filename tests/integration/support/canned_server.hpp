#pragma once
// A loopback HTTP/1.1 server that answers each request path with a canned raw response: a web
// site for URL ingestion, or a misbehaving upstream provider. It counts requests per path, so a
// test can prove that something was never fetched.

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace sluice::testing {

class CannedServer {
 public:
  // `responses`: path (without query) -> the whole raw response, head and body. Other paths get
  // a 404. Every connection is closed after its response.
  explicit CannedServer(std::map<std::string, std::string> responses);
  ~CannedServer();
  CannedServer(const CannedServer&) = delete;
  CannedServer& operator=(const CannedServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int hits(const std::string& path) const;

  // "HTTP/1.1 <status> X\r\nContent-Type: <type>\r\nContent-Length: n\r\n\r\n<body>".
  static std::string response(int status, const std::string& content_type, const std::string& body,
                              const std::string& extra_headers = {});

 private:
  void serve();
  std::map<std::string, std::string> responses_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::map<std::string, int> hits_;
  std::thread thread_;
};

}  // namespace sluice::testing
