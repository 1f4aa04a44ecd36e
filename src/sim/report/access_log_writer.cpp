#include "sim/report/access_log_writer.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include "core/json_text.hpp"

namespace sluice::sim {
namespace {

// "2024-01-01T00:00:00.123Z", as the server's logger writes it (milliseconds, truncated).
void append_timestamp(std::string& out, double unix_seconds) {
  const auto ms = static_cast<long long>(std::floor(unix_seconds * 1000));
  const auto t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  out += text;
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(ms % 1000));
  out += fraction;
}

void member(std::string& out, std::string_view key) {
  out += ",\"";
  out += key;
  out += "\":";
}

// Milliseconds with microsecond resolution, as the server's duration_ms.
double milliseconds(double seconds) { return std::round(seconds * 1e6) / 1000.0; }

}  // namespace

AccessLogWriter::AccessLogWriter(const std::string& path, double start_unix_seconds)
    : path_(path),
      start_unix_seconds_(start_unix_seconds),
      out_(path, std::ios::binary | std::ios::trunc) {}

std::string AccessLogWriter::line(const RequestRecord& record, double start_unix_seconds) {
  std::string out = "{\"ts\":\"";
  append_timestamp(out, start_unix_seconds + record.end);
  out += R"(","level":"info","msg":"request","method":"POST","route":"/v1/chat/completions")";
  member(out, "status");
  core::append_json_number(out, record.status);
  member(out, "duration_ms");
  core::append_json_number(out, milliseconds(record.latency()));
  member(out, "replica");
  core::append_json_number(out, static_cast<long long>(record.replica));
  member(out, "model");
  core::append_json_string(out, record.model);
  if (record.admitted) {
    if (!record.deployment.empty()) {
      member(out, "deployment");
      core::append_json_string(out, record.deployment);
    }
    member(out, "attempts");
    core::append_json_number(out, record.attempts);
    member(out, "outcome");
    core::append_json_string(out, core::to_string(record.last_outcome));
    member(out, "prompt_tokens");
    core::append_json_number(out, record.prompt_tokens);
    member(out, "completion_tokens");
    core::append_json_number(out, record.completion_tokens);
    member(out, "cost_usd");
    core::append_json_number(out, record.cost_usd);
    if (record.ttft) {  // as the server's: from the gateway's start, admission wait excluded
      member(out, "ttft_ms");
      core::append_json_number(out, milliseconds(*record.ttft - record.queue_wait));
    }
  }
  if (record.cause != Cause::none) {
    member(out, "cause");
    core::append_json_string(out, to_string(record.cause));
  }
  gateway::append_tries_json(out, record.tries);
  out += '}';
  return out;
}

void AccessLogWriter::write(const RequestRecord& record) {
  if (!out_) return;
  line_ = line(record, start_unix_seconds_);
  line_ += '\n';
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
}

Status AccessLogWriter::finish() {
  out_.close();
  if (!out_)
    return make_error(Errc::internal, "cannot write " + path_ + ": " + std::strerror(errno));
  return {};
}

}  // namespace sluice::sim
