#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "core/config.hpp"

namespace sluice::ops {

struct LogField {
  using Value = std::variant<std::string_view, long long, double, bool>;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, long long v) : key(k), value(v) {}
  LogField(std::string_view k, int v) : key(k), value(static_cast<long long>(v)) {}
  LogField(std::string_view k, unsigned long v) : key(k), value(static_cast<long long>(v)) {}
  LogField(std::string_view k, unsigned v) : key(k), value(static_cast<long long>(v)) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  std::string_view key;
  Value value;
};

// Structured logs to stdout: one JSON object per line (ts, level, msg, fields), or a readable
// line in the dev profile. Each line is built in a reused per-thread buffer and written with one
// write(2), so lines from different threads never interleave.
class Logger {
 public:
  void configure(core::LogLevel level, core::LogFormat format);
  bool enabled(core::LogLevel level) const { return level >= level_; }
  core::LogFormat format() const { return format_; }

  void log(core::LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
  void debug(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    log(core::LogLevel::debug, msg, fields);
  }
  void info(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    log(core::LogLevel::info, msg, fields);
  }
  void warn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    log(core::LogLevel::warn, msg, fields);
  }
  void error(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    log(core::LogLevel::error, msg, fields);
  }

  // For callers that build a line themselves (the access log): starts a line in the thread's
  // buffer with ts, level and msg; append `,"key":value` members (JSON) and call finish_line.
  std::string& begin_line(core::LogLevel level, std::string_view msg);
  void finish_line(std::string& line);
  // Same, but the line may wait in this thread's buffer (up to the configured size) until
  // flush_thread(): for the access log, where a write(2) per request is a measurable cost.
  void finish_buffered_line(std::string& line);
  // Writes whatever this thread has buffered. Event loops call it on their timer and on exit.
  void flush_thread();
  void set_buffer_limit(std::size_t bytes) { buffer_limit_ = bytes; }
  // Where lines go: stdout by default (tests point it at a file).
  void set_output_fd(int fd) { fd_ = fd; }
  // Appends one field in the current format.
  void append_field(std::string& line, const LogField& field) const;

 private:
  core::LogLevel level_ = core::LogLevel::info;
  core::LogFormat format_ = core::LogFormat::json;
  std::size_t buffer_limit_ = 0;
  int fd_ = 1;
};

// The process-wide logger.
Logger& logger();

// RFC 3339 UTC timestamp with milliseconds, e.g. 2026-11-22T20:15:01.123Z.
void append_timestamp(std::string& out);

}  // namespace sluice::ops
