#pragma once
// The scenario's virtual keys as every simulated replica holds them (the principal
// authentication would give each), and the usage store their calls are flushed to: what the
// server keeps in its database, shared by every replica, so that a replica's budgets see the
// others' calls once they are flushed, as in the server.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "core/principal.hpp"
#include "gateway/usage_ledger.hpp"
#include "sim/scenario/scenario.hpp"
#include "store/records.hpp"
#include "store/usage_store.hpp"

namespace sluice::sim {

// The usage rows the replicas' ledgers add, in memory, read back as the store reads them: a
// key's spend on a day and over that day's month, with the key's team.
class MemoryUsageStore final : public store::UsageStore {
 public:
  explicit MemoryUsageStore(std::map<std::string, std::string> teams) : teams_(std::move(teams)) {}

  Status add(const std::vector<store::UsageRow>& rows) override;
  Result<std::vector<store::UsageRow>> for_key(const std::string& key_id, const std::string& from,
                                               const std::string& to) override;
  Result<std::vector<store::KeySpend>> spend(const std::string& day) override;

 private:
  std::map<std::tuple<std::string, std::string, std::string>, store::UsageRow> rows_;
  std::map<std::string, std::string> teams_;  // key id -> team
};

class KeyBook {
 public:
  // Gateway usage is flushed to the store this often (the server's period).
  static constexpr std::chrono::milliseconds kFlushPeriod{2000};

  // `scenario` must be valid.
  explicit KeyBook(const ScenarioConfig& scenario);

  // The principal of `keys` entry `index`.
  const core::Principal& principal(std::size_t index) const { return *principals_[index]; }
  // The index of the key named `name`; -1 when none is.
  int index_of(const std::string& name) const;
  std::size_t size() const { return principals_.size(); }

  // The Unix time (ms) virtual time 0 stands for: `start`.
  int64_t start_unix_ms() const { return start_unix_ms_; }
  store::UsageStore& store() { return store_; }

  // A replica's ledger joins the flushes (until withdrawn).
  void enlist(gateway::UsageLedger& ledger) { ledgers_.push_back(&ledger); }
  void withdraw(const gateway::UsageLedger& ledger);
  // Every replica's ledger flushes, in replica order (each reads back the store's totals).
  void flush();

 private:
  KeyBook(const ScenarioConfig& scenario, const std::vector<store::ApiKey>& keys);

  std::vector<std::shared_ptr<const core::Principal>> principals_;
  int64_t start_unix_ms_ = 0;
  MemoryUsageStore store_;
  std::vector<gateway::UsageLedger*> ledgers_;
};

}  // namespace sluice::sim
