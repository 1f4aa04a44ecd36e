#include "sim/model/key_book.hpp"

#include <algorithm>
#include <stdexcept>

#include "auth/key_registry.hpp"
#include "sim/scenario/protection_config.hpp"

namespace sluice::sim {

Status MemoryUsageStore::add(const std::vector<store::UsageRow>& rows) {
  for (const store::UsageRow& row : rows) {
    store::UsageRow& total = rows_[{row.key_id, row.day, row.model}];
    if (total.key_id.empty()) {
      total.key_id = row.key_id;
      total.day = row.day;
      total.model = row.model;
    }
    total.requests += row.requests;
    total.prompt_tokens += row.prompt_tokens;
    total.completion_tokens += row.completion_tokens;
    total.cost_nano_usd += row.cost_nano_usd;
  }
  return Status::success();
}

Result<std::vector<store::UsageRow>> MemoryUsageStore::for_key(const std::string& key_id,
                                                               const std::string& from,
                                                               const std::string& to) {
  std::vector<store::UsageRow> out;
  for (const auto& [where, row] : rows_)
    if (row.key_id == key_id && row.day >= from && row.day <= to) out.push_back(row);
  std::sort(out.begin(), out.end(), [](const store::UsageRow& a, const store::UsageRow& b) {
    return std::tie(a.day, a.model) < std::tie(b.day, b.model);
  });
  return out;
}

// As the SQL store: the rows from the month's first day to `day`, summed per key.
Result<std::vector<store::KeySpend>> MemoryUsageStore::spend(const std::string& day) {
  const std::string month_start = day.substr(0, 8) + "01";
  std::map<std::string, store::KeySpend> by_key;
  for (const auto& [where, row] : rows_) {
    if (row.day < month_start || row.day > day) continue;
    store::KeySpend& spend = by_key[row.key_id];
    spend.key_id = row.key_id;
    if (const auto team = teams_.find(row.key_id); team != teams_.end()) spend.team = team->second;
    if (row.day == day) spend.day_nano_usd += row.cost_nano_usd;
    spend.month_nano_usd += row.cost_nano_usd;
  }
  std::vector<store::KeySpend> out;
  for (auto& [key, spend] : by_key) out.push_back(std::move(spend));
  return out;
}

namespace {

std::vector<store::ApiKey> api_keys_of(const ScenarioConfig& scenario) {
  std::vector<store::ApiKey> keys;
  for (std::size_t i = 0; i < scenario.keys.size(); ++i) {
    Result<store::ApiKey> key = api_key_of(scenario.keys[i], i);
    if (!key) throw std::invalid_argument("keys." + std::to_string(i) + ": " + key.error().message);
    keys.push_back(std::move(*key));
  }
  return keys;
}

std::map<std::string, std::string> teams_of(const std::vector<store::ApiKey>& keys) {
  std::map<std::string, std::string> teams;
  for (const store::ApiKey& key : keys) teams[key.id] = key.team;
  return teams;
}

}  // namespace

KeyBook::KeyBook(const ScenarioConfig& scenario) : KeyBook(scenario, api_keys_of(scenario)) {}

KeyBook::KeyBook(const ScenarioConfig& scenario, const std::vector<store::ApiKey>& keys)
    : start_unix_ms_(unix_ms_of_start(scenario.start).value_or(0)), store_(teams_of(keys)) {
  // As authentication gives them: the registry's principal of each stored key.
  for (const store::ApiKey& key : keys) principals_.push_back(auth::principal_of(key));
}

int KeyBook::index_of(const std::string& name) const {
  for (std::size_t i = 0; i < principals_.size(); ++i)
    if (principals_[i]->name == name) return static_cast<int>(i);
  return -1;
}

void KeyBook::withdraw(const gateway::UsageLedger& ledger) {
  ledgers_.erase(std::remove(ledgers_.begin(), ledgers_.end(), &ledger), ledgers_.end());
}

void KeyBook::flush() {
  for (gateway::UsageLedger* ledger : ledgers_)
    if (Status flushed = ledger->flush(); !flushed)
      throw std::runtime_error("usage flush: " + flushed.error().message);
}

}  // namespace sluice::sim
