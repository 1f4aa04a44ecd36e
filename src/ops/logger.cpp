#include "ops/logger.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>

#include "core/json_text.hpp"

namespace sluice::ops {
namespace {

std::string_view level_name(core::LogLevel level, bool upper) {
  switch (level) {
    case core::LogLevel::debug:
      return upper ? "DEBUG" : "debug";
    case core::LogLevel::info:
      return upper ? "INFO " : "info";
    case core::LogLevel::warn:
      return upper ? "WARN " : "warn";
    case core::LogLevel::error:
      return upper ? "ERROR" : "error";
  }
  return "info";
}

void write_fully(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // stdout gone: logging must never take the server down
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

Logger& logger() {
  static Logger instance;
  return instance;
}

void append_timestamp(std::string& out) {
  // The date-time part changes once a second: cache it per thread.
  thread_local long long cached_second = -1;
  thread_local char cached[24];
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  const long long second = ms / 1000;
  if (second != cached_second) {
    cached_second = second;
    std::time_t t = static_cast<std::time_t>(second);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
  }
  out += cached;
  const int millis = static_cast<int>(ms % 1000);
  out += '.';
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += 'Z';
}

void Logger::configure(core::LogLevel level, core::LogFormat format) {
  level_ = level;
  format_ = format;
}

std::string& Logger::begin_line(core::LogLevel level, std::string_view msg) {
  thread_local std::string line;
  line.clear();
  if (format_ == core::LogFormat::json) {
    line += "{\"ts\":\"";
    append_timestamp(line);
    line += "\",\"level\":\"";
    line += level_name(level, false);
    line += "\",\"msg\":";
    core::append_json_string(line, msg);
  } else {
    append_timestamp(line);
    line += ' ';
    line += level_name(level, true);
    line += ' ';
    line += msg;
  }
  return line;
}

void Logger::append_field(std::string& line, const LogField& field) const {
  const bool json = format_ == core::LogFormat::json;
  if (json) {
    line += ",\"";
    line += field.key;
    line += "\":";
  } else {
    line += ' ';
    line += field.key;
    line += '=';
  }
  std::visit(
      [&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          const bool bare =
              !json && !value.empty() && value.find_first_of(" \"=\n\t") == std::string_view::npos;
          if (bare)
            line += value;
          else
            core::append_json_string(line, value);
        } else if constexpr (std::is_same_v<T, bool>) {
          line += value ? "true" : "false";
        } else {
          core::append_json_number(line, value);
        }
      },
      field.value);
}

namespace {
std::string& thread_buffer() {
  thread_local std::string pending;
  return pending;
}
}  // namespace

void Logger::flush_thread() {
  std::string& pending = thread_buffer();
  if (pending.empty()) return;
  write_fully(fd_, pending.data(), pending.size());
  pending.clear();
}

void Logger::finish_line(std::string& line) {
  if (format_ == core::LogFormat::json) line += '}';
  line += '\n';
  flush_thread();  // this thread's earlier lines first, so its own lines stay in order
  write_fully(fd_, line.data(), line.size());
}

void Logger::finish_buffered_line(std::string& line) {
  if (buffer_limit_ == 0) return finish_line(line);
  if (format_ == core::LogFormat::json) line += '}';
  line += '\n';
  std::string& pending = thread_buffer();
  pending += line;
  if (pending.size() >= buffer_limit_) flush_thread();
}

void Logger::log(core::LogLevel level, std::string_view msg,
                 std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  std::string& line = begin_line(level, msg);
  for (const LogField& field : fields) append_field(line, field);
  finish_line(line);
}

}  // namespace sluice::ops
