#pragma once
// The scenario's keys, rate limits and budgets: the virtual keys its traffic is sent with (read
// as POST /v1/admin/keys reads a key), the instant its budgets' days are counted from, and their
// checks.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/config_validate.hpp"
#include "core/result.hpp"
#include "sim/scenario/scenario.hpp"
#include "store/records.hpp"

namespace sluice::sim {

// `keys` entry `index` as the store would hold it once POST /v1/admin/keys created it (the
// route's own reader checks every field; the error names the field), with the id
// "key_sim_<index>" and the role that calls models.
Result<store::ApiKey> api_key_of(const KeyConfig& key, std::size_t index);

// `start` ("YYYY-MM-DDTHH:MM:SSZ") as Unix milliseconds; nullopt when it is not such a time.
std::optional<int64_t> unix_ms_of_start(const std::string& start);

// Whether requests are charged to rate limits or budgets at all: some key sends traffic, or a
// route limit covers the chat route.
bool protection_applies(const ScenarioConfig& s);

// The keys, `start`, the embedded rate_limits and budgets sections (by the server's own checks),
// and what the mix and the downgrades name.
void validate_protection(const ScenarioConfig& s, const std::map<std::string, std::string>& given,
                         core::detail::Reporter& report);

}  // namespace sluice::sim
