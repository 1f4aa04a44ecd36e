#include "sim/scenario/distribution_spec.hpp"

#include <array>
#include <cstdio>
#include <string_view>

namespace sluice::sim {
namespace {

double number(double v) { return v; }
double number(core::Seconds v) { return v.count(); }

// Plain text of a number or duration, for messages: "0.25", "250ms".
std::string text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
std::string text(core::Seconds v) {
  char buf[32];
  if (v.count() != 0 && v.count() < 1)
    std::snprintf(buf, sizeof buf, "%gms", v.count() * 1000);
  else
    std::snprintf(buf, sizeof buf, "%gs", v.count());
  return buf;
}

struct Parameters {
  std::string_view names[2];
  std::string_view example;
};

Parameters parameters_of(Distribution::Kind kind, bool time) {
  switch (kind) {
    case Distribution::Kind::constant:
      return {{"value", ""},
              time ? "{dist: constant, value: 20ms}" : "{dist: constant, value: 500}"};
    case Distribution::Kind::exponential:
      return {{"mean", ""},
              time ? "{dist: exponential, mean: 300ms}" : "{dist: exponential, mean: 500}"};
    case Distribution::Kind::uniform:
      return {
          {"min", "max"},
          time ? "{dist: uniform, min: 10ms, max: 30ms}" : "{dist: uniform, min: 100, max: 900}"};
    case Distribution::Kind::lognormal:
      return {{"median", "p99"},
              time ? "{dist: lognormal, median: 400ms, p99: 2s}"
                   : "{dist: lognormal, median: 400, p99: 4000}"};
  }
  return {};
}

template <class T>
void check(const DistributionSpec<T>& spec, const std::string& path,
           const std::map<std::string, std::string>& given, bool required,
           core::detail::Reporter& report) {
  constexpr bool kTime = std::is_same_v<T, core::Seconds>;
  if (spec.dist.empty()) {
    if (required)
      report.add(path, "must be given",
                 kTime ? "e.g. {dist: lognormal, median: 400ms, p99: 2s}"
                       : "e.g. {dist: lognormal, median: 400, p99: 4000}");
    return;
  }
  const std::optional<Distribution::Kind> kind = parse_distribution_kind(spec.dist);
  if (!kind) {
    report.add(path + ".dist", "unknown distribution '" + spec.dist + "'",
               "use constant, exponential, uniform or lognormal");
    return;
  }
  const Parameters takes = parameters_of(*kind, kTime);
  const std::array<std::pair<std::string_view, T>, 6> all = {{{"value", spec.value},
                                                              {"mean", spec.mean},
                                                              {"min", spec.min},
                                                              {"max", spec.max},
                                                              {"median", spec.median},
                                                              {"p99", spec.p99}}};
  bool complete = true;
  for (const auto& [name, value] : all) {
    const bool wanted = name == takes.names[0] || name == takes.names[1];
    const std::string key = path + "." + std::string(name);
    const bool present = given.contains(key);
    if (present && !wanted)
      report.add(key, "is not a parameter of a " + spec.dist + " distribution",
                 "write it as " + std::string(takes.example));
    if (!present && wanted) {
      report.add(key, "must be given for a " + spec.dist + " distribution",
                 "write it as " + std::string(takes.example));
      complete = false;
    }
  }
  if (!complete) return;
  const auto negative = [&](std::string_view name, T value) {
    if (number(value) >= 0) return false;
    report.add(path + "." + std::string(name), "must not be negative, got " + text(value),
               "write it as " + std::string(takes.example));
    return true;
  };
  switch (*kind) {
    case Distribution::Kind::constant:
      negative("value", spec.value);
      break;
    case Distribution::Kind::exponential:
      if (!(number(spec.mean) > 0))
        report.add(path + ".mean", "must be greater than 0, got " + text(spec.mean),
                   "write it as " + std::string(takes.example));
      break;
    case Distribution::Kind::uniform:
      if (!negative("min", spec.min) && number(spec.max) < number(spec.min))
        report.add(path + ".max",
                   "must not be less than min (" + text(spec.min) + "), got " + text(spec.max),
                   "write it as " + std::string(takes.example));
      break;
    case Distribution::Kind::lognormal:
      if (!(number(spec.median) > 0))
        report.add(path + ".median", "must be greater than 0, got " + text(spec.median),
                   "write it as " + std::string(takes.example));
      else if (!(number(spec.p99) > number(spec.median)))
        report.add(path + ".p99",
                   "must be greater than median (" + text(spec.median) + "), got " + text(spec.p99),
                   "a lognormal's p99 lies above its median; for no spread use "
                   "{dist: constant, value: ...}");
      break;
  }
}

template <class T>
Distribution convert(const DistributionSpec<T>& spec) {
  switch (parse_distribution_kind(spec.dist).value_or(Distribution::Kind::constant)) {
    case Distribution::Kind::constant:
      return Distribution::constant(number(spec.value));
    case Distribution::Kind::exponential:
      return Distribution::exponential(number(spec.mean));
    case Distribution::Kind::uniform:
      return Distribution::uniform(number(spec.min), number(spec.max));
    case Distribution::Kind::lognormal:
      return Distribution::lognormal(number(spec.median), number(spec.p99));
  }
  return Distribution::constant(0);
}

}  // namespace

void check_distribution(const TimeDistributionSpec& spec, const std::string& path,
                        const std::map<std::string, std::string>& given, bool required,
                        core::detail::Reporter& report) {
  check(spec, path, given, required, report);
}
void check_distribution(const CountDistributionSpec& spec, const std::string& path,
                        const std::map<std::string, std::string>& given, bool required,
                        core::detail::Reporter& report) {
  check(spec, path, given, required, report);
}

Distribution to_distribution(const TimeDistributionSpec& spec) {
  return spec.dist.empty() ? Distribution::constant(0) : convert(spec);
}
Distribution to_distribution(const CountDistributionSpec& spec) {
  return spec.dist.empty() ? Distribution::constant(0) : convert(spec);
}

}  // namespace sluice::sim
