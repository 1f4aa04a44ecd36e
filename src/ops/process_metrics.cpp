#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ops/metrics.hpp"

namespace sluice::ops {
namespace {

// /proc files report a size of 0, so read until EOF instead of trusting stat().
std::optional<std::string> read_proc_file(const char* path) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  if (n < 0) return std::nullopt;
  return text;
}

std::optional<double> parse_number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

// Whitespace-separated fields of /proc/self/stat after the command name. The name is in
// parentheses and may itself contain spaces or ')', so fields start after the last ')'.
// Field N of proc(5) is at index N - 3.
std::vector<std::string_view> stat_fields(std::string_view stat) {
  std::vector<std::string_view> fields;
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return fields;
  std::string_view rest = stat.substr(close + 1);
  while (!rest.empty()) {
    size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    size_t end = rest.find_first_of(" \n", start);
    fields.push_back(rest.substr(start, end - start));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  return fields;
}

std::optional<double> stat_field(const std::vector<std::string_view>& fields, size_t proc5_index) {
  if (proc5_index < 3 || proc5_index - 3 >= fields.size()) return std::nullopt;
  return parse_number(fields[proc5_index - 3]);
}

// Boot time from /proc/stat plus the process's start in clock ticks since boot, as the Go
// client computes it.
std::optional<double> start_time_seconds() {
  auto stat = read_proc_file("/proc/self/stat");
  auto system = read_proc_file("/proc/stat");
  if (!stat || !system) return std::nullopt;
  auto start_ticks = stat_field(stat_fields(*stat), 22);
  size_t at = system->find("\nbtime ");
  if (!start_ticks || at == std::string::npos) return std::nullopt;
  auto btime = parse_number(std::string_view(*system).substr(at + 7));
  if (!btime) return std::nullopt;
  return *btime + *start_ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::optional<double> open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  double count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the directory stream's own descriptor was listed too
}

// The soft limit: the one that makes open() fail.
std::optional<double> max_fds() {
  auto limits = read_proc_file("/proc/self/limits");
  if (!limits) return std::nullopt;
  constexpr std::string_view kRow = "Max open files";
  size_t at = limits->find(kRow);
  if (at == std::string::npos) return std::nullopt;
  std::string_view soft = std::string_view(*limits).substr(at + kRow.size());
  soft.remove_prefix(std::min(soft.find_first_not_of(' '), soft.size()));
  if (soft.starts_with("unlimited")) return std::numeric_limits<double>::infinity();
  return parse_number(soft);
}

void emit(MetricSink& out, std::string_view name, std::string_view help, std::string_view type,
          std::optional<double> value) {
  if (!value) return;  // not on Linux, or /proc unreadable: omit rather than report a lie
  write_family_header(out, name, help, type);
  write_sample(out, name, {}, *value);
}

}  // namespace

void register_process_metrics(Registry& registry) {
  const std::optional<double> start_time = start_time_seconds();  // fixed for the process's life
  registry.add_collector([start_time](MetricSink& out) {
    std::optional<double> cpu, virtual_bytes, resident_bytes;
    if (auto stat = read_proc_file("/proc/self/stat")) {
      auto fields = stat_fields(*stat);
      auto utime = stat_field(fields, 14);
      auto stime = stat_field(fields, 15);
      if (utime && stime) cpu = (*utime + *stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
      virtual_bytes = stat_field(fields, 23);
      if (auto pages = stat_field(fields, 24)) {
        resident_bytes = *pages * static_cast<double>(::sysconf(_SC_PAGESIZE));
      }
    }
    emit(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
         "counter", cpu);
    emit(out, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge",
         resident_bytes);
    emit(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge",
         virtual_bytes);
    emit(out, "process_start_time_seconds",
         "Start time of the process since unix epoch in seconds.", "gauge", start_time);
    emit(out, "process_open_fds", "Number of open file descriptors.", "gauge", open_fds());
    emit(out, "process_max_fds", "Maximum number of open file descriptors.", "gauge", max_fds());
  });
}

}  // namespace sluice::ops
