#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::ops {

struct CheckResult {
  bool ok = true;
  std::string detail;
};

// Readiness: a registry of named checks that subsystems add (store, indexes, providers), plus the
// server's own lifecycle: not ready until started, and not ready again once draining.
class Health {
 public:
  using Check = std::function<CheckResult()>;

  void add_check(std::string name, Check check);
  // Entries shown by /readyz?verbose that never affect readiness: upstream health, say. An
  // upstream outage is for fallbacks, 503s and alerts; failing readiness over it would pull
  // every replica out of the load balancer at once.
  struct NamedResult;
  using Status = std::function<std::vector<NamedResult>()>;
  void add_status(Status status);
  void set_started() { started_.store(true); }
  void set_draining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }

  struct NamedResult {
    std::string name;
    CheckResult result;
  };
  struct Report {
    bool ready = false;
    std::vector<NamedResult> checks;  // lifecycle first, then the registered checks
    std::vector<NamedResult> status;  // informational, from add_status
  };
  // Runs every check; `ready` only if all pass. Checks must be cheap and non-blocking.
  Report readiness() const;
  // The fast path for plain /readyz: stops at the first failing check.
  bool ready() const;

 private:
  std::atomic<bool> started_{false};
  std::atomic<bool> draining_{false};
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, Check>> checks_;
  std::vector<Status> statuses_;
};

}  // namespace sluice::ops
