#pragma once

#include "http/server.hpp"
#include "ops/http_request_metrics.hpp"
#include "ops/logger.hpp"
#include "ops/metrics.hpp"

namespace sluice::ops {

class Tracer;

// Records every request: its metrics (HttpRequestMetrics: http_server_request_duration_seconds,
// http_server_active_requests), and the access log line (with the client's address, user agent
// and whatever fields the handler added). Responses with status >= 500 are also logged at warn
// (error for a 500), access log or not.
class HttpObserver final : public http::RequestObserver {
 public:
  HttpObserver(Registry& registry, Logger& logger, bool access_log);

  void on_request_start() override;
  void on_request_end(const http::Exchange& exchange, std::size_t bytes_sent) override;
  void on_tick() override;
  // Sampled requests also get a server span there; null (the default) = none. Set before
  // serving; `tracer` must outlive the server.
  void set_tracer(Tracer* tracer) { tracer_ = tracer; }

 private:
  void append_extra_fields(std::string& line, std::string_view json_members) const;
  void log_server_error(const http::Exchange& exchange, std::string_view method);

  HttpRequestMetrics metrics_;
  Logger& logger_;
  bool access_log_;
  Tracer* tracer_ = nullptr;
};

}  // namespace sluice::ops
