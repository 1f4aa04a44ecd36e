#include "ops/http_observer.hpp"

#include <cmath>

#include "ops/server_span.hpp"
#include "ops/tracer.hpp"

namespace sluice::ops {

// Handlers add fields as JSON members (`,"key":value`); the text format shows them as key=value.
void HttpObserver::append_extra_fields(std::string& line, std::string_view json_members) const {
  if (logger_.format() == core::LogFormat::json) {
    line += json_members;
    return;
  }
  bool in_string = false;
  for (std::size_t i = 0; i < json_members.size(); ++i) {
    const char c = json_members[i];
    if (in_string) {
      line += c;
      if (c == '\\' && i + 1 < json_members.size())
        line += json_members[++i];
      else if (c == '"')
        in_string = false;
    } else if (c == ',' && i + 1 < json_members.size() && json_members[i + 1] == '"') {
      line += ' ';  // a new member: its quoted key becomes key=
      const auto key_end = json_members.find('"', i + 2);
      if (key_end == std::string_view::npos) return;
      line.append(json_members.substr(i + 2, key_end - i - 2));
      line += '=';
      i = key_end + 1;  // skip the closing quote and the colon
    } else {
      if (c == '"') in_string = true;
      line += c;
    }
  }
}

HttpObserver::HttpObserver(Registry& registry, Logger& logger, bool access_log)
    : metrics_(registry), logger_(logger), access_log_(access_log) {}

void HttpObserver::on_request_start() { metrics_.started(); }

void HttpObserver::on_tick() {
  logger_.flush_thread();
  if (tracer_) tracer_->flush_thread();
}

void HttpObserver::on_request_end(const http::Exchange& exchange, std::size_t bytes_sent) {
  const auto elapsed = std::chrono::steady_clock::now() - exchange.started;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  metrics_.ended(exchange.request.method, exchange.route, exchange.response.status, seconds);
  const std::string_view method = method_label(exchange.request.method);
  if (tracer_ && tracer_->sampled(exchange.trace)) {
    const uint64_t end = Tracer::unix_nanos(exchange.started + elapsed);
    tracer_->record(server_span(
        exchange, end - static_cast<uint64_t>(std::chrono::nanoseconds(elapsed).count()), end));
  }
  if (exchange.response.status >= 500) log_server_error(exchange, method);
  if (!access_log_ || !logger_.enabled(core::LogLevel::info)) return;

  std::string& line = logger_.begin_line(core::LogLevel::info, "request");
  logger_.append_field(line, {"request_id", exchange.request_id});
  logger_.append_field(line, {"trace_id", exchange.trace.trace_id});
  logger_.append_field(line, {"span_id", exchange.trace.span_id});
  logger_.append_field(line, {"method", method});
  logger_.append_field(line, {"route", exchange.route});
  logger_.append_field(line, {"path", exchange.request.path});
  logger_.append_field(line, {"status", exchange.response.status});
  logger_.append_field(line, {"duration_ms", std::round(seconds * 1e6) / 1000.0});
  logger_.append_field(line, {"bytes", static_cast<long long>(bytes_sent)});
  logger_.append_field(line, {"client", exchange.client_address});
  logger_.append_field(line, {"user_agent", exchange.request.header("user-agent")});
  append_extra_fields(line, exchange.log_fields);
  logger_.finish_buffered_line(line);
}

// Whatever the access log's setting: operators alert on these. A 500 is our own bug; other 5xx
// are mostly upstream trouble. The handler's fields (the error, the deployment) come along.
void HttpObserver::log_server_error(const http::Exchange& exchange, std::string_view method) {
  const core::LogLevel level =
      exchange.response.status == 500 ? core::LogLevel::error : core::LogLevel::warn;
  if (!logger_.enabled(level)) return;
  std::string& line = logger_.begin_line(level, "request failed");
  logger_.append_field(line, {"request_id", exchange.request_id});
  logger_.append_field(line, {"trace_id", exchange.trace.trace_id});
  logger_.append_field(line, {"method", method});
  logger_.append_field(line, {"route", exchange.route});
  logger_.append_field(line, {"status", exchange.response.status});
  append_extra_fields(line, exchange.log_fields);
  logger_.finish_line(line);
}

}  // namespace sluice::ops
