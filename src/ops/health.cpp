#include "ops/health.hpp"

namespace sluice::ops {

void Health::add_check(std::string name, Check check) {
  std::lock_guard lock(mutex_);
  checks_.emplace_back(std::move(name), std::move(check));
}

void Health::add_status(Status status) {
  std::lock_guard lock(mutex_);
  statuses_.push_back(std::move(status));
}

Health::Report Health::readiness() const {
  Report report;
  report.checks.push_back({"startup", {started_.load(), started_.load() ? "" : "starting"}});
  report.checks.push_back({"shutdown", {!draining_.load(), draining_.load() ? "draining" : ""}});
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, check] : checks_) report.checks.push_back({name, check()});
    for (const auto& status : statuses_)
      for (auto& entry : status()) report.status.push_back(std::move(entry));
  }
  report.ready = true;
  for (const auto& check : report.checks) report.ready = report.ready && check.result.ok;
  return report;
}

bool Health::ready() const {
  if (!started_.load() || draining_.load()) return false;
  std::lock_guard lock(mutex_);
  for (const auto& [name, check] : checks_)
    if (!check().ok) return false;
  return true;
}

}  // namespace sluice::ops
